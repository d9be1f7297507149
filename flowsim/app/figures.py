"""Matplotlib figures for the page (the model's own plot functions, sorted and labelled)."""

from __future__ import annotations

from matplotlib.figure import Figure

from flowsim.app.kpi_text import kpi_label, kpi_unit
from flowsim.comparison import ComparisonResult
from flowsim.kpis import HIGHER_IS_BETTER


def forest_figure(res: ComparisonResult, kpi: str) -> Figure:
    """Paired difference from baseline with 95% CI per option, the best at the top.

    Uses :func:`flowsim.plots.plot_forest` on the differences sorted by effect (rows
    are drawn bottom-up, so the best effect comes last).
    """
    from flowsim.plots import plot_forest

    d = res.differences[res.differences["kpi"] == kpi]
    d = d.sort_values("diff_mean", ascending=kpi in HIGHER_IS_BETTER)
    fig = Figure(figsize=(7.5, 0.45 * max(len(d), 2) + 1.3))
    ax = fig.add_subplot()
    plot_forest(d, kpi, ax=ax)
    unit = kpi_unit(kpi)
    ax.set_xlabel(
        f"{kpi_label(kpi)}: difference from baseline"
        + (f" ({'points' if unit == '%' else unit})" if unit else "")
        + ", paired 95% CI"
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
