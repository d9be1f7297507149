"""Matplotlib figures. Every function takes ``ax=None`` (or ``axes=None``) and returns
what it drew on.

Conventions, so that every figure reads the same way:

- colours come from :func:`scenario_colours`: the baseline is always the same neutral
  grey and up to 20 other scenarios get distinct colours;
- time axes show dates (the daily table's ``date`` column);
- capacity and standards are drawn as labelled lines (beds available, 92% G&A
  occupancy, the 78% 4-hour standard);
- axis labels carry units; a shaded band says what it is (a 2.5-97.5 percentile range
  of replications, not a confidence interval);
- legends sit outside the data, and figures use ``constrained_layout``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from flowsim.kpi_meta import kpi_meta

#: The baseline's colour in every figure.
BASELINE_COLOUR = "#7f7f7f"

#: 20 distinct colours for the other scenarios (tab10 without its grey, then the
#: light tab20 partners, then five dark extras); no grey among them.
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
    "#393b79",
    "#637939",
)

#: The standards drawn on figures (the values the board is judged on).
FOUR_HOUR_STANDARD_PCT = 78.0  # 2025/26 interim 4-hour standard (E46)
OCCUPANCY_STANDARD_PCT = 92.0  # G&A occupancy standard (E49)

#: Daily-table columns: label and unit for axes.
DAILY_LABELS: dict[str, tuple[str, str]] = {
    "acute_beds_available": ("G&A beds available", "beds"),
    "acute_occupied": ("G&A beds occupied at midnight", "beds"),
    "acute_delayed": ("Patients fit to leave still in a G&A bed", "patients"),
    "acute_delayed_p0": ("Delayed patients, pathway 0 (home)", "patients"),
    "acute_delayed_p1": ("Delayed patients, pathway 1 (home with care)", "patients"),
    "acute_delayed_p2": ("Delayed patients, pathway 2 (community bed)", "patients"),
    "acute_delayed_p3": ("Delayed patients, pathway 3 (care home)", "patients"),
    "ed_in_department": ("Patients in A&E at midnight", "patients"),
    "ed_awaiting_bed": ("A&E patients waiting for a bed at midnight", "patients"),
    "ambulances_waiting": ("Ambulances waiting to hand over at midnight", "ambulances"),
    "community_beds": ("Community beds available", "beds"),
    "community_occupied": ("Community beds occupied at midnight", "beds"),
    "community_delayed": ("Community patients fit to leave", "patients"),
    "home_care_capacity": ("Home care packages commissioned", "packages"),
    "home_care_in_use": ("Home care packages in use", "packages"),
    "home_care_queue": ("People waiting for home care", "people"),
    "care_home_capacity": ("Care-home places commissioned", "places"),
    "care_home_in_use": ("Care-home places in use", "places"),
    "care_home_queue": ("People waiting for a care home", "people"),
    "elective_waiting_list": ("Elective (admitted) waiting list", "pathways"),
    "elective_beds_occupied": ("Ring-fenced elective beds occupied", "beds"),
    "ed_attendances": ("A&E attendances per day", "attendances"),
    "ed_pct_within_4h": ("A&E seen within 4 hours (by arrival day)", "%"),
    "emergency_admissions": ("Emergency admissions per day", "admissions"),
    "acute_occupancy_pct": ("G&A bed occupancy at midnight", "%"),
}

#: Capacity drawn beside a daily series: column -> the capacity column.
_CAPACITY = {
    "acute_occupied": "acute_beds_available",
    "community_occupied": "community_beds",
    "home_care_in_use": "home_care_capacity",
    "care_home_in_use": "care_home_capacity",
}

_NOT_SERIES = {"scenario", "point", "rep", "day", "date"}

BAND_LABEL = "band: 2.5-97.5 percentile of replications"

_THOUSANDS = mticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")


def _ax(ax, figsize=(9, 4.2)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _outside_legend(ax, **kw) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
            fontsize="small",
            frameon=False,
            **kw,
        )


def daily_label(column: str) -> str:
    """Axis label ``"label (unit)"`` of a daily-table column."""
    label, unit = DAILY_LABELS.get(column, (column.replace("_", " "), ""))
    return f"{label} ({unit})" if unit else label


def _check_column(daily: pd.DataFrame, column: str) -> None:
    if column not in daily.columns:
        valid = sorted(c for c in daily.columns if c not in _NOT_SERIES)
        raise ValueError(
            f"no daily column {column!r}; valid columns: {', '.join(valid)}"
            if valid
            else f"no daily column {column!r}: the daily table is empty"
        )


def scenario_colours(names: Sequence[str], baseline: str | None = None) -> dict[str, str]:
    """A colour per scenario: the baseline neutral grey, the others distinct.

    Parameters
    ----------
    names : sequence of str
        Scenario names in display order.
    baseline : str, optional
        The baseline's name (default ``"baseline"`` if present, else the first name).

    Returns
    -------
    dict of str to str
        Name to hex colour; up to 20 non-baseline scenarios get distinct colours
        (beyond that the palette repeats).
    """
    names = list(dict.fromkeys(str(n) for n in names))
    if baseline is None:
        baseline = "baseline" if "baseline" in names else (names[0] if names else None)
    out, i = {}, 0
    for n in names:
        if n == baseline:
            out[n] = BASELINE_COLOUR
        else:
            out[n] = _PALETTE[i % len(_PALETTE)]
            i += 1
    return out


def _time_axis(ax, daily: pd.DataFrame) -> str:
    """The x column (``date`` when present) and a date formatter on ``ax``."""
    if "date" in daily.columns:
        loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax.set_xlabel("date")
        return "date"
    ax.set_xlabel("simulated day")
    return "day"


def _standard_line(
    ax, column: str, daily: pd.DataFrame, colour_of: Mapping[str, str], by: str = "scenario"
) -> None:
    if column == "acute_occupancy_pct":
        ax.axhline(OCCUPANCY_STANDARD_PCT, color="black", ls="--", lw=1, label="92% standard")
    elif column == "ed_pct_within_4h":
        ax.axhline(FOUR_HOUR_STANDARD_PCT, color="black", ls="--", lw=1, label="78% standard")
    cap = _CAPACITY.get(column)
    if not cap or cap not in daily.columns:
        return
    x = "date" if "date" in daily.columns else "day"
    groups = list(daily.groupby(by, sort=False)) if by in daily.columns else [("", daily)]
    seen: list[np.ndarray] = []
    for name, g in groups:
        c = g.groupby(x)[cap].mean()
        if any(len(v) == len(c) and np.allclose(v, c.values) for v in seen):
            continue  # the same capacity as a scenario already drawn
        first = not seen
        seen.append(c.values)
        colour = "black" if first else colour_of.get(str(name), "black")
        label = "capacity" + ("" if first or not name else f" ({name})")
        ax.plot(c.index, c.values, color=colour, lw=1, ls=":", label=label)
        if column == "acute_occupied" and first:
            ax.plot(
                c.index,
                c.values * OCCUPANCY_STANDARD_PCT / 100.0,
                color="black",
                lw=1,
                ls="--",
                label="92% of beds available",
            )


def plot_daily(daily: pd.DataFrame, column: str, ax=None, label: str | None = None):
    """One replication's daily series of ``column`` against date.

    Parameters
    ----------
    daily : pandas.DataFrame
        A daily table (one replication).
    column : str
        The series to draw.
    ax : matplotlib.axes.Axes, optional
    label : str, optional
        Legend label of the line.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``column`` is not in ``daily`` (the message lists the valid columns).
    """
    _check_column(daily, column)
    ax = _ax(ax)
    x = _time_axis(ax, daily)
    ax.plot(daily[x], daily[column], label=label or DAILY_LABELS.get(column, (column,))[0])
    _standard_line(ax, column, daily, {})
    ax.set_ylabel(daily_label(column))
    _outside_legend(ax)
    return ax


def plot_daily_band(
    daily: pd.DataFrame,
    column: str,
    ax=None,
    by: str = "scenario",
    baseline: str | None = None,
    smooth_days: int | None = None,
    max_bands: int = 6,
):
    """Mean across replications per scenario, with a 2.5-97.5 percentile band.

    Parameters
    ----------
    daily : pandas.DataFrame
        Daily table of several replications (``scenario, rep, date, ...``).
    column : str
        The series to draw.
    ax : matplotlib.axes.Axes, optional
    by : str
        Grouping column (one line per group).
    baseline : str, optional
        Name drawn in the baseline grey.
    smooth_days : int, optional
        Centred rolling mean over this many days (default: 7 for series longer than 90
        days, where the weekly cycle would hide the differences; 1 = none). The axis
        label says so.
    max_bands : int
        Draw percentile bands only up to this many scenarios (more would hide the
        lines); the legend says when they are left out.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``column`` is not in ``daily`` (the message lists the valid columns).
    """
    _check_column(daily, column)
    ax = _ax(ax)
    x = _time_axis(ax, daily)
    groups = (
        list(daily.groupby(by, sort=False))
        if by in daily.columns
        else [(daily_label(column), daily)]
    )
    if smooth_days is None:
        smooth_days = 7 if daily["day"].nunique() > 90 else 1
    colours = scenario_colours([str(n) for n, _ in groups], baseline)
    bands = len(groups) <= max_bands
    for name, g in groups:
        q = g.groupby(x)[column]
        mean, lo, hi = q.mean(), q.quantile(0.025), q.quantile(0.975)
        if smooth_days > 1:
            roll = {"window": smooth_days, "center": True, "min_periods": 1}
            mean, lo, hi = (v.rolling(**roll).mean() for v in (mean, lo, hi))
        c = colours[str(name)]
        top = 3 if c == BASELINE_COLOUR else 2
        lw = 1.8 if top == 3 else 1.3
        ax.plot(mean.index, mean.values, color=c, lw=lw, label=str(name), zorder=top)
        if bands:
            ax.fill_between(mean.index, lo.values, hi.values, alpha=0.15, color=c, lw=0, zorder=1)
    if bands:
        ax.fill_between([], [], [], color="grey", alpha=0.3, label=BAND_LABEL)
    else:
        ax.plot([], [], " ", label=f"(percentile bands left out: {len(groups)} scenarios)")
    _standard_line(ax, column, daily, colours)
    label = daily_label(column)
    ax.set_ylabel(label + (f", {smooth_days}-day mean" if smooth_days > 1 else ""))
    _outside_legend(ax)
    return ax


def plot_kpi_distribution(kpis: pd.DataFrame, kpi: str, ax=None):
    """Replication values of one KPI by scenario (strip plot, scenarios on the y axis).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    sub = kpis[kpis["kpi"] == kpi]
    names = list(dict.fromkeys(sub["scenario"]))
    colours = scenario_colours(names)
    for i, name in enumerate(names):
        g = sub[sub["scenario"] == name]
        ax.scatter(g["value"], [i] * len(g), alpha=0.7, color=colours[name])
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(_kpi_label(kpi))
    return ax


def _kpi_label(kpi: str) -> str:
    try:
        return kpi_meta(kpi).label_unit
    except KeyError:
        return kpi


def plot_time_in_department(hist: pd.DataFrame, ax=None, by: str = "scenario"):
    """Share of A&E attendances by time in department (half-hour bins), with the
    4-hour and 12-hour lines.

    Parameters
    ----------
    hist : pandas.DataFrame
        ``RunResult.ed_time_hist`` (counts per bin and replication).
    ax : matplotlib.axes.Axes, optional
    by : str
        One line per value of this column.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    groups = list(hist.groupby(by, sort=False))
    colours = scenario_colours([str(n) for n, _ in groups])
    for name, g in groups:
        counts = g.groupby("bin_lo_h", sort=True)["count"].sum()
        share = 100.0 * counts / max(counts.sum(), 1)
        x = [min(v, 24.0) for v in counts.index.to_numpy()]
        ax.step(x, share.to_numpy(), where="post", label=str(name), color=colours[str(name)])
    ax.axvline(4, color="black", linestyle="--", linewidth=1, label="4 hours")
    ax.axvline(12, color="black", linestyle=":", linewidth=1, label="12 hours")
    ax.set_xlabel("time in department (hours; last bin = 24 h or more)")
    ax.set_ylabel("attendances (% per half-hour bin)")
    _outside_legend(ax)
    return ax


_PATHWAYS = ("P0 home", "P1 home with care", "P2 community bed", "P3 care home")
_PATHWAY_COLOURS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2")


def plot_delayed_by_pathway(daily: pd.DataFrame, ax=None, by: str = "scenario"):
    """Mean midnight count of medically fit patients in G&A beds, by discharge pathway
    (horizontal stacked bars, one per scenario, largest total at the top).

    Returns
    -------
    matplotlib.axes.Axes
    """
    cols = [f"acute_delayed_p{p}" for p in range(4)]
    ax = _ax(ax, figsize=(9, 0.35 * daily[by].nunique() + 1.6) if by in daily else (9, 3))
    means = daily.groupby(by, sort=False)[cols].mean()
    means = means.loc[means.sum(axis=1).sort_values().index]
    left = np.zeros(len(means))
    names = means.index.astype(str)
    for col, lab, c in zip(cols, _PATHWAYS, _PATHWAY_COLOURS, strict=True):
        ax.barh(names, means[col], left=left, label=lab, color=c)
        left += means[col].to_numpy()
    ax.set_xlabel("patients fit to leave still in a G&A bed (mean midnight count)")
    _outside_legend(ax, title="discharge pathway")
    return ax


def plot_forest(diffs: pd.DataFrame, kpi: str, ax=None, colours: Mapping[str, str] | None = None):
    """Paired difference from baseline with its 95% CI, one row per scenario, sorted
    from the largest improvement (top) to the largest deterioration.

    Parameters
    ----------
    diffs : pandas.DataFrame
        ``ComparisonResult.differences``.
    kpi : str
        The KPI to show.
    ax : matplotlib.axes.Axes, optional
    colours : mapping, optional
        Scenario colours (default :func:`scenario_colours` in table order).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``kpi`` is not in ``diffs`` (the message lists the KPIs).
    """
    if kpi not in set(diffs["kpi"]):
        raise ValueError(f"no KPI {kpi!r}; valid KPIs: {', '.join(dict.fromkeys(diffs['kpi']))}")
    d = diffs[diffs["kpi"] == kpi]
    try:
        meta = kpi_meta(kpi)
        good = 1.0 if meta.higher_is_better else -1.0
    except KeyError:
        meta, good = None, -1.0
    colours = colours or scenario_colours(["baseline", *d["scenario"].astype(str)])
    d = d.assign(_gain=good * d["diff_mean"]).sort_values("_gain").reset_index(drop=True)
    ax = _ax(ax, figsize=(9, 0.35 * len(d) + 1.6))
    y = np.arange(len(d))
    for i, r in d.iterrows():
        ax.errorbar(
            r["diff_mean"],
            i,
            xerr=[[r["diff_mean"] - r["diff_ci_low"]], [r["diff_ci_high"] - r["diff_mean"]]],
            fmt="o",
            capsize=3,
            color=colours[str(r["scenario"])],
            mfc=colours[str(r["scenario"])] if r["significant"] else "white",
        )
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=1)
    ax.set_yticks(y, d["scenario"].astype(str))
    what = meta.label_unit if meta else kpi
    direction = "higher is better" if good > 0 else "lower is better"
    ax.set_xlabel(f"{what}: difference from baseline ({direction})")
    ax.set_title("paired 95% CI; filled marker = CI excludes 0", fontsize="small", loc="left")
    ax.xaxis.set_major_formatter(_THOUSANDS)
    return ax


#: Candidate label offsets (display pixels) around a point, nearest first.
_LABEL_OFFSETS = [(0, 0)] + [
    (r * np.cos(a), r * np.sin(a))
    for r in (16, 26, 36, 48)
    for a in np.linspace(np.pi / 2, np.pi / 2 + 2 * np.pi, 8, endpoint=False)
]


def _free(x: float, y: float, placed: list[tuple[float, float]], gap: float = 13.0) -> bool:
    return all((x - a) ** 2 + (y - b) ** 2 >= gap**2 for a, b in placed)


def plot_cost_benefit(costs: pd.DataFrame, ax=None, colours: Mapping[str, str] | None = None):
    """Annual cost of each option against the delayed bed-days it saves per year.

    Points are numbered and the key beside the plot names them, so labels never
    overlap however close the points are.

    Parameters
    ----------
    costs : pandas.DataFrame
        ``ComparisonResult.costs``.
    ax : matplotlib.axes.Axes, optional
    colours : mapping, optional
        Scenario colours (default :func:`scenario_colours` in table order).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(9, 4.8))
    saved = costs.get("delayed_bed_days_saved_per_year", costs["delayed_bed_days_saved"])
    cost = costs.get("annual_cost_gbp", costs["intervention_cost_gbp"]) / 1e6
    colours = colours or scenario_colours(["baseline", *costs["scenario"].astype(str)])
    pts = list(zip(costs["scenario"], saved, cost, strict=True))
    for i, (name, x, yv) in enumerate(pts, 1):
        ax.scatter(x, yv, s=70, color=colours[str(name)], zorder=3, label=f"{i}  {name}")
    ax.autoscale_view()
    placed: list[tuple[float, float]] = []
    for i, (_, x, yv) in enumerate(pts, 1):
        px, py = ax.transData.transform((x, yv))
        dx, dy = next(
            ((ox, oy) for ox, oy in _LABEL_OFFSETS if _free(px + ox, py + oy, placed)),
            _LABEL_OFFSETS[-1],
        )
        placed.append((px + dx, py + dy))
        ax.annotate(
            str(i),
            (x, yv),
            xytext=(dx * 72 / ax.figure.dpi, dy * 72 / ax.figure.dpi),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold",
            color="white" if (dx, dy) == (0, 0) else "black",
            zorder=4,
            arrowprops=None if (dx, dy) == (0, 0) else {"arrowstyle": "-", "lw": 0.6},
        )
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=1)
    ax.set_xlabel("delayed bed-days saved per year (bed-days)")
    ax.set_ylabel("annual cost of the option (£ million per year)")
    ax.xaxis.set_major_formatter(_THOUSANDS)
    _outside_legend(ax, title="option")
    return ax


def plot_occupancy_panels(
    daily: pd.DataFrame, axes=None, scenarios: Mapping | None = None, baseline: str | None = None
):
    """Daily G&A, community, home care and care-home occupancy per scenario (2 x 2
    panels, shared date axis, one legend outside).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    cols = ("acute_occupied", "community_occupied", "home_care_in_use", "care_home_in_use")
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(13, 7), sharex=True, layout="constrained")
    for i, (ax, col) in enumerate(zip(np.asarray(axes).flat, cols, strict=False)):
        plot_daily_band(daily, col, ax=ax, baseline=baseline)
        if i < 2:
            ax.set_xlabel("")
        ax.set_title(DAILY_LABELS[col][0], fontsize="medium")
        ax.set_ylabel(DAILY_LABELS[col][1])
        leg = ax.get_legend()
        if leg is not None:
            leg.remove()
    flat = list(np.asarray(axes).flat)
    first = flat[0]
    seen: dict[str, object] = {}
    for ax in flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    labels, handles = list(seen), list(seen.values())
    fig = first.figure
    engine = fig.get_layout_engine()
    loc = (
        "outside right upper"
        if engine is not None and "Constrained" in type(engine).__name__
        else "upper right"
    )
    fig.legend(handles, labels, loc=loc, fontsize="small", frameon=False)
    return axes


def plot_sweep(point_means: pd.DataFrame, kpi: str, x: str, ax=None):
    """Mean KPI over replications against one swept parameter, one line per value of
    the other parameters (if any).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    others = [
        c
        for c in point_means.columns
        if c not in (x, "point", kpi) and c in point_means.columns and "." in c
    ]
    groups = point_means.groupby(others) if others else [("", point_means)]
    for name, g in groups:
        g = g.sort_values(x)
        label = ", ".join(f"{o}={v}" for o, v in zip(others, np.atleast_1d(name), strict=True))
        ax.plot(g[x], g[kpi], marker="o", label=label or None)
    ax.set_xlabel(x)
    ax.set_ylabel(_kpi_label(kpi))
    if others:
        _outside_legend(ax)
    return ax


def plot_tornado(indices: pd.DataFrame, kpi: str, ax=None):
    """Morris mu* (mean absolute elementary effect) per parameter, largest at the top,
    with its confidence half-width.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    d = indices[indices["kpi"] == kpi].sort_values("mu_star")
    ax.barh(d["parameter"], d["mu_star"], xerr=d["mu_star_conf"], color="C0", capsize=3)
    ax.set_xlabel(f"Morris mu* for {_kpi_label(kpi)}")
    return ax


def plot_mu_sigma(indices: pd.DataFrame, kpi: str, ax=None):
    """Morris mu* against sigma: high sigma means interactions or non-linearity.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    d = indices[indices["kpi"] == kpi]
    ax.scatter(d["mu_star"], d["sigma"])
    for r in d.itertuples():
        ax.annotate(
            r.parameter,
            (r.mu_star, r.sigma),
            fontsize="small",
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread of elementary effects)")
    ax.set_title(_kpi_label(kpi))
    return ax


def plot_sobol(indices: pd.DataFrame, kpi: str, ax=None):
    """First-order (S1) and total (ST) Sobol indices per parameter with 95% CIs.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax)
    d = indices[indices["kpi"] == kpi].reset_index(drop=True)
    y = np.arange(len(d))
    ax.barh(y - 0.2, d["S1"], height=0.4, xerr=d["S1_conf"], label="S1", capsize=2)
    ax.barh(y + 0.2, d["ST"], height=0.4, xerr=d["ST_conf"], label="ST", capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(d["parameter"])
    ax.set_xlabel(f"Sobol index for {_kpi_label(kpi)}")
    _outside_legend(ax)
    return ax


# ------------------------------------------------------------------ system diagram

#: Settings as boxes: key -> (title, x, y) in a 0-10 x 0-6 frame.
_BOXES = {
    "ambulance": ("Ambulance", 0.9, 4.6),
    "ed": ("A&E", 3.9, 4.6),
    "acute": ("G&A beds", 6.7, 4.6),
    "home": ("Home (P0)", 9.9, 5.7),
    "home_care": ("Home care (P1)", 9.9, 3.5),
    "community": ("Community beds (P2)", 6.7, 1.2),
    "care_home": ("Care home (P3)", 9.9, 1.2),
}

#: Arrows: (from, to, queue column in the daily table, delay KPI, queue words).
_ARROWS = (
    (
        "ambulance",
        "ed",
        "ambulances_waiting",
        "ambulance_handover_mean_min",
        "waiting to hand over",
    ),
    ("ed", "acute", "ed_awaiting_bed", None, "waiting for a bed"),
    ("acute", "home", "acute_delayed_p0", "discharge_delay_mean_days_p0", "fit, waiting"),
    ("acute", "home_care", "acute_delayed_p1", "discharge_delay_mean_days_p1", "fit, waiting"),
    ("acute", "community", "acute_delayed_p2", "discharge_delay_mean_days_p2", "fit, waiting"),
    ("acute", "care_home", "acute_delayed_p3", "discharge_delay_mean_days_p3", "fit, waiting"),
    ("community", "care_home", "community_delayed", None, "fit to leave"),
)
#: Where each arrow's label sits: (share of the way along, vertical offset).
_LABEL_AT = {
    ("ambulance", "ed"): (0.5, 0.72),
    ("ed", "acute"): (0.5, 0.72),
    ("acute", "home"): (0.45, 0.55),
    ("acute", "home_care"): (0.5, -0.05),
    ("acute", "community"): (0.45, 0.0),
    ("acute", "care_home"): (0.45, 0.0),
    ("community", "care_home"): (0.5, 0.72),
}

#: Box contents: key -> (occupied column, capacity column, queue column).
_BOX_FILL = {
    "ed": ("ed_in_department", None, None),
    "acute": ("acute_occupied", "acute_beds_available", None),
    "community": ("community_occupied", "community_beds", None),
    "home_care": ("home_care_in_use", "home_care_capacity", "home_care_queue"),
    "care_home": ("care_home_in_use", "care_home_capacity", "care_home_queue"),
}

_BOX_W, _BOX_H = 1.75, 1.0


def _delay_text(kpi: str | None, values: Mapping[str, float]) -> str:
    if kpi is None or kpi not in values or values[kpi] != values[kpi]:
        return ""
    v = values[kpi]
    if kpi.endswith("_min"):
        return f"mean {v:.0f} min"
    return f"mean delay {v:.1f} d" if v >= 0.1 else f"mean delay {24 * v:.1f} h"


def plot_system(
    daily_means: Mapping[str, float],
    kpi_means: Mapping[str, float],
    ax=None,
    title: str = "",
):
    """Where patients wait: settings as boxes (occupancy / capacity), arrows labelled
    with the mean midnight queue and the mean delay on each route.

    Parameters
    ----------
    daily_means : mapping
        Mean of each daily-table column over days and replications.
    kpi_means : mapping
        Mean of each KPI over replications (delays).
    ax : matplotlib.axes.Axes, optional
    title : str
        Panel title (the scenario).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _ax(ax, figsize=(8, 5))
    ax.set_xlim(-0.1, 10.9)
    ax.set_ylim(0.4, 6.4)
    ax.set_axis_off()
    for key, (name, x, y) in _BOXES.items():
        occ, cap, queue = _BOX_FILL.get(key, (None, None, None))
        lines = [name]
        if occ and occ in daily_means:
            txt = f"{daily_means[occ]:,.0f}"
            if cap and cap in daily_means and daily_means[cap] > 0:
                txt += (
                    f" / {daily_means[cap]:,.0f} ({100 * daily_means[occ] / daily_means[cap]:.0f}%)"
                )
            lines.append(txt)
        if queue and queue in daily_means:
            lines.append(f"{daily_means[queue]:,.1f} waiting")
        ax.add_patch(
            FancyBboxPatch(
                (x - _BOX_W / 2, y - _BOX_H / 2),
                _BOX_W,
                _BOX_H,
                boxstyle="round,pad=0.05",
                fc="#eef2f7",
                ec="#4a5a6a",
                lw=1,
            )
        )
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=7.5)
    for a, b, qcol, dkpi, words in _ARROWS:
        _, x0, y0 = _BOXES[a]
        _, x1, y1 = _BOXES[b]
        q = daily_means.get(qcol, float("nan"))
        width = 0.8 + min(4.0, max(q, 0.0) / 25.0) if q == q else 0.8
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=12,
                lw=width,
                color="#c0392b" if q == q and q >= 1 else "#7f8c8d",
                shrinkA=34,
                shrinkB=34,
            )
        )
        parts = [f"{q:,.1f} {words}" if q == q else ""]
        d = _delay_text(dkpi, kpi_means)
        if d:
            parts.append(d)
        t, dy = _LABEL_AT.get((a, b), (0.5, 0.0))
        mx, my = x0 + t * (x1 - x0), y0 + t * (y1 - y0) + dy
        ax.text(
            mx,
            my,
            "\n".join(p for p in parts if p),
            ha="center",
            va="center",
            fontsize=6.5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
        )
    ax.set_title(title, fontsize="medium")
    return ax


def plot_system_pair(
    daily: pd.DataFrame, summary: pd.DataFrame, baseline: str, option: str, axes=None
):
    """System diagrams of the baseline and one option side by side.

    Parameters
    ----------
    daily : pandas.DataFrame
        Daily table of the comparison.
    summary : pandas.DataFrame
        KPI summary (``scenario, kpi, mean``).
    baseline, option : str
        Scenario names.
    axes : pair of matplotlib.axes.Axes, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When a scenario is not in the daily table (the message lists the scenarios).
    """
    known = list(dict.fromkeys(daily["scenario"]))
    for n in (baseline, option):
        if n not in known:
            raise ValueError(f"no scenario {n!r}; valid scenarios: {', '.join(map(str, known))}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(15, 5.2), layout="constrained")
    num = [c for c in daily.columns if c not in _NOT_SERIES]
    for ax, name in zip(np.asarray(axes).flat, (baseline, option), strict=True):
        dm = daily.loc[daily["scenario"] == name, num].mean(numeric_only=True).to_dict()
        km = summary[summary["scenario"] == name].set_index("kpi")["mean"].to_dict()
        plot_system(dm, km, ax=ax, title=f"{name}: where patients wait (mean midnight counts)")
    return axes


def plot_monthly(monthly: pd.DataFrame, kpis: Sequence[str] | None = None, fig=None):
    """Monthly means with 95% CI bars, one panel per KPI, one line per scenario.

    Parameters
    ----------
    monthly : pandas.DataFrame
        The table of :func:`flowsim.monthly.monthly_table`.
    kpis : sequence of str, optional
        Panels (default: occupancy, 4-hour performance, waits over 4 h from decision
        to admit, 12 hours from arrival).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure as MplFigure

    from flowsim.monthly import MONTHLY_KPIS

    kpis = list(
        kpis
        or (
            "acute_occupancy_pct",
            "ed_pct_within_4h",
            "ed_dta_over_4h_pct",
            "ed_12h_from_arrival_pct",
        )
    )
    fig = fig or MplFigure(figsize=(10, 2.4 * len(kpis)))
    axes = fig.subplots(len(kpis), 1, sharex=True, squeeze=False)[:, 0]
    names = list(dict.fromkeys(monthly["scenario"])) if "scenario" in monthly.columns else ["run"]
    colours = scenario_colours([str(n) for n in names])
    months = sorted(monthly["month"].unique())
    x = np.arange(len(months))
    for ax, k in zip(axes, kpis, strict=True):
        sub = monthly[monthly["kpi"] == k]
        for name in names:
            g = sub[sub["scenario"] == name] if "scenario" in sub.columns else sub
            g = g.set_index("month").reindex(months)
            err = np.vstack(
                [
                    (g["mean"] - g["ci_low"]).clip(lower=0).fillna(0).to_numpy(),
                    (g["ci_high"] - g["mean"]).clip(lower=0).fillna(0).to_numpy(),
                ]
            )
            ax.errorbar(
                x,
                g["mean"].to_numpy(),
                yerr=err,
                marker="o",
                ms=3,
                lw=1.3,
                capsize=2,
                color=colours[str(name)],
                label=str(name),
            )
        unit, text = MONTHLY_KPIS[k]
        ax.set_ylabel(unit)
        ax.set_title(text, fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    axes[-1].set_xticks(x, months, rotation=45, ha="right", fontsize=8)
    axes[0].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
