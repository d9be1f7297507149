"""Matplotlib figures. Every function takes ``ax=None`` and returns the axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
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
