"""KPI definitions: from a Replication's records to named numbers.

Every KPI counts only the reporting period, ``[warm-up end, run end)``. Events
still in progress when the run ends are censored at the end time, as stated per
KPI. Names are stable snake_case and are the columns users rely on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flowsim.config import Scenario
from flowsim.kpis import KPI_INFO, KPI_NAMES  # noqa: F401  (re-exported: the KPI table)
from flowsim.records import (
    CARE_HOME,
    HOME_CARE,
    KIND_DIRECT,
    KIND_ED,
    SRC_ACUTE,
    SRC_COMMUNITY,
    Replication,
)

MIN_PER_DAY = 1440.0
FOUR_HOURS = 240.0
TWELVE_HOURS = 720.0
WEEK_MIN = 7 * MIN_PER_DAY


def _overlap_days(start: np.ndarray, end: np.ndarray, w0: float, w1: float) -> float:
    """Total days of [start, end) inside [w0, w1); a missing end is censored at w1."""
    end = np.where(np.isnan(end), w1, end)
    ok = ~np.isnan(start)
    lo = np.maximum(start[ok], w0)
    hi = np.minimum(end[ok], w1)
    return float(np.clip(hi - lo, 0.0, None).sum() / MIN_PER_DAY)


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if x.size else float("nan")


def _window_census(rep: Replication) -> pd.DataFrame:
    c = rep.census
    d0 = rep.warmup_min / MIN_PER_DAY
    d1 = rep.end_min / MIN_PER_DAY
    return c[(c["day"] >= d0) & (c["day"] < d1)]


def ed_kpis(rep: Replication, handover_target_min: float) -> dict[str, float]:
    """A&E and ambulance KPIs.

    - ``ed_attendances``: arrivals in the period (NHS "A&E attendances").
    - ``ed_pct_within_4h``: percentage of attendances with total time in department
      (arrival to departure: discharge, admission or transfer) of 4 hours or less, the
      NHS 4-hour standard. Attendances still in the department at the end are
      counted as breaches if already over 4 h, and left out otherwise.
    - ``ed_mean_time_in_dept_h`` / ``ed_p95_time_in_dept_h``: over departed attendances.
    - ``ed_12h_from_arrival``: type 1 attendances over 12 h from arrival (censored ones
      count once they pass 12 h), the NHS "12 hours from arrival" measure.
    - ``ed_type1_attendances`` / ``ed_type1_pct_within_4h``: the same counts for the
      type 1 department alone (all attendances but the type 3 units').
    - ``ed_trolley_waits_12h``: decision to admit to admission over 12 h (NHS "12-hour
      trolley waits"); ``ed_dta_waits_4h`` the same over 4 h.
    - ``ambulance_handover_mean_min``: arrival at hospital to completed handover.
    - ``ambulance_handover_hours_lost``: sum of handover time beyond 15 min, in hours.
    - ``ed_corridor_care_pct``: majors attendances (ambulance and walk-in) who waited
      ``ed.corridor_care_after_min`` without a space and were treated in a corridor
      or other non-clinical area, as a percentage of majors attendances.
    """
    e = rep.ed
    w0, w1 = rep.warmup_min, rep.end_min
    m = (e["arrival"] >= w0) & (e["arrival"] < w1)
    arr, dep, dta = e["arrival"][m], e["depart"][m], e["dta"][m]
    gone = ~np.isnan(dep)
    tid = np.where(gone, dep - arr, w1 - arr)
    known = gone | (tid > FOUR_HOURS)
    within = gone & (tid <= FOUR_HOURS)
    trolley = np.where(np.isnan(dep), w1, dep) - dta
    amb = e["ambulance"][m]
    ho = e["handover"][m][amb] - arr[amb]
    ho = ho[~np.isnan(ho)]
    majors = e["majors"][m]
    corridor = e["corridor"][m][majors]
    t1 = ~e["type3"][m]
    return {
        "ed_attendances": float(m.sum()),
        "ed_pct_within_4h": 100.0 * within.sum() / known.sum() if known.any() else float("nan"),
        "ed_type1_attendances": float(t1.sum()),
        "ed_type1_pct_within_4h": 100.0 * within[t1].sum() / known[t1].sum()
        if known[t1].any()
        else float("nan"),
        "ed_mean_time_in_dept_h": _mean(tid[gone]) / 60.0,
        "ed_p95_time_in_dept_h": float(np.percentile(tid[gone], 95)) / 60.0
        if gone.any()
        else float("nan"),
        "ed_12h_from_arrival": float((tid[t1] > TWELVE_HOURS).sum()),
        "ed_trolley_waits_12h": float(np.nansum(trolley > TWELVE_HOURS)),
        "ed_dta_waits_4h": float(np.nansum(trolley > FOUR_HOURS)),
        "ambulance_handover_mean_min": _mean(ho),
        "ambulance_handover_hours_lost": float(
            np.clip(ho - handover_target_min, 0, None).sum() / 60.0
        ),
        "ambulance_handover_over_60min_pct": 100.0 * _mean((ho > 60.0).astype(float))
        if ho.size
        else float("nan"),
        "ed_corridor_care_pct": 100.0 * _mean(corridor.astype(float))
        if corridor.size
        else float("nan"),
    }


def _centile(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else float("nan")


def ambulance_kpis(rep: Replication, scn: Scenario) -> dict[str, float]:
    """Corridor, handover-distribution and ambulance service KPIs.

    - ``ed_corridor_hours``: time from the move to the corridor / handover area to
      leaving A&E, summed over attendances arriving in the period (censored at the end).
    - ``ed_corridor_over_1h`` / ``_4h`` / ``_12h``: those corridor stays over 1, 4, 12 h.
    - ``ambulance_handover_within_15min_pct`` / ``within_30min`` / ``over_30min``:
      arrival at A&E to handover, as a share of completed handovers (NHS handover
      statistics; the over-60 share is :func:`ed_kpis`).
    - ``ambulance_cat1_mean_min`` ... ``cat2_p90_min``: call to crew on scene, over
      incidents called in the period that got a response (AmbSYS response times; the
      clock starts at the call, not at categorisation). NaN without the service.
    - ``ambulance_incidents``, ``ambulance_conveyed_pct``: incidents called in the
      period; the share conveyed to A&E.
    - ``ambulance_crew_utilisation_pct``: crew minutes on jobs (dispatch to clear,
      clipped to the period) / rostered crew minutes in the period.
    - ``ambulance_crew_hours_at_hospital``: arrival at A&E to handover, summed, hours.
    - ``ambulance_arrivals``, ``ambulance_arrivals_pct``, ``ambulance_arrivals_peak_day``:
      attendances in the period arriving by ambulance; their share of attendances; the
      most on one day of the period.
    """
    e = rep.ed
    w0, w1 = rep.warmup_min, rep.end_min
    m = (e["arrival"] >= w0) & (e["arrival"] < w1)
    cor = m & e["corridor"]
    dep = np.where(np.isnan(e["depart"][cor]), w1, e["depart"][cor])
    stay = dep - e["corridor_from"][cor]
    amb = m & e["ambulance"]
    ho = e["handover"][amb] - e["arrival"][amb]
    waiting = np.isnan(ho)
    at_hosp = np.where(waiting, w1 - e["arrival"][amb], ho)
    ho = ho[~waiting]

    def share(x: np.ndarray) -> float:
        return 100.0 * _mean(x.astype(float)) if x.size else float("nan")

    day = ((e["arrival"][amb] - w0) // MIN_PER_DAY).astype(np.int64)
    k = {
        "ambulance_arrivals": float(amb.sum()),
        "ambulance_arrivals_pct": 100.0 * float(amb.sum()) / float(m.sum())
        if m.any()
        else float("nan"),
        "ambulance_arrivals_peak_day": float(np.bincount(day).max()) if day.size else 0.0,
        "ed_corridor_hours": float(stay.sum() / 60.0),
        "ed_corridor_over_1h": float((stay > 60.0).sum()),
        "ed_corridor_over_4h": float((stay > FOUR_HOURS).sum()),
        "ed_corridor_over_12h": float((stay > TWELVE_HOURS).sum()),
        "ambulance_handover_within_15min_pct": share(ho <= 15.0),
        "ambulance_handover_within_30min_pct": share(ho <= 30.0),
        "ambulance_handover_over_30min_pct": share(ho > 30.0),
    }
    a = rep.ambulance
    sv = scn.ambulance.service
    if a is None or sv is None or a["call"].size == 0:
        nan = float("nan")
        k.update(
            {
                "ambulance_cat1_mean_min": nan,
                "ambulance_cat1_p90_min": nan,
                "ambulance_cat2_mean_min": nan,
                "ambulance_cat2_p90_min": nan,
                "ambulance_incidents": 0.0,
                "ambulance_conveyed_pct": nan,
                "ambulance_crew_utilisation_pct": nan,
                "ambulance_crew_hours_at_hospital": float(at_hosp.sum() / 60.0),
            }
        )
        return k
    im = (a["call"] >= w0) & (a["call"] < w1)
    resp = a["at_scene"] - a["call"]
    for cat in (1, 2):
        x = resp[im & (a["category"] == cat)]
        x = x[~np.isnan(x)]
        k[f"ambulance_cat{cat}_mean_min"] = _mean(x)
        k[f"ambulance_cat{cat}_p90_min"] = _centile(x, 90)
    k["ambulance_incidents"] = float(im.sum())
    k["ambulance_conveyed_pct"] = share(a["outcome"][im] == 2)
    busy_from = np.maximum(a["dispatch"], w0)
    busy_to = np.minimum(np.where(np.isnan(a["clear"]), w1, a["clear"]), w1)
    busy = np.clip(busy_to - busy_from, 0.0, None)
    if "mutual_aid" in a:  # neighbouring crews are not on the local roster
        busy = busy[~a["mutual_aid"]]
    rostered = sum(sv.crews_by_hour) * 60.0 * (w1 - w0) / MIN_PER_DAY
    k["ambulance_crew_utilisation_pct"] = (
        100.0 * float(np.nansum(busy)) / rostered if rostered > 0 else float("nan")
    )
    k["ambulance_crew_hours_at_hospital"] = float(at_hosp.sum() / 60.0)
    return k


def acute_kpis(rep: Replication) -> dict[str, float]:
    """Acute bed KPIs.

    - ``acute_occupancy_pct``: G&A beds occupied at the midnight census as a
      percentage of beds available (KH03 definition), summed over the period.
    - ``emergency_admissions`` / ``elective_admissions``: admissions in the period.
    - ``emergency_diversions``: direct admissions diverted for want of a bed (only when
      ``acute.divert_direct_when_full``).
    - ``delayed_discharge_bed_days``: bed-days used by patients who no longer meet
      the criteria to reside (from medically fit to leaving), within the period.
    - ``delayed_patients_mean``: mean midnight count of such patients (NHS "patients
      not meeting the criteria to reside who remain in hospital").
    - ``discharge_delay_mean_days`` (and ``_p0``..``_p3`` by pathway): mean time from
      medically fit to leaving, over patients who left in the period.
    - ``acute_outlier_pct``: emergency admissions in the period placed in a bed of
      another group than their home group (bed groups only), % of emergency admissions.
    - ``outlier_bed_days``: patients in another group's bed at the midnight census,
      summed over the period's days.
    """
    a = rep.acute
    w0, w1 = rep.warmup_min, rep.end_min
    c = _window_census(rep)
    em = np.isin(a["kind"], (KIND_ED, KIND_DIRECT)) & (a["admit"] >= w0) & (a["admit"] < w1)
    el = rep.elective["admit_t"]
    left = (a["leave"] >= w0) & (a["leave"] < w1)
    delay = (a["leave"] - a["fit"]) / MIN_PER_DAY
    out = {
        "acute_occupancy_pct": 100.0
        * c["acute_occupied"].sum()
        / max(c["acute_beds_available"].sum(), 1),
        "emergency_admissions": float(em.sum()),
        "emergency_diversions": float(((a["diverted"] >= w0) & (a["diverted"] < w1)).sum()),
        "elective_admissions": float(((el >= w0) & (el < w1)).sum()),
        "delayed_discharge_bed_days": _overlap_days(a["fit"], a["leave"], w0, w1),
        "delayed_patients_mean": float(c["acute_delayed"].mean()) if len(c) else float("nan"),
        "discharge_delay_mean_days": _mean(delay[left]),
    }
    for p in range(4):
        out[f"discharge_delay_mean_days_p{p}"] = _mean(delay[left & (a["pathway"] == p)])
    n_em = int(em.sum())
    out["acute_outlier_pct"] = (
        100.0 * float(a["outlier"][em].sum()) / n_em if n_em else float("nan")
    )
    out["outlier_bed_days"] = float(c["acute_outliers"].sum())
    return out


def elective_kpis(rep: Replication) -> dict[str, float]:
    """Elective KPIs at the end of the period (RTT incomplete-pathway measures).

    - ``elective_waiting_list_end``: patients on the admitted-pathway list.
    - ``elective_pct_within_18w``: of those, the percentage waiting under 18 weeks
      since clock start (the RTT incomplete-pathways standard, 92%).
    - ``elective_52w_waiters``: of those, waiting 52 weeks or more.
    - ``elective_cancellations``: operations cancelled on the day for want of a bed.
    - ``elective_median_wait_weeks`` / ``elective_p92_wait_weeks``: median and 92nd
      centile of the time waited so far by those on the list (RTT incomplete pathways).
    - ``elective_65w_waiters`` / ``elective_78w_waiters``: waiting 65 / 78 weeks or more.
    - ``elective_cancellation_pct``: on-the-day cancellations per 100 elective
      admissions in the period (R1 counts them against all elective activity).
    - ``elective_removals``: clock stops other than treatment in the period.
    - ``elective_list_p2_end`` ... ``_p4_end``: the list at period end by priority.
    - ``elective_treated_median_wait_weeks``: median RTT wait of the pathways treated
      in the period (admitted clock stops; planned cases excluded).
    """
    el = rep.elective
    w0, w1 = rep.warmup_min, rep.end_min
    waited = w1 - el["list_clock_end"]
    ct = el["cancel_t"]
    at = el["admit_t"]
    n_adm = float(((at >= w0) & (at < w1)).sum())
    n_cancel = float(((ct >= w0) & (ct < w1)).sum())
    rt = el.get("removal_t", np.empty(0))
    pri = el.get("list_priority_end", np.empty(0, dtype=np.int64))
    nan = float("nan")
    treated = ((at >= w0) & (at < w1)) & (el.get("admit_priority", np.ones(at.size)) > 0)
    done = (at - el["admit_clock"])[treated]
    return {
        "elective_waiting_list_end": float(waited.size),
        "elective_pct_within_18w": 100.0 * _mean((waited < 18 * WEEK_MIN).astype(float))
        if waited.size
        else nan,
        "elective_median_wait_weeks": float(np.median(waited)) / WEEK_MIN if waited.size else nan,
        "elective_p92_wait_weeks": float(np.quantile(waited, 0.92)) / WEEK_MIN
        if waited.size
        else nan,
        "elective_52w_waiters": float((waited >= 52 * WEEK_MIN).sum()),
        "elective_65w_waiters": float((waited >= 65 * WEEK_MIN).sum()),
        "elective_78w_waiters": float((waited >= 78 * WEEK_MIN).sum()),
        "elective_cancellations": n_cancel,
        "elective_cancellation_pct": 100.0 * n_cancel / n_adm if n_adm else nan,
        "elective_removals": float(((rt >= w0) & (rt < w1)).sum()),
        "elective_list_p2_end": float((pri == 2).sum()),
        "elective_list_p3_end": float((pri == 3).sum()),
        "elective_list_p4_end": float((pri == 4).sum()),
        "elective_treated_median_wait_weeks": float(np.median(done)) / WEEK_MIN
        if done.size
        else nan,
    }


def community_social_kpis(rep: Replication) -> dict[str, float]:
    """Community hospital and social care KPIs.

    - ``community_occupancy_pct``: midnight-census occupancy of community beds.
    - ``community_delayed_bed_days``: community bed-days after medically fit.
    - ``home_care_wait_mean_days`` / ``care_home_wait_mean_days``: mean time from
      request to the package/place being available, for hospital and community
      discharges whose wait ended in the period (background demand excluded).
    - ``home_care_waiting_mean`` / ``care_home_waiting_mean``: mean midnight census
      of everyone waiting for a package/place, hospital discharges and people in the
      community alike (the council's unmet-need queue). A census rather than a mean
      wait, because community waits still open at the period end would be censored.
    """
    c = _window_census(rep)
    cm, s = rep.community, rep.social
    w0, w1 = rep.warmup_min, rep.end_min
    disc = np.isin(s["source"], (SRC_ACUTE, SRC_COMMUNITY)) & (s["start"] >= w0) & (s["start"] < w1)
    wait = (s["start"] - s["request"]) / MIN_PER_DAY
    return {
        "community_occupancy_pct": 100.0 * c["community_occupied"].sum() / c["community_beds"].sum()
        if len(c) and c["community_beds"].sum() > 0
        else float("nan"),
        "community_delayed_bed_days": _overlap_days(cm["fit"], cm["leave"], w0, w1),
        "home_care_wait_mean_days": _mean(wait[disc & (s["service"] == HOME_CARE)]),
        "care_home_wait_mean_days": _mean(wait[disc & (s["service"] == CARE_HOME)]),
        "home_care_waiting_mean": _mean(c["home_care_queue"].to_numpy(float)),
        "care_home_waiting_mean": _mean(c["care_home_queue"].to_numpy(float)),
    }


def winter_kpis(rep: Replication, k: dict[str, float]) -> dict[str, float]:
    """Exit block shares and winter pressure (issue 17).

    - ``ed_dta_over_4h_pct``: ``ed_dta_waits_4h`` as a share of all emergency admissions
      in the period (via A&E and direct), the NHS sitrep definition (W26, E22, L13).
    - ``ed_12h_from_arrival_pct``: ``ed_12h_from_arrival`` as a share of type 1
      attendances (W24; NHS England's ECDS measure is of type 1 attendances, and type 3
      attendances do not stay 12 hours).
    - ``escalation_days`` / ``escalation_bed_days``: midnights escalated, and escalation
      beds open at midnight, summed over the period.
    - ``outbreak_beds_closed_mean``: mean midnight count of beds closed by outbreaks.
    """
    c = _window_census(rep)
    em, att = k["emergency_admissions"], k["ed_type1_attendances"]
    return {
        "ed_dta_over_4h_pct": 100.0 * k["ed_dta_waits_4h"] / em if em > 0 else float("nan"),
        "ed_12h_from_arrival_pct": 100.0 * k["ed_12h_from_arrival"] / att
        if att > 0
        else float("nan"),
        "escalation_days": float(c["acute_escalated"].sum()),
        "escalation_bed_days": float(c["acute_escalation_beds_open"].sum()),
        "outbreak_beds_closed_mean": _mean(c["acute_beds_closed"].to_numpy(float)),
    }


def _empty_escalation_bed_days(c: pd.DataFrame) -> float:
    """Escalation beds open but empty at midnight, summed (occupied ones are already
    charged as occupied bed-days; empty beds are taken to be escalation beds first)."""
    free = (c["acute_beds_available"] - c["acute_occupied"]).clip(lower=0)
    return float(np.minimum(c["acute_escalation_beds_open"], free).sum())


def cost_kpis(rep: Replication, scn: Scenario, k: dict[str, float]) -> dict[str, float]:
    """Costs over the period, in pounds.

    ``cost_total_gbp`` = occupied acute and community bed-days (midnight census)
    x bed-day costs + A&E attendances x attendance cost + home care packages in
    use x daily cost + care-home places in use x weekly fee / 7 + the annual cost
    of applied interventions pro rata + escalation beds open but empty at midnight x
    acute bed-day cost (staffed for the days they are open, and only those: an
    escalation never triggered in the period costs nothing) + escalated midnights x
    the extra assessors of the discharge push x their daily cost.
    ``cost_delayed_bed_days_gbp`` = acute delayed bed-days x acute bed-day cost.
    """
    co = scn.costs
    c = _window_census(rep)
    total = (
        c["acute_occupied"].sum() * co.acute_bed_day_gbp
        + c["community_occupied"].sum() * co.community_bed_day_gbp
        + k["ed_attendances"] * co.ed_attendance_gbp
        + c["home_care_in_use"].sum() * co.home_care_package_day_gbp
        + c["care_home_in_use"].sum() * co.care_home_week_gbp / 7.0
        + scn.intervention_cost_gbp_per_year * scn.run.days / 365.0
        + _empty_escalation_bed_days(c) * co.acute_bed_day_gbp
        + c["acute_escalated"].sum()
        * scn.acute.escalation_extra_assessors
        * co.escalation_assessor_day_gbp
    )
    return {
        "cost_total_gbp": float(total),
        "cost_delayed_bed_days_gbp": k["delayed_discharge_bed_days"] * co.acute_bed_day_gbp,
    }


def _unmet_need_admissions(rep: Replication) -> int:
    """Acute spells in the period opened by unmet-need candidates (their ids)."""
    pid0 = rep.meta.get("unmet_need_pid0", 0)
    n = rep.meta.get("unmet_need_candidates", 0)
    if not n:
        return 0
    a = rep.acute
    pid, req = a["patient_id"], a["request"]
    m = (pid >= pid0) & (pid < pid0 + n) & (req >= rep.warmup_min) & (req < rep.end_min)
    return int(m.sum())


def discharge_kpis(rep: Replication) -> dict[str, float]:
    """Discharge-service KPIs (issue 16).

    - ``delayed_share_awaiting_social_care_pct``: acute bed-days between the request
      for home care, reablement or a care-home place and its grant (pathways 1 and 3),
      as a share of all acute delayed bed-days in the period.
    - ``assessment_waiting_mean``, ``reablement_community_waiting_mean``,
      ``community_step_up_waiting_mean``, ``home_care_community_waiting_mean``: mean
      midnight census of each queue.
    - ``reablement_utilisation_pct``: places in use or held / places, at midnight.
    - ``emergency_los_mean_days``: mean admission-to-leaving time of emergency spells
      (via A&E or direct) that ended in the period.
    - ``beds_occupied_21plus_pct``: acute bed-days in the period used by patients
      from their 21st day in hospital, as a share of all occupied bed-days.
    - ``same_day_discharge_p1p2_pct``: pathway 1-2 patients leaving in the period on
      the calendar day they became medically fit.
    - ``d2a_waiting_mean``, ``community_bed_waiting_from_acute_mean``,
      ``chc_waiting_mean``: mean midnight census of hospital patients waiting for a D2A
      bed, a community hospital bed, a CHC assessor.
    - ``unmet_need_waiting_mean``, ``unmet_need_admissions``: people at home waiting
      for home care, reablement or a step-up bed (midnight mean), and the emergency
      admissions in the period they generated.
    - ``delayed_share_awaiting_care_home_pct``, ``delayed_share_awaiting_p2_bed_pct``:
      acute bed-days between request and grant of pathway 3 (pathway 2) patients, as a
      share of all acute delayed bed-days.
    """
    a = rep.acute
    w0, w1 = rep.warmup_min, rep.end_min
    c = _window_census(rep)
    delayed = _overlap_days(a["fit"], a["leave"], w0, w1)
    social = np.isin(a["pathway"], (1, 3))
    waiting = _overlap_days(a["referred"][social], a["granted"][social], w0, w1)
    p3, p2 = a["pathway"] == 3, a["pathway"] == 2
    waiting_p3 = _overlap_days(a["referred"][p3], a["granted"][p3], w0, w1)
    waiting_p2 = _overlap_days(a["referred"][p2], a["granted"][p2], w0, w1)
    left = (a["leave"] >= w0) & (a["leave"] < w1)
    em = np.isin(a["kind"], (KIND_ED, KIND_DIRECT)) & left
    occupied = _overlap_days(a["admit"], a["leave"], w0, w1)
    long_stay = _overlap_days(a["admit"] + 21 * MIN_PER_DAY, a["leave"], w0, w1)
    p12 = left & np.isin(a["pathway"], (1, 2))
    same_day = (a["leave"] // MIN_PER_DAY) == (a["fit"] // MIN_PER_DAY)

    def census_mean(col: str) -> float:
        return _mean(c[col].to_numpy(float)) if col in c and len(c) else float("nan")

    cap = c["reablement_capacity"].sum() if "reablement_capacity" in c else 0
    return {
        "delayed_share_awaiting_social_care_pct": 100.0 * waiting / delayed
        if delayed > 0
        else float("nan"),
        "assessment_waiting_mean": census_mean("assessment_queue"),
        "reablement_utilisation_pct": 100.0 * c["reablement_in_use"].sum() / cap
        if cap > 0
        else float("nan"),
        "reablement_community_waiting_mean": census_mean("reablement_queue_community"),
        "community_step_up_waiting_mean": census_mean("community_step_up_queue"),
        "home_care_community_waiting_mean": census_mean("home_care_queue_community"),
        "emergency_los_mean_days": _mean((a["leave"] - a["admit"])[em] / MIN_PER_DAY),
        "beds_occupied_21plus_pct": 100.0 * long_stay / occupied if occupied > 0 else float("nan"),
        "same_day_discharge_p1p2_pct": 100.0 * _mean(same_day[p12].astype(float))
        if p12.any()
        else float("nan"),
        "d2a_waiting_mean": census_mean("d2a_queue"),
        "community_bed_waiting_from_acute_mean": census_mean("community_queue_hospital"),
        "chc_waiting_mean": census_mean("chc_queue"),
        "unmet_need_waiting_mean": census_mean("unmet_need_waiting"),
        "unmet_need_admissions": float(_unmet_need_admissions(rep)),
        "delayed_share_awaiting_care_home_pct": 100.0 * waiting_p3 / delayed
        if delayed > 0
        else float("nan"),
        "delayed_share_awaiting_p2_bed_pct": 100.0 * waiting_p2 / delayed
        if delayed > 0
        else float("nan"),
    }


def ed_process_kpis(rep: Replication, k: dict[str, float]) -> dict[str, float]:
    """A&E process, SDEC and mental-health KPIs (issue 17 item 3).

    - ``ed_admitted_median_time_min`` / ``ed_admitted_mean_time_min``: arrival to
      departure of attendances in the period that were admitted to an acute bed and had
      left A&E by the end (E12).
    - ``sdec_managed``: patients taken by SDEC in the period (running census totals at
      the period's first and last midnight); ``sdec_same_day_pct`` their share of SDEC
      plus emergency admissions; ``sdec_utilisation_pct`` chair-minutes used / open.
    - ``ed_mh_attendances``: mental-health attendances; ``ed_mh_12h_pct`` and
      ``ed_mh_24h_pct`` those over 12 h / 24 h in A&E (censored ones count once past the
      limit) as a share of them (M1-M3); ``ed_mh_mean_time_h`` over those departed (M5).
    - ``mh_bed_occupancy_pct``: MH beds occupied at midnight / beds (M7, M8);
      ``mh_awaiting_bed_ed_mean``: midnight census of A&E patients waiting for one (M11).
    """
    e = rep.ed
    w0, w1 = rep.warmup_min, rep.end_min
    m = (e["arrival"] >= w0) & (e["arrival"] < w1)
    arr, dep = e["arrival"][m], e["depart"][m]
    gone = ~np.isnan(dep)
    tid = np.where(gone, dep, w1) - arr
    adm = gone & ~np.isnan(e["dta"][m])
    mh = e["mh"][m] if "mh" in e else np.zeros(arr.size, dtype=bool)
    n_mh = float(mh.sum())
    c = rep.census
    lo, hi = _census_span(rep)

    def total(col: str) -> float:
        if col not in c or hi is None:
            return 0.0
        return float(c[col].iloc[hi] - (c[col].iloc[lo] if lo is not None else 0))

    sdec = total("sdec_managed_total")
    open_min = total("sdec_open_chair_min_total")
    em = k["emergency_admissions"]
    wc = _window_census(rep)
    beds = wc["mh_beds"].sum() if "mh_beds" in wc else 0
    return {
        "ed_admitted_median_time_min": float(np.median(tid[adm])) if adm.any() else float("nan"),
        "ed_admitted_mean_time_min": _mean(tid[adm]),
        "sdec_managed": sdec,
        "sdec_same_day_pct": 100.0 * sdec / (sdec + em) if sdec + em > 0 else float("nan"),
        "sdec_utilisation_pct": 100.0 * total("sdec_chair_min_total") / open_min
        if open_min > 0
        else float("nan"),
        "ed_mh_attendances": n_mh,
        "ed_mh_12h_pct": 100.0 * float((tid[mh] > TWELVE_HOURS).sum()) / n_mh
        if n_mh
        else float("nan"),
        "ed_mh_24h_pct": 100.0 * float((tid[mh] > 2 * TWELVE_HOURS).sum()) / n_mh
        if n_mh
        else float("nan"),
        "ed_mh_mean_time_h": _mean(tid[mh & gone]) / 60.0,
        "mh_bed_occupancy_pct": 100.0 * wc["mh_occupied"].sum() / beds
        if beds > 0
        else float("nan"),
        "mh_awaiting_bed_ed_mean": _mean(wc["mh_awaiting_ed"].to_numpy(float))
        if beds > 0
        else float("nan"),
    }


def _census_span(rep: Replication) -> tuple[int | None, int | None]:
    """Census row positions of the midnight that opens the period (None: the run start,
    when the period starts at time 0) and of the last midnight in it (None: no row)."""
    day = rep.census["day"].to_numpy()
    d0 = rep.warmup_min / MIN_PER_DAY
    d1 = rep.end_min / MIN_PER_DAY
    # row "day" d is the midnight that closes day d, i.e. time (d + 1) days
    before = np.flatnonzero(day + 1 <= d0 + 1e-9)
    inside = np.flatnonzero(day + 1 <= d1 + 1e-9)
    lo = int(before[-1]) if before.size else None
    hi = int(inside[-1]) if inside.size else None
    return lo, hi


def compute_kpis(rep: Replication, scn: Scenario) -> dict[str, float]:
    """All KPIs of one replication, keyed by the names in :data:`KPI_NAMES`."""
    k: dict[str, float] = {}
    k.update(ed_kpis(rep, scn.ambulance.handover_target_min))
    k.update(ambulance_kpis(rep, scn))
    k.update(acute_kpis(rep))
    k.update(elective_kpis(rep))
    k.update(community_social_kpis(rep))
    k.update(winter_kpis(rep, k))
    k.update(cost_kpis(rep, scn, k))
    k.update(discharge_kpis(rep))
    k.update(ed_process_kpis(rep, k))
    return {name: float(k[name]) for name in KPI_NAMES}


#: Time-in-department histogram bins (hours): half-hour bins to 24 h, then one open bin.
TID_BINS_H = np.append(np.arange(0.0, 24.01, 0.5), np.inf)


def ed_time_histogram(rep: Replication) -> np.ndarray:
    """Counts of arrival-to-departure times of departed attendances in the period, by
    :data:`TID_BINS_H` (a compact stand-in for patient records in distribution plots)."""
    e = rep.ed
    m = (e["arrival"] >= rep.warmup_min) & (e["arrival"] < rep.end_min) & ~np.isnan(e["depart"])
    tid_h = (e["depart"][m] - e["arrival"][m]) / 60.0
    return np.histogram(tid_h, bins=TID_BINS_H)[0]


#: Daily ambulance counts (for monthly aggregates, :mod:`flowsim.monthly`): handovers by
#: arrival day at A&E, responses by call day.
AMBULANCE_DAILY = (
    "amb_handovers",
    "amb_handover_within_15",
    "amb_handover_within_30",
    "amb_handover_over_60",
    "amb_handover_lost_h",
    "amb_cat1_responses",
    "amb_cat1_response_min",
    "amb_cat2_responses",
    "amb_cat2_response_min",
)


def _ambulance_daily(rep: Replication, handover_target_min: float) -> pd.DataFrame:
    """Daily handover and response counts (index: day); see :data:`AMBULANCE_DAILY`.

    Handovers are counted on the day the crew arrived at A&E (completed handovers only,
    as the period KPIs); response times (call to scene) on the day of the call, over
    incidents that got a response. Without the ambulance service the response columns
    are zero.
    """
    e = rep.ed
    amb = e["ambulance"] & ~np.isnan(e["handover"])
    ho = e["handover"][amb] - e["arrival"][amb]
    hday = np.floor(e["arrival"][amb] / MIN_PER_DAY).astype(np.int64)
    g = (
        pd.DataFrame(
            {
                "day": hday,
                "amb_handovers": 1.0,
                "amb_handover_within_15": (ho <= 15.0).astype(float),
                "amb_handover_within_30": (ho <= 30.0).astype(float),
                "amb_handover_over_60": (ho > 60.0).astype(float),
                "amb_handover_lost_h": np.clip(ho - handover_target_min, 0.0, None) / 60.0,
            }
        )
        .groupby("day")
        .sum()
    )
    a = rep.ambulance
    parts = [g]
    if a is not None and a["call"].size:
        resp = a["at_scene"] - a["call"]
        cday = np.floor(a["call"] / MIN_PER_DAY).astype(np.int64)
        for cat in (1, 2):
            m = (a["category"] == cat) & ~np.isnan(resp)
            r = pd.DataFrame({"day": cday[m], f"amb_cat{cat}_response_min": resp[m]})
            gr = r.groupby("day")[f"amb_cat{cat}_response_min"]
            parts.append(
                pd.DataFrame(
                    {
                        f"amb_cat{cat}_responses": gr.size().astype(float),
                        f"amb_cat{cat}_response_min": gr.sum(),
                    }
                )
            )
    return pd.concat(parts, axis=1)


def daily_series(rep: Replication, handover_target_min: float = 15.0) -> pd.DataFrame:
    """One row per day of the period: the midnight census plus that day's A&E
    attendances, 4-hour performance (by arrival day) and admissions, and the ambulance
    counts of :data:`AMBULANCE_DAILY` (hours lost count handover time beyond
    ``handover_target_min``, as ``ambulance.handover_target_min``)."""
    c = _window_census(rep).copy()
    e = rep.ed
    day = np.floor(e["arrival"] / MIN_PER_DAY).astype(np.int64)
    tid = e["depart"] - e["arrival"]
    w1 = rep.end_min
    dep = e["depart"]
    tid_c = np.where(np.isnan(dep), w1 - e["arrival"], tid)  # censored at the run end
    trolley = np.where(np.isnan(dep), w1, dep) - e["dta"]
    df = pd.DataFrame(
        {
            "day": day,
            "within": tid <= FOUR_HOURS,
            "gone": ~np.isnan(tid),
            "known": ~np.isnan(tid) | (tid_c > FOUR_HOURS),
            "over12": (tid_c > TWELVE_HOURS) & ~e["type3"],
            "type1": ~e["type3"],
            "dta4": trolley > FOUR_HOURS,
            "dta12": trolley > TWELVE_HOURS,
        }
    )
    g = df.groupby("day")
    daily = pd.DataFrame(
        {
            "ed_attendances": g.size(),
            "ed_type1_attendances": g["type1"].sum().astype(float),
            "ed_pct_within_4h": 100.0 * g["within"].sum() / g["gone"].sum(),
            # counts by arrival day, for monthly aggregates (flowsim.monthly)
            "ed_within_4h": g["within"].sum().astype(float),
            "ed_known_4h": g["known"].sum().astype(float),
            "ed_12h_from_arrival": g["over12"].sum().astype(float),
            "ed_dta_waits_4h": g["dta4"].sum().astype(float),
            "ed_trolley_waits_12h": g["dta12"].sum().astype(float),
        }
    )
    a = rep.acute
    adm_day = np.floor(a["admit"][np.isin(a["kind"], (KIND_ED, KIND_DIRECT))] / MIN_PER_DAY)
    adm = pd.Series(adm_day).value_counts().rename("emergency_admissions")
    c = c.merge(daily, left_on="day", right_index=True, how="left")
    c = c.merge(adm, left_on="day", right_index=True, how="left")
    c["emergency_admissions"] = c["emergency_admissions"].fillna(0.0)
    c = c.merge(
        _ambulance_daily(rep, handover_target_min), left_on="day", right_index=True, how="left"
    )
    for col in AMBULANCE_DAILY:
        if col not in c.columns:
            c[col] = 0.0
    counts = [
        *AMBULANCE_DAILY,
        "ed_attendances",
        "ed_type1_attendances",
        "ed_within_4h",
        "ed_known_4h",
        "ed_12h_from_arrival",
        "ed_dta_waits_4h",
        "ed_trolley_waits_12h",
    ]
    c[counts] = c[counts].fillna(0.0)
    c["acute_occupancy_pct"] = 100.0 * c["acute_occupied"] / c["acute_beds_available"].clip(lower=1)
    return c.reset_index(drop=True)
