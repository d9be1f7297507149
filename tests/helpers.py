"""Test helpers: tiny scenarios with everything switched off but what a test needs,
and hand-built cohorts to drive the county system with known patients."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any

from flowsim.config import Scenario, deep_merge, validate
from flowsim.model.system import CountySystem
from flowsim.patients import CareAttrs, Cohort, Cohorts, EdAttrs, ReferralAttrs, StayAttrs

FIXED0 = {"kind": "fixed", "mean": 0.0}

#: A county with no demand, no start state and no discharge timing: tests switch on
#: only the stream they study, so every event time can be derived by hand.
TINY: dict[str, Any] = {
    "name": "tiny",
    "run": {"days": 3, "warmup_days": 0, "replications": 1, "seed": 7},
    "ambulance": {"arrivals_per_day": 0, "handover_process_min": 10, "admit_prob": 0.0},
    "ed": {
        "walkin_arrivals_per_day": 0,
        "spaces": 1,
        "clinicians_by_hour": [1] * 24,
        "assessment_min": {"kind": "fixed", "mean": 20},
        "majors_treatment_min": {"kind": "fixed", "mean": 60},
        "minors_treatment_min": {"kind": "fixed", "mean": 30},
    },
    "acute": {
        "beds": 10,
        "direct_admissions_per_day": 0,
        "initial_occupancy_pct": 0,
        "initial_delayed": 0,
        "emergency_los_days": {"kind": "fixed", "mean": 1},
        "pathway_assessment_days": [FIXED0, FIXED0, FIXED0, FIXED0],
    },
    "discharge": {"use_window": False, "weekend_factor": 1.0},
    "community": {
        "beds": 5,
        "step_up_per_day": 0,
        "initial_occupancy_pct": 0,
        "onward_assessment_days": FIXED0,
    },
    "social_care": {
        "home_care_packages": 5,
        "home_care_background_per_day": 0,
        "home_care_initial_occupancy_pct": 0,
        "care_home_places": 5,
        "care_home_background_per_day": 0,
        "care_home_initial_occupancy_pct": 0,
    },
    "elective": {"referrals_per_week": 0, "initial_list": 0, "admissions_per_weekday": 0},
}


def tiny_scenario(**changes: Any) -> Scenario:
    """TINY with nested changes, e.g. tiny_scenario(acute={"beds": 1})."""
    return validate(deep_merge(copy.deepcopy(TINY), changes))


#: Defaults of hand-built cohorts, by the short keyword a test passes to cohort(), with
#: the typed attribute each maps to.
ACUTE_DEFAULTS = {
    "los": ("los_min", 1440.0),
    "pathway": ("pathway", 0),
    "assess": ("assess_min", 0.0),
    "dis_hour": ("dis_hour_u", 0.5),
    "dis_weekend": ("dis_weekend_u", 0.0),
    "comm_los": ("comm_los_min", 1440.0),
    "onward": ("onward", 0),
    "onward_assess": ("onward_assess_min", 0.0),
    "comm_dis_hour": ("comm_dis_hour_u", 0.5),
    "comm_dis_weekend": ("comm_dis_weekend_u", 0.0),
    "hc_days": ("home_care_min", 1440.0),
    "ch_days": ("care_home_min", 1440.0),
}
ED_DEFAULTS = {
    "majors": ("majors", True),
    "admit": ("admit", False),
    "ed_assess": ("assess_min", 20.0),
    "ed_treat": ("treat_min", 60.0),
}
REFERRAL_DEFAULTS = {
    "urgent": ("urgent", False),
    "day_case": ("day_case", False),
    "group": ("group", 0),
    "removal": ("removal_min", float("inf")),
}


def _columns(defaults: dict, n: int, attrs: dict) -> dict[str, list]:
    return {name: list(attrs.get(key, [v] * n)) for key, (name, v) in defaults.items()}


def cohort(source: str, times: list[float], **attrs: list) -> Cohort:
    """A hand-built cohort: attributes default per source, lists override (by the short
    keywords of the *_DEFAULTS tables, e.g. ``los=[...]`` for ``CareAttrs.los_min``)."""
    n = len(times)
    for k, v in attrs.items():
        assert len(v) == n, k
    if source.startswith(("hc_", "ch_")):
        return Cohort(source, list(times), StayAttrs(list(attrs.get("days", [1440.0] * n))))
    care = CareAttrs(**_columns(ACUTE_DEFAULTS, n, attrs))
    if source in ("ambulance", "walkin"):
        # every patient has an acute row (row i), as if all could be admitted
        return Cohort(
            source,
            list(times),
            EdAttrs(**_columns(ED_DEFAULTS, n, attrs), care_row=list(range(n)), care=care),
        )
    if source == "referral":
        cols = _columns(REFERRAL_DEFAULTS, n, attrs)
        # clinical priority: P2 if urgent, else P4 (unless given)
        pri = list(attrs.get("priority", [2 if u else 4 for u in cols["urgent"]]))
        return Cohort(source, list(times), ReferralAttrs(**vars_of(care), **cols, priority=pri))
    return Cohort(source, list(times), care)


def vars_of(care: CareAttrs) -> dict[str, list]:
    return {f.name: getattr(care, f.name) for f in fields(CareAttrs)}


def cohorts(**given: Cohort) -> Cohorts:
    """All twelve cohorts, empty unless given, with patient ids as build_cohorts gives."""
    names = Cohorts.__dataclass_fields__
    c = Cohorts(**{n: given.get(n, cohort(n, [])) for n in names})
    c.number_patients()
    return c


def run_system(scn: Scenario, c: Cohorts, until_days: float | None = None) -> CountySystem:
    """Drive the county system directly with hand-built cohorts."""
    system = CountySystem(scn, c)
    system.start()
    days = scn.run.warmup_days + scn.run.days if until_days is None else until_days
    system.clock.run(days * 1440.0)
    return system
