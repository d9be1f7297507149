"""The options ranked side by side: effect, cost and breach risk per option.

This reads the tables of a :class:`flowsim.ComparisonResult` (paired differences,
costs, breach probabilities) and only rearranges them; when the board report offers
its own ranking table, :func:`rank_options` is the one function to repoint.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from flowsim.comparison import ComparisonResult

#: What a ranking can be sorted by: column and whether larger is better.
RANK_BY: dict[str, tuple[str, bool]] = {
    "Delayed bed-days saved": ("bed_days_saved_per_year", True),
    "4-hour performance gained": ("ed_4h_points", True),
    "Cost per delayed bed-day saved": ("gbp_per_bed_day_saved", False),
    "Annual cost": ("annual_cost_gbp", False),
}


def _diff(d: pd.DataFrame, scen: str, kpi: str) -> tuple[float, float, float]:
    r = d[(d["scenario"] == scen) & (d["kpi"] == kpi)]
    if r.empty:
        return math.nan, math.nan, math.nan
    r = r.iloc[0]
    return float(r["diff_mean"]), float(r["diff_ci_low"]), float(r["diff_ci_high"])


def rank_options(res: ComparisonResult, by: str = "Delayed bed-days saved") -> pd.DataFrame:
    """One row per option, best first by ``by`` (a key of :data:`RANK_BY`).

    Effects are paired differences from the baseline (95% CI), scaled to a year
    (x 365 / days reported) where they are totals; 4-hour performance is in
    percentage points; breach columns are shares of replications.
    """
    if by not in RANK_BY:
        raise ValueError(f"rank by must be one of {list(RANK_BY)}, got {by!r}")
    exp = res.experiment
    scns = res.run.scenarios
    d = res.differences
    rows = []
    for name, scn in scns.items():
        if name == exp.baseline:
            continue
        per_year = 365.0 / scn.run.days
        bd, bd_lo, bd_hi = _diff(d, name, "delayed_discharge_bed_days")
        h4, h4_lo, h4_hi = _diff(d, name, "ed_pct_within_4h")
        w52, _, _ = _diff(d, name, "elective_52w_waiters")
        cost = float(scn.intervention_cost_gbp_per_year)
        saved = -bd * per_year
        spec = next((s for s in exp.scenarios if s.name == name), None)
        rows.append(
            {
                "option": name,
                "description": spec.description if spec else "",
                "annual_cost_gbp": cost,
                "bed_days_saved_per_year": saved,
                "bed_days_saved_low": -bd_hi * per_year,
                "bed_days_saved_high": -bd_lo * per_year,
                "ed_4h_points": h4,
                "ed_4h_points_low": h4_lo,
                "ed_4h_points_high": h4_hi,
                "waiters_52w_change": w52,
                "gbp_per_bed_day_saved": cost / saved if saved > 0 else math.nan,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    b = res.breaches.set_index("scenario")
    for col in b.columns:
        out[col] = out["option"].map(b[col])
    col, larger_better = RANK_BY[by]
    key = out[col].to_numpy(float)
    # Options with no value (nothing saved, so no cost per bed-day) go last.
    key = np.where(np.isnan(key), -np.inf if larger_better else np.inf, key)
    order = np.argsort(-key if larger_better else key, kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def _ci(mean: float, lo: float, hi: float, fmt: str) -> str:
    if math.isnan(mean):
        return "n/a"
    if math.isnan(lo) or math.isnan(hi):
        return f"{mean:{fmt}} (one replication: no CI)"
    return f"{mean:{fmt}} ({lo:{fmt}} to {hi:{fmt}})"


def _money(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    return f"£{x / 1e6:,.2f}m" if abs(x) >= 1e6 else f"£{x:,.0f}"


def ranking_for_display(ranked: pd.DataFrame, baseline_breaches: pd.Series | None = None):
    """The ranking with readable headings and values (strings), for the page."""
    if ranked.empty:
        return ranked
    breach_cols = [c for c in ranked.columns if c.startswith("p_")]
    out = pd.DataFrame(
        {
            "Rank": ranked["rank"],
            "Option": ranked["option"],
            "What it is": ranked["description"],
            "Annual cost": ranked["annual_cost_gbp"].map(_money),
            "Delayed bed-days saved a year (95% CI)": [
                _ci(m, lo, hi, ",.0f")
                for m, lo, hi in zip(
                    ranked["bed_days_saved_per_year"],
                    ranked["bed_days_saved_low"],
                    ranked["bed_days_saved_high"],
                    strict=True,
                )
            ],
            "4-hour change, points (95% CI)": [
                _ci(m, lo, hi, "+.1f")
                for m, lo, hi in zip(
                    ranked["ed_4h_points"],
                    ranked["ed_4h_points_low"],
                    ranked["ed_4h_points_high"],
                    strict=True,
                )
            ],
            "£ per delayed bed-day saved": ranked["gbp_per_bed_day_saved"].map(
                lambda x: "nothing saved" if math.isnan(x) else f"£{x:,.0f}"
            ),
        }
    )
    for c in breach_cols:
        out[breach_label(c)] = ranked[c].map(lambda x: "n/a" if pd.isna(x) else f"{100 * x:.0f}%")
    return out


def breach_label(column: str) -> str:
    """``p_4h_below_78`` -> ``Chance 4-hour below 78%``."""
    if column.startswith("p_4h_below_"):
        return f"Chance 4-hour below {column.removeprefix('p_4h_below_')}%"
    if column.startswith("p_occupancy_above_"):
        return f"Chance occupancy above {column.removeprefix('p_occupancy_above_')}%"
    return column
