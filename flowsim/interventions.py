"""The intervention library: named, sized changes to a scenario, each with a cost.

An intervention is written ``name`` or ``name:param=value,param=value``, e.g.
``discharge_to_assess:assessment_days=1``. Applying one turns its parameters into
dotted-key changes of the scenario (re-validated, so a bad size is a ConfigError
naming the key) and adds its annual running cost to
``intervention_cost_gbp_per_year``. Interventions compose: each is applied to the
scenario the previous ones produced.

Because every change re-maps the same per-patient uniforms or thins the same
candidate arrivals, a scenario with interventions sees the same patients as its
baseline (common random numbers), and paired differences are tight.

Costs are annual running costs in pounds, computed from the scenario's unit costs
(``costs:``, cited rows) and the library's cost constants. A cost constant carries
its source (a row id, or "D" where no public figure exists) and is not a size a user
can set, so no option can be made to look free; local costing changes the constant
here, in one reviewed place.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flowsim.errors import ConfigError, Problem
from flowsim.schema import Scenario


@dataclass(frozen=True)
class Param:
    """A size parameter of an intervention."""

    name: str
    default: float
    unit: str
    description: str
    minimum: float = 0.0
    maximum: float | None = None
    #: Whole numbers only (beds, packages, clinicians, hours): a size that would be
    #: rounded is refused rather than charged for capacity that is never added.
    integer: bool = False
    #: A cost constant of the library (its source in ``description``): used in the
    #: annual cost, never set by a user, so an option cannot be made to look free.
    cost: bool = False


@dataclass(frozen=True)
class Intervention:
    """One intervention: what it changes, and what it costs per year."""

    name: str
    description: str
    params: tuple[Param, ...]
    changes: Callable[[Scenario, dict[str, float]], dict[str, Any]]
    annual_cost: Callable[[Scenario, dict[str, float]], float]
    cost_basis: str
    changes_text: str

    def defaults(self) -> dict[str, float]:
        """Each parameter's default size."""
        return {p.name: p.default for p in self.params}


def _hours(p: dict[str, float]) -> set[int]:
    """Hours of the day covered by ``[from_hour, to_hour)``; a range may wrap midnight
    (``from_hour=22, to_hour=8`` is 22:00-08:00, ten hours)."""
    lo, hi = int(p["from_hour"]), int(p["to_hour"])
    if lo < hi:
        return set(range(lo, hi))
    return set(range(lo, 24)) | set(range(0, hi))


def _roster_plus(s: Scenario, p: dict[str, float]) -> list[int]:
    hours, extra = _hours(p), int(p["extra"])
    return [c + (extra if h in hours else 0) for h, c in enumerate(s.ed.clinicians_by_hour)]


def _seven_day(s: Scenario, p: dict[str, float]) -> dict:
    """Weekend discharges at ``weekend_factor`` of weekdays (the window's factor, or the
    weekday profile's Saturday and Sunday raised to that share of the weekday mean)."""
    out: dict = {"discharge.weekend_factor": p["weekend_factor"]}
    prof = s.discharge.weekday_profile
    if prof is not None:
        weekday = sum(prof[:5]) / 5.0
        wkend = [max(x, p["weekend_factor"] * weekday) for x in prof[5:]]
        out["discharge.weekday_profile"] = [*prof[:5], *wkend]
    return out


def _d2a_dists(s: Scenario, p: dict[str, float]) -> list[dict]:
    out = []
    for i, d in enumerate(s.acute.pathway_assessment_days):
        dd = d.model_dump(mode="json")
        if i >= 1 and d.kind != "empirical":
            dd["mean"] = min(float(d.mean), p["assessment_days"])
        out.append(dd)
    return out


def _scaled(x: float, pct: float) -> float:
    return x * (1.0 - pct / 100.0)


def _utc(s: Scenario, p: dict[str, float]) -> dict[str, Any]:
    """Divert a share of minors (walk-ins not needing a majors space) to a UTC.

    Walk-in arrivals fall by the diverted minors; the majors fraction rises so the
    number of majors walk-ins is unchanged. When the scenario models its type 3 units
    (``ed.type3_arrivals_per_day``), the diverted minors join them, with practitioners
    added in proportion (rounded up), so they stay in the all-type A&E figures;
    without type 3 units they leave the model.
    """
    w, m = s.ed.walkin_arrivals_per_day, s.ed.walkin_majors_fraction
    d = p["minors_diverted_pct"] / 100.0
    new_w = w * (1.0 - (1.0 - m) * d)
    out: dict[str, Any] = {
        "ed.walkin_arrivals_per_day": new_w,
        "ed.walkin_majors_fraction": min(1.0, w * m / new_w) if new_w > 0 else m,
    }
    t3 = s.ed.type3_arrivals_per_day
    if t3 > 0:
        grow = (t3 + w - new_w) / t3
        out["ed.type3_arrivals_per_day"] = t3 + w - new_w
        out["ed.type3_practitioners_by_hour"] = [
            math.ceil(n * grow) for n in s.ed.type3_practitioners_by_hour
        ]
    return out


def _diverted_minors_per_year(s: Scenario, p: dict[str, float]) -> float:
    return (
        s.ed.walkin_arrivals_per_day
        * (1 - s.ed.walkin_majors_fraction)
        * (p["minors_diverted_pct"] / 100.0)
        * 365
    )


REGISTRY: dict[str, Intervention] = {}


def _register(iv: Intervention) -> None:
    REGISTRY[iv.name] = iv


_register(
    Intervention(
        name="extra_acute_beds",
        description="Open more general and acute beds all year (staffed).",
        params=(Param("beds", 40, "beds", "beds added", integer=True),),
        changes=lambda s, p: {"acute.beds": s.acute.beds + int(p["beds"])},
        annual_cost=lambda s, p: p["beds"] * 365 * s.costs.acute_bed_day_gbp,
        cost_basis="beds x 365 x acute bed-day cost (E44: £562)",
        changes_text="acute.beds += beds",
    )
)
_register(
    Intervention(
        name="escalation_beds",
        description="More escalation beds, open while the trust is escalated (in the "
        "escalation months, or by the occupancy/crowding trigger).",
        params=(Param("beds", 30, "beds", "escalation beds added", integer=True),),
        changes=lambda s, p: {"acute.escalation_beds": s.acute.escalation_beds + int(p["beds"])},
        # Charged in the run for the days the beds are open (see metrics.cost_kpis): an
        # escalation that never opens in the reporting window costs nothing.
        annual_cost=lambda s, p: 0.0,
        cost_basis="charged in the run: escalation beds open at midnight x acute bed-day "
        "cost (E44), for the days they are open (occupied ones as bed-days)",
        changes_text="acute.escalation_beds += beds",
    )
)
_register(
    Intervention(
        name="discharge_to_assess",
        description="Discharge to assess: assess needs at home or in the next setting, so "
        "pathway 1-3 patients no longer queue for assessment staff in hospital and the admin "
        "time to referral is cut to `assessment_days`; they still wait in hospital for "
        "the reablement place, community or D2A bed or care-home place downstream.",
        params=(
            Param("assessment_days", 1.0, "days", "mean assessment delay for pathways 1-3"),
            Param(
                "team_cost_gbp",
                1_500_000,
                "GBP/yr",
                "D: D2A team (therapists, social workers)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "acute.pathway_assessment_days": _d2a_dists(s, p),
            "discharge.assess_before_discharge": False,
        },
        annual_cost=lambda s, p: p["team_cost_gbp"],
        cost_basis="D: multidisciplinary D2A team, default £1.5m/yr",
        changes_text="acute.pathway_assessment_days[1..3].mean = min(mean, assessment_days); "
        "discharge.assess_before_discharge = false",
    )
)
_register(
    Intervention(
        name="more_home_care",
        description="Commission more home care packages (shared with community demand).",
        params=(Param("packages", 100, "packages", "concurrent packages added", integer=True),),
        changes=lambda s, p: {
            "social_care.home_care_packages": s.social_care.home_care_packages + int(p["packages"])
        },
        annual_cost=lambda s, p: p["packages"] * 365 * s.costs.home_care_package_day_gbp,
        cost_basis="packages x 365 x package day cost (E40-based, D)",
        changes_text="social_care.home_care_packages += packages",
    )
)
_register(
    Intervention(
        name="more_care_home_places",
        description="Block-purchase more care-home places at council rates.",
        params=(Param("places", 50, "places", "places added", integer=True),),
        changes=lambda s, p: {
            "social_care.care_home_places": s.social_care.care_home_places + int(p["places"])
        },
        annual_cost=lambda s, p: p["places"] * 52 * s.costs.care_home_week_gbp,
        cost_basis="places x 52 x weekly fee (L35 / W53)",
        changes_text="social_care.care_home_places += places",
    )
)
_register(
    Intervention(
        name="more_community_beds",
        description="Open more community hospital (rehabilitation) beds.",
        params=(Param("beds", 20, "beds", "beds added", integer=True),),
        changes=lambda s, p: {"community.beds": s.community.beds + int(p["beds"])},
        annual_cost=lambda s, p: p["beds"] * 365 * s.costs.community_bed_day_gbp,
        cost_basis="beds x 365 x community bed-day cost (D)",
        changes_text="community.beds += beds",
    )
)
_register(
    Intervention(
        name="more_d2a_beds",
        description="Commission more discharge-to-assess beds in care homes (issue 16: for "
        "hospital pathway 2 discharges only).",
        params=(
            Param("beds", 10, "beds", "D2A beds added", integer=True),
            Param(
                "bed_week_gbp",
                1_000,
                "GBP/week",
                "X49: £750 a week for a nursing step-down bed in 2015, D uplifted to 2025",
                cost=True,
            ),
        ),
        changes=lambda s, p: {"community.d2a_beds": s.community.d2a_beds + int(p["beds"])},
        annual_cost=lambda s, p: p["beds"] * 52 * p["bed_week_gbp"],
        cost_basis="beds x 52 x D2A bed-week (X49 £750 in 2015, D: £1,000)",
        changes_text="community.d2a_beds += beds",
    )
)
_register(
    Intervention(
        name="more_assessment_staff",
        description="More discharge assessment and brokerage staff (coordinators, social "
        "workers, trusted assessors), in whole-time equivalents on every day's shift.",
        params=(
            Param("wte", 1.0, "WTE", "staff added to each day's shift (0.5: a part-timer)"),
            Param(
                "wte_cost_gbp",
                45_000,
                "GBP/yr",
                "D: band 6 social worker / coordinator with on-costs",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "discharge.assessment_staff_by_weekday": [
                x + p["wte"] for x in (s.discharge.assessment_staff_by_weekday or (0.0,) * 7)
            ]
        },
        # 7 shifts a week per added WTE per day: 7/5 staff per day covered
        annual_cost=lambda s, p: p["wte"] * 1.4 * p["wte_cost_gbp"],
        cost_basis="WTE x 7/5 (seven-day cover) x £45k (D)",
        changes_text="discharge.assessment_staff_by_weekday[each] += wte",
    )
)
_register(
    Intervention(
        name="trusted_assessor",
        description="Integrated single assessment / trusted assessor: one assessment per "
        "discharge instead of duplicated hospital and provider assessments (X40).",
        params=(
            Param(
                "cost_gbp",
                150_000,
                "GBP/yr",
                "D: training and a coordinator for the trusted-assessor scheme",
                cost=True,
            ),
        ),
        changes=lambda s, p: {"discharge.assessment_rounds": 1},
        annual_cost=lambda s, p: p["cost_gbp"],
        cost_basis="D: £150k/yr scheme cost",
        changes_text="discharge.assessment_rounds = 1",
    )
)
_register(
    Intervention(
        name="more_reablement",
        description="More reablement (home first) visits a day, shared with community "
        "referrals as the service is.",
        params=(
            Param("visits", 40, "visits/day", "visits a day added", integer=True),
            Param(
                "visit_gbp", 30, "GBP", "D: an hour's visit with travel (~£25/h, E40)", cost=True
            ),
        ),
        changes=lambda s, p: {
            "social_care.reablement_visits_per_day": s.social_care.reablement_visits_per_day
            + int(p["visits"])
        },
        annual_cost=lambda s, p: p["visits"] * 365 * p["visit_gbp"],
        cost_basis="visits/day x 365 x £30 a visit (D)",
        changes_text="social_care.reablement_visits_per_day += visits",
    )
)
_register(
    Intervention(
        name="more_chc_assessors",
        description="More continuing healthcare nurse assessors for pathway 3 patients.",
        params=(
            Param("assessors", 1, "assessors", "assessors added", integer=True),
            Param("assessor_gbp", 55_000, "GBP/yr", "D: band 7 nurse with on-costs", cost=True),
        ),
        changes=lambda s, p: {
            "discharge.chc_assessors": (s.discharge.chc_assessors or 0) + int(p["assessors"])
        },
        annual_cost=lambda s, p: p["assessors"] * p["assessor_gbp"],
        cost_basis="assessors x £55k/yr (D)",
        changes_text="discharge.chc_assessors += assessors",
    )
)
_register(
    Intervention(
        name="admission_avoidance",
        description="Neighbourhood teams, virtual wards and same-day emergency care: fewer "
        "A&E attendances converted to admissions and fewer direct admissions.",
        params=(
            Param(
                "reduction_pct",
                10,
                "%",
                "relative cut in conversion and direct admissions",
                maximum=100,
            ),
            Param(
                "service_cost_gbp",
                2_000_000,
                "GBP/yr",
                "D: virtual ward / SDEC running cost",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "ambulance.admit_prob": _scaled(s.ambulance.admit_prob, p["reduction_pct"]),
            "ed.walkin_majors_admit_prob": _scaled(
                s.ed.walkin_majors_admit_prob, p["reduction_pct"]
            ),
            "ed.minors_admit_prob": _scaled(s.ed.minors_admit_prob, p["reduction_pct"]),
            "acute.direct_admissions_per_day": _scaled(
                s.acute.direct_admissions_per_day, p["reduction_pct"]
            ),
        },
        annual_cost=lambda s, p: p["service_cost_gbp"],
        cost_basis="D: service running cost, default £2m/yr",
        changes_text="admit probabilities and acute.direct_admissions_per_day x (1 - pct/100)",
    )
)
_register(
    Intervention(
        name="urgent_treatment_centre",
        description="Stream minors to an urgent treatment centre in front of A&E.",
        params=(
            Param(
                "minors_diverted_pct",
                20,
                "%",
                "share of minors seen at the UTC instead",
                maximum=100,
            ),
            Param(
                "gbp_per_attendance",
                80,
                "GBP",
                "D: UTC cost per diverted attendance",
                cost=True,
            ),
        ),
        changes=_utc,
        annual_cost=lambda s, p: _diverted_minors_per_year(s, p) * p["gbp_per_attendance"],
        cost_basis="diverted minors/yr x UTC attendance cost (D: £80)",
        changes_text="ed.walkin_arrivals_per_day reduced by diverted minors; majors "
        "unchanged; with type 3 units modelled the diverted minors join them "
        "(ed.type3_arrivals_per_day, practitioners in proportion)",
    )
)
_register(
    Intervention(
        name="seven_day_discharge",
        description="Seven-day discharge: weekend discharge capacity like weekdays.",
        params=(
            Param("weekend_factor", 1.0, "ratio", "weekend/weekday discharge ratio", maximum=1.0),
            Param(
                "staff_cost_gbp",
                1_000_000,
                "GBP/yr",
                "D: weekend ward rounds, pharmacy, transport",
                cost=True,
            ),
        ),
        changes=_seven_day,
        annual_cost=lambda s, p: p["staff_cost_gbp"],
        cost_basis="D: weekend staffing, default £1m/yr",
        changes_text="discharge.weekend_factor = weekend_factor; with a weekday profile, "
        "Saturday and Sunday raised to weekend_factor x the weekday mean",
    )
)
_register(
    Intervention(
        name="elective_hub",
        description="Ring-fenced elective beds (elective hub) that emergencies cannot use.",
        params=(
            Param("beds", 20, "beds", "ring-fenced beds", integer=True),
            Param(
                "carve_out",
                0,
                "0/1",
                "1 = take the beds from the general bed base",
                maximum=1,
                integer=True,
            ),
        ),
        changes=lambda s, p: {
            "elective.ringfenced_beds": s.elective.ringfenced_beds + int(p["beds"]),
            **({"acute.beds": s.acute.beds - int(p["beds"])} if p["carve_out"] >= 0.5 else {}),
        },
        annual_cost=lambda s, p: (
            0.0 if p["carve_out"] >= 0.5 else p["beds"] * 365 * s.costs.acute_bed_day_gbp
        ),
        cost_basis="new beds x 365 x acute bed-day cost (E44); carved-out beds cost nothing extra",
        changes_text="elective.ringfenced_beds += beds (and acute.beds -= beds if carve_out)",
    )
)


def _groups_plus(s: Scenario, field: str, extra: float) -> list[dict[str, Any]]:
    """The elective groups with ``extra`` sessions a week of ``field`` added, split
    over groups in proportion to their current sessions of that kind."""
    groups = [g.model_dump() for g in s.elective.groups]
    total = sum(g[field] for g in groups)
    for g in groups:
        g[field] = g[field] + (extra * g[field] / total if total else extra / len(groups))
    return groups


def _needs_groups(s: Scenario, name: str) -> None:
    if not s.elective.groups:
        raise ConfigError(
            [
                Problem(
                    "elective.groups",
                    [],
                    f"intervention {name} needs theatre sessions by specialty group",
                )
            ]
        )


#: D: blended independent-sector price per case, between the day-case (£738) and
#: elective inpatient (£3,684) reference costs of E42 (2016/17), weighted ~80/20.
IS_PRICE_PER_CASE_GBP = 1_300.0
#: D: cases per independent-sector session (a half-day list of mostly day cases).
IS_CASES_PER_SESSION = 4.0


def _independent_sector(s: Scenario, p: dict[str, float]) -> dict[str, Any]:
    _needs_groups(s, "independent_sector")
    return {
        "elective.independent_sector_sessions_per_week": (
            s.elective.independent_sector_sessions_per_week + p["sessions"]
        )
    }


_register(
    Intervention(
        name="independent_sector",
        description="Independent-sector theatre sessions for the list, with their own beds.",
        params=(Param("sessions", 10, "sessions/week", "sessions a week (Monday-Friday)"),),
        changes=_independent_sector,
        annual_cost=lambda s, p: p["sessions"] * 52 * IS_CASES_PER_SESSION * IS_PRICE_PER_CASE_GBP,
        cost_basis="sessions x 52 x 4 cases (D) x £1,300 a case (D, blended from E42 tariffs)",
        changes_text="elective.independent_sector_sessions_per_week += sessions",
    )
)
_register(
    Intervention(
        name="theatre_productivity",
        description="Start lists on time and fill them (fewer late starts and early finishes).",
        params=(
            Param(
                "points",
                5,
                "%-points",
                "added to session utilisation (R10: up to +16.8% more operations)",
                maximum=50,
            ),
            Param("programme_cost_gbp", 250_000, "GBP/yr", "D: improvement team", cost=True),
        ),
        changes=lambda s, p: {
            "elective.session_utilisation": min(
                1.0, s.elective.session_utilisation + p["points"] / 100.0
            )
        },
        annual_cost=lambda s, p: p["programme_cost_gbp"],
        cost_basis="D: an improvement team, £250k/yr",
        changes_text="elective.session_utilisation += points / 100 (at most 1)",
    )
)
#: D: cost of one extra Saturday session (theatre team at enhanced rates).
WEEKEND_SESSION_GBP = 3_000.0

_register(
    Intervention(
        name="weekend_lists",
        description="Extra Saturday theatre lists, split over groups like weekday sessions.",
        params=(Param("sessions", 10, "sessions/week", "Saturday sessions a week"),),
        changes=lambda s, p: {
            "elective.weekend_sessions_per_week": s.elective.weekend_sessions_per_week
            + p["sessions"]
        },
        annual_cost=lambda s, p: p["sessions"] * 52 * WEEKEND_SESSION_GBP,
        cost_basis="sessions x 52 x £3,000 a session (D: enhanced-rate theatre team)",
        changes_text="elective.weekend_sessions_per_week += sessions",
    )
)
_register(
    Intervention(
        name="extra_theatre_sessions",
        description="More weekday inpatient and day-case sessions (staffed theatres).",
        params=(
            Param("day_case", 10, "sessions/week", "day-case unit sessions added a week"),
            Param("inpatient", 0, "sessions/week", "inpatient sessions added a week"),
        ),
        changes=lambda s, p: (
            _needs_groups(s, "extra_theatre_sessions")
            or {
                "elective.groups": [
                    {**d, "inpatient_sessions_per_week": i["inpatient_sessions_per_week"]}
                    for d, i in zip(
                        _groups_plus(s, "day_case_sessions_per_week", p["day_case"]),
                        _groups_plus(s, "inpatient_sessions_per_week", p["inpatient"]),
                        strict=True,
                    )
                ]
            }
        ),
        annual_cost=lambda s, p: (p["day_case"] + p["inpatient"]) * 52 * WEEKEND_SESSION_GBP,
        cost_basis="sessions x 52 x £3,000 a session (D)",
        changes_text="elective.groups[*] sessions += day_case / inpatient, pro rata",
    )
)
_register(
    Intervention(
        name="validation_sprint",
        description="Validate the list: more clock stops for patients no longer needing care.",
        params=(
            Param("extra_rate", 0.2, "/pathway-year", "removals added per pathway a year (R9)"),
            Param("team_cost_gbp", 150_000, "GBP/yr", "D: validation team", cost=True),
        ),
        changes=lambda s, p: {
            "elective.removal_rate_per_year": s.elective.removal_rate_per_year + p["extra_rate"]
        },
        annual_cost=lambda s, p: p["team_cost_gbp"],
        cost_basis="D: a validation team, £150k/yr",
        changes_text="elective.removal_rate_per_year += extra_rate",
    )
)
_register(
    Intervention(
        name="more_ed_clinicians",
        description="More A&E clinicians on duty in the busy hours.",
        params=(
            Param("extra", 2, "clinicians", "clinicians added per hour", integer=True),
            Param("from_hour", 8, "h", "first hour (0-23)", maximum=23, integer=True),
            Param(
                "to_hour",
                22,
                "h",
                "hour after the last (1-24); below from_hour wraps past midnight",
                maximum=24,
                integer=True,
            ),
            Param("gbp_per_hour", 110, "GBP", "D: cost of a clinician hour", cost=True),
        ),
        changes=lambda s, p: {"ed.clinicians_by_hour": _roster_plus(s, p)},
        annual_cost=lambda s, p: p["extra"] * len(_hours(p)) * 365 * p["gbp_per_hour"],
        cost_basis="extra x hours/day x 365 x £/clinician-hour (D: £110)",
        changes_text="ed.clinicians_by_hour[h] += extra for h in [from_hour, to_hour), "
        "wrapping past midnight when to_hour < from_hour",
    )
)
_register(
    Intervention(
        name="hear_and_treat",
        description="Ambulance hear-and-treat / see-and-treat: fewer conveyances to A&E.",
        params=(
            Param("reduction_pct", 10, "%", "relative cut in ambulance conveyances", maximum=100),
            Param(
                "service_cost_gbp",
                500_000,
                "GBP/yr",
                "D: clinical hub running cost",
                cost=True,
            ),
        ),
        changes=lambda s, p: _fewer_conveyances(s, p, "hear_treat_prob"),
        annual_cost=lambda s, p: p["service_cost_gbp"],
        cost_basis="D: clinical hub, default £0.5m/yr",
        changes_text="ambulance.arrivals_per_day x (1 - pct/100); with the ambulance service "
        "modelled, ambulance.service.hear_treat_prob += conveyed share x pct/100 (and "
        "arrivals_per_day follows) instead (A11: WMAS and LAS 20.6% against England 16.3%)",
    )
)


def _fewer_conveyances(s: Scenario, p: dict[str, float], outcome: str) -> dict[str, Any]:
    """Cut conveyances by ``reduction_pct`` of them: fewer arrivals, or (with the service
    modelled) a higher hear/see-and-treat rate taken from the conveyed share."""
    sv = s.ambulance.service
    if sv is None:
        return {
            "ambulance.arrivals_per_day": _scaled(s.ambulance.arrivals_per_day, p["reduction_pct"])
        }
    moved = min(
        sv.convey_prob * p["reduction_pct"] / 100.0, 1.0 - sv.hear_treat_prob - sv.see_treat_prob
    )
    # the conveyance rate the scenario states follows (it is derived, not read)
    return {
        f"ambulance.service.{outcome}": getattr(sv, outcome) + moved,
        "ambulance.arrivals_per_day": sv.incidents_per_day * (sv.convey_prob - moved),
    }


def _service(s: Scenario, what: str) -> Any:
    if s.ambulance.service is None:
        raise ValueError(f"{what} needs the ambulance service modelled (ambulance.service)")
    return s.ambulance.service


def _crews_plus(s: Scenario, p: dict[str, float]) -> list[int]:
    hours, extra = _hours(p), int(p["extra"])
    crews = _service(s, "more_ambulance_crews").crews_by_hour
    return [c + (extra if h in hours else 0) for h, c in enumerate(crews)]


_register(
    Intervention(
        name="see_and_treat",
        description="Ambulance see-and-treat (paramedic practitioners): fewer conveyances.",
        params=(
            Param("reduction_pct", 10, "%", "relative cut in conveyances", maximum=100),
            Param(
                "service_cost_gbp",
                400_000,
                "GBP/yr",
                "D: advanced paramedic training and cover",
                cost=True,
            ),
        ),
        changes=lambda s, p: _fewer_conveyances(s, p, "see_treat_prob"),
        annual_cost=lambda s, p: p["service_cost_gbp"],
        cost_basis="D: advanced paramedics, default £0.4m/yr",
        changes_text="ambulance.service.see_treat_prob += conveyed share x pct/100, and "
        "ambulance.arrivals_per_day follows (without the service: ambulance.arrivals_per_day "
        "x (1 - pct/100))",
    )
)
_register(
    Intervention(
        name="more_ambulance_crews",
        description="More ambulance crews (double-crewed vehicles) on duty in the busy hours.",
        params=(
            Param("extra", 3, "crews", "crews added per hour", integer=True),
            Param("from_hour", 8, "h", "first hour (0-23)", maximum=23, integer=True),
            Param(
                "to_hour",
                22,
                "h",
                "hour after the last (1-24); below from_hour wraps past midnight",
                maximum=24,
                integer=True,
            ),
            Param(
                "gbp_per_hour",
                340,
                "GBP",
                "X52: £212 per ambulance-hour at 2003/04 prices, x1.6 for inflation (D)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {"ambulance.service.crews_by_hour": _crews_plus(s, p)},
        annual_cost=lambda s, p: p["extra"] * len(_hours(p)) * 365 * p["gbp_per_hour"],
        cost_basis="extra x hours/day x 365 x £/crew-hour (X52 uplifted, D: £340)",
        changes_text="ambulance.service.crews_by_hour[h] += extra for h in [from_hour, to_hour)",
    )
)
_register(
    Intervention(
        name="handover_cohort_area",
        description="A staffed handover / cohorting area (HALO): more corridor places under a "
        "maximum handover, and more cohorting places while crews are held.",
        params=(
            Param("places", 6, "places", "places added", integer=True),
            Param(
                "gbp_per_place_year",
                120_000,
                "GBP",
                "D: one nurse per two places round the clock (about 2.4 WTE at ~£50k)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "ed.corridor_spaces": (s.ed.corridor_spaces or 0) + int(p["places"])
            if s.ed.corridor_spaces is not None
            else None,
            **(
                {}
                if s.ambulance.service is None
                else {
                    "ambulance.service.cohort_places": s.ambulance.service.cohort_places
                    + int(p["places"])
                }
            ),
        },
        annual_cost=lambda s, p: p["places"] * p["gbp_per_place_year"],
        cost_basis="places x £/place-year (D: £120k)",
        changes_text="ed.corridor_spaces += places (no change when it is unlimited); "
        "ambulance.service.cohort_places += places (held era, with the ambulance service)",
    )
)
_register(
    Intervention(
        name="handover_nurses",
        description="More nurses receiving ambulance handovers, round the clock.",
        params=(
            Param("nurses", 1, "nurses", "receiving nurses added in every hour", integer=True),
            Param(
                "gbp_per_nurse_year",
                240_000,
                "GBP",
                "D: one nurse round the clock (about 4.8 WTE at ~£50k, as the handover area)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "ambulance.handover_staff_by_hour": [
                x + int(p["nurses"]) for x in s.ambulance.handover_staff_by_hour
            ]
            if s.ambulance.handover_staff_by_hour is not None
            else None
        },
        annual_cost=lambda s, p: p["nurses"] * p["gbp_per_nurse_year"],
        cost_basis="nurses x £/nurse-year round the clock (D: £240k)",
        changes_text="ambulance.handover_staff_by_hour[h] += nurses (no change when handovers "
        "need no receiving nurse)",
    )
)
_register(
    Intervention(
        name="release_to_respond",
        description="Maximum handover wait: crews released after N minutes (W18, E50).",
        params=(
            Param("after_min", 45, "min", "longest a crew waits at hospital", minimum=1),
            Param("gbp_per_year", 1, "GBP/yr", "D: a policy, no running cost", cost=True),
        ),
        changes=lambda s, p: {"ed.corridor_care_after_min": float(p["after_min"])},
        annual_cost=lambda s, p: p["gbp_per_year"],
        cost_basis="D: a policy; its cost is the corridor / handover area it needs",
        changes_text="ed.corridor_care_after_min = after_min",
    )
)
_register(
    Intervention(
        name="urgent_community_response",
        description="Urgent community response (falls) teams take Cat 3-4 incidents at home.",
        params=(
            Param("teams", 3, "teams", "teams on duty", integer=True),
            Param(
                "gbp_per_team_year",
                250_000,
                "GBP",
                "D: two clinicians round the clock (E38: 45k UCR referrals a month)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {
            "ambulance.service.ucr_teams": _service(s, "urgent_community_response").ucr_teams
            + int(p["teams"])
        },
        annual_cost=lambda s, p: p["teams"] * p["gbp_per_team_year"],
        cost_basis="teams x £/team-year (D: £250k)",
        changes_text="ambulance.service.ucr_teams += teams",
    )
)


def _sdec_hours(s: Scenario, p: dict[str, float]) -> dict[str, Any]:
    """Open SDEC ``earlier`` hours earlier and ``later`` hours later every day (within
    0-24); a day it was closed stays closed."""
    sd = s.sdec
    opens, closes = [], []
    for o, c in zip(sd.open_hour_by_weekday, sd.close_hour_by_weekday, strict=True):
        if c > o:
            o, c = max(0.0, o - p["earlier"]), min(24.0, c + p["later"])
        opens.append(o)
        closes.append(c)
    return {"sdec.open_hour_by_weekday": opens, "sdec.close_hour_by_weekday": closes}


def _week_hours(opens: Iterable[float], closes: Iterable[float]) -> float:
    return sum(c - o for o, c in zip(opens, closes, strict=True))


def _sdec_added_chair_hours(s: Scenario, p: dict[str, float]) -> float:
    """Chair-hours a week added by :func:`_sdec_hours`."""
    new = _sdec_hours(s, p)
    sd = s.sdec
    before = _week_hours(sd.open_hour_by_weekday, sd.close_hour_by_weekday)
    after = _week_hours(new["sdec.open_hour_by_weekday"], new["sdec.close_hour_by_weekday"])
    return (after - before) * sd.chairs


#: D: staffed SDEC chair-hour (nursing ~1:4 chairs, medical and diagnostic cover): £60k a
#: chair a year at 12 h a day, 7 days (X80) = ~£14 a chair-hour.
SDEC_CHAIR_HOUR_GBP = 14.0

_register(
    Intervention(
        name="more_sdec_chairs",
        description="More same day emergency care (SDEC) / acute frailty chairs and trolleys, "
        "staffed for the unit's opening hours: more would-be admissions managed the same day.",
        params=(
            Param("chairs", 4, "chairs", "chairs added", integer=True),
            Param(
                "gbp_per_chair_hour",
                SDEC_CHAIR_HOUR_GBP,
                "GBP",
                "D: staffed SDEC chair-hour (~£60k a chair a year at 12 h x 7 days)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {"sdec.chairs": s.sdec.chairs + int(p["chairs"])},
        annual_cost=lambda s, p: (
            p["chairs"]
            * _week_hours(s.sdec.open_hour_by_weekday, s.sdec.close_hour_by_weekday)
            * 52
            * p["gbp_per_chair_hour"]
        ),
        cost_basis="chairs x open hours a week x 52 x chair-hour cost (D: £14)",
        changes_text="sdec.chairs += chairs",
    )
)
_register(
    Intervention(
        name="extend_sdec_hours",
        description="Open SDEC / acute frailty earlier and close later every day it opens "
        "(NHS England asks for at least 12 hours a day, 7 days a week: X80).",
        params=(
            Param("earlier", 0, "hours", "hours earlier opening", maximum=24),
            Param("later", 4, "hours", "hours later closing", maximum=24),
            Param(
                "gbp_per_chair_hour",
                SDEC_CHAIR_HOUR_GBP,
                "GBP",
                "D: staffed SDEC chair-hour",
                cost=True,
            ),
        ),
        changes=_sdec_hours,
        annual_cost=lambda s, p: _sdec_added_chair_hours(s, p) * 52 * p["gbp_per_chair_hour"],
        cost_basis="added chair-hours a week x 52 x chair-hour cost (D: £14)",
        changes_text="sdec.open_hour_by_weekday -= earlier; sdec.close_hour_by_weekday += later "
        "(within 0-24)",
    )
)
_register(
    Intervention(
        name="more_mh_beds",
        description="Open more mental-health inpatient (adult acute) beds: A&E patients "
        "waiting for an MH bed, and community referrals, are admitted sooner.",
        params=(
            Param("beds", 5, "beds", "MH beds added", integer=True),
            Param(
                "gbp_per_bed_day",
                450,
                "GBP",
                "D: adult acute MH bed-day (no public figure found)",
                cost=True,
            ),
        ),
        changes=lambda s, p: {"mental_health.beds": s.mental_health.beds + int(p["beds"])},
        annual_cost=lambda s, p: p["beds"] * 365 * p["gbp_per_bed_day"],
        cost_basis="beds x 365 x MH bed-day cost (D: £450)",
        changes_text="mental_health.beds += beds",
    )
)

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
#: Longest intervention spec accepted (a spec is a name and a few numbers).
MAX_SPEC_CHARS = 1_000


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """Split ``"name:a=1,b=2"`` into ``("name", {"a": "1", "b": "2"})``.

    Raises
    ------
    ConfigError
        A parameter given twice, or a spec that is not text or is over-long.
    """
    if not isinstance(spec, str) or len(spec) > MAX_SPEC_CHARS:
        shown = spec if isinstance(spec, str) else type(spec).__name__
        raise ConfigError(
            [
                Problem(
                    "interventions",
                    shown,
                    f"an intervention spec is text of at most "
                    f"{MAX_SPEC_CHARS} characters, NAME[:param=value,...]",
                )
            ]
        )
    name, _, rest = spec.strip().partition(":")
    params: dict[str, str] = {}
    problems = []
    for item in filter(None, (x.strip() for x in rest.split(","))):
        k, eq, v = item.partition("=")
        k = k.strip()
        if k in params:
            problems.append(Problem(f"interventions.{name.strip()}.{k}", v, "given twice"))
        params[k] = v.strip() if eq else ""
    if problems:
        raise ConfigError(problems)
    return name.strip(), params


def resolve(spec: str) -> tuple[Intervention, dict[str, float]]:
    """Look up an intervention and check its parameters.

    Parameters
    ----------
    spec : str
        ``NAME`` or ``NAME:param=value,...``, e.g. ``"extra_acute_beds:beds=20"``.

    Returns
    -------
    tuple
        The intervention and its full parameter set (defaults filled in).

    Raises
    ------
    ConfigError
        Listing every problem: unknown name or parameter, a value that is not a plain
        decimal number, out of range, or not whole where the size is whole (beds).
    """
    name, given = parse_spec(spec)
    key = f"interventions.{name}"
    if name not in REGISTRY:
        close = difflib.get_close_matches(name, list(REGISTRY), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(
            [
                Problem(
                    key, spec, f"unknown intervention{hint}; known: {', '.join(sorted(REGISTRY))}"
                )
            ]
        )
    iv = REGISTRY[name]
    params = iv.defaults()
    known = {p.name: p for p in iv.params}
    problems = []
    for k, v in given.items():
        if k not in known:
            close = difflib.get_close_matches(k, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                Problem(f"{key}.{k}", v, f"unknown parameter{hint}; parameters: {', '.join(known)}")
            )
            continue
        p = known[k]
        if p.cost:
            problems.append(
                Problem(
                    f"{key}.{k}",
                    v,
                    f"a cost constant of the intervention library ({p.default:g} {p.unit}; "
                    f"{p.description.split(':')[0]}), not settable: to use local costing, "
                    "change it in flowsim.interventions",
                )
            )
            continue
        if not _NUMBER.match(v):
            problems.append(Problem(f"{key}.{k}", v, "must be a plain decimal number"))
            continue
        x = float(v)
        if not math.isfinite(x) or x < p.minimum or (p.maximum is not None and x > p.maximum):
            rng = f">= {p.minimum:g}" + (f" and <= {p.maximum:g}" if p.maximum is not None else "")
            problems.append(Problem(f"{key}.{k}", v, f"must be {rng} ({p.unit})"))
            continue
        if p.integer and x != int(x):
            problems.append(
                Problem(
                    f"{key}.{k}",
                    v,
                    f"must be a whole number of {p.unit} (a fraction adds no capacity "
                    "but would be charged)",
                )
            )
            continue
        params[k] = float(int(x)) if p.integer else x
    if name == "more_ed_clinicians" and not problems and params["from_hour"] == params["to_hour"]:
        problems.append(
            Problem(
                f"{key}.to_hour",
                given.get("to_hour", params["to_hour"]),
                "equals from_hour, which covers no hours (use from_hour=0,to_hour=24 "
                "for the whole day)",
            )
        )
    if problems:
        raise ConfigError(problems)
    return iv, params


def apply_interventions(scenario: Scenario, specs: Iterable[str]) -> Scenario:
    """Apply interventions in order; each sees the scenario the previous ones made.

    Parameters
    ----------
    scenario : Scenario
        The scenario to change.
    specs : iterable of str
        Intervention specs (see :func:`resolve`).

    Returns
    -------
    Scenario
        With the changes applied, ``interventions`` listing each one and
        ``intervention_cost_gbp_per_year`` the sum of their library costs.

    Raises
    ------
    ConfigError
        Listing the problems of every spec at once.
    """
    if isinstance(specs, str):
        specs = [specs]
    resolved, problems = [], []
    for spec in specs:
        try:
            resolved.append(resolve(spec))
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    for iv, params in resolved:
        changes = iv.changes(scenario, params)
        changes["intervention_cost_gbp_per_year"] = scenario.intervention_cost_gbp_per_year + float(
            iv.annual_cost(scenario, params)
        )
        changes["interventions"] = [
            *(r.model_dump() for r in scenario.interventions),
            {"name": iv.name, "params": params},
        ]
        scenario = scenario._with_derived(changes)
    return scenario


def describe() -> list[dict[str, Any]]:
    """The library as plain data: name, description, parameters, changes, cost basis."""
    return [
        {
            "name": iv.name,
            "description": iv.description,
            "params": {
                p.name: {"default": p.default, "unit": p.unit, "description": p.description}
                for p in iv.params
                if not p.cost
            },
            "cost_constants": {
                p.name: {"value": p.default, "unit": p.unit, "source": p.description}
                for p in iv.params
                if p.cost
            },
            "changes": iv.changes_text,
            "cost": iv.cost_basis,
        }
        for iv in REGISTRY.values()
    ]


def format_library() -> str:
    """The library as text for ``flowsim interventions``."""
    lines = []
    for d in describe():
        lines.append(f"{d['name']}\n    {d['description']}")
        for k, p in d["params"].items():
            lines.append(f"    - {k} = {p['default']:g} {p['unit']}: {p['description']}")
        for k, c in d["cost_constants"].items():
            lines.append(f"    cost constant {k} = {c['value']:,.0f} {c['unit']} ({c['source']})")
        lines.append(f"    changes: {d['changes']}")
        lines.append(f"    annual cost: {d['cost']}\n")
    lines.append(
        "Use as NAME or NAME:param=value,param=value, e.g. "
        "--intervention discharge_to_assess:assessment_days=1"
    )
    return "\n".join(lines)


__all__ = ["REGISTRY", "Intervention", "Param", "apply_interventions", "resolve"]
