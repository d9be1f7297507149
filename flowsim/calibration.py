"""Calibration: the baseline against the public figures it was built for, and a
simple fitter for unknown parameters.

``TARGETS`` lists, per packaged scenario, the observed figure, the band within which
the model is accepted, and the row of the public-figures table it comes from. The
bands are wider than sampling error: the figures themselves move by several points
a year and some are approximate (see each note).

``fit`` searches named dotted keys (each within bounds) to minimise the sum of
squared relative errors of chosen KPIs, using the same seeds at every trial point
(common random numbers) so that the objective is a deterministic function that
Nelder-Mead can minimise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from flowsim.experiment import RunResult, run, summarise
from flowsim.kpis import BY_NAME
from flowsim.schema import Scenario


def _monthly_kpis() -> dict:
    from flowsim.monthly import MONTHLY_KPIS

    return MONTHLY_KPIS


@dataclass(frozen=True)
class Target:
    """An observed figure and the model KPI it is compared with."""

    kpi: str
    observed: float
    low: float
    high: float
    per_day: bool  # the KPI is a period total; compare its daily rate
    source: str
    #: Scenario changes under which the figure was observed, e.g. the handover policy of
    #: its era (``(("ed.corridor_care_after_min", None),)``: before the 45-minute maximum).
    overrides: tuple[tuple[str, object], ...] = ()
    era: str = ""  #: the policy era of the figure, said in the table
    #: "high" or "low": a documented known misfit, out of band on that side (the CI
    #: test asserts it stays out on that side, so a change that moves it is seen)
    misfit: str = ""
    #: Calendar month (1-12) of a monthly figure, compared with that month of
    #: ``monthly.csv`` (:data:`flowsim.monthly.MONTHLY_KPIS`); None: the period KPI.
    month: int | None = None
    #: Why the model is known to miss this figure (with ``misfit``); "" for targets
    #: the model must meet. A target with a gap is shown in the table, never hidden.
    gap: str = ""

    def __post_init__(self) -> None:
        if self.month is None and self.kpi not in BY_NAME:
            raise ValueError(f"calibration target {self.kpi!r} is not in the KPI table")
        if self.month is not None and self.kpi not in _monthly_kpis():
            raise ValueError(f"calibration target {self.kpi!r} is not a monthly KPI")

    @property
    def public_row(self) -> str:
        """The public-figures row the KPI table names for this KPI (``"W22"``)."""
        if self.month is not None:  # a monthly figure: the row its source cites
            return self.source.split(":", 1)[0]
        return BY_NAME[self.kpi].public_row


#: Worcestershire's criteria-to-reside count once winters no longer run away (issues 16,
#: 17 and 19 joined, with the escalation discharge push).
_HOSPITAL_PROCESS = (
    "delayed patients: with the CHC assessors sized per county and the discharge push "
    "while escalated, no winter runs away and the assessment queue rarely binds; about "
    "two thirds of the count are pathway-0 patients waiting for the discharge hours and "
    "the weekday profile, and the hospital-process and interface delays of S9-S12 "
    "(medical review, medicines to take out, transport, equipment: 19-40% of delays) "
    "are not modelled as capacity"
)
#: West Norfolk with crews held (docs/validation.md, sections 7b and 7c): every
#: replication's February-March decides these rows.
_HELD_WINTER = (
    "crews held: in February-March the QEH runs away in most replications (since the "
    "seasonal indices lost their source years' trend some winters stay calm, so the "
    "means depend on how many do: Cat 2 103 min over 3 replications, 226 over 5). When "
    "it does, the QEH is 97-99% full and its beds, not the fleet, run away (with "
    "unlimited A&E spaces the wait from decision to admission reaches 9-18 hours, and "
    "the 45-minute era runs away too); the 6-place "
    "handover area (X84) fills and the crews wait at the door again; neighbouring crews "
    "(mutual aid) are held there too, and diversion calms the winter only by sending the "
    "calm Cat 2 response (14-16 min, 90th centile 25-27) below A6/A7; N26's 57 escalation "
    "beds keep the winters calm, but February occupancy then falls below N25"
)
#: West Norfolk's RTT tail: the admitted list is not stationary (section 4b).
_WN_LIST = (
    "the admitted list grows all year (about 4,240 in March 2024 to 5,400-5,600 in March "
    "2025; 52-week waiters about 110 to 610-665): sessions fall short of referrals net of "
    "removals, in both replications alike; no winter lever (home care, escalation beds) "
    "moves it"
)
#: The handover policy before the 45-minute maximum (W18, E50 2025/26): crews wait.
HOLD = (("ed.corridor_care_after_min", None),)
ERA_HOLD = "before the 45-min maximum (crews held)"
ERA_45 = "45-min maximum (W18, 2025-)"


def _held(kpi: str, observed: float, low: float, high: float, source: str, **kw) -> Target:
    """A figure of the era before the 45-minute maximum (compared with a run that holds
    crews until a space is free)."""
    return Target(kpi, observed, low, high, kw.pop("per_day", False), source, HOLD, ERA_HOLD, **kw)


def _response_targets(
    service: str,
    cat1,
    cat2,
    cat2_p90,
    observed: tuple[float, float, float],
    misfit: tuple[str, str, str] = ("", "", ""),
    gap: str = "",
) -> tuple[Target, ...]:
    """Cat 1 / Cat 2 response bands of one ambulance service: the A5-A7 monthly ranges
    of 2020-22 (before the 45-minute maximum); ``observed`` is the median of the
    service's seven monthly values in those rows (C), the E51 standards beside them.
    ``gap`` says why the rows marked ``misfit`` are missed."""
    return (
        _held(
            "ambulance_cat1_mean_min",
            observed[0],
            *cat1,
            f"E51 standard 7 min; A5: {service} Cat 1 monthly means 2020-22, median "
            f"{observed[0]} (range {cat1[0]}-{cat1[1]})",
            misfit=misfit[0],
            gap=gap if misfit[0] else "",
        ),
        _held(
            "ambulance_cat2_mean_min",
            observed[1],
            *cat2,
            f"E51 standard 18 min; A6: {service} Cat 2 monthly means 2020-22, median "
            f"{observed[1]} (range {cat2[0]}-{cat2[1]})",
            misfit=misfit[1],
            gap=gap if misfit[1] else "",
        ),
        _held(
            "ambulance_cat2_p90_min",
            observed[2],
            *cat2_p90,
            f"E51 standard 40 min; A7: {service} Cat 2 90th centiles 2020-22, median "
            f"{observed[2]} (range {cat2_p90[0]}-{cat2_p90[1]})",
            misfit=misfit[2],
            gap=gap if misfit[2] else "",
        ),
    )


#: Ambulance and handover targets by county (issue 19). Each figure belongs to a policy
#: era: before the 45-minute maximum (W18), compared with a run that holds crews until a
#: space is free, or under it (the packaged baseline). ``misfit`` marks a target that
#: stays out of band after calibration (docs/validation.md, section 4c): the CI test
#: checks that it is out in the stated direction, so a change that moves it is seen.
AMBULANCE_TARGETS: dict[str, tuple[Target, ...]] = {
    "worcestershire": (
        Target(
            "ambulance_handover_hours_lost_per_day",
            130.0,
            40.0,
            200.0,
            False,
            "W17: >6,000 h in January (2025) across WAHT + Wye Valley (~4,000 WAHT, D: "
            "~130/day); W56: WMAS 20-41k h/month Aug-Oct 2025 x ~8% WAHT (D): 53-106/day",
            era=ERA_45,
            month=1,
        ),
        _held(
            "ambulance_arrivals",
            153.0,
            140.0,
            180.0,
            "W11: 1,069 (Feb 2020) and 1,122 (Dec 2019) a week at WAHT EDs, 153-160/day",
            per_day=True,
        ),
        _held(
            "ambulance_arrivals_pct",
            29.0,
            24.0,
            34.0,
            "W13: ~29% of all-type attendances by ambulance (D: W11 / W5)",
        ),
        _held(
            "ambulance_arrivals_peak_day",
            172.0,
            154.0,
            300.0,
            "W12: 154 (98 WRH + 56 Alexandra, Jun 2016); W11: busiest day 172 in one Feb "
            "2020 week: the busiest day of a year is at least these (upper D: ~1.8x mean)",
        ),
        _held(
            "ambulance_handover_hours_lost",
            65.0,
            30.0,
            170.0,
            "W17 share (WAHT ~8% of WMAS, D) x W56: 11,822 (Jan 2021), 18,196 (Jan 2022), "
            "24,337 h (Apr 2024) a month = 30-65/day; X18: 44,000 h (Dec 2022) x 12% = 170/day",
            per_day=True,
        ),
        *_response_targets("WMAS", (6.0, 9.5), (12.0, 52.0), (21.0, 126.0), (7.2, 18.6, 37.4)),
        _held(
            "ambulance_handover_within_30min_pct",
            53.4,
            40.0,
            70.0,
            "W16: WAHT handovers within 30 min 53.4% (Dec 2023)",
        ),
        _held(
            "ambulance_handover_over_30min_pct",
            41.0,
            17.7,
            55.0,
            "W14/W15: 17.7% (Feb 2020) and 41% (Dec 2019) over 30 min; W16: 46.6% (Dec 2023)",
        ),
        _held(
            "ambulance_handover_over_60min_pct",
            6.6,
            2.8,
            35.0,
            "W14: 2.8% over 60 min (Feb 2020); E16/E17 England 6.6%, 6-8% (2023); WAHT worse "
            "(W18: waits stepped down from 4 h)",
        ),
    ),
    "west_norfolk": (
        _held(
            "ambulance_arrivals",
            58.0,
            45.0,
            70.0,
            "N19: ~58/day (winter 2017/18), 48/day (w/e 29 Jan 2023)",
            per_day=True,
        ),
        _held(
            "ambulance_arrivals_pct",
            25.0,
            21.0,
            33.0,
            "N20: ~33% (winter 2017/18), ~21% (Jan 2023) of attendances by ambulance",
        ),
        _held(
            "ambulance_handover_hours_lost",
            40.0,
            6.0,
            80.0,
            "N22: 176-324 h/month (Sep-Oct c.2015, 6-11/day); A20: 552 h in a week "
            "(Dec 2022, 79/day)",
            per_day=True,
        ),
        *_response_targets(
            "EEAST",
            (6.5, 11.5),
            (18.0, 57.0),
            (36.0, 123.0),
            (8.1, 32.0, 66.8),
            ("high", "high", "high"),
            gap=_HELD_WINTER,
        ),
        _held(
            "ambulance_handover_over_60min_pct",
            25.0,
            10.0,
            50.0,
            "A20: QEH 25% over 60 min (Nov 2021-Jan 2022), 63% (Dec 2022 week); N21: 46% "
            "(w/e 29 Jan 2023, England 6%, E17); N22: 1.4% c.2012 (another era)",
        ),
        _held(
            "ambulance_handover_over_30min_pct",
            38.0,
            25.0,
            77.0,
            "A20: QEH 38% over 30 min (Nov 2021-Jan 2022), 77% delayed (Dec 2022 week); "
            "E16 England 20.2%",
        ),
    ),
    "leicestershire": (
        _held(
            "ambulance_arrivals",
            185.0,
            165.0,
            205.0,
            "L18: LRI ~172/day (Apr-Oct 2021), 1,355-1,375 a week (~195/day, 2023-25)",
            per_day=True,
        ),
        _held(
            "ambulance_arrivals_pct",
            26.0,
            22.0,
            30.0,
            "L19: ~24% (2021/22), ~27% (2023/24) of attendances by ambulance",
        ),
        _held(
            "ambulance_handover_hours_lost",
            80.0,
            40.0,
            220.0,
            "L21 (X16 caveat): 13,801 h is the EMAS region in Mar 2024 (445/day), not UHL: "
            "UHL's share by arrivals (~18%, D: L18 / A18) is ~80/day; NUH took twice its "
            "share (X16): band 0.5-2.75x the share, below the regional 445/day",
            per_day=True,
        ),
        *_response_targets("EMAS", (7.0, 10.5), (23.0, 72.0), (47.0, 159.0), (8.3, 41.4, 85.9)),
        _held(
            "ambulance_handover_over_60min_pct",
            23.0,
            10.0,
            36.0,
            "L20: UHL 15.8% over 60 min (Apr-Oct 2021), 23% (w/e 26 Nov 2023), 36% (New "
            "Year week 2024/25); E17 England 8.3%",
        ),
        _held(
            "ambulance_handover_over_30min_pct",
            43.0,
            25.0,
            60.0,
            "L20: ~43% over 30 min (w/e 26 Nov 2023, D: 23% + 275 of 1,375); E16 England 20.2%",
        ),
        _held(
            "ambulance_handover_within_15min_pct",
            21.0,
            10.0,
            45.0,
            "L20: UHL 21% within 15 min (Apr-Oct 2021)",
        ),
        _held(
            "ambulance_handover_mean_min",
            38.0,
            25.0,
            70.0,
            "L20: UHL mean handover 38 min (Apr-Oct 2021), 68 min (New Year week 2024/25)",
        ),
    ),
}


#: Exit-block figures the one pooled bed base cannot yet reach (beds by site and
#: specialty group with outlying, issue 17 item 2, are built but off by default).
_POOLED = (
    "exit block: with all G&A beds in one pool a bed frees for the next A&E patient "
    "within minutes at 93-95% occupancy; bed groups by site and specialty (issue 17 "
    "item 2, acute.bed_groups) are built but off in the county files: with them (4 "
    "groups or 26 wards) Worcestershire's DTA share reaches 5-21%, while electives "
    "cancelled on the day leave R1's band, some winters run away, and with crews held "
    "the 999 queue grows all winter (docs/validation.md section 8)"
)
#: Delayed (criteria-to-reside) patients below their band since the ambulance service
#: (issue 19) and the discharge services and winter (issues 16-17) were joined.
_ASSESS = (
    "delayed patients: the assessment and brokerage queue runs at the edge of its "
    "capacity, so one winter in a few runs away (Leicestershire's replications differ "
    "by hundreds of patients) even with staff in whole-time equivalents (issue 16)"
)
#: 12-hour waits from arrival: the A&E stages (item 3) are fitted to E12, whose admitted
#: patients rarely stay 12 h; the long tail needs exit block.
_STAGES = (
    _POOLED + "; the A&E stages are fitted to E12 (item 3), so 12-hour stays come only "
    "from exit block"
)


def _winter_targets(
    dta: tuple[float, float, float, str],
    h12: tuple[float, float, float, int, str] | None,
    trolley: tuple[float, float, float, int, str],
    peak_occ: tuple[float, float, float, int, str] | None = None,
    peak_misfit: str = "",
    trolley_misfit: str = "low",
) -> tuple[Target, ...]:
    """The issue-17 targets of one county: waits over 4 h from decision to admit (FY
    share), 12 hours from arrival and 12-hour trolley waits (a winter month), and the
    winter peak of occupancy."""

    def monthly(kpi: str, spec: tuple[float, float, float, int, str], **kw) -> Target:
        observed, low, high, month, source = spec
        return Target(kpi, observed, low, high, False, source, month=month, **kw)

    out = [
        Target(
            "ed_dta_over_4h_pct", dta[0], dta[1], dta[2], False, dta[3], gap=_POOLED, misfit="low"
        ),
        monthly(
            "ed_trolley_waits_12h",
            trolley,
            gap=_POOLED if trolley_misfit else "",
            misfit=trolley_misfit,
        ),
    ]
    if h12 is not None:
        out.append(monthly("ed_12h_from_arrival_pct", h12, gap=_STAGES, misfit="low"))
    if peak_occ is not None:
        gap = _POOLED if peak_misfit else ""
        out.append(monthly("acute_occupancy_pct", peak_occ, misfit=peak_misfit, gap=gap))
    return tuple(out)


TARGETS: dict[str, tuple[Target, ...]] = {
    "worcestershire": (
        Target(
            "ed_pct_within_4h",
            63.4,
            55.0,
            75.0,
            False,
            "W22: WAHT all-type 4-hour performance FY24/25 63.4% (FY21/22-24/25 64-72%)",
        ),
        Target(
            "acute_occupancy_pct",
            94.0,
            90.0,
            97.0,
            False,
            "W37: G&A occupancy FY23/24 94.2%, FY24/25 94.0% (sitrep)",
        ),
        Target(
            "delayed_patients_mean",
            232.1,
            190.0,
            275.0,
            False,
            "W46: patients not meeting criteria to reside, daily mean FY24/25",
            misfit="low",
            gap=_HOSPITAL_PROCESS,
        ),
        Target(
            "emergency_admissions",
            147.0,
            135.0,
            160.0,
            True,
            "W28: total emergency admissions per day FY24/25 (147; 150-156 earlier)",
        ),
        Target(
            "elective_waiting_list_end",
            15000.0,
            12000.0,
            18000.0,
            False,
            "W33 x 27% (D): admitted-pathway share of the WAHT RTT list",
        ),
    )
    + _winter_targets(
        (
            28.1,
            24.0,
            31.0,
            "W26: WAHT waits >4 h from DTA, share of emergency admissions "
            "FY24/25 28.1% (24.6-30.3% FY21/22-24/25); E22 England 25.3%",
        ),
        (
            21.8,
            15.0,
            25.0,
            12,
            "W24: WAHT 12 h+ from arrival, 21.8% of December 2024 attendances (read as type 1)",
        ),
        (
            167.0,
            100.0,
            250.0,
            1,
            "W25: WAHT 12-hour trolley waits January 2018, 167 (the most in England)",
        ),
        (
            97.3,
            95.0,
            99.5,
            2,
            "W36: WAHT G&A occupancy 97.3% in a February week (2020), above 92% every day",
        ),
        # with the discharge push no winter runs away, and January trolley waits fall
        # below their band with the rest of exit block
        trolley_misfit="low",
    ),
    "west_norfolk": _winter_targets(
        (
            15.8,
            12.0,
            30.0,
            "N18: QEH waits >4 h from DTA, share of emergency admissions "
            "FY24/25 15.8% (24.2-51.4% earlier)",
        ),
        (
            13.6,
            9.0,
            18.0,
            11,
            "X30: QEH 12 h+ from arrival 13.6% of November attendances (QEH: type 1 only)",
        ),
        (
            107.0,
            40.0,
            200.0,
            12,
            "N17: QEH 12-hour trolley waits December 2021, 107 (3 in April 2021)",
        ),
        # N25 came into band (95.0%) when the 2-hour bed turnaround became 45 minutes
        # (issue 17 item 2): checked since.
        (98.0, 95.0, 99.5, 2, "N25: Norfolk winter G&A occupancy ~98% (2017/18)"),
    ),
    "leicestershire": _winter_targets(
        (
            25.4,
            22.0,
            32.0,
            "L13: UHL waits >4 h from DTA, share of emergency admissions "
            "FY24/25 25.4% (26.2-31.2% earlier)",
        ),
        (
            11.8,
            8.0,
            16.0,
            11,
            "X30: LLR 12 h+ from arrival 11.8% of November attendances (read as type 1)",
        ),
        (953.0, 600.0, 1300.0, 12, "L12: UHL 12-hour trolley waits December 2024, 953"),
    ),
}

#: Bed and discharge targets of the counties beyond Worcestershire (issue 16).
DISCHARGE_TARGETS: dict[str, tuple[Target, ...]] = {
    "west_norfolk": (
        Target(
            "acute_occupancy_pct",
            95.1,
            90.0,
            98.0,
            False,
            "N24: QEH G&A occupancy FY24/25 95.1% (97.1-97.9% earlier)",
        ),
        Target(
            "delayed_patients_mean",
            77.7,
            55.0,
            145.0,
            False,
            "N30: QEH NCTR daily mean FY24/25 77.7 (143 in FY22/23-23/24; 56 in 2025)",
        ),
    ),
    "leicestershire": (
        Target(
            "acute_occupancy_pct",
            90.4,
            86.0,
            93.0,
            False,
            "L22: UHL G&A occupancy FY24/25 90.4% (86.8-92.2% 2022-25)",
        ),
        Target(
            "delayed_patients_mean",
            461.5,
            400.0,
            520.0,
            False,
            "L26: UHL NCTR daily mean FY24/25 461.5 (420.7-451.8 2022-25)",
            misfit="low",
            gap=_ASSESS,
        ),
    ),
}
for _county, _targets in DISCHARGE_TARGETS.items():
    TARGETS[_county] = _targets + TARGETS.get(_county, ())


# The ambulance targets join each county's hospital targets.
for _county, _targets in AMBULANCE_TARGETS.items():
    TARGETS[_county] = TARGETS.get(_county, ()) + _targets


def calibration_table(
    res: RunResult, scenario: Scenario, targets: tuple[Target, ...] | None = None
) -> pd.DataFrame:
    """Model mean and 95% CI beside each observed figure, with the acceptance band.

    By default the targets of the scenario's own policy era (those needing no
    overrides). A monthly target is compared with the same calendar month of the run's
    monthly table (the first such month in the reporting period). ``misfit`` and
    ``gap`` mark a target the model is known to miss, and why.
    """
    from flowsim.monthly import monthly_table

    targets = targets or tuple(t for t in TARGETS[scenario.name] if not t.overrides)
    s = summarise(res.kpis).set_index("kpi")
    monthly = None
    rows = []
    for t in targets:
        scale = 1.0 / scenario.run.days if t.per_day else 1.0
        name = t.kpi + ("_per_day" if t.per_day else "")
        if t.month is None:
            r = s.loc[t.kpi]
        else:
            if monthly is None:
                monthly = monthly_table(res.daily)
            m = monthly[
                (monthly["kpi"] == t.kpi) & (monthly["month"].str[5:].astype(int) == t.month)
            ]
            if not len(m):
                continue  # the month is not in the reporting period
            r = m.iloc[0]
            name = f"{t.kpi} ({r['month']})"
        mean = r["mean"] * scale
        rows.append(
            {
                "kpi": name,
                "observed": t.observed,
                "band_low": t.low,
                "band_high": t.high,
                "model_mean": mean,
                "model_ci_low": r["ci_low"] * scale,
                "model_ci_high": r["ci_high"] * scale,
                "within_band": bool(t.low <= mean <= t.high),
                "era": t.era,
                "known_misfit": t.misfit,
                "source": t.source,
                "gap": t.gap,
            }
        )
    return pd.DataFrame(rows)


def calibration_runs(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    progress=None,
    targets: tuple[Target, ...] | None = None,
) -> pd.DataFrame:
    """Run the scenario once per policy era of its targets and compare each figure with
    the run of its era (see :data:`AMBULANCE_TARGETS`).

    Returns the rows of :func:`calibration_table`, the scenario's own era first.
    """
    targets = targets or TARGETS[scenario.name]
    groups: dict[tuple, list[Target]] = {}
    for t in targets:
        groups.setdefault(t.overrides, []).append(t)
    reps = scenario.run.replications if replications is None else replications
    tables = []
    for ov, ts in groups.items():
        scn = scenario.with_overrides(dict(ov)) if ov else scenario
        res = run(scn, replications=reps, seed=seed, jobs=jobs, progress=progress)
        tables.append(calibration_table(res, scn, tuple(ts)))
    return pd.concat(tables, ignore_index=True)


def _num(v: float) -> str:
    """A model or observed figure for the console: one decimal, thousands with commas."""
    if not np.isfinite(v):
        return "-"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.1f}"


def _result(row) -> str:
    """In band, a known misfit on its stated side, or out of band (what to look at)."""
    if not np.isfinite(row.model_mean):
        return "no value"
    if row.within_band:
        moved = f" (known misfit {row.known_misfit} moved in)" if row.known_misfit else ""
        return "in band" + moved
    side = "low" if row.model_mean < row.band_low else "high"
    if not row.known_misfit:
        return f"OUT ({side})"
    if side == row.known_misfit:
        return f"known misfit ({side})"
    return f"OUT ({side}; known misfit was {row.known_misfit})"


def _aligned(rows: list[dict[str, str]], right: tuple[str, ...]) -> list[str]:
    """Rows of text cells as lines under a header: ``right`` columns right-aligned."""
    cols = list(rows[0]) if rows else []
    width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}

    def line(cells: dict[str, str]) -> str:
        return "  ".join(
            cells[c].rjust(width[c]) if c in right else cells[c].ljust(width[c]) for c in cols
        ).rstrip()

    return [line({c: c for c in cols}), *(line(r) for r in rows)]


def format_calibration(table: pd.DataFrame) -> str:
    """The calibration table as console text: one line per target, then each known gap
    once with the targets it explains.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`calibration_table` or :func:`calibration_runs`.

    Returns
    -------
    str
        Columns KPI, observed, band, model mean with its 95% CI (the mean alone when
        one replication gives no interval), result (``in band``, ``known misfit (low)``
        or ``OUT (high)``) and policy era; then the source of every figure; then the
        known gaps, each said once.
    """
    lines = []
    for r in table.itertuples():
        ci = (
            f" [{_num(r.model_ci_low)}, {_num(r.model_ci_high)}]"
            if np.isfinite(r.model_ci_low) and np.isfinite(r.model_ci_high)
            else ""
        )
        lines.append(
            {
                "KPI": r.kpi,
                "observed": _num(r.observed),
                "band": f"{r.band_low:g}-{r.band_high:g}",
                "model [95% CI]": _num(r.model_mean) + ci,
                "result": _result(r),
                "era": r.era,
            }
        )
    out = [*_aligned(lines, right=("observed", "band", "model [95% CI]")), "", "Sources:"]
    out += [f"  {r.kpi}: {r.source}" for r in table.itertuples()]
    gaps: dict[str, list[str]] = {}
    for r in table.itertuples():
        if r.gap:
            gaps.setdefault(r.gap, []).append(r.kpi)
    if gaps:
        out += [
            "",
            "Known gaps (not counted in the exit status; the CI calibration test checks "
            "that each known misfit stays out of band on its stated side):",
        ]
        for gap, kpis in gaps.items():
            out.append(f"  {', '.join(kpis)}: {gap}")
    return "\n".join(out)


def plot_calibration(table: pd.DataFrame, ax=None):
    """Model / observed ratio per target with the model's 95% CI and the band."""
    import matplotlib.pyplot as plt

    if ax is None:  # a row per target, each tall enough for its label
        _, ax = plt.subplots(figsize=(10, max(3.5, 0.3 * len(table) + 1.0)))
    y = np.arange(len(table))
    obs = table["observed"].to_numpy()
    ax.barh(
        y,
        table["band_high"] / obs - table["band_low"] / obs,
        left=table["band_low"] / obs,
        color="lightgrey",
        label="acceptance band",
    )
    ax.errorbar(
        table["model_mean"] / obs,
        y,
        xerr=[
            (table["model_mean"] - table["model_ci_low"]) / obs,
            (table["model_ci_high"] - table["model_mean"]) / obs,
        ],
        fmt="o",
        color="C0",
        capsize=3,
        label="model (95% CI)",
    )
    ax.axvline(1.0, color="C3", linewidth=1, label="observed")
    ax.set_yticks(y)
    ax.set_yticklabels(table["kpi"])
    ax.set_xlabel("model / observed")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax


def fit(
    scenario: Scenario,
    bounds: Mapping[str, tuple[float, float]],
    targets: Mapping[str, float],
    replications: int = 3,
    seed: int | None = None,
    jobs: int = 1,
    max_evals: int = 40,
) -> tuple[dict[str, float], pd.DataFrame]:
    """Fit dotted keys within bounds so that KPI means match the targets.

    Parameters are searched on [0, 1] (scaled to their bounds) by Nelder-Mead from the
    scenario's current values; each evaluation runs ``replications`` with fixed seeds.
    Keys whose current value is an integer (A&E spaces, beds) are rounded at each
    trial point, which makes the objective a step function in them: give such keys
    bounds wide enough that a step of one is small. Returns the best overrides and the
    trace of evaluations. Raises ValueError listing every unknown key, non-numeric
    key, empty bound or unknown KPI.
    """
    keys = list(bounds)
    raw = scenario.to_dict()

    def current(key: str):
        node = raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    problems = []
    for k in keys:
        v = current(k)
        if isinstance(v, bool) or not isinstance(v, int | float):
            problems.append(f"--fit {k}: current value {v!r} is not a number")
        if not bounds[k][0] < bounds[k][1]:
            problems.append(f"--fit {k}: bounds {bounds[k]} must have LO < HI")
    unknown = sorted(set(targets) - set(BY_NAME))
    problems += [f"--target {k}: not a KPI name (see `flowsim kpis`)" for k in unknown]
    problems += [f"--target {k}={v}: target must be non-zero" for k, v in targets.items() if v == 0]
    if problems:
        raise ValueError("cannot fit:\n  - " + "\n  - ".join(problems))
    integer = {k: isinstance(current(k), int) for k in keys}
    lo = np.array([bounds[k][0] for k in keys], dtype=float)
    hi = np.array([bounds[k][1] for k in keys], dtype=float)
    x0 = np.clip((np.array([float(current(k)) for k in keys]) - lo) / (hi - lo), 0, 1)
    trace = []

    def objective(z: np.ndarray) -> float:
        z = np.clip(z, 0, 1)
        values = {
            k: int(round(v)) if integer[k] else float(v)
            for k, v in zip(keys, lo + z * (hi - lo), strict=True)
        }
        scn = scenario.with_overrides(values)
        res = run(scn, replications=replications, seed=seed, jobs=jobs)
        means = res.kpis.groupby("kpi")["value"].mean()
        err = sum(((means[k] - v) / v) ** 2 for k, v in targets.items())
        trace.append({**values, **{f"model_{k}": means[k] for k in targets}, "loss": err})
        return err

    optimize.minimize(
        objective,
        x0,
        method="Nelder-Mead",
        options={"maxfev": max_evals, "xatol": 1e-3, "fatol": 1e-5},
    )
    tr = pd.DataFrame(trace)
    best = tr.loc[tr["loss"].idxmin()]
    return {k: int(best[k]) if integer[k] else float(best[k]) for k in keys}, tr


#: Elective (RTT) targets of issue 18, per county. The model list is the admitted
#: pathway list (D: ~27% of the trust's RTT list); its 18-week share and waits are
#: compared with the trust's whole-list figures, and long-wait counts with the trust's
#: count scaled by that share where only a trust total exists (D, said in each note).
ELECTIVE_TARGETS: dict[str, tuple[Target, ...]] = {
    "worcestershire": (
        Target(
            "elective_pct_within_18w",
            52.0,
            45.0,
            60.0,
            False,
            "W33: ~52% within 18 weeks (May 2021); R7 54% (Jul 2021); E48 England 57.2% (2024)",
        ),
        Target(
            "elective_median_wait_weeks",
            19.5,
            15.0,
            24.0,
            False,
            "W33: median wait 19 weeks (Jan 2022), 20 weeks (Feb 2022)",
        ),
        Target(
            "elective_52w_waiters",
            1600.0,
            400.0,
            2500.0,
            False,
            "R7: 10.8% of the WAHT list over 52 weeks (Jul 2021) x 15,000 (D); R3 England 4%",
        ),
        Target(
            "elective_cancellation_pct",
            1.0,
            0.3,
            3.0,
            False,
            "R1: 0.8-1.1% of elective activity cancelled on the day, non-clinical; X36",
        ),
    ),
    "west_norfolk": (
        Target(
            "elective_pct_within_18w",
            55.3,
            48.0,
            63.0,
            False,
            "N36: QEH 55.3% within 18 weeks (Oct 2024)",
        ),
        Target(
            "elective_p92_wait_weeks",
            42.0,
            32.0,
            60.0,
            False,
            "X34: QEH 92nd centile 42 weeks (Oct 2024)",
            misfit="high",
            gap=_WN_LIST,
        ),
        Target(
            "elective_52w_waiters",
            597.0,
            100.0,
            900.0,
            False,
            "N36: 609 (Jun 2024) and 585 (Nov 2024) over 52 weeks on the whole QEH list",
        ),
        Target(
            "elective_waiting_list_end",
            3350.0,
            2500.0,
            6000.0,
            False,
            "N36: ~12,400 QEH pathways (2020) x 27% (D); N37 is the whole ICB",
        ),
        Target(
            "elective_cancellation_pct",
            1.0,
            0.3,
            3.0,
            False,
            "R1: 0.8-1.1% of elective activity cancelled on the day, non-clinical; X36",
        ),
    ),
    "leicestershire": (
        Target(
            "elective_pct_within_18w",
            55.0,
            47.0,
            62.0,
            False,
            "L37: UHL 57.3% (Nov 2024), 52.7% (Nov 2025); X38 LLR 54.8%",
        ),
        Target(
            "elective_52w_waiters",
            1160.0,
            300.0,
            2500.0,
            False,
            "R6: UHL 3.9% over 52 weeks (Jan 2024) x ~30,000 admitted pathways (D)",
        ),
        Target(
            "elective_waiting_list_end",
            30000.0,
            18000.0,
            36000.0,
            False,
            "R6: UHL 111,037 (May 2024) x 27% (D); L38 ICB 129,787 (Feb 2025)",
        ),
        Target(
            "elective_cancellation_pct",
            1.0,
            0.2,
            3.0,
            False,
            "R1: 0.8-1.1% of elective activity cancelled on the day, non-clinical; X36",
        ),
    ),
}
for _county, _targets in ELECTIVE_TARGETS.items():
    TARGETS[_county] = TARGETS.get(_county, ()) + _targets


#: Why mental-health waits in A&E stay below M1-M3 (issue 17 item 3): only the wait for
#: a local MH bed is modelled.
_MH_WAITS = (
    "mental-health waits: only the wait for a local MH bed is modelled; waits for MH "
    "assessment (liaison psychiatry, Mental Health Act assessment), medical clearance and "
    "beds out of area are not, and with ~450 MH admissions a year against ~6,800 MH "
    "attendances (M9, M4) few MH attendances can be waiting for a local bed"
)


def _mh_targets(occupancy: tuple[float, float, float, str]) -> tuple[Target, ...]:
    """The mental-health targets of one county: 12- and 24-hour waits in A&E (England
    rows, known misfits) and the MH trust's bed occupancy.

    The occupancy bands are wide: a pool of 20-110 beds with 40-day stays moves by about
    6 points from one simulated year to the next (Poisson admissions: the number in beds
    has a standard deviation of about the square root of its mean, and a year holds only
    nine or ten stays' worth of independent variation), as the published quarters do (M7:
    90.4% and 94.4% in one year)."""
    return (
        Target(
            "ed_mh_12h_pct",
            23.0,
            15.0,
            30.0,
            False,
            "M2: 23% of MH patients in A&E 12 h or more (England, 2023); M1: 20% (2022/23)",
            misfit="low",
            gap=_MH_WAITS,
        ),
        Target(
            "ed_mh_24h_pct",
            9.0,
            5.0,
            15.0,
            False,
            "M3: 9% of MH attendances over 24 h (England, October 2025)",
            misfit="low",
            gap=_MH_WAITS,
        ),
        Target("mh_bed_occupancy_pct", *occupancy[:3], False, occupancy[3]),
    )


#: A&E process, SDEC and mental-health targets of issue 17 item 3, per county.
ED_PROCESS_TARGETS: dict[str, tuple[Target, ...]] = {
    "worcestershire": (
        Target(
            "ed_admitted_median_time_min",
            234.0,
            210.0,
            260.0,
            False,
            "E12: median ED time of patients later admitted, 234 min (IQR 185-342; England "
            "HES 2016-18; the stage times are Worcestershire's, inherited by the others)",
        ),
        Target(
            "ed_admitted_mean_time_min",
            291.0,
            250.0,
            330.0,
            False,
            "E12: mean ED time of patients later admitted, 291 min (England HES 2016-18)",
        ),
    )
    + _mh_targets((92.4, 78.0, 99.0, "M7: HWHCT mental-illness beds 90.4-94.4% (2021/22)")),
    "west_norfolk": _mh_targets(
        (89.0, 75.0, 99.0, "M8: NSFT mental-illness beds 86.6-91.3% (2021/22)")
    ),
    "leicestershire": _mh_targets(
        (
            93.0,
            80.0,
            99.0,
            "M11: LPT Bradgate Unit at OPEL 3 93% of the time, winter 2024/25 (D: occupancy "
            "~90-95%; M6: RCPsych maximum 85%)",
        )
    ),
}
for _county, _targets in ED_PROCESS_TARGETS.items():
    TARGETS[_county] = TARGETS.get(_county, ()) + _targets
