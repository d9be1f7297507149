"""Patient cohorts: arrival times and per-patient attributes, drawn up front.

Each source of patients (ambulance, walk-in, direct admission, elective referral,
start-state pre-fill, background social-care demand) gets its arrivals and, for
every decision the patient will meet, a uniform from that decision's own named
stream (``"<source>.<decision>"``), indexed by the patient's candidate index. The
scenario's parameters then map the uniforms to values in bulk. Changing a
parameter re-maps the same uniforms (common random numbers).

Each cohort's attributes are one declared record type (:class:`EdAttrs`,
:class:`CareAttrs`, :class:`ReferralAttrs`, :class:`StayAttrs`): typed fields with
their unit in the name, stored as Python lists because the event loop reads them
one patient at a time, where Python floats are faster than numpy scalars. On its
journey a patient is one :class:`Patient`, which carries the patient id that every
setting writes into its records.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from flowsim.config import Dist, Scenario
from flowsim.dates import month_of_days
from flowsim.sampling import (
    Arrivals,
    RateProfile,
    categorical,
    detrend_month_index,
    nhpp_arrivals,
    ppf,
    residual_ppf,
)
from flowsim.streams import Streams

MIN_PER_DAY = 1440.0


@dataclass(slots=True)
class CareAttrs:
    """Attributes of patients who may need an acute, community or social-care stay.

    Columnar: entry ``j`` of every list belongs to the same patient. Durations are in
    minutes (``_min``); ``_u`` fields are the patient's own uniforms, mapped when the
    moment comes (discharge slot in the day, weekend eligibility). A stay a patient
    cannot reach is NaN.
    """

    los_min: list[float]  #: acute length of stay, admission to medically fit
    pathway: list[int]  #: discharge pathway: 0 home, 1 home care, 2 community bed, 3 care home
    assess_min: list[float]  #: medically fit to referral (assessment and brokerage)
    dis_hour_u: list[float]  #: slot in the acute discharge window (uniform)
    dis_weekend_u: list[float]  #: acute weekend discharge eligibility (uniform)
    comm_los_min: list[float]  #: community (rehab) stay, admission to medically fit
    onward: list[int]  #: after a community bed: 0 home, 1 home care, 2 care home
    onward_assess_min: list[float]  #: community medically fit to onward referral
    comm_dis_hour_u: list[float]  #: slot in the community discharge window (uniform)
    comm_dis_weekend_u: list[float]  #: community weekend discharge eligibility (uniform)
    home_care_min: list[float]  #: length of a discharge home care package
    care_home_min: list[float]  #: length of a care-home stay
    #: staff time of a discharge assessment (pathways 1-3; read only when assessment
    #: is a capacity, ``discharge.assessment_staff_by_weekday``)
    assess_work_min: list[float] = field(default_factory=list)
    #: pathway 1 goes to reablement (else straight to home care); read only when the
    #: reablement service exists (``social_care.reablement_visits_per_day > 0``)
    reablement: list[bool] = field(default_factory=list)
    reablement_min: list[float] = field(default_factory=list)  #: reablement episode length
    reablement_handon: list[bool] = field(default_factory=list)  #: hands on to home care
    #: home bed group (index into ``acute.bed_groups``); drawn only when bed groups exist
    bed_group: list[int] = field(default_factory=list)
    #: Time in an SDEC chair if SDEC can manage the patient, else -1 (direct referrals;
    #: empty when the scenario has no SDEC, ``sdec.chairs == 0``; C doubles, read for few)
    sdec_min: Sequence[float] = field(default_factory=list)
    #: pathway 2 goes to a discharge-to-assess bed (else a community hospital bed); read
    #: only when ``community.d2a_beds > 0``
    d2a: list[bool] = field(default_factory=list)
    #: pathway 3 needs a CHC assessment first; read only when ``discharge.chc_share > 0``
    chc: list[bool] = field(default_factory=list)
    chc_work_min: list[float] = field(default_factory=list)  #: CHC assessor time
    #: pathway 3: patient/family choice and self-funder search before the place is
    #: requested (0 for neither); read only when either share is above 0
    p3_decide_min: list[float] = field(default_factory=list)
    #: unmet-need candidates only: the uniform that thins the candidate stream
    crisis_u: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.los_min)


@dataclass(slots=True)
class ReferralAttrs(CareAttrs):
    """An elective referral: its clinical priority and setting, plus its stay attributes."""

    urgent: list[bool] = field(default_factory=list)  #: urgent (cancer, P2) priority
    day_case: list[bool] = field(default_factory=list)  #: treated as a day case (no bed)
    group: list[int] = field(default_factory=list)  #: specialty group (elective.groups)
    #: 0 planned (non-RTT, booked for its due date), else clinical priority 2-4 (P2-P4)
    priority: list[int] = field(default_factory=list)
    #: clock start to a clock stop other than treatment (validation, removal); inf: none
    removal_min: list[float] = field(default_factory=list)


@dataclass(slots=True)
class EdAttrs:
    """A&E attendances (ambulance or walk-in), one entry per attendance."""

    majors: list[bool]  #: needs a majors space (every ambulance arrival does)
    admit: list[bool]  #: will be admitted (decision to admit after treatment)
    assess_min: list[float]  #: clinician assessment
    treat_min: list[float]  #: treatment and diagnostics after assessment
    #: Row of the attendance in ``care`` (-1: not admitted). Only about one attendance
    #: in four is admitted, so the stay attributes are kept for those alone.
    care_row: list[int]
    care: CareAttrs  #: stay attributes of the admitted attendances, one row each
    #: Time in an SDEC chair if the attendance would be admitted and SDEC can manage it,
    #: else -1 (empty when the scenario has no SDEC)
    sdec_min: Sequence[float] = field(default_factory=list)
    #: 0 not a mental-health presentation, 1 MH without a bed need, 2 needs an MH bed
    #: (empty when ``ed.mh_fraction`` is 0)
    mh: list[int] = field(default_factory=list)
    #: MH bed stay (mh == 2), else NaN
    mh_los_min: Sequence[float] = field(default_factory=list)
    #: walk-in triage time (empty for ambulance arrivals, or with no triage stage); an
    #: array, read as a whole when the triage ends are scheduled
    triage_min: Sequence[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.admit)


@dataclass(slots=True)
class Type3Attrs:
    """Type 3 attendances (minor injury units, urgent treatment centres)."""

    treat_min: list[float]  #: a practitioner's assessment and treatment

    def __len__(self) -> int:
        return len(self.treat_min)


@dataclass(slots=True)
class IncidentAttrs:
    """999 incidents of the ambulance service, one entry per incident."""

    category: list[int]  #: response category 1 (life-threatening) to 4
    outcome: list[int]  #: 0 hear and treat, 1 see and treat, 2 conveyed to A&E
    travel_min: list[float]  #: dispatch of a free crew to arrival on scene
    scene_min: list[float]  #: time on scene
    to_hospital_min: list[float]  #: scene to hospital (conveyed incidents)
    turnaround_min: list[float]  #: handover to clear
    ucr_eligible: list[bool]  #: an urgent community response team could take it (Cat 3-4)
    ucr_visit_min: Sequence[float]  #: length of that visit
    #: Row of the incident in the ``ambulance`` cohort (-1: not conveyed): the conveyed
    #: incidents are the A&E ambulance arrivals.
    amb_row: list[int]

    def __len__(self) -> int:
        return len(self.category)


@dataclass(slots=True)
class StayAttrs:
    """Social-care packages and places (background demand and start state)."""

    length_min: list[float]  #: how long the package or place is used

    def __len__(self) -> int:
        return len(self.length_min)


@dataclass(slots=True)
class OutbreakAttrs:
    """Infection outbreaks (norovirus, flu): wards closed to admissions, and for how long."""

    beds: list[int]  #: beds closed (whole wards)
    length_min: list[float]  #: how long they stay closed

    def __len__(self) -> int:
        return len(self.length_min)


@dataclass(slots=True)
class ReablementAttrs:
    """Reablement referrals from the community (people who did not go to hospital)."""

    length_min: list[float]  #: reablement episode length
    handon: list[bool]  #: hands on to long-term home care at the end of the episode
    home_care_min: list[float]  #: length of the long-term package if handed on

    def __len__(self) -> int:
        return len(self.length_min)


Attrs = (
    CareAttrs
    | ReferralAttrs
    | EdAttrs
    | StayAttrs
    | IncidentAttrs
    | OutbreakAttrs
    | ReablementAttrs
)


@dataclass
class Cohort:
    """Patients from one source: arrival minutes ``t`` and their declared attributes.

    Patient ``i`` of the cohort has id ``pid0 + i``, unique in the replication and kept
    in every setting's records it passes through.
    """

    source: str
    t: list[float]
    attrs: Attrs
    pid0: int = 0  #: patient id of the cohort's first patient (set by build_cohorts)

    def __len__(self) -> int:
        return len(self.t)


class Patient:
    """One patient on a journey: their id, their attributes, and where they are.

    Every journey step of every setting takes the patient as its one argument (plus,
    for pool grants, what the step needs to know). ``attrs``/``i`` are the cohort
    attributes and row; ``care``/``j`` the stay attributes and row (the same for
    patients not coming through A&E). The record rows are set as the patient reaches
    each setting.
    """

    __slots__ = (
        "pid",
        "attrs",
        "i",
        "care",
        "j",
        "ed_row",
        "ed_level",
        "acute_row",
        "bed",
        "pathway",
        "community_row",
        "crew",
        "assess_round",
        "comm_pool",
    )

    def __init__(self, pid: int, attrs: Attrs, i: int, care: CareAttrs | None, j: int) -> None:
        self.pid = pid  #: patient id, the same in every setting
        self.attrs = attrs  #: the cohort's attributes
        self.i = i  #: row in ``attrs``
        self.care = care  #: stay attributes (None for A&E patients not admitted)
        self.j = j  #: row in ``care``
        self.crew = None  #: (callback, args) freeing a conveying crew, or None
        # Set on reaching a setting: ed_row, ed_level (A&E record row, clinician queue),
        # acute_row, bed (acute record row, the pool holding their bed), pathway,
        # community_row; crew (a conveyed patient: called when the crew is free to go).


def patient(c: Cohort, i: int) -> Patient:
    """Patient ``i`` of cohort ``c`` (its stay attributes are the cohort's own)."""
    return Patient(c.pid0 + i, c.attrs, i, c.attrs, i)


class CohortBuilder:
    """Draws uniforms for one source and maps them through the scenario."""

    def __init__(self, streams: Streams, source: str, n_candidates: int, index: np.ndarray):
        self.streams = streams
        self.source = source
        self.n_candidates = n_candidates
        self.index = index

    def u(self, decision: str) -> np.ndarray:
        """The uniforms of ``decision`` for the kept patients (by candidate index)."""
        return self.streams.uniforms(f"{self.source}.{decision}", self.n_candidates)[self.index]

    def subset(self, mask: np.ndarray) -> CohortBuilder:
        """The same streams for a subset of the kept patients (same uniforms each)."""
        return CohortBuilder(self.streams, self.source, self.n_candidates, self.index[mask])


def _acute_attrs(
    b: CohortBuilder,
    scn: Scenario,
    elective: bool,
    prefill: bool = False,
    pathway: np.ndarray | None = None,
    in_community: bool = False,
    los_factor: np.ndarray | None = None,
) -> CareAttrs:
    """Everything an acute patient may need downstream, mapped from their uniforms.

    ``pathway`` replaces the drawn discharge pathways (patients already delayed at the
    start); ``in_community`` marks patients who start in a community bed (step-up
    admissions and the community start state), who all need the community stays. ``los_factor``
    scales each patient's acute stay (the seasonal length-of-stay profile by month of
    arrival).
    """
    ac, cm, sc = scn.acute, scn.community, scn.social_care
    los_dist = ac.elective_los_days if elective else ac.emergency_los_days
    if prefill:
        los = residual_ppf(los_dist, b.u("acute_los"), b.u("acute_los_elapsed"))
    else:
        los = ppf(los_dist, b.u("acute_los"))
    if los_factor is not None:
        los = los * los_factor
    if pathway is None:
        probs = ac.elective_pathway_probs if elective else ac.pathway_probs
        pathway = categorical(probs, b.u("pathway"))
    factor = np.asarray(ac.pathway_los_factor, dtype=float)
    if (factor != 1.0).any():
        los = los * factor[pathway]
    u_assess = b.u("assess")
    assess = np.zeros(len(u_assess))
    for p in range(4):
        m = pathway == p
        if m.any():
            assess[m] = ppf(ac.pathway_assessment_days[p], u_assess[m])
    # Downstream stays are mapped only for the patients whose pathway can reach them
    # (NaN for the rest): the gamma inverse CDF is the costliest map, and most patients
    # go home on pathway 0. The uniforms are drawn for everyone, so each patient's
    # values do not depend on the mask (common random numbers).
    community = np.full(len(pathway), True) if in_community else pathway == 2
    home_care = (pathway == 1) | community  # pathway 1, or onward from a community bed
    care_home = (pathway == 3) | community
    return CareAttrs(
        los_min=(los * MIN_PER_DAY).tolist(),
        pathway=pathway.tolist(),
        assess_min=(assess * MIN_PER_DAY).tolist(),
        dis_hour_u=b.u("dis_hour").tolist(),
        dis_weekend_u=b.u("dis_weekend").tolist(),
        comm_los_min=_minutes_where(cm.los_days, b.u("comm_los"), community),
        onward=categorical(cm.onward_probs, b.u("onward")).tolist(),
        onward_assess_min=_minutes_where(
            cm.onward_assessment_days, b.u("onward_assess"), community
        ),
        comm_dis_hour_u=b.u("comm_dis_hour").tolist(),
        comm_dis_weekend_u=b.u("comm_dis_weekend").tolist(),
        home_care_min=_minutes_where(sc.home_care_discharge_days, b.u("hc_days"), home_care),
        care_home_min=_minutes_where(sc.care_home_stay_days, b.u("ch_days"), care_home),
        **_service_attrs(b, scn, pathway),
        **_bed_group_attrs(b, scn, elective),
    )


def bed_group_shares(scn: Scenario, elective: bool) -> np.ndarray:
    """Share of emergency (or ordinary elective) admissions whose home is each bed group.

    Electives without ``elective_share`` go to the surgical groups in proportion to
    their beds.
    """
    groups = scn.acute.bed_groups
    if not elective:
        shares = np.array([g.emergency_share for g in groups], dtype=float)
    elif all(g.elective_share is not None for g in groups):
        shares = np.array([g.elective_share for g in groups], dtype=float)
    else:
        shares = np.array([g.beds if g.specialty == "surgery" else 0 for g in groups], dtype=float)
    return shares / shares.sum()


def _bed_group_attrs(b: CohortBuilder, scn: Scenario, elective: bool) -> dict[str, list]:
    """Each patient's home bed group, from its own stream (only when groups exist)."""
    if not scn.acute.bed_groups:
        return {}
    return {"bed_group": categorical(bed_group_shares(scn, elective), b.u("bed_group")).tolist()}


def _service_attrs(b: CohortBuilder, scn: Scenario, pathway: np.ndarray) -> dict[str, list]:
    """Attributes for the discharge services, drawn only when the service exists (each
    from its own stream, so enabling one leaves every other draw unchanged)."""
    dc, sc = scn.discharge, scn.social_care
    out: dict[str, list] = {}
    if dc.assessment_staff_by_weekday is not None:
        work = np.full(len(pathway), np.nan)
        m = pathway > 0
        work[m] = ppf(dc.assessment_hours, b.u("assess_work")[m]) * 60.0
        out["assess_work_min"] = work.tolist()
    if sc.reablement_visits_per_day > 0:
        reab = b.u("reablement") < sc.reablement_p1_share
        out["reablement"] = reab.tolist()
        out["reablement_min"] = _minutes_where(
            sc.reablement_days, b.u("reab_days"), (pathway == 1) & reab
        )
        out["reablement_handon"] = (b.u("reab_handon") < sc.reablement_handon_prob).tolist()
    cm = scn.community
    if cm.d2a_beds > 0:
        out["d2a"] = (b.u("d2a") < cm.d2a_share).tolist()
    p3 = pathway == 3
    if dc.chc_share > 0:
        chc = b.u("chc") < dc.chc_share
        out["chc"] = chc.tolist()
        out["chc_work_min"] = _minutes_where(dc.chc_assessment_days, b.u("chc_days"), p3 & chc)
    if dc.choice_share > 0 or sc.care_home_self_funder_share > 0:
        decide = np.zeros(len(pathway))
        choice = p3 & (b.u("choice") < dc.choice_share)
        decide[choice] += ppf(dc.choice_days, b.u("choice_days")[choice])
        self_fund = p3 & (b.u("self_funder") < sc.care_home_self_funder_share)
        decide[self_fund] += ppf(sc.self_funder_search_days, b.u("sf_search")[self_fund])
        out["p3_decide_min"] = (decide * MIN_PER_DAY).tolist()
    return out


def _referral_attrs(
    b: CohortBuilder, scn: Scenario, waited_min: np.ndarray | None = None
) -> ReferralAttrs:
    """Group, priority, setting, removal and stay attributes of elective referrals.

    ``waited_min`` (start state only): time already waited by each pathway; the
    start state holds no planned (non-RTT) cases, and its removal time is the wait so
    far plus a fresh exponential draw (the removal hazard is constant).
    """
    el = scn.elective
    care = _acute_attrs(b, scn, elective=True)
    groups = el.groups
    if groups:
        shares = np.array([g.referral_share for g in groups], dtype=float)
        group = categorical(shares / shares.sum(), b.u("group"))
        dc_frac = np.array([g.day_case_fraction for g in groups], dtype=float)[group]
    else:  # one group: the older fixed-activity list
        group = np.zeros(len(b.index), dtype=np.int64)
        dc_frac = np.full(len(b.index), el.day_case_fraction)
    u_pri = b.u("priority")
    priority = np.where(u_pri < el.urgent_fraction, 2, 4)
    priority[(u_pri >= el.urgent_fraction) & (u_pri < el.urgent_fraction + el.p3_fraction)] = 3
    if waited_min is None:
        priority[b.u("planned") < el.planned_fraction] = 0
    if el.removal_rate_per_year > 0:
        mean_min = 365.0 * MIN_PER_DAY / el.removal_rate_per_year
        removal = -mean_min * np.log1p(-b.u("removal"))
        if waited_min is not None:
            removal = removal + waited_min
        removal[priority == 0] = np.inf
    else:
        removal = np.full(len(u_pri), np.inf)
    return ReferralAttrs(
        **{f.name: getattr(care, f.name) for f in fields(CareAttrs)},
        urgent=(priority == 2).tolist(),
        day_case=(b.u("day_case") < dc_frac).tolist(),
        group=group.tolist(),
        priority=priority.tolist(),
        removal_min=removal.tolist(),
    )


def _minutes_where(dist: Dist, u: np.ndarray, mask: np.ndarray) -> list[float]:
    """Durations in minutes from days-valued ``dist`` where ``mask``; NaN elsewhere."""
    out = np.full(len(u), np.nan)
    out[mask] = ppf(dist, u[mask]) * MIN_PER_DAY
    return out.tolist()


def _admitted_rows(
    b: CohortBuilder, admit: np.ndarray, scn: Scenario, los_factor: np.ndarray
) -> tuple[list, CareAttrs]:
    """Stay attributes for the A&E patients who will be admitted, one compact row each,
    and each attendance's row among them (-1 if not admitted)."""
    rows = np.full(admit.size, -1, dtype=np.int64)
    rows[admit] = np.arange(int(admit.sum()))
    care = _acute_attrs(b.subset(admit), scn, elective=False, los_factor=los_factor[admit])
    return rows.tolist(), care


class Season:
    """The seasonal case mix of a scenario: monthly indices by simulated day.

    Attendances follow ``demand.month_of_year`` (W10, N7, E6); emergency admissions
    follow ``demand.admissions_month_of_year`` (E7, N8, L8): direct admissions arrive
    by it, and the share of A&E attendances admitted is scaled by the ratio of the two
    (X29: attendances fall in winter while the share admitted rises). Emergency stays
    are scaled by ``demand.los_month_of_year`` of the month of arrival. The attendance
    and admission indices are detrended first (:func:`flowsim.sampling.detrend_month_index`).
    """

    def __init__(self, scn: Scenario, n_days: int) -> None:
        d = scn.demand
        self.months = month_of_days(scn, n_days)
        attendances = detrend_month_index(d.month_of_year, d.month_of_year_trend_pct)
        #: The month index emergency admissions follow (detrended; direct admissions
        #: arrive by it).
        self.admissions_profile = (
            attendances
            if d.admissions_month_of_year is None
            else detrend_month_index(
                d.admissions_month_of_year, d.admissions_month_of_year_trend_pct
            )
        )
        att = _norm12(attendances)
        adm = _norm12(self.admissions_profile)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.conversion = np.where(att > 0, adm / att, 1.0)
        self.los = _norm12(d.los_month_of_year)

    def month_at(self, t: np.ndarray) -> np.ndarray:
        """Calendar month index (0-11) at minutes ``t``."""
        day = np.minimum((np.asarray(t) // MIN_PER_DAY).astype(np.int64), len(self.months) - 1)
        return self.months[day] - 1

    def admit(self, u: np.ndarray, prob: np.ndarray | float, t: np.ndarray) -> np.ndarray:
        """Admitted: ``u`` below the admission probability scaled by the month's conversion."""
        return u < np.minimum(1.0, prob * self.conversion[self.month_at(t)])

    def los_factor(self, t: np.ndarray) -> np.ndarray:
        """Length-of-stay multiplier of patients arriving at minutes ``t``."""
        return self.los[self.month_at(t)]


def _norm12(values: tuple[float, ...]) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    return a / a.mean() if a.mean() > 0 else np.ones(12)


def _arrivals(streams: Streams, source: str, per_day: float, profile: RateProfile, horizon: float):
    arr: Arrivals = nhpp_arrivals(streams(f"{source}.arrivals"), per_day, profile, horizon)
    return arr, CohortBuilder(streams, source, arr.n_candidates, arr.index)


def _fixed_builder(streams: Streams, source: str, n: int) -> CohortBuilder:
    return CohortBuilder(streams, source, n, np.arange(n))


def home_care_discharge_share(scn: Scenario) -> float:
    """Share of home care packages in use that serve discharges, in equilibrium.

    Little's law per source: discharge packages in use = discharge inflow x mean
    package length, and likewise for community (background) packages.
    """
    sc = scn.social_care
    disc = scn.discharge_inflows_per_day()["home_care"] * sc.home_care_discharge_days.expected
    bg = sc.home_care_background_per_day * sc.home_care_background_days.expected
    return disc / (disc + bg) if disc + bg > 0 else 0.0


def _pool_prefill(
    streams: Streams,
    source: str,
    capacity: int,
    pct: float,
    dist: Dist,
    other: Dist | None = None,
    other_share: float = 0.0,
) -> Cohort:
    """Places in use at the start (``pct`` of ``capacity``), each with a residual length
    drawn from the equilibrium residual-life law of its stay distribution.

    A pool serving two kinds of stay (home care: discharge packages of weeks and
    community packages of a year) gives a share ``other_share`` of its places the
    residual of ``other``. Drawing every package from the long-term law would free
    packages at a third of the equilibrium rate for months, so discharges would queue
    for home care early in every run: an artefact of the start state.
    """
    n = min(int(round(capacity * pct / 100.0)), capacity)
    b = _fixed_builder(streams, source, n)
    u_len, u_frac = b.u("days"), b.u("days_elapsed")
    days = residual_ppf(dist, u_len, u_frac)
    if other is not None:
        days = np.where(b.u("source") < other_share, residual_ppf(other, u_len, u_frac), days)
    return Cohort(source, [0.0] * n, StayAttrs((days * MIN_PER_DAY).tolist()))


@dataclass
class Cohorts:
    """All patients of one replication, by source."""

    ambulance: Cohort
    walkin: Cohort
    direct: Cohort
    referrals: Cohort
    acute_prefill: Cohort
    acute_delayed: Cohort
    community_stepup: Cohort
    community_prefill: Cohort
    hc_background: Cohort
    hc_prefill: Cohort
    ch_background: Cohort
    ch_prefill: Cohort
    reablement_community: Cohort
    #: 999 incidents (empty when the ambulance service is not modelled); its conveyed
    #: incidents are also the ``ambulance`` cohort.
    incidents: Cohort = field(default_factory=lambda: no_incidents())
    #: Infection outbreaks closing wards (events, not patients: no patient ids).
    outbreaks: Cohort | None = None
    #: Mental-health admissions not via A&E (community, crisis teams), arriving in the run.
    mh_community: Cohort = field(default_factory=lambda: _no_stays("mh_community"))
    #: Mental-health beds occupied at the start, with residual stays.
    mh_prefill: Cohort = field(default_factory=lambda: _no_stays("mh_prefill"))
    #: Candidate emergency admissions from unmet community need (a stream at
    #: ``social_care.unmet_need_max_per_day``, thinned in the run by the people waiting).
    unmet_need: Cohort = field(default_factory=lambda: no_unmet_need())
    #: Type 3 attendances (minor injury units, UTCs), seen by their own practitioners.
    type3: Cohort = field(default_factory=lambda: Cohort("type3", [], Type3Attrs([])))

    def all(self) -> list[Cohort]:
        """Every patient cohort, in the declared order (the order of patient ids)."""
        return [getattr(self, f.name) for f in fields(self) if f.name != "outbreaks"]

    def number_patients(self) -> None:
        """Give every patient an id unique in the replication: cohort by cohort in the
        declared order, so ids depend only on the cohorts' sizes."""
        pid = 0
        for c in self.all():
            c.pid0 = pid
            pid += len(c)


def _no_stays(source: str) -> Cohort:
    return Cohort(source, [], StayAttrs([]))


def no_unmet_need() -> Cohort:
    """An empty unmet-need candidate cohort (the feedback is off)."""
    return Cohort("unmet_need", [], CareAttrs(*([] for _ in range(12))))


def no_incidents() -> Cohort:
    """An empty incident cohort (the ambulance service is not modelled)."""
    return Cohort("incident", [], IncidentAttrs(*([] for _ in fields(IncidentAttrs))))


def _ambulance_cohort(b: CohortBuilder, times: np.ndarray, scn: Scenario, season: Season) -> Cohort:
    """Conveyed patients at A&E: every one needs a majors space; admission conversion
    and length of stay follow the month (``season``). With the ambulance service,
    ``times`` are call times: the admission share follows E12 by call hour, and the
    patient reaches A&E later (dispatch queue, journey)."""
    ed = scn.ed
    prob = scn.ambulance.admit_prob * admit_hour_factor(scn, times)
    admit = season.admit(b.u("admit"), prob, times)
    mh, mh_los = _mental_health(b, scn, times.size)
    if mh.size:
        admit &= mh != 2  # an MH bed instead of an acute one
    u_treat = b.u("ed_treat")
    treat = _decision_time(ed, admit, ppf(ed.majors_treatment_min, u_treat), u_treat)
    attrs = EdAttrs(
        [True] * times.size,
        admit.tolist(),
        ppf(ed.assessment_min, b.u("ed_assess")).tolist(),
        treat.tolist(),
        *_admitted_rows(b, admit, scn, season.los_factor(times)),
    )
    _ed_extras(attrs, b, scn, admit, mh, mh_los, walkin=False)
    return Cohort("ambulance", times.tolist(), attrs)


def admit_hour_factor(scn: Scenario, t: np.ndarray) -> np.ndarray | float:
    """Admission-probability multipliers by arrival hour block (00-06, 06-12, 12-18,
    18-24) so that admitted patients arrive as ``ed.admitted_arrival_share_by_6h`` says
    (E12) while the overall share admitted is unchanged.

    Attendances arrive by ``demand.hour_of_day``, a share ``A_b`` in block ``b``; with the
    probability times ``E_b / A_b`` the admitted share of block ``b`` is ``E_b`` and the
    mean multiplier over arrivals is 1 (probabilities are capped at 1 by the caller).
    """
    share = scn.ed.admitted_arrival_share_by_6h
    if share is None:
        return 1.0
    hod = np.asarray(scn.demand.hour_of_day, dtype=np.float64)
    arrivals = hod.reshape(4, 6).sum(axis=1) / hod.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(arrivals > 0, np.asarray(share) / arrivals, 0.0)
    block = ((np.asarray(t) % MIN_PER_DAY) // 360.0).astype(np.int64)
    return factor[np.minimum(block, 3)]


def mh_share_of_type1(scn: Scenario) -> float:
    """The share of type 1 attendances that are mental-health presentations.

    ``ed.mh_fraction`` is a share of all attendances (M4); mental-health patients come
    to the type 1 department, so with type 3 units it is scaled by all attendances over
    type 1 attendances (walk-ins and ambulance conveyances), capped at 1.
    """
    ed = scn.ed
    if ed.type3_arrivals_per_day <= 0:
        return ed.mh_fraction
    type1 = ed.walkin_arrivals_per_day + scn.ambulance.conveyances_per_day()
    if type1 <= 0:
        return ed.mh_fraction
    return min(1.0, ed.mh_fraction * (type1 + ed.type3_arrivals_per_day) / type1)


def _mental_health(b: CohortBuilder, scn: Scenario, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mental-health presentations (M4): 0 none, 1 MH, 2 MH needing an MH bed; and the
    bed stay of the latter (minutes, NaN for others). Empty when ``ed.mh_fraction`` is 0
    (the streams are then not drawn)."""
    ed = scn.ed
    if ed.mh_fraction <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    mh = np.where(b.u("mh") < mh_share_of_type1(scn), 1, 0)
    bed = (mh == 1) & (b.u("mh_bed") < ed.mh_bed_prob) & (scn.mental_health.beds > 0)
    mh[bed] = 2
    los = np.full(n, np.nan)
    los[bed] = ppf(scn.mental_health.los_days, b.u("mh_los")[bed]) * MIN_PER_DAY
    return mh, los


def _sparse(x: np.ndarray) -> array:
    """A per-patient column that the model reads for few patients (SDEC stays, MH bed
    stays, community response visits), as C doubles: ``column[i]`` is a Python float
    as from a list, but the entries never read cost no float object to make and free
    (a list costs ~25 ns and 32 bytes a patient)."""
    return array("d", np.ascontiguousarray(x, dtype=np.float64).tobytes())


def _sdec_stays(
    b: CohortBuilder, scn: Scenario, los_min: np.ndarray, pathway: np.ndarray, prob: float
) -> array:
    """SDEC chair times of would-be emergency admissions SDEC can manage, -1 for others:
    a share ``prob`` of those whose stay to medically fit would be under
    ``sdec.max_los_days`` and who would go home with no care (pathway 0; ``los_min``
    inf: not admitted). A patient who will need a care package, a rehab bed or a care
    home is not sent home from SDEC the same day."""
    sd = scn.sdec
    ok = (los_min < sd.max_los_days * MIN_PER_DAY) & (pathway == 0) & (b.u("sdec") < prob)
    stay = np.full(ok.size, -1.0)
    stay[ok] = ppf(sd.stay_min, b.u("sdec_stay")[ok])
    return _sparse(stay)


def _decision_time(ed, admit: np.ndarray, other: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Assessment to decision: ``ed.admitted_decision_min`` for patients who will be
    admitted (fitted to E12), the treatment time ``other`` for the rest (same uniform)."""
    if ed.admitted_decision_min is None:
        return other
    out = np.array(other, dtype=np.float64)
    out[admit] = ppf(ed.admitted_decision_min, u[admit])
    return out


def _ed_extras(
    a: EdAttrs,
    b: CohortBuilder,
    scn: Scenario,
    admit: np.ndarray,
    mh: np.ndarray,
    mh_los: np.ndarray,
    walkin: bool,
) -> None:
    """The optional A&E attributes: SDEC suitability and stay, mental health, triage."""
    sd = scn.sdec
    if sd.chairs > 0:
        los = np.full(admit.size, np.inf)
        los[admit] = a.care.los_min
        pw = np.full(admit.size, -1)
        pw[admit] = a.care.pathway
        a.sdec_min = _sdec_stays(b, scn, los, pw, sd.ed_eligible_prob)
    if mh.size:
        a.mh = mh.tolist()
        a.mh_los_min = _sparse(mh_los)
    if walkin and scn.ed.triage_min is not None:
        a.triage_min = ppf(scn.ed.triage_min, b.u("triage"))


def _incident_cohorts(
    streams: Streams, scn: Scenario, prof: RateProfile, horizon: float, season: Season
) -> tuple[Cohort, Cohort]:
    """999 incidents, and their conveyed subset as the A&E ambulance cohort.

    The conveyed patients' A&E attributes come from the ``ambulance.*`` streams indexed
    by incident, so a changed hear/see-and-treat rate removes patients from A&E without
    redrawing anyone else (common random numbers). The ambulance cohort's times are the
    call times; the patient reaches A&E when the crew brings them.
    """
    sv = scn.ambulance.service
    arr, b = _arrivals(streams, "incident", sv.incidents_per_day, prof, horizon)
    n = arr.times.size
    u = b.u("outcome")
    outcome = np.where(
        u < sv.hear_treat_prob, 0, np.where(u < sv.hear_treat_prob + sv.see_treat_prob, 1, 2)
    )
    category = 1 + categorical(sv.category_mix, b.u("category"))
    u_travel = b.u("travel")
    travel = np.where(
        category == 1, ppf(sv.cat1_travel_min, u_travel), ppf(sv.travel_min, u_travel)
    )
    conveyed = outcome == 2
    amb_row = np.full(n, -1, dtype=np.int64)
    amb_row[conveyed] = np.arange(int(conveyed.sum()))
    incidents = Cohort(
        "incident",
        arr.times.tolist(),
        IncidentAttrs(
            category.tolist(),
            outcome.tolist(),
            travel.tolist(),
            ppf(sv.on_scene_min, b.u("scene")).tolist(),
            ppf(sv.to_hospital_min, b.u("to_hospital")).tolist(),
            ppf(sv.turnaround_min, b.u("turnaround")).tolist(),
            ((category >= 3) & (b.u("ucr") < sv.ucr_eligible_prob)).tolist(),
            _sparse(ppf(sv.ucr_visit_min, b.u("ucr_visit"))),
            amb_row.tolist(),
        ),
    )
    ab = CohortBuilder(streams, "ambulance", arr.n_candidates, arr.index[conveyed])
    return incidents, _ambulance_cohort(ab, arr.times[conveyed], scn, season)


def build_cohorts(scn: Scenario, streams: Streams) -> Cohorts:
    """Draw every patient of one replication (arrival times and attributes)."""
    run = scn.run
    n_days = int(np.ceil(run.warmup_days + run.days)) + 1
    horizon = (run.warmup_days + run.days) * MIN_PER_DAY
    season = Season(scn, n_days)
    months = season.months
    prof = RateProfile.build(scn.demand, n_days, run.weekday0, 0, months=months)
    adm_prof = RateProfile.build(
        scn.demand,
        n_days,
        run.weekday0,
        0,
        months=months,
        month_profile=season.admissions_profile,
    )
    # Demand growth (W6, N4, L5) is urgent-care demand: A&E attendances and emergency
    # admissions. Community step-up, social-care background demand and elective
    # referrals keep their configured rates.
    flat = RateProfile.build(
        scn.demand, n_days, run.weekday0, 0, hourly=False, months=months, grow=False
    )
    weekdays = RateProfile.build(
        scn.demand,
        n_days,
        run.weekday0,
        0,
        hourly=False,
        weekdays_only=True,
        months=months,
        grow=False,
    )
    ed = scn.ed

    # -- ambulance service and A&E
    if scn.ambulance.service is None:
        arr, b = _arrivals(streams, "ambulance", scn.ambulance.arrivals_per_day, prof, horizon)
        amb = _ambulance_cohort(b, arr.times, scn, season)
        incidents = None
    else:
        incidents, amb = _incident_cohorts(streams, scn, prof, horizon, season)
    arr, b = _arrivals(streams, "walkin", ed.walkin_arrivals_per_day, prof, horizon)
    majors = b.u("majors") < ed.walkin_majors_fraction
    u_admit = b.u("admit")
    admit = season.admit(
        u_admit,
        np.where(majors, ed.walkin_majors_admit_prob, ed.minors_admit_prob)
        * admit_hour_factor(scn, arr.times),
        arr.times,
    )
    mh, mh_los = _mental_health(b, scn, arr.times.size)
    if mh.size:
        admit &= mh != 2  # an MH bed instead of an acute one
        majors |= mh == 2  # waits for the bed in a majors space
    u_treat = b.u("ed_treat")
    treat = _decision_time(
        ed,
        admit,
        np.where(
            majors, ppf(ed.majors_treatment_min, u_treat), ppf(ed.minors_treatment_min, u_treat)
        ),
        u_treat,
    )
    walk_attrs = EdAttrs(
        majors.tolist(),
        admit.tolist(),
        ppf(ed.assessment_min, b.u("ed_assess")).tolist(),
        treat.tolist(),
        *_admitted_rows(b, admit, scn, season.los_factor(arr.times)),
    )
    _ed_extras(walk_attrs, b, scn, admit, mh, mh_los, walkin=True)
    walk = Cohort("walkin", arr.times.tolist(), walk_attrs)

    # -- direct (non-A&E) emergency admissions: GP referrals, SDEC, assessment units
    arr, b = _arrivals(streams, "direct", scn.acute.direct_admissions_per_day, adm_prof, horizon)
    direct = Cohort(
        "direct",
        arr.times.tolist(),
        _acute_attrs(b, scn, elective=False, los_factor=season.los_factor(arr.times)),
    )
    if scn.sdec.chairs > 0:
        los = np.asarray(direct.attrs.los_min)
        pw = np.asarray(direct.attrs.pathway)
        direct.attrs.sdec_min = _sdec_stays(b, scn, los, pw, scn.sdec.direct_eligible_prob)

    # -- elective referrals; the initial waiting list uses the same source's stream
    el = scn.elective
    arr, b = _arrivals(streams, "referral", el.referrals_per_week / 7.0, weekdays, horizon)
    ref = Cohort("referral", arr.times.tolist(), _referral_attrs(b, scn))
    n0 = el.initial_list
    b0 = _fixed_builder(streams, "waiting_list_start", n0)
    # Incomplete-pathway waits are roughly exponential; the median fixes the mean.
    mean_wait_min = el.initial_median_wait_weeks * 7 * MIN_PER_DAY / np.log(2)
    waited = -mean_wait_min * np.log1p(-b0.u("waited"))
    ref_start = Cohort("waiting_list_start", (-waited).tolist(), _referral_attrs(b0, scn, waited))
    referrals = Cohort(
        "referral",
        ref_start.t + ref.t,
        ReferralAttrs(
            **{
                f.name: getattr(ref_start.attrs, f.name) + getattr(ref.attrs, f.name)
                for f in fields(ReferralAttrs)
            }
        ),
    )

    # -- acute start state: beds occupied with residual stays, some already delayed
    ac = scn.acute
    n_pre = min(int(round(ac.beds * ac.initial_occupancy_pct / 100.0)), ac.beds)
    n_del = min(ac.initial_delayed, n_pre)
    b = _fixed_builder(streams, "acute_prefill", n_pre - n_del)
    acute_prefill = Cohort(
        "acute_prefill", [0.0] * (n_pre - n_del), _acute_attrs(b, scn, False, True)
    )
    b = _fixed_builder(streams, "acute_delayed", n_del)
    # Already medically fit: residual assessment time, pathway drawn among 1-3.
    probs = np.asarray(ac.pathway_probs[1:], dtype=float)
    fit_pathway = None
    if probs.sum() > 0 and n_del:
        fit_pathway = 1 + categorical(probs / probs.sum(), b.u("pathway_delayed"))
    delayed = _acute_attrs(b, scn, elective=False, pathway=fit_pathway)
    if fit_pathway is not None:
        delayed.assess_min = [
            residual_ppf(ac.pathway_assessment_days[p], np.array([ul]), np.array([uf]))[0]
            * MIN_PER_DAY
            for p, ul, uf in zip(
                delayed.pathway, b.u("assess_len"), b.u("assess_elapsed"), strict=True
            )
        ]
    delayed.los_min = [0.0] * n_del
    acute_delayed = Cohort("acute_delayed", [0.0] * n_del, delayed)

    # -- community hospital: step-up admissions and start state
    cm = scn.community
    arr, b = _arrivals(streams, "community_stepup", cm.step_up_per_day, flat, horizon)
    stepup = Cohort(
        "community_stepup", arr.times.tolist(), _acute_attrs(b, scn, False, in_community=True)
    )
    n_cpre = min(int(round(cm.beds * cm.initial_occupancy_pct / 100.0)), cm.beds)
    b = _fixed_builder(streams, "community_prefill", n_cpre)
    cpre = Cohort(
        "community_prefill", [0.0] * n_cpre, _acute_attrs(b, scn, False, in_community=True)
    )
    cpre.attrs.comm_los_min = (
        residual_ppf(cm.los_days, b.u("comm_los"), b.u("comm_los_elapsed")) * MIN_PER_DAY
    ).tolist()

    # -- social care: background demand and start state
    sc = scn.social_care

    def background(source: str, per_day: float, dist) -> Cohort:
        arr, b = _arrivals(streams, source, per_day, flat, horizon)
        return Cohort(
            source, arr.times.tolist(), StayAttrs((ppf(dist, b.u("days")) * MIN_PER_DAY).tolist())
        )

    hc_bg = background(
        "home_care_background", sc.home_care_background_per_day, sc.home_care_background_days
    )
    ch_bg = background(
        "care_home_background", sc.care_home_background_per_day, sc.care_home_stay_days
    )
    hc_pre = _pool_prefill(
        streams,
        "home_care_prefill",
        sc.home_care_packages,
        sc.home_care_initial_occupancy_pct,
        sc.home_care_background_days,
        other=sc.home_care_discharge_days,
        other_share=home_care_discharge_share(scn),
    )
    ch_pre = _pool_prefill(
        streams,
        "care_home_prefill",
        sc.care_home_places,
        sc.care_home_initial_occupancy_pct,
        sc.care_home_stay_days,
    )

    arr, b = _arrivals(
        streams, "reablement_community", sc.reablement_community_per_day, flat, horizon
    )
    reab_comm = Cohort(
        "reablement_community",
        arr.times.tolist(),
        ReablementAttrs(
            (ppf(sc.reablement_days, b.u("days")) * MIN_PER_DAY).tolist(),
            (b.u("handon") < sc.reablement_handon_prob).tolist(),
            (ppf(sc.home_care_background_days, b.u("hc_days")) * MIN_PER_DAY).tolist(),
        ),
    )

    cohorts = Cohorts(
        amb,
        walk,
        direct,
        referrals,
        acute_prefill,
        acute_delayed,
        stepup,
        cpre,
        hc_bg,
        hc_pre,
        ch_bg,
        ch_pre,
        reab_comm,
    )
    if incidents is not None:
        cohorts.incidents = incidents
    mhc = scn.mental_health
    if mhc.beds > 0:
        arr, b = _arrivals(streams, "mh_community", mhc.other_admissions_per_day, flat, horizon)
        cohorts.mh_community = Cohort(
            "mh_community",
            arr.times.tolist(),
            StayAttrs((ppf(mhc.los_days, b.u("days")) * MIN_PER_DAY).tolist()),
        )
        cohorts.mh_prefill = _pool_prefill(
            streams, "mh_prefill", mhc.beds, mhc.initial_occupancy_pct, mhc.los_days
        )
    if sc.unmet_need_admissions_per_person_day > 0:
        # candidates at the ceiling rate, with every attribute of a direct admission
        arr, b = _arrivals(streams, "unmet_need", sc.unmet_need_max_per_day, adm_prof, horizon)
        care = _acute_attrs(b, scn, elective=False, los_factor=season.los_factor(arr.times))
        care.crisis_u = b.u("crisis").tolist()
        cohorts.unmet_need = Cohort("unmet_need", arr.times.tolist(), care)
    if ed.type3_arrivals_per_day > 0:
        # The urgent-care profile of walk-ins (hour, weekday, month, growth); their own
        # stream, so the type 1 patients are the same with or without type 3 units.
        arr, b = _arrivals(streams, "type3", ed.type3_arrivals_per_day, prof, horizon)
        treat = ppf(ed.type3_treatment_min, b.u("treat"))
        cohorts.type3 = Cohort("type3", arr.times.tolist(), Type3Attrs(treat.tolist()))
    cohorts.number_patients()
    cohorts.outbreaks = _outbreaks(scn, streams, months, horizon)
    return cohorts


def _outbreaks(scn: Scenario, streams: Streams, months: np.ndarray, horizon: float) -> Cohort:
    """Infection outbreaks: random events (a Poisson process with a monthly rate, X24,
    X65, X66), each closing 1..``outbreak_max_wards`` wards to admissions for a time."""
    ac = scn.acute
    rate = np.asarray(ac.outbreak_events_per_month, dtype=np.float64) * 12.0 / 365.25
    if rate.sum() <= 0 or ac.outbreak_ward_beds == 0:
        return Cohort("outbreak", [], OutbreakAttrs([], []))
    per_day = float(rate.mean())
    profile = RateProfile(np.ascontiguousarray(rate[months - 1] / per_day), np.ones(24))
    arr, b = _arrivals(streams, "outbreak", per_day, profile, horizon)
    wards = 1 + np.minimum(
        (b.u("wards") * ac.outbreak_max_wards).astype(np.int64), ac.outbreak_max_wards - 1
    )
    return Cohort(
        "outbreak",
        arr.times.tolist(),
        OutbreakAttrs(
            (wards * ac.outbreak_ward_beds).tolist(),
            (ppf(ac.outbreak_days, b.u("days")) * MIN_PER_DAY).tolist(),
        ),
    )
