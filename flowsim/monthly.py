"""Monthly tables: the daily series of every replication summed into calendar months.

Partners read winter month by month, so the run and the comparison write
``monthly.csv``: one row per scenario, month and KPI with the mean over replications
and its 95% interval. Every monthly value is a ratio of sums (or a sum) of the daily
counts in :func:`flowsim.metrics.daily_series`, with the same definitions as the
period KPIs: attendances are counted by arrival day, admissions by admission day,
occupancy from the midnight census.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flowsim.metrics import AMBULANCE_DAILY

#: Monthly KPIs, in table order: ``name -> (unit, definition)``.
MONTHLY_KPIS: dict[str, tuple[str, str]] = {
    "ed_attendances_per_day": ("count", "A&E attendances per day (by arrival day)"),
    "ed_pct_within_4h": ("%", "Attendances within 4 h of arrival (by arrival day)"),
    "ed_12h_from_arrival_pct": ("%", "Type 1 attendances over 12 h from arrival"),
    "ed_dta_over_4h_pct": (
        "%",
        "Waits over 4 h from decision to admit, share of emergency admissions",
    ),
    "ed_trolley_waits_12h": ("count", "12-hour trolley waits (decision to admit to admission)"),
    "emergency_admissions_per_day": ("count", "Emergency admissions per day (via A&E and direct)"),
    "acute_occupancy_pct": ("%", "G&A beds occupied at midnight / beds available"),
    "escalation_days": ("days", "Midnights at which the trust was escalated"),
    "outbreak_beds_closed_mean": ("beds", "Mean beds closed to admissions by outbreaks"),
    "ambulance_handover_hours_lost_per_day": (
        "h",
        "Handover time beyond the 15-minute standard per day (by arrival day at A&E)",
    ),
    "ambulance_handover_within_15min_pct": ("%", "Handovers within 15 minutes of arrival"),
    "ambulance_handover_within_30min_pct": ("%", "Handovers within 30 minutes of arrival"),
    "ambulance_handover_over_60min_pct": ("%", "Handovers over 60 minutes from arrival"),
    "ambulance_cat1_mean_min": ("min", "Category 1 mean response, call to scene (by call day)"),
    "ambulance_cat2_mean_min": ("min", "Category 2 mean response, call to scene (by call day)"),
}


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return 100.0 * num / den.where(den > 0)


def monthly_values(daily: pd.DataFrame) -> pd.DataFrame:
    """Monthly KPIs of each replication, tidy.

    Parameters
    ----------
    daily : pandas.DataFrame
        Daily series with ``date`` and the count columns of
        :func:`flowsim.metrics.daily_series` (plus ``scenario``/``rep`` when several).

    Returns
    -------
    pandas.DataFrame
        Columns: the grouping columns present (``scenario``, ``point``, ``rep``), then
        ``month`` (``YYYY-MM``), ``kpi``, ``value``.
    """
    keys = [k for k in ("scenario", "point", "rep") if k in daily.columns]
    d = daily.assign(month=pd.to_datetime(daily["date"]).dt.strftime("%Y-%m"))
    # a daily table without the ambulance counts (written before they existed): no
    # handovers or responses, so those months' ambulance ratios are NaN
    d = d.assign(**{c: 0.0 for c in AMBULANCE_DAILY if c not in d.columns})
    if "ed_type1_attendances" not in d.columns:  # written before type 3 units: all type 1
        d = d.assign(ed_type1_attendances=d["ed_attendances"])
    g = d.groupby([*keys, "month"], sort=True)
    s = g[
        [
            "ed_attendances",
            "ed_type1_attendances",
            "ed_within_4h",
            "ed_known_4h",
            "ed_12h_from_arrival",
            "ed_dta_waits_4h",
            "ed_trolley_waits_12h",
            "emergency_admissions",
            "acute_occupied",
            "acute_beds_available",
            "acute_escalated",
            "acute_beds_closed",
            *AMBULANCE_DAILY,
        ]
    ].sum()
    n_days = g.size()
    wide = pd.DataFrame(
        {
            "ed_attendances_per_day": s["ed_attendances"] / n_days,
            "ed_pct_within_4h": _ratio(s["ed_within_4h"], s["ed_known_4h"]),
            "ed_12h_from_arrival_pct": _ratio(s["ed_12h_from_arrival"], s["ed_type1_attendances"]),
            "ed_dta_over_4h_pct": _ratio(s["ed_dta_waits_4h"], s["emergency_admissions"]),
            "ed_trolley_waits_12h": s["ed_trolley_waits_12h"],
            "emergency_admissions_per_day": s["emergency_admissions"] / n_days,
            "acute_occupancy_pct": _ratio(s["acute_occupied"], s["acute_beds_available"]),
            "escalation_days": s["acute_escalated"],
            "outbreak_beds_closed_mean": s["acute_beds_closed"] / n_days,
            "ambulance_handover_hours_lost_per_day": s["amb_handover_lost_h"] / n_days,
            "ambulance_handover_within_15min_pct": _ratio(
                s["amb_handover_within_15"], s["amb_handovers"]
            ),
            "ambulance_handover_within_30min_pct": _ratio(
                s["amb_handover_within_30"], s["amb_handovers"]
            ),
            "ambulance_handover_over_60min_pct": _ratio(
                s["amb_handover_over_60"], s["amb_handovers"]
            ),
            "ambulance_cat1_mean_min": s["amb_cat1_response_min"]
            / s["amb_cat1_responses"].where(s["amb_cat1_responses"] > 0),
            "ambulance_cat2_mean_min": s["amb_cat2_response_min"]
            / s["amb_cat2_responses"].where(s["amb_cat2_responses"] > 0),
        }
    )
    wide["days"] = n_days
    out = wide.reset_index().melt(
        id_vars=[*keys, "month", "days"], var_name="kpi", value_name="value"
    )
    order = {k: i for i, k in enumerate(MONTHLY_KPIS)}
    out = out.sort_values([*keys[:1], "month"], kind="stable")
    out["_o"] = out["kpi"].map(order)
    out = out.sort_values([*keys[:1], "month", "_o", *keys[1:]], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def monthly_table(daily: pd.DataFrame) -> pd.DataFrame:
    """``monthly.csv``: mean and 95% CI over replications per scenario, month and KPI.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario`` (when present), ``month``, ``days`` (days of the month in
        the reporting period), ``kpi``, ``unit``, ``n``, ``mean``, ``ci_low``,
        ``ci_high``. A month with one replication has no interval (NaN).
    """
    from flowsim.stats import mean_ci

    v = monthly_values(daily)
    by = [k for k in ("scenario", "month") if k in v.columns]
    rows = []
    for keys, g in v.groupby([*by, "kpi"], sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        x = g["value"].to_numpy(float)
        x = x[~np.isnan(x)]
        unit = MONTHLY_KPIS[keys[-1]][0]
        lower, upper = (0.0, 100.0) if unit == "%" else (0.0, None)
        if x.size:
            iv = mean_ci(x, lower=lower, upper=upper)
            mean, lo, hi, n = iv.mean, iv.low, iv.high, iv.n
        else:
            mean = lo = hi = float("nan")
            n = 0
        rows.append((*keys[:-1], int(g["days"].iloc[0]), keys[-1], unit, n, mean, lo, hi))
    return pd.DataFrame(
        rows, columns=[*by, "days", "kpi", "unit", "n", "mean", "ci_low", "ci_high"]
    )
