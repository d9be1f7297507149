"""The scenario schema: frozen pydantic models, one per section of a scenario file.

Every field carries its unit in its name (``los_days``, ``handover_process_min``)
and a ``description``, so ``Scenario.model_json_schema()`` is the configuration
reference (``flowsim schema`` prints it). Types are strict where a coercion would
turn a typo into a number: a number field refuses text and booleans, a boolean
field refuses numbers and text, a text field refuses numbers.

This module knows nothing about files: reading YAML, ``base:`` inheritance and
paths live in :mod:`flowsim.loading`; dotted-key overrides in
:mod:`flowsim.overrides`; the capacity arithmetic the Scenario offers
(``offered_loads()`` ...) in :mod:`flowsim.capacity`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flowsim.capacity import CapacityMixin
from flowsim.errors import ConfigError, Problem
from flowsim.limits import MAX_DAYS, MAX_REPLICATIONS, MAX_SEED
from flowsim.overrides import apply_overrides

PROB_TOL = 1e-6


def _numeric(kind: str):
    def check(v: Any) -> Any:
        """Refuse text and booleans where a number is expected (no ``"12"`` -> 12)."""
        if isinstance(v, bool):
            raise ValueError(f"must be {kind}, not the boolean {str(v).lower()}")
        if isinstance(v, str):
            raise ValueError(f"must be {kind}, not text {v!r} (remove the quotes)")
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"must be a finite number, not {v}")
        return v

    return BeforeValidator(check)


Num = _numeric("a number")
Int = _numeric("an integer")
PosFloat = Annotated[float, Num, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Num, Field(ge=0, allow_inf_nan=False)]
Prob = Annotated[float, Num, Field(ge=0, le=1, allow_inf_nan=False)]
Pct = Annotated[float, Num, Field(ge=0, le=100, allow_inf_nan=False)]
# Upper bounds keep a typo (an extra zero or six) from exhausting memory: no county
# has a million beds or a hundred thousand arrivals a day.
Capacity = Annotated[int, Int, Field(ge=0, le=1_000_000)]
Rate = Annotated[float, Num, Field(ge=0, le=100_000, allow_inf_nan=False)]
Bool = Annotated[bool, Strict()]
Text = Annotated[str, Strict(), Field(max_length=10_000)]
Month = Annotated[int, Int, Field(ge=1, le=12)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class Dist(_Frozen):
    """A duration distribution, in the unit named by the field that holds it.

    ``kind``: ``exponential`` (mean), ``lognormal`` and ``gamma`` (mean, cv),
    ``fixed`` (mean is the value), ``empirical`` (values with probs: a discrete
    distribution over the listed values).
    """

    kind: Literal["exponential", "lognormal", "gamma", "fixed", "empirical"] = Field(
        description="distribution family"
    )
    mean: NonNegFloat | None = Field(
        None, description="mean, in the unit of the field (all kinds but empirical)"
    )
    cv: PosFloat | None = Field(
        None, description="coefficient of variation, sd / mean (lognormal and gamma)"
    )
    values: tuple[NonNegFloat, ...] | None = Field(
        None, description="possible values (empirical)", max_length=10_000
    )
    probs: tuple[Prob, ...] | None = Field(
        None, description="probability of each value, summing to 1 (empirical)", max_length=10_000
    )

    @model_validator(mode="after")
    def _check(self) -> Dist:
        k = self.kind
        if k == "empirical":
            if not self.values:
                raise ValueError("empirical distribution needs a non-empty 'values' list")
            if self.probs is None or len(self.probs) != len(self.values):
                raise ValueError(
                    "empirical distribution needs 'probs' of the same length as 'values'"
                )
            if abs(sum(self.probs) - 1.0) > PROB_TOL:
                raise ValueError(
                    f"empirical 'probs' must sum to 1 (they sum to {sum(self.probs):.6g})"
                )
            return self
        if self.mean is None:
            raise ValueError(f"{k} distribution needs 'mean'")
        if k in ("lognormal", "gamma") and self.cv is None:
            raise ValueError(f"{k} distribution needs 'cv' (coefficient of variation, > 0)")
        if k in ("exponential", "lognormal", "gamma") and self.mean <= 0:
            raise ValueError(f"{k} distribution needs mean > 0")
        return self

    @property
    def expected(self) -> float:
        """The mean of the distribution."""
        if self.kind == "empirical":
            return float(sum(v * p for v, p in zip(self.values, self.probs, strict=True)))
        return float(self.mean)


def _check_profile(values: tuple[float, ...], n: int, what: str) -> None:
    if len(values) != n:
        raise ValueError(f"{what} must have exactly {n} values (got {len(values)})")
    if any(v < 0 for v in values):
        raise ValueError(f"{what} values must be >= 0")
    if sum(values) <= 0:
        raise ValueError(f"{what} must not be all zero")


def _check_probs(values: tuple[float, ...], n: int, what: str) -> None:
    if len(values) != n:
        raise ValueError(f"{what} must have exactly {n} values (got {len(values)})")
    if abs(sum(values) - 1.0) > PROB_TOL:
        raise ValueError(f"{what} must sum to 1 (they sum to {sum(values):.6g})")


class RunCfg(_Frozen):
    """Horizon and seeds. ``days`` is the reporting period; warm-up runs before it."""

    days: Annotated[float, Num, Field(gt=0, le=MAX_DAYS, allow_inf_nan=False)] = Field(
        365, description="reporting period after the warm-up, days"
    )
    warmup_days: Annotated[float, Num, Field(ge=0, le=MAX_DAYS, allow_inf_nan=False)] = Field(
        28, description="warm-up simulated before the reporting period and discarded, days"
    )
    replications: Annotated[int, Int, Field(gt=0, le=MAX_REPLICATIONS)] = Field(
        5, description="independent replications per scenario"
    )
    seed: Annotated[int, Int, Field(ge=0, le=MAX_SEED)] = Field(
        12345, description="base random seed; replication r uses streams (seed, r, name)"
    )
    start_weekday: Annotated[int, Int, Field(ge=0, le=6)] | None = Field(
        None,
        description="weekday of day 0 of the warm-up (0 = Monday); null: the weekday the "
        "calendar gives day 0 with the reporting period (or day 0) in 2024, the calibration "
        "year (set: the latest year up to 2024 with day 0 on this weekday; flowsim.dates)",
    )
    start_month: Month = Field(4, description="calendar month of day 0 (1 = January)")
    reporting_start_month: Month | None = Field(
        None,
        description="the reporting period starts on the 1st of this month and the warm-up "
        "ends then (4: a financial year); day 0 is warmup_days earlier and start_month is "
        "ignored; null: day 0 is the 1st of start_month",
    )

    @property
    def weekday0(self) -> int:
        """Weekday of day 0 (0 = Monday) that every weekday-dependent step uses:
        ``start_weekday``, or the calendar's when that is null
        (:func:`flowsim.dates.day0_weekday`)."""
        from flowsim.dates import day0_weekday

        return day0_weekday(self)

    @model_validator(mode="after")
    def _check(self) -> RunCfg:
        if self.warmup_days > self.days:
            raise ValueError(
                f"warmup_days ({self.warmup_days:g}) is longer than the reporting horizon "
                f"days ({self.days:g})"
            )
        return self


class DemandCfg(_Frozen):
    """Arrival-rate profiles shared by every demand stream (each normalised to mean 1)."""

    hour_of_day: tuple[NonNegFloat, ...] = Field(
        (1.0,) * 24, description="relative arrival rate by hour 0-23 (24 values)"
    )
    day_of_week: tuple[NonNegFloat, ...] = Field(
        (1.0,) * 7, description="relative arrival rate Monday..Sunday (7 values)"
    )
    month_of_year: tuple[NonNegFloat, ...] = Field(
        (1.0,) * 12, description="relative arrival rate January..December (12 values)"
    )
    growth_pct_per_year: Annotated[float, Num, Field(ge=-50, le=100, allow_inf_nan=False)] = Field(
        0.0, description="demand growth, percent per year, compounding over the run"
    )
    admissions_month_of_year: tuple[NonNegFloat, ...] | None = Field(
        None,
        description="relative emergency admissions per day January..December (12 values): "
        "direct admissions follow it, and the share of A&E attendances admitted is scaled "
        "by it over month_of_year; null: admissions follow month_of_year",
    )
    los_month_of_year: tuple[NonNegFloat, ...] = Field(
        (1.0,) * 12,
        description="relative emergency length of stay by month of admission "
        "January..December (12 values, normalised to mean 1)",
    )
    month_of_year_trend_pct: Annotated[float, Num, Field(ge=-50, le=100, allow_inf_nan=False)] = (
        Field(
            0.0,
            description="growth a year of the series month_of_year was averaged from: a "
            "mean daily rate by calendar month over financial years reads high in "
            "January-March and low in April-May when the series grows, so the index is "
            "divided by that trend before use (growth_pct_per_year then adds the run's "
            "own); 0: the index as given (set 0 with a month_of_year that is not such a "
            "mean, e.g. a flat one)",
        )
    )
    admissions_month_of_year_trend_pct: Annotated[
        float, Num, Field(ge=-50, le=100, allow_inf_nan=False)
    ] = Field(
        0.0,
        description="the same for admissions_month_of_year: growth a year of the "
        "admissions series it was averaged from; 0: the index as given",
    )

    # Field validators (not one model validator) so that every bad profile is reported
    # together with the section's other errors.
    @field_validator("hour_of_day")
    @classmethod
    def _hod(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_profile(v, 24, "hour_of_day")
        return v

    @field_validator("day_of_week")
    @classmethod
    def _dow(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_profile(v, 7, "day_of_week")
        return v

    @field_validator("month_of_year")
    @classmethod
    def _moy(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_profile(v, 12, "month_of_year")
        return v

    @field_validator("admissions_month_of_year")
    @classmethod
    def _amoy(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None:
            _check_profile(v, 12, "admissions_month_of_year")
        return v

    @field_validator("los_month_of_year")
    @classmethod
    def _lmoy(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_profile(v, 12, "los_month_of_year")
        return v

    @model_validator(mode="after")
    def _admissions_trend(self) -> DemandCfg:
        if self.admissions_month_of_year is None and self.admissions_month_of_year_trend_pct:
            raise ValueError(
                "admissions_month_of_year_trend_pct is "
                f"{self.admissions_month_of_year_trend_pct:g} but admissions_month_of_year "
                "is null: admissions then follow month_of_year, detrended by "
                "month_of_year_trend_pct; set the admissions index or remove its trend"
            )
        return self


class AmbulanceServiceCfg(_Frozen):
    """The ambulance service: 999 incidents, crews on a roster, and the job cycle.

    With it, conveyed incidents are the A&E ambulance arrivals (``arrivals_per_day`` of
    the ambulance section is then not used) and each crew is held from dispatch to the
    end of its turnaround after handover.
    """

    incidents_per_day: Rate = Field(
        330, description="999 incidents per day (hear and treat included), mean"
    )
    category_mix: tuple[Prob, ...] = Field(
        (0.10, 0.60, 0.28, 0.02),
        description="share of incidents in Cat 1, 2, 3, 4 (4 values summing to 1)",
    )
    hear_treat_prob: Prob = Field(
        0.15, description="share of incidents closed by telephone (no crew sent)"
    )
    see_treat_prob: Prob = Field(
        0.35, description="share of incidents treated on scene (crew sent, no conveyance)"
    )
    crews_by_hour: tuple[Capacity, ...] = Field(
        (30,) * 24, description="ambulance crews (vehicles) on duty in each hour 0-23 (24 values)"
    )
    cat1_travel_min: Dist = Field(
        Dist(kind="lognormal", mean=7, cv=0.6),
        description="Cat 1: dispatch of a free crew to arrival on scene, minutes",
    )
    travel_min: Dist = Field(
        Dist(kind="lognormal", mean=11, cv=0.6),
        description="Cat 2-4: dispatch of a free crew to arrival on scene, minutes",
    )
    on_scene_min: Dist = Field(
        Dist(kind="lognormal", mean=35, cv=0.5), description="time on scene, minutes"
    )
    to_hospital_min: Dist = Field(
        Dist(kind="lognormal", mean=20, cv=0.5),
        description="scene to hospital for a conveyed patient, minutes",
    )
    turnaround_min: Dist = Field(
        Dist(kind="lognormal", mean=18, cv=0.5),
        description="handover to clear (ready for the next call), minutes",
    )
    mutual_aid_crews: Capacity = Field(
        0,
        description="crews of neighbouring divisions of the same regional service that "
        "answer a call when no local crew is free (a constant number, each held for its "
        "job like a local crew); 0: the fleet is closed",
    )
    mutual_aid_extra_travel_min: NonNegFloat = Field(
        20.0,
        description="a neighbouring crew's extra travel to the scene, minutes",
    )
    cohort_places: Capacity = Field(
        0,
        description="held era only (ed.corridor_care_after_min null): places in a hospital "
        "cohorting / handover area (HALO) that takes patients off crews while they wait "
        "for a majors space, so the crews leave; when it is full the next crews wait with "
        "their patients and take places as they free, longest-waiting first; 0: no area "
        "(under a maximum the corridor / handover area of ed.corridor_spaces takes them)",
    )
    divert_when_waiting: Capacity | None = Field(
        None,
        description="held era, with a cohorting area: when the area is full and this many "
        "crews already wait at the door, a crew arriving with a patient who would queue "
        "goes on to another hospital (leaves the model) instead; null: never diverted",
    )
    divert_extra_min: NonNegFloat = Field(
        40.0,
        description="a diverted crew's extra journey to the other hospital, minutes",
    )
    ucr_teams: Capacity = Field(
        0,
        description="urgent community response (falls) teams: a free team takes an eligible "
        "Cat 3-4 incident instead of a crew, with no conveyance",
    )
    ucr_eligible_prob: Prob = Field(
        0.3, description="share of Cat 3-4 incidents an urgent community response team can take"
    )
    ucr_visit_min: Dist = Field(
        Dist(kind="lognormal", mean=120, cv=0.5),
        description="an urgent community response visit, travel included, minutes",
    )

    @field_validator("crews_by_hour")
    @classmethod
    def _crews(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if len(v) != 24:
            raise ValueError(f"crews_by_hour must have exactly 24 values (got {len(v)})")
        return v

    @field_validator("category_mix")
    @classmethod
    def _mix(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 4 or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError(f"category_mix must be 4 shares summing to 1 (got {list(v)})")
        return v

    @model_validator(mode="after")
    def _check(self) -> AmbulanceServiceCfg:
        if self.hear_treat_prob + self.see_treat_prob > 1.0:
            raise ValueError(
                "hear_treat_prob + see_treat_prob must be at most 1 "
                f"(got {self.hear_treat_prob} + {self.see_treat_prob})"
            )
        if self.incidents_per_day > 0 and max(self.crews_by_hour) == 0:
            raise ValueError("crews_by_hour must have a crew in some hour when incidents arrive")
        return self

    @property
    def convey_prob(self) -> float:
        """Share of incidents conveyed to A&E."""
        return 1.0 - self.hear_treat_prob - self.see_treat_prob


class AmbulanceCfg(_Frozen):
    """Ambulance conveyances to the emergency departments."""

    arrivals_per_day: Rate = Field(150, description="ambulance conveyances per day, mean")
    handover_process_min: NonNegFloat = Field(
        10, description="time to hand a patient over once a space is free, minutes"
    )
    handover_target_min: NonNegFloat = Field(
        15, description="handover standard; time beyond it counts as hours lost, minutes"
    )
    admit_prob: Prob = Field(0.45, description="probability a conveyed patient is admitted")
    handover_staff_by_hour: tuple[Capacity, ...] | None = Field(
        None,
        description="nurses receiving ambulance handovers on duty by hour of day (24 "
        "values); a crew with a space (or a corridor place) waits for one, who is busy "
        "for handover_process_min; null: a handover needs no receiving nurse",
    )
    service: AmbulanceServiceCfg | None = Field(
        None,
        description="the ambulance service (incidents, crews, response times); null: "
        "conveyances arrive at A&E at arrivals_per_day and crews are not modelled",
    )

    @field_validator("handover_staff_by_hour")
    @classmethod
    def _staff_24(cls, v: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if v is not None:
            if len(v) != 24:
                raise ValueError(
                    f"handover_staff_by_hour must have exactly 24 values (got {len(v)})"
                )
            if max(v) == 0:
                raise ValueError("handover_staff_by_hour is all zero: no handover would finish")
        return v

    def conveyances_per_day(self) -> float:
        """Mean ambulance arrivals at A&E per day (from the service when it is modelled)."""
        if self.service is None:
            return float(self.arrivals_per_day)
        return self.service.incidents_per_day * self.service.convey_prob


class EdCfg(_Frozen):
    """A&E: majors spaces (trolleys/cubicles) and rostered clinicians."""

    walkin_arrivals_per_day: Rate = Field(400, description="walk-in attendances per day, mean")
    walkin_majors_fraction: Prob = Field(
        0.25, description="share of walk-ins needing a majors space"
    )
    spaces: Capacity = Field(60, description="majors spaces (trolleys and cubicles)")
    clinicians_by_hour: tuple[Capacity, ...] = Field(
        (8,) * 24, description="clinicians on duty in each hour 0-23 (24 values)"
    )
    assessment_min: Dist = Field(
        Dist(kind="lognormal", mean=20, cv=0.8),
        description="time from a clinician free to assessment complete, minutes",
    )
    majors_treatment_min: Dist = Field(
        Dist(kind="lognormal", mean=150, cv=0.9),
        description="majors treatment time in a space after assessment, minutes",
    )
    minors_treatment_min: Dist = Field(
        Dist(kind="lognormal", mean=45, cv=0.9),
        description="minors treatment time after assessment, minutes",
    )
    walkin_majors_admit_prob: Prob = Field(
        0.3, description="probability a walk-in majors patient is admitted"
    )
    minors_admit_prob: Prob = Field(0.02, description="probability a minors patient is admitted")
    corridor_care_after_min: NonNegFloat | None = Field(
        None,
        description="minutes a majors patient waits for a space before being treated in a "
        "corridor (an ambulance crew hands over then); null: wait for a space however long",
    )
    corridor_spaces: Capacity | None = Field(
        None,
        description="places in the corridor / handover area (HALO, cohorting); when full, "
        "patients past the limit wait for a space or a place (an ambulance crew waits with "
        "theirs); null: unlimited",
    )
    staff_absence_pct_by_month: tuple[Pct, ...] = Field(
        (0.0,) * 12,
        description="clinician sickness absence by month January..December, percent (12 "
        "values); the roster is what is planned at the year's mean absence, so a month "
        "above the mean loses clinicians and one below gains them",
    )

    triage_min: Dist | None = Field(
        None,
        description="walk-in triage (streaming) on arrival, before the clinician queue, "
        "minutes; ambulance patients are triaged at handover; null: no triage stage",
    )
    admitted_decision_min: Dist | None = Field(
        None,
        description="for patients who will be admitted: assessment to decision to admit "
        "(treatment, diagnostics and specialty review), minutes; fitted to E12; null: the "
        "majors or minors treatment time",
    )
    admitted_arrival_share_by_6h: tuple[Prob, ...] | None = Field(
        None,
        description="share of patients later admitted by arrival hour 00-06, 06-12, 12-18, "
        "18-24 (4 values summing to 1, E12): admission probabilities are scaled by block so "
        "that admissions follow it; null: the same probability at every hour",
    )
    type3_arrivals_per_day: Rate = Field(
        0.0,
        description="attendances a day at the trust's type 3 units (minor injury units, "
        "urgent treatment centres), mean: seen by their own practitioners "
        "(type3_practitioners_by_hour), never by the A&E clinicians nor in a majors space, "
        "and counted in the all-type A&E figures; 0: every walk-in attends the type 1 "
        "department",
    )
    type3_practitioners_by_hour: tuple[Capacity, ...] = Field(
        (0,) * 24,
        description="practitioners on duty at the type 3 units in each hour 0-23 (24 values)",
    )
    type3_treatment_min: Dist = Field(
        Dist(kind="lognormal", mean=45, cv=0.8),
        description="a type 3 attendance: a practitioner's assessment and treatment, minutes",
    )
    mh_fraction: Prob = Field(
        0.0,
        description="share of all attendances that are mental-health presentations (M4); "
        "they come to the type 1 department, so with type 3 units the share of type 1 "
        "attendances is scaled up to keep the same number a day",
    )
    mh_bed_prob: Prob = Field(
        0.0,
        description="share of mental-health attendances who need a mental-health inpatient "
        "bed (they wait in A&E, holding a majors space, until one is free)",
    )

    @field_validator("admitted_arrival_share_by_6h")
    @classmethod
    def _admit_blocks(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None:
            _check_probs(v, 4, "admitted_arrival_share_by_6h")
        return v

    @field_validator("staff_absence_pct_by_month")
    @classmethod
    def _absence(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 12:
            raise ValueError(
                f"staff_absence_pct_by_month must have exactly 12 values (got {len(v)})"
            )
        return v

    @field_validator("clinicians_by_hour", "type3_practitioners_by_hour")
    @classmethod
    def _roster(cls, v: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        if len(v) != 24:
            raise ValueError(f"{info.field_name} must have exactly 24 values (got {len(v)})")
        return v

    @model_validator(mode="after")
    def _check(self) -> EdCfg:
        if sum(self.clinicians_by_hour) == 0 and (self.walkin_arrivals_per_day > 0):
            raise ValueError("clinicians_by_hour is all zero: nobody would ever be seen")
        if sum(self.type3_practitioners_by_hour) == 0 and self.type3_arrivals_per_day > 0:
            raise ValueError(
                "type3_practitioners_by_hour is all zero while type3_arrivals_per_day is "
                f"{self.type3_arrivals_per_day:g}: no type 3 attendance would ever be seen"
            )
        return self


class BedGroupCfg(_Frozen):
    """One group of G&A beds: a specialty at a site (its wards share the group's beds)."""

    name: Annotated[str, Strict(), Field(min_length=1, max_length=60)] = Field(
        description="group name (e.g. wrh_medicine)"
    )
    site: Annotated[str, Strict(), Field(min_length=1, max_length=60)] = Field(
        description="hospital site of the group's wards (outliers look at the same site first)"
    )
    specialty: Literal["medicine", "surgery"] = Field(
        description="medicine (emergency medical admissions; escalation beds, surge beds "
        "and outbreak closures fall on medical groups) or surgery (electives by default)"
    )
    beds: Capacity = Field(
        description="beds of the group: the split of acute.beds (rescaled in proportion "
        "when the groups' sum differs from acute.beds)"
    )
    emergency_share: Prob = Field(
        description="share of emergency admissions (via A&E and direct) whose home is this group"
    )
    elective_share: Prob | None = Field(
        None,
        description="share of ordinary elective admissions whose home is this group; null "
        "in every group: the surgical groups in proportion to their beds",
    )
    takes_outliers: Bool = Field(
        True,
        description="patients of other groups may outlie into this group's free beds "
        "(false: its beds are ring-fenced for its own patients)",
    )


class AcuteCfg(_Frozen):
    """General and acute (G&A) beds shared by emergency and elective patients.

    ``los_days`` is the time from admission to *medically fit* (no longer meeting
    the criteria to reside); the time after that until the patient leaves is the
    discharge delay, driven by the discharge pathway and downstream capacity.
    """

    beds: Capacity = Field(800, description="general and acute beds open all year")
    escalation_beds: Capacity = Field(0, description="extra beds opened in the escalation months")
    escalation_months: tuple[Month, ...] = Field(
        (12, 1, 2, 3),
        description="months (1-12) in which escalation beds are open (escalation_trigger: "
        "calendar only)",
    )
    escalation_trigger: Literal["calendar", "pressure"] = Field(
        "calendar",
        description="calendar: escalation beds open in escalation_months; pressure: an "
        "OPEL-like rule checked every few hours opens them when occupancy or A&E crowding "
        "passes its trigger and closes them when both fall below their stand-down levels",
    )
    escalation_check_hours: Annotated[float, Num, Field(gt=0, le=24, allow_inf_nan=False)] = Field(
        4.0, description="hours between escalation checks (pressure trigger)"
    )
    escalation_on_occupancy_pct: Pct = Field(
        95.0, description="escalate when base G&A beds are at least this full, percent"
    )
    escalation_off_occupancy_pct: Pct = Field(
        92.0, description="stand down when occupancy of the base beds is below this, percent"
    )
    escalation_on_awaiting_bed: Capacity | None = Field(
        None,
        description="escalate when at least this many A&E patients wait for a bed after a "
        "decision to admit (A&E crowding); null: occupancy only",
    )
    escalation_off_awaiting_bed: Capacity = Field(
        0, description="stand down only when at most this many A&E patients wait for a bed"
    )
    escalation_opens_beds: Bool = Field(True, description="escalation opens the escalation beds")
    escalation_extra_assessors: NonNegFloat = Field(
        0.0,
        description="assessment and brokerage staff (whole-time equivalents) added to each "
        "day's shift while the trust is escalated: a discharge push with redeployed and "
        "agency staff, costed per escalated day (costs.escalation_assessor_day_gbp); 0: none",
    )
    escalation_cancels_electives: Bool = Field(
        False,
        description="while escalated, ordinary electives get no general bed (they are "
        "cancelled on the day); the ring-fenced hub is unaffected",
    )
    outbreak_events_per_month: tuple[NonNegFloat, ...] = Field(
        (0.0,) * 12,
        description="infection outbreaks (norovirus, flu) closing wards to admissions, mean "
        "events per month January..December (12 values)",
    )
    outbreak_ward_beds: Capacity = Field(28, description="beds in a ward closed by an outbreak")
    outbreak_max_wards: Annotated[int, Int, Field(ge=1, le=50)] = Field(
        3, description="an outbreak closes 1..this many wards (equally likely)"
    )
    outbreak_days: Dist = Field(
        Dist(kind="gamma", mean=7.0, cv=0.4),
        description="days a ward stays closed to admissions after an outbreak",
    )

    @field_validator("outbreak_events_per_month")
    @classmethod
    def _outbreaks(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 12:
            raise ValueError(
                f"outbreak_events_per_month must have exactly 12 values (got {len(v)})"
            )
        return v

    direct_admissions_per_day: Rate = Field(
        40, description="emergency admissions not via A&E (GP, SDEC) per day, mean"
    )
    emergency_los_days: Dist = Field(
        Dist(kind="lognormal", mean=3.5, cv=1.5),
        description="emergency admission to medically fit, days",
    )
    elective_los_days: Dist = Field(
        Dist(kind="lognormal", mean=3.5, cv=1.2),
        description="ordinary elective admission to medically fit, days",
    )
    pathway_probs: tuple[Prob, ...] = Field(
        (0.85, 0.09, 0.045, 0.015),
        description="emergency discharge pathway 0-3 probabilities (4 values, sum 1)",
    )
    elective_pathway_probs: tuple[Prob, ...] = Field(
        (0.97, 0.02, 0.01, 0.0),
        description="elective discharge pathway 0-3 probabilities (4 values, sum 1)",
    )
    pathway_los_factor: tuple[PosFloat, PosFloat, PosFloat, PosFloat] = Field(
        (1.0, 1.0, 1.0, 1.0),
        description="length of stay to medically fit by discharge pathway 0-3, as a "
        "multiple of the drawn stay (the same uniform: patients who will need pathways "
        "1-3 stay longer before they are fit)",
    )
    pathway_assessment_days: tuple[Dist, Dist, Dist, Dist] = Field(
        (
            Dist(kind="exponential", mean=0.3),
            Dist(kind="gamma", mean=4.0, cv=0.8),
            Dist(kind="gamma", mean=3.0, cv=0.8),
            Dist(kind="gamma", mean=8.0, cv=0.8),
        ),
        description="assessment and brokerage from medically fit until the pathway's "
        "capacity is requested, per pathway 0-3, days (pathway 0: transport, medicines)",
    )
    initial_occupancy_pct: Pct = Field(90.0, description="beds occupied at time 0, percent")
    initial_delayed: Capacity = Field(
        0, description="of the initial patients, how many are already medically fit"
    )
    bed_turnaround_hours: NonNegFloat = Field(
        0.0,
        description="hours a bed stays empty after a discharge (cleaning) before the next "
        "patient can have it",
    )
    bed_groups: tuple[BedGroupCfg, ...] = Field(
        (),
        description="G&A beds by site and specialty, each a pool of its own with its "
        "queue; empty: all G&A beds are one pool",
    )
    outlying: Literal["never", "after", "immediately"] = Field(
        "after",
        description="bed groups only: a patient waiting for a bed in their home group may "
        "take a free bed of another group (same site first): never, after "
        "outlying_after_hours of waiting, or immediately",
    )
    outlying_after_hours: NonNegFloat = Field(
        4.0, description="hours a patient waits for a home-group bed before outlying (after)"
    )
    outlying_other_sites: Bool = Field(
        True, description="outliers may take a bed at another site (after their own site)"
    )
    outlier_los_factor: PosFloat = Field(
        1.0,
        description="length of stay to medically fit of a patient placed in another "
        "group's bed, as a multiple of their drawn stay",
    )
    divert_direct_when_full: Bool = Field(
        False,
        description="direct emergency admissions are diverted when no bed is free on "
        "arrival instead of queueing (a loss system, Erlang B)",
    )
    elective_bed_priority: Bool = Field(
        False,
        description="a freed bed goes to a waiting elective ahead of a queued emergency "
        "(false, usual practice: emergencies first)",
    )

    @field_validator("pathway_probs", "elective_pathway_probs")
    @classmethod
    def _probs(cls, v: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        _check_probs(v, 4, info.field_name)
        return v

    @model_validator(mode="after")
    def _check_bed_groups(self) -> AcuteCfg:
        groups = self.bed_groups
        if not groups:
            return self
        problems = []
        names = [g.name for g in groups]
        if len(set(names)) != len(names):
            problems.append(f"bed_groups names {names} must be unique")
        if sum(g.beds for g in groups) <= 0:
            problems.append("bed_groups beds must not all be 0")
        total = sum(g.emergency_share for g in groups)
        if abs(total - 1) > PROB_TOL:
            problems.append(f"bed_groups emergency_share values sum to {total:g}; must sum to 1")
        for g in groups:
            if g.beds == 0 and (g.emergency_share > 0 or (g.elective_share or 0) > 0):
                problems.append(f"bed group {g.name!r} has no beds but a share of admissions")
        el = [g.elective_share for g in groups]
        if any(v is not None for v in el):
            if any(v is None for v in el):
                problems.append("bed_groups elective_share must be given in every group or none")
            elif abs(sum(el) - 1) > PROB_TOL:
                problems.append(
                    f"bed_groups elective_share values sum to {sum(el):g}; must sum to 1"
                )
        elif not any(g.specialty == "surgery" and g.beds > 0 for g in groups):
            problems.append(
                "bed_groups has no surgical group with beds for electives (give elective_share)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class DischargeCfg(_Frozen):
    """When in the day and week patients physically leave a bed."""

    window_start_hour: Annotated[float, Num, Field(ge=0, le=24, allow_inf_nan=False)] = Field(
        10.0, description="first hour of the daily discharge window, hours after midnight"
    )
    window_end_hour: Annotated[float, Num, Field(ge=0, le=24, allow_inf_nan=False)] = Field(
        20.0, description="end of the daily discharge window, hours after midnight"
    )
    weekend_factor: Prob = Field(
        0.67,
        description="probability that a patient ready to leave on a Saturday or Sunday "
        "does leave that day (weekend/weekday discharge ratio, W48); 1 = seven-day",
    )
    weekday_profile: tuple[PosFloat, ...] | None = Field(
        None,
        description="discharges of delayed patients by weekday, Monday..Sunday (7 values, "
        "any scale; W48, N32, L28): each day is open to a patient with a probability solved "
        "so that an even flow of ready patients leaves in this profile (replaces "
        "weekend_factor); none: the window rule",
    )
    hour_weights: tuple[NonNegFloat, ...] | None = Field(
        None,
        description="with weekday_profile: relative share of discharge slots in each hour "
        "0..23 (24 values; E32, E33); none: even over the window hours",
    )
    use_window: Bool = Field(
        True,
        description="false: patients leave the moment they are ready (validation reductions only)",
    )
    assessment_staff_by_weekday: (
        tuple[Annotated[float, Num, Field(ge=0, le=10_000, allow_inf_nan=False)], ...] | None
    ) = Field(
        None,
        description="discharge assessment and brokerage staff (coordinators, social workers, "
        "trusted assessors) on shift, Monday..Sunday (7 values, whole-time equivalents: 8.5 "
        "is 8 on the full shift and one part-timer for the first half); none: assessment is "
        "not a capacity (only the admin time of acute.pathway_assessment_days applies)",
    )
    assessment_shift_start_hour: Annotated[float, Num, Field(ge=0, le=24)] = Field(
        9.0, description="hour the assessment shift starts"
    )
    assessment_shift_hours: Annotated[float, Num, Field(gt=0, le=24)] = Field(
        7.5, description="length of the assessment shift, hours"
    )
    assessment_hours: Dist = Field(
        Dist(kind="gamma", mean=5.5, cv=0.5),
        description="staff time per discharge assessment (pathways 1-3), hours (X52)",
    )
    assess_before_discharge: Bool = Field(
        True,
        description="pathway 1-3 patients are assessed in hospital before they leave; false: "
        "discharge to assess (assessed at home or in the next setting, so they leave as "
        "soon as the pathway's capacity is free)",
    )
    initial_awaiting_assessment_share: Prob = Field(
        0.127,
        description="of the patients already delayed at time 0, the share still waiting "
        "for assessment (S9: care transfer hub 12.7% of delays); the rest are past it",
    )
    assessment_rounds: Annotated[int, Int, Field(ge=1, le=5)] = Field(
        1,
        description="sequential assessments per discharge, each queued for staff (2: "
        "duplicated hospital and provider assessments; 1: trusted assessor, X40)",
    )
    chc_share: Prob = Field(
        0.0,
        description="share of pathway 3 patients needing a continuing healthcare (CHC) "
        "assessment before a place is sought (S13: CHC 0.6-0.9% of all delays)",
    )
    chc_assessors: Capacity | None = Field(
        None,
        description="CHC nurse assessors (each works one case at a time, seven days); "
        "none: CHC assessment is not a capacity (cases pass straight through)",
    )
    chc_assessment_days: Dist = Field(
        Dist(kind="gamma", mean=2.0, cv=0.5),
        description="assessor time per CHC assessment, checklist to decision support "
        "tool and panel, days (D; X14 allows 28 days from a positive checklist)",
    )
    choice_share: Prob = Field(
        0.0,
        description="share of pathway 3 patients whose patient/family choice of home "
        "takes a decision time (S13: choice 0.8-2.4% of all delays)",
    )
    choice_days: Dist = Field(
        Dist(kind="gamma", mean=5.0, cv=0.8),
        description="patient/family decision time on a care home, days (D)",
    )

    @field_validator("assessment_staff_by_weekday", "weekday_profile")
    @classmethod
    def _seven(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None and len(v) != 7:
            raise ValueError(f"must have 7 values (Monday..Sunday), got {len(v)}")
        return v

    @field_validator("hour_weights")
    @classmethod
    def _hours(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None and (len(v) != 24 or sum(v) <= 0):
            raise ValueError(f"must have 24 values (hours 0..23) with a positive sum, got {len(v)}")
        return v

    @model_validator(mode="after")
    def _check(self) -> DischargeCfg:
        if self.window_end_hour <= self.window_start_hour:
            raise ValueError(
                f"window_end_hour ({self.window_end_hour:g}) must be after "
                f"window_start_hour ({self.window_start_hour:g})"
            )
        return self


class CommunityCfg(_Frozen):
    """Community hospital (rehabilitation, pathway 2) beds."""

    beds: Capacity = Field(233, description="community hospital beds (W50)")
    los_days: Dist = Field(
        Dist(kind="gamma", mean=21, cv=0.7), description="admission to medically fit, days"
    )
    step_up_per_day: Rate = Field(
        0.0, description="admissions from the community (step-up) per day, mean"
    )
    onward_probs: tuple[Prob, ...] = Field(
        (0.6, 0.3, 0.1),
        description="onward destination probabilities: home, home with care, care home",
    )
    onward_assessment_days: Dist = Field(
        Dist(kind="gamma", mean=3.0, cv=0.8),
        description="medically fit to onward capacity requested, days",
    )
    initial_occupancy_pct: Pct = Field(90.0, description="beds occupied at time 0, percent")
    d2a_beds: Capacity = Field(
        0,
        description="discharge-to-assess (pathway 2) beds in care homes: a capacity of "
        "their own for hospital pathway 2 discharges (the share d2a_share), not step-up",
    )
    d2a_share: Prob = Field(
        0.0,
        description="share of hospital pathway 2 discharges suited to a discharge-to-assess "
        "bed in a care home (the rest need a community hospital bed); read when d2a_beds > 0",
    )
    discharge_priority: Bool = Field(
        True,
        description="community hospital beds: hospital pathway 2 discharges go ahead of "
        "step-up referrals (false: one first come, first served queue)",
    )
    hospital_bed_share: Prob | None = Field(
        None,
        description="share of community hospital beds kept for hospital pathway 2 "
        "discharges (the rest for step-up); none: one pool shared by both",
    )

    @field_validator("onward_probs")
    @classmethod
    def _probs(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_probs(v, 3, "onward_probs")
        return v


class SocialCareCfg(_Frozen):
    """Home care packages and care-home places, shared with people who never went to hospital."""

    home_care_packages: Capacity = Field(2500, description="concurrent home care packages")
    home_care_discharge_days: Dist = Field(
        Dist(kind="gamma", mean=42, cv=0.8),
        description="length of a package started at hospital discharge, days",
    )
    home_care_background_per_day: Rate = Field(
        5.0, description="package requests from the community per day, mean"
    )
    home_care_background_days: Dist = Field(
        Dist(kind="exponential", mean=365),
        description="length of a community-started package, days",
    )
    home_care_initial_occupancy_pct: Pct = Field(
        92.0, description="packages in use at time 0, percent"
    )
    care_home_places: Capacity = Field(3000, description="care-home places")
    care_home_stay_days: Dist = Field(
        Dist(kind="exponential", mean=730), description="length of a care-home stay, days"
    )
    care_home_background_per_day: Rate = Field(
        3.0, description="care-home requests from the community per day, mean"
    )
    care_home_initial_occupancy_pct: Pct = Field(
        92.0, description="places in use at time 0, percent"
    )
    discharge_priority: Bool = Field(
        True, description="hospital discharges go ahead of community requests"
    )
    reablement_visits_per_day: Capacity = Field(
        0,
        description="pathway 1 reablement (home first) visits the service can make per day; "
        "0: no reablement service (pathway 1 goes straight to home care)",
    )
    reablement_visits_per_person_day: PosFloat = Field(
        2.0,
        description="mean visits per person per day over an episode (D: 3/day in week 1 "
        "falling to 1/day by weeks 4-6); people at once = visits / this",
    )
    reablement_days: Dist = Field(
        Dist(kind="gamma", mean=19.0, cv=0.6), description="length of a reablement episode, days"
    )
    reablement_p1_share: Prob = Field(
        1.0, description="share of pathway 1 discharges that go to reablement (the rest home care)"
    )
    reablement_handon_prob: Prob = Field(
        0.19,
        description="share of reablement episodes handing on to long-term home care (S21); "
        "the person keeps the reablement place until the package starts",
    )
    reablement_community_per_day: Rate = Field(
        0.0, description="reablement referrals from the community (step-up) per day, mean"
    )
    reablement_hospital_share: Prob | None = Field(
        None,
        description="share of reablement places kept for hospital discharges (the rest for "
        "community referrals); none: one pool shared by both",
    )
    home_care_hospital_share: Prob | None = Field(
        None,
        description="share of home care packages kept for discharges (hospital, community "
        "bed and hospital reablement hand-on; the rest for community referrals); none: one "
        "pool shared by both",
    )
    unmet_need_admissions_per_person_day: Rate = Field(
        0.0,
        description="emergency admissions per person-day waiting at home for home care, "
        "reablement or a step-up bed (unmet need feeding back; D); 0: no feedback",
    )
    unmet_need_max_per_day: PosFloat = Field(
        10.0,
        description="ceiling of unmet-need admissions per day (the candidate stream that "
        "the waiting count thins; a higher rate is clipped here)",
    )
    care_home_self_funder_share: Prob = Field(
        0.0,
        description="share of pathway 3 discharges who fund their own place (E39: 37% of "
        "care-home residents) and so find it themselves, a search time first",
    )
    self_funder_search_days: Dist = Field(
        Dist(kind="gamma", mean=4.0, cv=0.8),
        description="time a self-funder (or family) takes to find and choose a home before "
        "asking for the place, days (D)",
    )


class ElectiveGroupCfg(_Frozen):
    """One specialty group of the elective list and its theatre sessions."""

    name: Annotated[str, Strict(), Field(min_length=1, max_length=60)] = Field(
        description="specialty group name (e.g. trauma_orthopaedics)"
    )
    referral_share: Prob = Field(description="share of referrals in this group")
    day_case_fraction: Prob = Field(0.8, description="share of the group's cases done as day cases")
    day_case_minutes: PosFloat = Field(
        45, description="theatre minutes per day case, including turnaround"
    )
    inpatient_minutes: PosFloat = Field(
        120, description="theatre minutes per ordinary (overnight) case, including turnaround"
    )
    day_case_sessions_per_week: NonNegFloat = Field(
        0, description="day-case unit sessions a week (Monday-Friday)"
    )
    inpatient_sessions_per_week: NonNegFloat = Field(
        0, description="inpatient theatre sessions a week (Monday-Friday)"
    )


class ElectiveCfg(_Frozen):
    """Elective (planned) care: an admitted-pathway waiting list and theatre lists."""

    referrals_per_week: Rate = Field(
        1500, description="additions to the admitted waiting list per week, mean"
    )
    admissions_per_weekday: Capacity = Field(
        300, description="elective admissions (theatre slots) per operating day"
    )
    operate_weekends: Bool = Field(False, description="lists run on Saturdays and Sundays")
    schedule_hour: Annotated[float, Num, Field(ge=0, lt=24, allow_inf_nan=False)] = Field(
        7.5, description="hour of day the day's list is admitted"
    )
    cancel_after_hours: PosFloat = Field(
        4.5,
        description="an ordinary elective without a bed this long after the list is "
        "scheduled is cancelled on the day and relisted with the same clock start, hours",
    )
    day_case_fraction: Prob = Field(0.85, description="share of admissions that are day cases")
    urgent_fraction: Prob = Field(0.1, description="share of referrals booked as urgent")
    initial_list: Annotated[int, Int, Field(ge=0, le=2_000_000)] = Field(
        15000, description="admitted-pathway waiting list at time 0, pathways"
    )
    initial_median_wait_weeks: NonNegFloat = Field(
        19, description="median wait of the initial list, weeks"
    )
    ringfenced_beds: Capacity = Field(
        0, description="ring-fenced elective beds (elective hub) emergencies cannot use"
    )
    groups: tuple[ElectiveGroupCfg, ...] = Field(
        (),
        description="specialty groups with their theatre sessions; empty: one group whose "
        "activity is admissions_per_weekday (day_case_fraction of it day cases)",
    )
    policy: Literal["priority", "longest_wait", "due_date"] = Field(
        "priority",
        description="list order: priority (P2, P3, P4, each in turn by clock start), "
        "longest_wait (clock start only) or due_date (clock start + priority target)",
    )
    p3_fraction: Prob = Field(
        0.35, description="share of referrals at priority P3 (P2 is urgent_fraction, rest P4)"
    )
    priority_target_weeks: tuple[NonNegFloat, NonNegFloat, NonNegFloat] = Field(
        (4.0, 13.0, 18.0), description="target wait of P2, P3, P4 (due_date policy), weeks"
    )
    planned_fraction: Prob = Field(
        0.0,
        description="share of additions that are planned (non-RTT) procedures booked for "
        "their due date, ahead of the RTT list; they use theatre time and beds",
    )
    session_minutes: PosFloat = Field(240, description="length of one theatre session, minutes")
    session_utilisation: Prob = Field(
        0.85, description="share of session minutes used for cases (late starts, early finishes)"
    )
    weekend_sessions_per_week: NonNegFloat = Field(
        0, description="extra Saturday sessions a week, split over groups like weekday sessions"
    )
    independent_sector_sessions_per_week: NonNegFloat = Field(
        0,
        description="independent-sector sessions a week (Monday-Friday) for the list; their "
        "ordinary cases use independent-sector beds, not the trust's",
    )
    slowdown_months: tuple[Annotated[int, Int, Field(ge=1, le=12)], ...] = Field(
        (), description="calendar months with planned fewer sessions (holidays, winter)"
    )
    slowdown_fraction: Prob = Field(
        0.0, description="share of sessions not run in a slowdown month"
    )
    booking_headroom_beds: Capacity = Field(
        0,
        description="ordinary cases booked each morning beyond the free beds (the bed "
        "plan's expected discharges); the rest wait on the list, not cancelled on the day",
    )
    bed_planned_booking: Bool = Field(
        False,
        description="book ordinary cases only up to free beds + booking_headroom_beds",
    )
    removal_rate_per_year: NonNegFloat = Field(
        0.0,
        description="clock stops other than treatment (validation, removals) per pathway "
        "per year on the list",
    )

    @model_validator(mode="after")
    def _check_groups(self) -> ElectiveCfg:
        problems = []
        if self.urgent_fraction + self.p3_fraction > 1 + PROB_TOL:
            problems.append(
                f"urgent_fraction + p3_fraction = {self.urgent_fraction + self.p3_fraction:g} "
                "must be at most 1"
            )
        if self.groups:
            total = sum(g.referral_share for g in self.groups)
            if abs(total - 1) > PROB_TOL:
                problems.append(f"groups referral_share values sum to {total:g}; must sum to 1")
            names = [g.name for g in self.groups]
            if len(set(names)) != len(names):
                problems.append(f"groups names {names} must be unique")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CostCfg(_Frozen):
    """Unit costs in pounds sterling (local costing may replace them)."""

    acute_bed_day_gbp: NonNegFloat = Field(562, description="acute bed-day cost, GBP (E44)")
    community_bed_day_gbp: NonNegFloat = Field(300, description="community bed-day cost, GBP (D)")
    escalation_assessor_day_gbp: NonNegFloat = Field(
        250,
        description="an extra assessor for a day of escalation, GBP (D: £45k a year per WTE "
        "with an agency or overtime premium)",
    )
    ed_attendance_gbp: NonNegFloat = Field(148, description="A&E attendance cost, GBP")
    home_care_package_day_gbp: NonNegFloat = Field(
        200, description="home care package cost per day, GBP (E40-based, D)"
    )
    care_home_week_gbp: NonNegFloat = Field(
        727, description="care-home place cost per week, GBP (W53)"
    )


class SdecCfg(_Frozen):
    """Same day emergency care (SDEC) and acute frailty units: chairs and trolleys where
    would-be emergency admissions are assessed, treated and sent home the same day.

    A patient suitable for SDEC (a share of the A&E patients who would be admitted and
    of direct GP referrals) goes there when it is open, still taking patients and has a
    chair free; otherwise they follow the admitted pathway (a bed request).
    """

    chairs: Capacity = Field(0, description="SDEC / frailty chairs and trolleys (0: no SDEC)")
    open_hour_by_weekday: tuple[Annotated[float, Num, Field(ge=0, le=24)], ...] = Field(
        (8.0,) * 7, description="opening hour Monday..Sunday (7 values, 0-24)"
    )
    close_hour_by_weekday: tuple[Annotated[float, Num, Field(ge=0, le=24)], ...] = Field(
        (20.0,) * 7,
        description="closing hour Monday..Sunday (7 values, 0-24; equal to the opening "
        "hour: closed that day)",
    )
    last_referral_before_close_h: NonNegFloat = Field(
        2.0, description="hours before closing after which no new patient is taken"
    )
    ed_eligible_prob: Prob = Field(
        0.0, description="share of A&E patients who would be admitted that SDEC can manage"
    )
    direct_eligible_prob: Prob = Field(
        0.0, description="share of direct (GP) emergency referrals that SDEC can manage"
    )
    max_los_days: PosFloat = Field(
        1.0,
        description="SDEC manages only would-be admissions whose stay to medically fit would "
        "be shorter than this, days (short stays: the SAMEDAY strategy, X82)",
    )
    stay_min: Dist = Field(
        Dist(kind="lognormal", mean=300, cv=0.5),
        description="time in an SDEC chair (assessment, tests, treatment), minutes",
    )

    @field_validator("open_hour_by_weekday", "close_hour_by_weekday")
    @classmethod
    def _week(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) != 7:
            raise ValueError(f"SDEC hours need exactly 7 values, Monday..Sunday (got {len(v)})")
        return v

    @model_validator(mode="after")
    def _hours(self) -> SdecCfg:
        for d, (o, c) in enumerate(
            zip(self.open_hour_by_weekday, self.close_hour_by_weekday, strict=True)
        ):
            if c < o:
                raise ValueError(f"SDEC closes before it opens on weekday {d} ({o} to {c})")
        return self


class MentalHealthCfg(_Frozen):
    """Mental-health (MH) inpatient beds of the county's MH trust (adult acute and PICU).

    A&E patients who need an MH bed wait in A&E for one (served first); admissions from
    the community (crisis teams) queue behind them.
    """

    beds: Capacity = Field(0, description="adult acute MH and PICU beds (0: not modelled)")
    los_days: Dist = Field(
        Dist(kind="lognormal", mean=44, cv=1.0), description="MH inpatient length of stay, days"
    )
    other_admissions_per_day: Rate = Field(
        0.0, description="MH admissions not via A&E (community, crisis teams) per day, mean"
    )
    initial_occupancy_pct: Pct = Field(90.0, description="MH beds occupied at the start")


class InterventionRef(_Frozen):
    """An intervention applied to this scenario, with its size parameters."""

    name: Text = Field(description="intervention name in the library")
    params: dict[str, float] = Field(default_factory=dict, description="its size parameters")


#: Fields a user may not set (in a file, a mapping or ``--set``): they record the
#: interventions applied and their library cost, and only applying interventions sets them.
DERIVED_FIELDS = ("intervention_cost_gbp_per_year", "interventions")


class Scenario(_Frozen, CapacityMixin):
    """A complete, validated, immutable scenario.

    Run state never lives here: the model copies what it needs into its own
    objects, so one Scenario can be run many times (and pickled to workers).
    """

    name: Annotated[str, Strict(), Field(min_length=1, max_length=200)] = Field(
        "scenario", description="scenario name, used in tables and output folder names"
    )
    description: Text = Field("", description="free text shown in reports")
    run: RunCfg = Field(RunCfg(), description="horizon, replications and seed")
    demand: DemandCfg = Field(DemandCfg(), description="arrival-rate profiles")
    ambulance: AmbulanceCfg = Field(AmbulanceCfg(), description="ambulance conveyances")
    ed: EdCfg = Field(EdCfg(), description="A&E spaces, clinicians and times")
    acute: AcuteCfg = Field(AcuteCfg(), description="general and acute beds")
    discharge: DischargeCfg = Field(DischargeCfg(), description="discharge timing")
    community: CommunityCfg = Field(CommunityCfg(), description="community hospital beds")
    social_care: SocialCareCfg = Field(SocialCareCfg(), description="home care and care homes")
    elective: ElectiveCfg = Field(ElectiveCfg(), description="elective waiting list")
    costs: CostCfg = Field(CostCfg(), description="unit costs, GBP")
    sdec: SdecCfg = Field(SdecCfg(), description="same day emergency care and frailty units")
    mental_health: MentalHealthCfg = Field(
        MentalHealthCfg(), description="mental-health inpatient beds"
    )
    intervention_cost_gbp_per_year: NonNegFloat = Field(
        0.0,
        description="annual running cost of the interventions applied, GBP per year; set "
        "only by applying interventions (library costs), never from a file",
    )
    interventions: tuple[InterventionRef, ...] = Field(
        (), description="interventions applied, in order; set only by applying them"
    )

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (JSON/YAML serialisable)."""
        return self.model_dump(mode="json")

    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON of the resolved configuration."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_overrides(self, overrides: Mapping[str, Any] | Iterable[str]) -> Scenario:
        """A new scenario with dotted-key overrides applied and re-validated.

        Parameters
        ----------
        overrides : mapping or iterable of str
            ``{"acute.beds": 900}`` or ``["acute.beds=900"]``. A section given as a
            mapping (``{"acute": {"beds": 900}}``) is merged key by key into the
            current section, so values it does not mention are kept.

        Raises
        ------
        ConfigError
            Listing every bad key and value, including the derived fields
            (``intervention_cost_gbp_per_year``, ``interventions``).
        """
        raw = self.to_dict()
        apply_overrides(raw, overrides, reserved=DERIVED_FIELDS)
        return validate(raw, source=f"{self.name} (overridden)")

    def _with_derived(self, changes: Mapping[str, Any]) -> Scenario:
        """Overrides that may also set the derived fields (used by interventions only)."""
        raw = self.to_dict()
        apply_overrides(raw, changes)
        return validate(raw, source=f"{self.name} (with interventions)")

    def __repr__(self) -> str:
        return (
            f"Scenario(name={self.name!r}, days={self.run.days:g}, hash={self.config_hash()[:12]})"
        )

    def _repr_html_(self) -> str:
        """A short table for notebooks: name, horizon, key capacities, config hash."""
        import html

        rows = [
            ("Scenario", self.name),
            ("Horizon", f"{self.run.days:g} days after {self.run.warmup_days:g} days' warm-up"),
            ("Replications, seed", f"{self.run.replications}, {self.run.seed}"),
            ("A&E majors spaces", f"{self.ed.spaces:g}"),
            ("G&A beds", f"{self.acute.beds:g} (+{self.acute.escalation_beds:g} escalation)"),
            ("Community beds", f"{self.community.beds:g}"),
            ("Home care packages", f"{self.social_care.home_care_packages:g}"),
            ("Care-home places", f"{self.social_care.care_home_places:g}"),
            ("Interventions", ", ".join(i.name for i in self.interventions) or "none"),
            ("Config hash", self.config_hash()[:12]),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table>{body}</table>"


# ----------------------------------------------------------------- validation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``Dist``, ``tuple[Dist, ...]``, ``X | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        m = _model_in(arg)
        if m is not None:
            return m
    return None


def field_model(info: Any) -> type[BaseModel] | None:
    """The section or distribution model a field holds, if any."""
    return _model_in(info.annotation)


def field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Known field names at a location in the schema, for did-you-mean hints."""
    cur: Any = model
    for part in loc:
        if isinstance(part, int) or cur is None:
            continue
        fields = getattr(cur, "model_fields", None)
        if not fields or part not in fields:
            return []
        cur = _model_in(fields[part].annotation)
    return list(getattr(cur, "model_fields", {}) or [])


def problems_from(exc: ValidationError, model: type[BaseModel] | None = None) -> list[Problem]:
    """One :class:`Problem` per pydantic error, with dotted keys and did-you-mean hints."""
    model = model or Scenario
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic adds the union member tag ("float", "int") to some locations
        loc = tuple(p for p in loc if p not in ("float", "int", "constrained-float"))
        key = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = field_names(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            msg = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")
            if known:
                msg += f"; allowed here: {', '.join(known)}"
        value = err.get("input")
        if err["type"] == "value_error":
            # section-level rules name their field first ("pathway_probs must sum to 1")
            first = msg.split(" ", 1)[0].split("(", 1)[0]
            if first in field_names(model, loc):
                key = f"{key}.{first}" if key else first
                if isinstance(value, dict) and first in value:
                    value = value[first]
        problems.append(Problem(key, value, msg))
    return problems


def validate(raw: Mapping[str, Any], source: str | None = None) -> Scenario:
    """Validate a mapping into a Scenario, raising one ConfigError listing all problems."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            [Problem("<root>", type(raw).__name__, "a scenario must be a mapping")], source
        )
    try:
        scn = Scenario.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError(problems_from(exc), source) from None
    problems = scn.semantic_problems()
    if problems:
        raise ConfigError(problems, source)
    return scn


__all__ = [
    "DERIVED_FIELDS",
    "field_model",
    "AcuteCfg",
    "AmbulanceCfg",
    "AmbulanceServiceCfg",
    "CommunityCfg",
    "CostCfg",
    "DemandCfg",
    "DischargeCfg",
    "Dist",
    "EdCfg",
    "ElectiveCfg",
    "ElectiveGroupCfg",
    "InterventionRef",
    "RunCfg",
    "Scenario",
    "SocialCareCfg",
    "validate",
]
