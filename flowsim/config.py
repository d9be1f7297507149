"""Scenario schema, loading, inheritance and dotted-key overrides.

A scenario is a YAML file validated into a frozen pydantic model. Every field
carries its unit in its name (``los_days``, ``handover_process_min``). A file may
inherit from another with ``base: <name or path>``; the child is deep-merged over
the base. Overrides (``acute.beds=900``) are applied to the merged mapping before
validation, so they are checked by the same rules.

Validation collects every problem at once and raises one :class:`ConfigError`
naming each dotted key, its value and the rule it breaks.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flowsim.errors import ConfigError, Problem

PROB_TOL = 1e-6
M = TypeVar("M", bound=BaseModel)

PosFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Prob = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegInt = Annotated[int, Field(ge=0)]
PosInt = Annotated[int, Field(gt=0)]
# Upper bounds keep a typo (an extra zero or six) from exhausting memory: no county
# has a million beds or a hundred thousand arrivals a day.
Capacity = Annotated[int, Field(ge=0, le=1_000_000)]
Rate = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


class Dist(_Frozen):
    """A duration distribution, in the unit named by the field that holds it.

    ``kind``: ``exponential`` (mean), ``lognormal`` and ``gamma`` (mean, cv),
    ``fixed`` (mean is the value), ``empirical`` (values with probs: a discrete
    distribution over the listed values).
    """

    kind: Literal["exponential", "lognormal", "gamma", "fixed", "empirical"]
    mean: NonNegFloat | None = None
    cv: PosFloat | None = None
    values: tuple[NonNegFloat, ...] | None = None
    probs: tuple[Prob, ...] | None = None

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

    days: Annotated[float, Field(gt=0, le=36_500, allow_inf_nan=False)] = 365
    warmup_days: Annotated[float, Field(ge=0, le=36_500, allow_inf_nan=False)] = 28
    replications: Annotated[int, Field(gt=0, le=100_000)] = 5
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 12345
    start_weekday: Annotated[int, Field(ge=0, le=6)] = 0
    start_month: Annotated[int, Field(ge=1, le=12)] = 4

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

    hour_of_day: tuple[NonNegFloat, ...] = (1.0,) * 24
    day_of_week: tuple[NonNegFloat, ...] = (1.0,) * 7
    month_of_year: tuple[NonNegFloat, ...] = (1.0,) * 12
    growth_pct_per_year: Annotated[float, Field(ge=-50, le=100)] = 0.0

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


class AmbulanceCfg(_Frozen):
    """Ambulance conveyances to the emergency departments."""

    arrivals_per_day: Rate = 150
    handover_process_min: NonNegFloat = 10
    handover_target_min: NonNegFloat = 15
    admit_prob: Prob = 0.45


class EdCfg(_Frozen):
    """A&E: majors spaces (trolleys/cubicles) and rostered clinicians."""

    walkin_arrivals_per_day: Rate = 400
    walkin_majors_fraction: Prob = 0.25
    spaces: Capacity = 60
    clinicians_by_hour: tuple[Capacity, ...] = (8,) * 24
    assessment_min: Dist = Dist(kind="lognormal", mean=20, cv=0.8)
    majors_treatment_min: Dist = Dist(kind="lognormal", mean=150, cv=0.9)
    minors_treatment_min: Dist = Dist(kind="lognormal", mean=45, cv=0.9)
    walkin_majors_admit_prob: Prob = 0.3
    minors_admit_prob: Prob = 0.02
    #: Minutes a majors patient waits for a space before being treated in a corridor
    #: or other non-clinical area ("corridor care"); an ambulance crew hands over at
    #: that point. None: patients wait for a space however long it takes.
    corridor_care_after_min: NonNegFloat | None = None

    @field_validator("clinicians_by_hour")
    @classmethod
    def _roster(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if len(v) != 24:
            raise ValueError(f"clinicians_by_hour must have exactly 24 values (got {len(v)})")
        return v

    @model_validator(mode="after")
    def _check(self) -> EdCfg:
        if sum(self.clinicians_by_hour) == 0 and (self.walkin_arrivals_per_day > 0):
            raise ValueError("clinicians_by_hour is all zero: nobody would ever be seen")
        return self


class AcuteCfg(_Frozen):
    """General and acute (G&A) beds shared by emergency and elective patients.

    ``los_days`` is the time from admission to *medically fit* (no longer meeting
    the criteria to reside); the time after that until the patient leaves is the
    discharge delay, driven by the discharge pathway and downstream capacity.
    """

    beds: Capacity = 800
    escalation_beds: Capacity = 0
    escalation_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = (12, 1, 2, 3)
    direct_admissions_per_day: Rate = 40
    emergency_los_days: Dist = Dist(kind="lognormal", mean=3.5, cv=1.5)
    elective_los_days: Dist = Dist(kind="lognormal", mean=3.5, cv=1.2)
    pathway_probs: tuple[Prob, ...] = (0.85, 0.09, 0.045, 0.015)
    elective_pathway_probs: tuple[Prob, ...] = (0.97, 0.02, 0.01, 0.0)
    #: Assessment / brokerage time from medically fit until the pathway's
    #: capacity is requested (pathway 0: transport, medicines to take out).
    pathway_assessment_days: tuple[Dist, Dist, Dist, Dist] = (
        Dist(kind="exponential", mean=0.3),
        Dist(kind="gamma", mean=4.0, cv=0.8),
        Dist(kind="gamma", mean=3.0, cv=0.8),
        Dist(kind="gamma", mean=8.0, cv=0.8),
    )
    initial_occupancy_pct: Annotated[float, Field(ge=0, le=100)] = 90.0
    initial_delayed: Capacity = 0
    #: Hours a bed stays empty after a discharge (cleaning, handover between patients)
    #: before the next patient can have it. Empty at the midnight census, so it lowers
    #: measured occupancy while still blocking admissions.
    bed_turnaround_hours: NonNegFloat = 0.0
    #: Direct (non-A&E) emergency admissions are diverted to another hospital when no
    #: bed is free on arrival, instead of queueing (a loss system, Erlang B).
    divert_direct_when_full: bool = False
    #: Who gets a general bed that comes free when both are waiting: False (usual
    #: practice) gives it to the emergency patient, so a booked ordinary elective
    #: waits and is cancelled on the day when pressure lasts; True protects
    #: electives ahead of queued emergencies.
    elective_bed_priority: bool = False

    @field_validator("pathway_probs", "elective_pathway_probs")
    @classmethod
    def _probs(cls, v: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        _check_probs(v, 4, info.field_name)
        return v


class DischargeCfg(_Frozen):
    """When in the day and week patients physically leave a bed."""

    window_start_hour: Annotated[float, Field(ge=0, le=24)] = 10.0
    window_end_hour: Annotated[float, Field(ge=0, le=24)] = 20.0
    #: Probability that a patient ready to leave on a Saturday or Sunday does leave
    #: that day (weekend/weekday discharge ratio, W48); 1 = seven-day discharge.
    weekend_factor: Prob = 0.67
    #: False: patients leave the moment they are ready (no daily discharge pattern);
    #: used by validation reductions where discharge timing must not interfere.
    use_window: bool = True

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

    beds: Capacity = 233
    los_days: Dist = Dist(kind="gamma", mean=21, cv=0.7)
    step_up_per_day: Rate = 0.0
    #: Onward destination when medically fit: home, home with care, care home.
    onward_probs: tuple[Prob, ...] = (0.6, 0.3, 0.1)
    onward_assessment_days: Dist = Dist(kind="gamma", mean=3.0, cv=0.8)
    initial_occupancy_pct: Annotated[float, Field(ge=0, le=100)] = 90.0

    @field_validator("onward_probs")
    @classmethod
    def _probs(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _check_probs(v, 3, "onward_probs")
        return v


class SocialCareCfg(_Frozen):
    """Home care packages and care-home places, shared with people who never went to hospital."""

    home_care_packages: Capacity = 2500
    home_care_discharge_days: Dist = Dist(kind="gamma", mean=42, cv=0.8)
    home_care_background_per_day: Rate = 5.0
    home_care_background_days: Dist = Dist(kind="exponential", mean=365)
    home_care_initial_occupancy_pct: Annotated[float, Field(ge=0, le=100)] = 92.0
    care_home_places: Capacity = 3000
    care_home_stay_days: Dist = Dist(kind="exponential", mean=730)
    care_home_background_per_day: Rate = 3.0
    care_home_initial_occupancy_pct: Annotated[float, Field(ge=0, le=100)] = 92.0
    #: Whether hospital discharges go ahead of community (background) requests.
    discharge_priority: bool = True


class ElectiveCfg(_Frozen):
    """Elective (planned) care: an admitted-pathway waiting list and theatre lists."""

    referrals_per_week: Rate = 1500
    admissions_per_weekday: Capacity = 300
    operate_weekends: bool = False
    schedule_hour: Annotated[float, Field(ge=0, lt=24)] = 7.5
    #: An ordinary (overnight) elective without a bed this long after the list is
    #: scheduled is cancelled on the day and relisted with the same clock start.
    cancel_after_hours: PosFloat = 4.5
    day_case_fraction: Prob = 0.85
    urgent_fraction: Prob = 0.1
    initial_list: Annotated[int, Field(ge=0, le=2_000_000)] = 15000
    initial_median_wait_weeks: NonNegFloat = 19
    ringfenced_beds: Capacity = 0


class CostCfg(_Frozen):
    """Unit costs in pounds sterling."""

    acute_bed_day_gbp: NonNegFloat = 562
    community_bed_day_gbp: NonNegFloat = 300
    ed_attendance_gbp: NonNegFloat = 148
    home_care_package_day_gbp: NonNegFloat = 200
    care_home_week_gbp: NonNegFloat = 727


class InterventionRef(_Frozen):
    """An intervention applied to this scenario, with its size parameters."""

    name: str
    params: dict[str, float] = Field(default_factory=dict)


class Scenario(_Frozen):
    """A complete, validated, immutable scenario.

    Run state never lives here: the model copies what it needs into its own
    objects, so one Scenario can be run many times (and pickled to workers).
    """

    name: str = "scenario"
    description: str = ""
    run: RunCfg = RunCfg()
    demand: DemandCfg = DemandCfg()
    ambulance: AmbulanceCfg = AmbulanceCfg()
    ed: EdCfg = EdCfg()
    acute: AcuteCfg = AcuteCfg()
    discharge: DischargeCfg = DischargeCfg()
    community: CommunityCfg = CommunityCfg()
    social_care: SocialCareCfg = SocialCareCfg()
    elective: ElectiveCfg = ElectiveCfg()
    costs: CostCfg = CostCfg()
    #: Annual running cost of the interventions applied (filled by interventions).
    intervention_cost_gbp_per_year: NonNegFloat = 0.0
    interventions: tuple[InterventionRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (JSON/YAML serialisable)."""
        return self.model_dump(mode="json")

    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON of the resolved configuration."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_overrides(self, overrides: Mapping[str, Any] | Iterable[str]) -> Scenario:
        """A new scenario with dotted-key overrides applied and re-validated."""
        raw = self.to_dict()
        apply_overrides(raw, overrides)
        return validate(raw, source=f"{self.name} (overridden)")

    def emergency_admissions_per_day(self) -> float:
        """Expected emergency admissions per day (A&E conversions plus direct)."""
        ed, amb = self.ed, self.ambulance
        walk = ed.walkin_arrivals_per_day * (
            ed.walkin_majors_fraction * ed.walkin_majors_admit_prob
            + (1 - ed.walkin_majors_fraction) * ed.minors_admit_prob
        )
        return amb.arrivals_per_day * amb.admit_prob + walk + self.acute.direct_admissions_per_day

    def ordinary_elective_admissions_per_day(self) -> float:
        """Expected overnight (non-day-case) elective admissions per calendar day."""
        el = self.elective
        week = 1.0 if el.operate_weekends else 5 / 7
        return el.admissions_per_weekday * (1 - el.day_case_fraction) * week

    def discharge_inflows_per_day(self) -> dict[str, float]:
        """Expected requests per day from hospital and community-bed discharges.

        Keys: ``community`` (beds: pathway 2 plus step-up), ``home_care`` and
        ``care_home`` (pathways 1 and 3 from acute beds, plus onward moves from
        community beds). Mean rates over flat profiles.
        """
        ac, cm = self.acute, self.community
        em = self.emergency_admissions_per_day()
        p = ac.pathway_probs
        ordinary = self.ordinary_elective_admissions_per_day()
        comm_in = em * p[2] + ordinary * ac.elective_pathway_probs[2] + cm.step_up_per_day
        return {
            "community": comm_in,
            "home_care": em * p[1]
            + ordinary * ac.elective_pathway_probs[1]
            + comm_in * cm.onward_probs[1],
            "care_home": em * p[3]
            + ordinary * ac.elective_pathway_probs[3]
            + comm_in * cm.onward_probs[2],
        }

    def offered_loads(self) -> dict[str, tuple[float, float]]:
        """Offered load (mean busy units) and capacity for each setting with a queue.

        Loads use mean durations and mean rates (flat profiles), so they ignore the
        extra occupancy caused by blocking: a load below capacity is necessary, not
        sufficient, for a stable system.
        """
        ed, amb, ac, cm, sc = (
            self.ed,
            self.ambulance,
            self.acute,
            self.community,
            self.social_care,
        )
        day = 1440.0
        arrivals = amb.arrivals_per_day + ed.walkin_arrivals_per_day
        majors = amb.arrivals_per_day + ed.walkin_arrivals_per_day * ed.walkin_majors_fraction
        majors_time = ed.assessment_min.expected + ed.majors_treatment_min.expected
        em = self.emergency_admissions_per_day()
        p = ac.pathway_probs
        assess = sum(pi * d.expected for pi, d in zip(p, ac.pathway_assessment_days, strict=True))
        ordinary = self.ordinary_elective_admissions_per_day()
        acute_load = em * (ac.emergency_los_days.expected + assess) + ordinary * (
            ac.elective_los_days.expected
        )
        escal = ac.escalation_beds * len(set(ac.escalation_months)) / 12
        inflow = self.discharge_inflows_per_day()
        comm_in, hc_in, ch_in = inflow["community"], inflow["home_care"], inflow["care_home"]
        comm_load = comm_in * (cm.los_days.expected + cm.onward_assessment_days.expected)
        return {
            "ed.clinicians_by_hour": (
                arrivals / day * ed.assessment_min.expected,
                sum(ed.clinicians_by_hour) / 24,
            ),
            "ed.spaces": (majors / day * (majors_time + amb.handover_process_min), ed.spaces),
            "acute.beds": (acute_load, ac.beds + escal),
            "community.beds": (comm_load, cm.beds),
            "social_care.home_care_packages": (
                hc_in * sc.home_care_discharge_days.expected
                + sc.home_care_background_per_day * sc.home_care_background_days.expected,
                sc.home_care_packages,
            ),
            "social_care.care_home_places": (
                (ch_in + sc.care_home_background_per_day) * sc.care_home_stay_days.expected,
                sc.care_home_places,
            ),
        }

    def stability_warnings(self) -> list[str]:
        """Offered load at or above capacity in settings with unbounded queues.

        These configurations are valid, but their queues grow without limit, so
        results depend on the horizon; the analyst is told rather than stopped.
        """
        out = []
        for key, (load, cap) in self.offered_loads().items():
            if load > 0 and load >= cap:
                out.append(
                    f"{key}: offered load {load:,.1f} is at or above capacity {cap:,.1f}; "
                    "its queue will grow without limit (results depend on the horizon)"
                )
        el = self.elective
        capacity_week = el.admissions_per_weekday * (7 if el.operate_weekends else 5)
        if el.referrals_per_week > capacity_week:
            out.append(
                f"elective.referrals_per_week: {el.referrals_per_week:g} referrals a week "
                f"exceed {capacity_week:g} theatre slots a week; the waiting list will grow"
            )
        return out

    def semantic_problems(self) -> list[Problem]:
        """Type-valid values that make the model meaningless (errors, not warnings)."""
        out = []
        em = self.emergency_admissions_per_day()
        if self.acute.beds == 0 and em > 0:
            out.append(
                Problem(
                    "acute.beds",
                    0,
                    f"must be > 0 when there are emergency admissions (~{em:.1f} a day)",
                )
            )
        majors = self.ambulance.arrivals_per_day + (
            self.ed.walkin_arrivals_per_day * self.ed.walkin_majors_fraction
        )
        if self.ed.spaces == 0 and majors > 0:
            out.append(
                Problem(
                    "ed.spaces", 0, f"must be > 0 when majors patients arrive (~{majors:.1f} a day)"
                )
            )
        return out


# --------------------------------------------------------------------------- loading

CONFIG_DIRS = (Path(__file__).resolve().parent.parent / "configs",)


def config_search_dirs() -> list[Path]:
    """Folders searched for a scenario given by name (``worcestershire``)."""
    dirs = [Path.cwd() / "configs"]
    dirs += [d for d in CONFIG_DIRS if d not in dirs]
    return dirs


def resolve_config_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Find a scenario file from a path or a bare name."""
    p = Path(name_or_path)
    candidates = [p]
    if relative_to is not None and not p.is_absolute():
        candidates.insert(0, relative_to / p)
    if p.suffix not in (".yaml", ".yml"):
        candidates += [Path(str(c) + ".yaml") for c in list(candidates)]
        for d in config_search_dirs():
            candidates += [d / f"{p}.yaml", d / "validation" / f"{p}.yaml"]
    for c in candidates:
        if c.is_file():
            return c
    known = sorted({f.stem for d in config_search_dirs() if d.is_dir() for f in d.glob("*.yaml")})
    raise ConfigError(
        [Problem("config", str(name_or_path), f"no such scenario file; known names: {known}")]
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError([Problem("<file>", str(path), f"not valid YAML: {exc}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem("<root>", data, "a scenario file must be a mapping of keys")])
    return data


def deep_merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Child values override base values; nested mappings merge key by key."""
    out = copy.deepcopy(base)
    for k, v in child.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_raw(name_or_path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and resolve its ``base:`` chain into one mapping."""
    path = resolve_config_path(name_or_path, _seen[-1].parent if _seen else None).resolve()
    if path in _seen:
        chain = " -> ".join(str(s.name) for s in (*_seen, path))
        raise ConfigError([Problem("base", str(name_or_path), f"inheritance cycle: {chain}")])
    data = _read_yaml(path)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ConfigError([Problem("base", base, "base must be a scenario name or path")])
    return deep_merge(load_raw(base, (*_seen, path)), data)


def parse_override(item: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value``; the value is read as YAML data (never code)."""
    if "=" not in item:
        raise ConfigError([Problem(item, item, "an override must look like dotted.key=value")])
    key, _, text = item.partition("=")
    key = key.strip()
    try:
        value = yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        value = text
    return key, value


def apply_overrides(
    raw: dict[str, Any], overrides: Mapping[str, Any] | Iterable[str] | None
) -> None:
    """Apply dotted-key overrides in place. Unknown keys are caught by validation."""
    if not overrides:
        return
    items = overrides.items() if isinstance(overrides, Mapping) else map(parse_override, overrides)
    problems = []
    for key, value in items:
        parts = key.split(".")
        node = raw
        for i, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            if not isinstance(nxt, dict):
                problems.append(
                    Problem(key, value, f"'{'.'.join(parts[: i + 1])}' is a value, not a section")
                )
                break
            node = nxt
        else:
            node[parts[-1]] = value
    if problems:
        raise ConfigError(problems)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``Dist``, ``tuple[Dist, ...]``, ``X | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        m = _model_in(arg)
        if m is not None:
            return m
    return None


def _field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
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


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic adds the union member tag ("float", "int") to some locations
        loc = tuple(p for p in loc if p not in ("float", "int", "constrained-float"))
        key = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = _field_names(Scenario, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            msg = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")
            if known:
                msg += f"; allowed here: {', '.join(known)}"
        value = err.get("input")
        if err["type"] == "value_error":
            # section-level rules name their field first ("pathway_probs must sum to 1")
            first = msg.split(" ", 1)[0].split("(", 1)[0]
            if first in _field_names(Scenario, loc):
                key = f"{key}.{first}" if key else first
                if isinstance(value, dict) and first in value:
                    value = value[first]
        problems.append(Problem(key, value, msg))
    return problems


def validate(raw: Mapping[str, Any], source: str | None = None) -> Scenario:
    """Validate a mapping into a Scenario, raising one ConfigError listing all problems."""
    if not isinstance(raw, Mapping):
        raise ConfigError([Problem("<root>", raw, "a scenario must be a mapping")], source)
    try:
        scn = Scenario.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError(_problems_from(exc), source) from None
    problems = scn.semantic_problems()
    if problems:
        raise ConfigError(problems, source)
    return scn


def load_scenario(
    path_or_name: str | Path | Mapping[str, Any] = "worcestershire",
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    interventions: Iterable[str] | None = None,
) -> Scenario:
    """Load, inherit, override and validate a scenario.

    ``path_or_name`` may be a file path, a packaged name (``west_norfolk``) or a
    mapping. ``overrides`` are dotted keys (``{"acute.beds": 900}`` or
    ``["acute.beds=900"]``). ``interventions`` are specs such as
    ``"discharge_to_assess:assessment_days=1"`` applied after overrides.
    """
    if isinstance(path_or_name, Mapping):
        raw = copy.deepcopy(dict(path_or_name))
        base = raw.pop("base", None)
        if base is not None:
            raw = deep_merge(load_raw(base), raw)
        source = "<mapping>"
    else:
        raw = load_raw(path_or_name)
        source = str(path_or_name)
        raw.setdefault("name", Path(str(path_or_name)).stem)
    apply_overrides(raw, overrides)
    scenario = validate(raw, source)
    if interventions:
        from flowsim.interventions import apply_interventions

        scenario = apply_interventions(scenario, interventions)
    for w in scenario.stability_warnings():
        warnings.warn(w, stacklevel=2)
    return scenario


def load_model_file(path: str | Path, model: type[M], what: str) -> M:
    """Read a YAML file (safe_load) into a pydantic model; every problem becomes one
    ConfigError naming its dotted key. Used for experiment, sweep and sensitivity files."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError([Problem(what, str(path), f"no such {what} file")])
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([Problem("<file>", str(path), f"not valid YAML: {exc}")]) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(
                ".".join(str(x) for x in e["loc"]) or "<root>",
                e.get("input"),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise ConfigError(problems, str(path)) from None


def is_finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
