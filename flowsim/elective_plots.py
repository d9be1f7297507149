"""The elective trajectory figure: the RTT list's share within 18 weeks, month by month,
against the national targets (E47). Same conventions as :mod:`flowsim.plots`: dates
on the x axis, baseline grey, standards as labelled lines, legend outside the data.
"""

from __future__ import annotations

import math

import pandas as pd

from flowsim.elective_trajectory import RTT_TARGETS, summarise_trajectory
from flowsim.plots import BASELINE_COLOUR, _ax, _outside_legend, scenario_colours

#: What the shaded band of the trajectory figure is.
CI_BAND_LABEL = "band: 95% CI of the mean across replications"

_KPI = "elective_pct_within_18w"


def plot_elective_trajectory(
    trajectory: pd.DataFrame,
    ax=None,
    baseline: str | None = None,
    max_bands: int = 6,
):
    """Share of the RTT list waiting under 18 weeks at each month end, per scenario.

    Each scenario is a line through its month-end means (a hollow marker for a period
    end that is not a month end) with the 95% CI of the mean as a band. The targets
    of E47 are horizontal lines: 65% by March 2026 (interim) and 92%, the RTT
    standard, by March 2029; a target whose date lies within the plotted months is
    also marked at that date (a star); one after the last snapshot says so in the
    legend.

    Parameters
    ----------
    trajectory : pandas.DataFrame
        :attr:`flowsim.experiment.RunResult.elective_trajectory` (long, with
        ``kpi, mean, ci_low, ci_high``), or the per-replication table
        ``RunResult.elective_monthly`` (summarised here).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure if None).
    baseline : str, optional
        Scenario drawn in the baseline grey (default ``"baseline"`` or the first).
    max_bands : int
        Draw CI bands only up to this many scenarios.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When the table has no snapshot of the share within 18 weeks.
    """
    if "kpi" not in trajectory.columns:
        trajectory = summarise_trajectory(trajectory)
    t = trajectory[trajectory["kpi"] == _KPI]
    if t.empty:
        raise ValueError(f"the trajectory table has no {_KPI} rows")
    ax = _ax(ax)
    groups = list(t.groupby("scenario", sort=False)) if "scenario" in t.columns else [("", t)]
    colours = scenario_colours([str(n) for n, _ in groups], baseline)
    bands = len(groups) <= max_bands
    any_band = period_end = False
    for name, g in groups:
        g = g.sort_values("date")
        c = colours[str(name)]
        top = 3 if c == BASELINE_COLOUR else 2
        x = pd.to_datetime(g["date"])
        ax.plot(x, g["mean"], color=c, lw=1.6, label=str(name) or None, zorder=top)
        me = g["month_end"].to_numpy(bool) if "month_end" in g else None
        if me is None or me.all():
            ax.plot(x, g["mean"], "o", color=c, ms=4, zorder=top)
        else:
            period_end = True
            ax.plot(x[me], g["mean"][me], "o", color=c, ms=4, zorder=top)
            ax.plot(x[~me], g["mean"][~me], "o", mfc="white", color=c, ms=5, zorder=top)
        if bands and g["ci_low"].notna().any():
            any_band = True
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=c, alpha=0.18, lw=0, zorder=1)
    if any_band:
        ax.fill_between([], [], [], color="grey", alpha=0.3, label=CI_BAND_LABEL)
    elif not bands:
        ax.plot([], [], " ", label=f"(CI bands left out: {len(groups)} scenarios)")
    else:
        ax.plot([], [], " ", label="(one replication: no confidence band)")
    if period_end:
        ends = pd.to_datetime(t.loc[~t["month_end"].astype(bool), "date"]).drop_duplicates()
        when = ", ".join(f"{d.day} {d:%b %Y}" for d in ends.sort_values())
        ax.plot([], [], "o", mfc="white", color="black", ms=5, label=f"period end, {when}")
    dates = pd.to_datetime(t["date"])
    lo, hi = dates.min(), dates.max()
    starred = False
    for when, pct, words in RTT_TARGETS:
        w = pd.Timestamp(when)
        ls = "--" if pct >= 90 else ":"
        after = " (after the run)" if w > hi else ""
        ax.axhline(pct, color="black", lw=1, ls=ls, label=words + after)
        if lo - pd.Timedelta(days=31) <= w <= hi + pd.Timedelta(days=31):
            label = "target date (E47)" if not starred else None
            ax.plot([w], [pct], marker="*", ms=12, color="black", ls="none", zorder=4, label=label)
            starred = True
    if hi - lo < pd.Timedelta(days=60):
        ax.set_xlim(lo - pd.Timedelta(days=20), hi + pd.Timedelta(days=20))
    _month_ticks(ax, t)
    ax.set_xlabel("month end")
    ax.set_ylabel("RTT list waiting under 18 weeks (%)")
    ax.set_ylim(0, 100)
    _outside_legend(ax)
    return ax


def _month_ticks(ax, t: pd.DataFrame, max_ticks: int = 13) -> None:
    """A tick at each month end (thinned to ``max_ticks``) labelled with its month, and
    the year under the first and wherever the year changes; the period end, when it is
    not a month end, is ticked only when there is no month end at all (the legend
    gives its date)."""
    d = pd.to_datetime(t["date"])
    if "month_end" in t and t["month_end"].astype(bool).any():
        d = d[t["month_end"].astype(bool)]
    ticks = sorted(d.drop_duplicates())
    ticks = ticks[:: max(1, math.ceil(len(ticks) / max_ticks))]
    labels, year = [], None
    for x in ticks:
        labels.append(f"{x:%b}" + (f"\n{x.year}" if x.year != year else ""))
        year = x.year
    ax.set_xticks(ticks, labels)


__all__ = ["CI_BAND_LABEL", "plot_elective_trajectory"]
