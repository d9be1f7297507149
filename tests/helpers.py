"""Test helpers: tiny scenarios with everything switched off but what a test needs,
and hand-built cohorts to drive the county system with known patients."""

from __future__ import annotations

import copy
from typing import Any

from flowsim.config import Scenario, deep_merge, validate
from flowsim.model.system import CountySystem
from flowsim.patients import Cohort, Cohorts

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


ACUTE_DEFAULTS = {
    "los": 1440.0,
    "pathway": 0,
    "assess": 0.0,
    "dis_hour": 0.5,
    "dis_weekend": 0.0,
    "comm_los": 1440.0,
    "onward": 0,
    "onward_assess": 0.0,
    "comm_dis_hour": 0.5,
    "comm_dis_weekend": 0.0,
    "hc_days": 1440.0,
    "ch_days": 1440.0,
}
ED_DEFAULTS = {"majors": True, "admit": False, "ed_assess": 20.0, "ed_treat": 60.0}
REFERRAL_DEFAULTS = {"urgent": False, "day_case": False}


def cohort(source: str, times: list[float], **attrs: list) -> Cohort:
    """A hand-built cohort: attributes default per source, lists override."""
    n = len(times)
    defaults = dict(ACUTE_DEFAULTS)
    if source in ("ambulance", "walkin"):
        defaults.update(ED_DEFAULTS)
    if source == "referral":
        defaults.update(REFERRAL_DEFAULTS)
    if source.startswith(("hc_", "ch_")):
        defaults = {"days": 1440.0}
    a = {k: [v] * n for k, v in defaults.items()}
    for k, v in attrs.items():
        assert len(v) == n, k
        a[k] = list(v)
    c = Cohort(source, list(times), a)
    if source in ("ambulance", "walkin"):
        # every patient has an acute row (row i), as if all could be admitted
        c.a["acute_row"] = list(range(n))
        c.acute = Cohort(f"{source}_admitted", [], {k: a[k] for k in ACUTE_DEFAULTS})
    return c


def cohorts(**given: Cohort) -> Cohorts:
    """All twelve cohorts, empty unless given."""
    names = Cohorts.__dataclass_fields__
    return Cohorts(**{n: given.get(n, cohort(n, [])) for n in names})


def run_system(scn: Scenario, c: Cohorts, until_days: float | None = None) -> CountySystem:
    """Drive the county system directly with hand-built cohorts."""
    system = CountySystem(scn, c)
    system.start()
    days = scn.run.warmup_days + scn.run.days if until_days is None else until_days
    system.clock.run(days * 1440.0)
    return system
