"""Patient cohorts: arrival times and per-patient attributes, drawn up front.

Each source of patients (ambulance, walk-in, direct admission, elective referral,
start-state pre-fill, background social-care demand) gets its arrivals and, for
every decision the patient will meet, a uniform from that decision's own named
stream (``"<source>.<decision>"``), indexed by the patient's candidate index. The
scenario's parameters then map the uniforms to values in bulk. Changing a
parameter re-maps the same uniforms (common random numbers).

Attributes are stored as Python lists because the event loop reads them one
patient at a time, where Python floats are faster than numpy scalars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flowsim.config import Dist, Scenario
from flowsim.sampling import (
    Arrivals,
    RateProfile,
    categorical,
    nhpp_arrivals,
    ppf,
    residual_ppf,
)
from flowsim.streams import Streams

MIN_PER_DAY = 1440.0


@dataclass
class Cohort:
    """Patients from one source: ``t`` arrival minutes, ``a`` attribute lists."""

    source: str
    t: list[float]
    a: dict[str, list] = field(default_factory=dict)
    #: For A&E cohorts: the acute attributes of the patients who will be admitted, one
    #: row each; ``a["acute_row"][i]`` is patient i's row (-1 if not admitted). Only
    #: about one attendance in four is admitted, so this saves most of the memory.
    acute: Cohort | None = None

    def __len__(self) -> int:
        return len(self.t)


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
) -> dict:
    """Everything an acute patient may need downstream, mapped from their uniforms.

    ``pathway`` replaces the drawn discharge pathways (patients already delayed at the
    start); ``in_community`` marks patients who start in a community bed (step-up
    admissions and the community start state), who all need the community stays.
    """
    ac, cm, sc = scn.acute, scn.community, scn.social_care
    los_dist = ac.elective_los_days if elective else ac.emergency_los_days
    if prefill:
        los = residual_ppf(los_dist, b.u("acute_los"), b.u("acute_los_elapsed"))
    else:
        los = ppf(los_dist, b.u("acute_los"))
    if pathway is None:
        probs = ac.elective_pathway_probs if elective else ac.pathway_probs
        pathway = categorical(probs, b.u("pathway"))
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
    return {
        "los": (los * MIN_PER_DAY).tolist(),
        "pathway": pathway.tolist(),
        "assess": (assess * MIN_PER_DAY).tolist(),
        "dis_hour": b.u("dis_hour").tolist(),
        "dis_weekend": b.u("dis_weekend").tolist(),
        "comm_los": _minutes_where(cm.los_days, b.u("comm_los"), community),
        "onward": categorical(cm.onward_probs, b.u("onward")).tolist(),
        "onward_assess": _minutes_where(cm.onward_assessment_days, b.u("onward_assess"), community),
        "comm_dis_hour": b.u("comm_dis_hour").tolist(),
        "comm_dis_weekend": b.u("comm_dis_weekend").tolist(),
        "hc_days": _minutes_where(sc.home_care_discharge_days, b.u("hc_days"), home_care),
        "ch_days": _minutes_where(sc.care_home_stay_days, b.u("ch_days"), care_home),
    }


def _minutes_where(dist: Dist, u: np.ndarray, mask: np.ndarray) -> list[float]:
    """Durations in minutes from days-valued ``dist`` where ``mask``; NaN elsewhere."""
    out = np.full(len(u), np.nan)
    out[mask] = ppf(dist, u[mask]) * MIN_PER_DAY
    return out.tolist()


def _attach_admitted(c: Cohort, b: CohortBuilder, admit: np.ndarray, scn: Scenario) -> None:
    """Acute attributes for the A&E patients who will be admitted, in a compact cohort."""
    rows = np.full(admit.size, -1, dtype=np.int64)
    rows[admit] = np.arange(int(admit.sum()))
    c.a["acute_row"] = rows.tolist()
    sub = b.subset(admit)
    c.acute = Cohort(f"{c.source}_admitted", [], _acute_attrs(sub, scn, elective=False))


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
    return Cohort(source, [0.0] * n, {"days": (days * MIN_PER_DAY).tolist()})


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


def build_cohorts(scn: Scenario, streams: Streams) -> Cohorts:
    """Draw every patient of one replication (arrival times and attributes)."""
    run = scn.run
    n_days = int(np.ceil(run.warmup_days + run.days)) + 1
    horizon = (run.warmup_days + run.days) * MIN_PER_DAY
    prof = RateProfile.build(scn.demand, n_days, run.start_weekday, run.start_month)
    flat = RateProfile.build(scn.demand, n_days, run.start_weekday, run.start_month, hourly=False)
    weekdays = RateProfile.build(
        scn.demand, n_days, run.start_weekday, run.start_month, hourly=False, weekdays_only=True
    )
    ed = scn.ed

    # -- A&E
    arr, b = _arrivals(streams, "ambulance", scn.ambulance.arrivals_per_day, prof, horizon)
    amb = Cohort("ambulance", arr.times.tolist())
    admit = b.u("admit") < scn.ambulance.admit_prob
    amb.a = {
        "admit": admit.tolist(),
        "ed_assess": ppf(ed.assessment_min, b.u("ed_assess")).tolist(),
        "ed_treat": ppf(ed.majors_treatment_min, b.u("ed_treat")).tolist(),
    }
    _attach_admitted(amb, b, admit, scn)
    arr, b = _arrivals(streams, "walkin", ed.walkin_arrivals_per_day, prof, horizon)
    walk = Cohort("walkin", arr.times.tolist())
    majors = b.u("majors") < ed.walkin_majors_fraction
    u_admit = b.u("admit")
    admit = np.where(majors, u_admit < ed.walkin_majors_admit_prob, u_admit < ed.minors_admit_prob)
    u_treat = b.u("ed_treat")
    treat = np.where(
        majors, ppf(ed.majors_treatment_min, u_treat), ppf(ed.minors_treatment_min, u_treat)
    )
    walk.a = {
        "majors": majors.tolist(),
        "admit": admit.tolist(),
        "ed_assess": ppf(ed.assessment_min, b.u("ed_assess")).tolist(),
        "ed_treat": treat.tolist(),
    }
    _attach_admitted(walk, b, admit, scn)

    # -- direct (non-A&E) emergency admissions: GP referrals, SDEC, assessment units
    arr, b = _arrivals(streams, "direct", scn.acute.direct_admissions_per_day, prof, horizon)
    direct = Cohort("direct", arr.times.tolist(), _acute_attrs(b, scn, elective=False))

    # -- elective referrals; the initial waiting list uses the same source's stream
    el = scn.elective
    arr, b = _arrivals(streams, "referral", el.referrals_per_week / 7.0, weekdays, horizon)
    ref = Cohort("referral", arr.times.tolist())
    ref.a = {
        "urgent": (b.u("urgent") < el.urgent_fraction).tolist(),
        "day_case": (b.u("day_case") < el.day_case_fraction).tolist(),
        **_acute_attrs(b, scn, elective=True),
    }
    n0 = el.initial_list
    b0 = _fixed_builder(streams, "waiting_list_start", n0)
    # Incomplete-pathway waits are roughly exponential; the median fixes the mean.
    mean_wait_min = el.initial_median_wait_weeks * 7 * MIN_PER_DAY / np.log(2)
    waited = -mean_wait_min * np.log1p(-b0.u("waited"))
    ref_start = Cohort("waiting_list_start", (-waited).tolist())
    ref_start.a = {
        "urgent": (b0.u("urgent") < el.urgent_fraction).tolist(),
        "day_case": (b0.u("day_case") < el.day_case_fraction).tolist(),
        **_acute_attrs(b0, scn, elective=True),
    }
    referrals = Cohort("referral", ref_start.t + ref.t)
    referrals.a = {k: ref_start.a[k] + ref.a[k] for k in ref.a}

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
        delayed["assess"] = [
            residual_ppf(ac.pathway_assessment_days[p], np.array([ul]), np.array([uf]))[0]
            * MIN_PER_DAY
            for p, ul, uf in zip(
                delayed["pathway"], b.u("assess_len"), b.u("assess_elapsed"), strict=True
            )
        ]
    delayed["los"] = [0.0] * n_del
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
    cpre.a["comm_los"] = (
        residual_ppf(cm.los_days, b.u("comm_los"), b.u("comm_los_elapsed")) * MIN_PER_DAY
    ).tolist()

    # -- social care: background demand and start state
    sc = scn.social_care

    def background(source: str, per_day: float, dist) -> Cohort:
        arr, b = _arrivals(streams, source, per_day, flat, horizon)
        return Cohort(
            source, arr.times.tolist(), {"days": (ppf(dist, b.u("days")) * MIN_PER_DAY).tolist()}
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

    return Cohorts(
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
    )
