"""Tables for people: the printed KPI summary and a run's output folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flowsim.experiment import RunResult
from flowsim.metrics import KPI_INFO
from flowsim.outputs import manifest, new_run_dir, write_csv, write_json


def format_summary(summary: pd.DataFrame) -> str:
    """A fixed-width table: KPI, unit, mean and 95% CI, one block per scenario."""
    lines = []
    for scen, g in summary.groupby("scenario", sort=False):
        lines.append(f"Scenario: {scen}   (n = {int(g['n'].max())} replications, 95% CI)")
        lines.append(f"  {'kpi':38s} {'unit':>9s} {'mean':>14s}   {'95% CI':>29s}")
        for r in g.itertuples():
            ci = "" if pd.isna(r.ci_low) else f"[{r.ci_low:12,.2f}, {r.ci_high:12,.2f}]"
            mean = "n/a" if pd.isna(r.mean) else f"{r.mean:14,.2f}"
            lines.append(f"  {r.kpi:38s} {r.unit:>9s} {mean:>14s}   {ci:>29s}")
        lines.append("")
    return "\n".join(lines)


def print_summary(res: RunResult) -> None:
    print(format_summary(res.summary))


def write_figures(res: RunResult, folder: Path) -> list[str]:
    """Standard figures of a run, as PNG files; returns their names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from flowsim.plots import plot_daily_band

    names = []
    for col in ("acute_occupied", "acute_delayed", "elective_waiting_list", "community_occupied"):
        ax = plot_daily_band(res.daily, col)
        ax.set_title(col.replace("_", " "))
        name = f"daily_{col}.png"
        ax.figure.tight_layout()
        ax.figure.savefig(folder / name, dpi=110)
        plt.close(ax.figure)
        names.append(name)
    return names


def write_run(res: RunResult, out: str | Path = "outputs", name: str | None = None) -> Path:
    """Write kpis.csv, daily.csv, summary.csv, figures and (last) manifest.json."""
    name = name or "-".join(res.scenarios)
    folder = new_run_dir(out, name)
    write_csv(res.kpis_wide(), folder / "kpis.csv")
    write_csv(res.kpis, folder / "kpis_long.csv")
    write_csv(res.daily, folder / "daily.csv")
    write_csv(res.summary, folder / "summary.csv")
    figures = write_figures(res, folder)
    reps = int(res.kpis["rep"].nunique()) if len(res.kpis) else 0
    write_json(
        manifest(
            res.scenarios,
            res.seed,
            reps,
            {
                "files": ["kpis.csv", "kpis_long.csv", "daily.csv", "summary.csv", *figures],
                "kpi_definitions": {
                    k: {"unit": u, "definition": d} for k, (u, d) in KPI_INFO.items()
                },
                "run_stats": res.meta,
                "complete": True,
            },
        ),
        folder / "manifest.json",
    )
    return folder
