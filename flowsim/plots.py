"""Matplotlib figures. Every function takes ``ax=None`` and returns the axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def _ax(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    return ax


def plot_daily(daily: pd.DataFrame, column: str, ax=None, label: str | None = None):
    """One replication's daily series of ``column`` against day."""
    ax = _ax(ax)
    ax.plot(daily["day"], daily[column], label=label or column)
    ax.set_xlabel("day")
    ax.set_ylabel(column)
    return ax


def plot_daily_band(daily: pd.DataFrame, column: str, ax=None, by: str = "scenario"):
    """Mean across replications with a 95% band (2.5-97.5 percentiles of reps), per scenario."""
    ax = _ax(ax)
    groups = daily.groupby(by) if by in daily.columns else [(column, daily)]
    for name, g in groups:
        q = g.groupby("day")[column]
        mean, lo, hi = q.mean(), q.quantile(0.025), q.quantile(0.975)
        (line,) = ax.plot(mean.index, mean.values, label=str(name))
        ax.fill_between(mean.index, lo.values, hi.values, alpha=0.2, color=line.get_color())
    ax.set_xlabel("day")
    ax.set_ylabel(column)
    ax.legend(fontsize="small")
    return ax


def plot_kpi_distribution(kpis: pd.DataFrame, kpi: str, ax=None):
    """Replication values of one KPI by scenario (strip plot)."""
    ax = _ax(ax)
    sub = kpis[kpis["kpi"] == kpi]
    for i, (name, g) in enumerate(sub.groupby("scenario", sort=False)):
        ax.scatter([i] * len(g), g["value"], alpha=0.7)
        ax.text(i, g["value"].max(), f" {name}", fontsize="small", rotation=30)
    ax.set_ylabel(kpi)
    ax.set_xticks([])
    return ax


def plot_time_in_department(hist: pd.DataFrame, ax=None, by: str = "scenario"):
    """Share of A&E attendances by time in department (half-hour bins), with the 4-hour
    and 12-hour lines. ``hist`` is RunResult.ed_time_hist (counts per replication)."""
    ax = _ax(ax)
    for name, g in hist.groupby(by, sort=False):
        counts = g.groupby("bin_lo_h", sort=True)["count"].sum()
        share = 100.0 * counts / max(counts.sum(), 1)
        x = counts.index.to_numpy()
        x = [min(v, 24.0) for v in x]
        ax.step(x, share.to_numpy(), where="post", label=str(name))
    for h, style in ((4, "--"), (12, ":")):
        ax.axvline(h, color="grey", linestyle=style, linewidth=1)
    ax.set_xlabel("time in department (hours; last bin = 24 h or more)")
    ax.set_ylabel("% of attendances")
    ax.legend(fontsize="small")
    return ax


def plot_delayed_by_pathway(daily: pd.DataFrame, ax=None, by: str = "scenario"):
    """Mean midnight count of medically fit patients in acute beds, by discharge pathway."""
    ax = _ax(ax)
    cols = [f"acute_delayed_p{p}" for p in range(4)]
    means = daily.groupby(by, sort=False)[cols].mean()
    bottom = None
    labels = ["P0 home", "P1 home + care", "P2 community bed", "P3 care home"]
    for col, lab in zip(cols, labels, strict=True):
        ax.bar(means.index.astype(str), means[col], bottom=bottom, label=lab)
        bottom = means[col] if bottom is None else bottom + means[col]
    ax.set_ylabel("delayed patients (mean midnight count)")
    ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize="small")
    return ax


def plot_forest(diffs: pd.DataFrame, kpi: str, ax=None):
    """Paired difference from baseline with 95% CI, one row per scenario (forest plot)."""
    ax = _ax(ax)
    d = diffs[diffs["kpi"] == kpi].reset_index(drop=True)
    y = range(len(d))
    ax.errorbar(
        d["diff_mean"],
        list(y),
        xerr=[d["diff_mean"] - d["diff_ci_low"], d["diff_ci_high"] - d["diff_mean"]],
        fmt="o",
        capsize=3,
    )
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(list(y))
    ax.set_yticklabels(d["scenario"])
    ax.set_xlabel(f"{kpi}: difference from baseline (paired 95% CI)")
    return ax


def plot_cost_benefit(costs: pd.DataFrame, ax=None):
    """Annual intervention cost against acute delayed bed-days saved per year."""
    ax = _ax(ax)
    ax.scatter(costs["delayed_bed_days_saved"], costs["intervention_cost_gbp"] / 1e6)
    for r in costs.itertuples():
        ax.annotate(
            r.scenario,
            (r.delayed_bed_days_saved, r.intervention_cost_gbp / 1e6),
            fontsize="small",
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_xlabel("acute delayed bed-days saved in the period")
    ax.set_ylabel("intervention cost in the period (£m)")
    return ax


def plot_occupancy_panels(daily: pd.DataFrame, axes=None):
    """Daily occupancy by setting (acute, community, home care, care homes), mean with a
    band over replications, one panel per setting. Returns the axes array."""
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    cols = ["acute_occupied", "community_occupied", "home_care_in_use", "care_home_in_use"]
    for ax, col in zip(axes.ravel(), cols, strict=True):
        plot_daily_band(daily, col, ax=ax)
        ax.set_title(col.replace("_", " "))
    return axes


def plot_sweep(point_means: pd.DataFrame, kpi: str, x: str, ax=None):
    """Mean KPI over replications against one swept parameter, one line per value of
    the other parameters (if any)."""
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
    ax.set_ylabel(kpi)
    if others:
        ax.legend(fontsize="x-small")
    return ax


def plot_tornado(indices: pd.DataFrame, kpi: str, ax=None):
    """Morris mu* (mean absolute elementary effect) per parameter, largest at the top,
    with its confidence half-width."""
    ax = _ax(ax)
    d = indices[indices["kpi"] == kpi].sort_values("mu_star")
    ax.barh(d["parameter"], d["mu_star"], xerr=d["mu_star_conf"], color="C0", capsize=3)
    ax.set_xlabel(f"Morris mu* for {kpi}")
    return ax


def plot_mu_sigma(indices: pd.DataFrame, kpi: str, ax=None):
    """Morris mu* against sigma: high sigma means interactions or non-linearity."""
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
    ax.set_xlabel("mu*")
    ax.set_ylabel("sigma")
    ax.set_title(kpi)
    return ax


def plot_sobol(indices: pd.DataFrame, kpi: str, ax=None):
    """First-order (S1) and total (ST) Sobol indices per parameter with 95% CIs."""
    ax = _ax(ax)
    d = indices[indices["kpi"] == kpi].reset_index(drop=True)
    y = np.arange(len(d))
    ax.barh(y - 0.2, d["S1"], height=0.4, xerr=d["S1_conf"], label="S1", capsize=2)
    ax.barh(y + 0.2, d["ST"], height=0.4, xerr=d["ST_conf"], label="ST", capsize=2)
    ax.set_yticks(y)
    ax.set_yticklabels(d["parameter"])
    ax.set_xlabel(f"Sobol index for {kpi}")
    ax.legend(fontsize="small")
    return ax
