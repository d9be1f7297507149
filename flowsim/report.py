"""Tables for people: the printed KPI summary and a run's output folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flowsim.experiment import RunResult
from flowsim.kpis import HEADLINE_KPIS, KPI_INFO
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


def write_run(
    res: RunResult, out: str | Path = "outputs", name: str | None = None, folder: Path | None = None
) -> Path:
    """Write kpis.csv, daily.csv, summary.csv, figures and (last) manifest.json, into
    ``folder`` if given (a run folder made earlier) or a new one under ``out``."""
    name = name or "-".join(res.scenarios)
    folder = folder or new_run_dir(out, name)
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
                "warmup_days_used": next(iter(res.scenarios.values())).run.warmup_days,
                "warmup_days_mser5": res.recommended_warmup_days(),
                "complete": True,
            },
        ),
        folder / "manifest.json",
    )
    return folder


# ------------------------------------------------------------------ comparisons


def _fmt(x: float) -> str:
    if pd.isna(x):
        return "n/a"
    return f"{x:,.1f}" if abs(x) < 1e5 else f"{x:,.0f}"


def format_differences(diffs: pd.DataFrame, kpis=HEADLINE_KPIS) -> str:
    d = diffs[diffs["kpi"].isin(kpis)]
    lines = [f"  {'scenario':28s} {'kpi':32s} {'difference':>14s}  {'paired 95% CI':>28s}"]
    for r in d.itertuples():
        ci = f"[{_fmt(r.diff_ci_low)}, {_fmt(r.diff_ci_high)}]"
        flag = " *" if r.significant else ""
        lines.append(f"  {r.scenario:28s} {r.kpi:32s} {_fmt(r.diff_mean):>14s}  {ci:>28s}{flag}")
    return "\n".join(lines)


def print_comparison(res) -> None:
    print(format_summary(res.summary[res.summary["kpi"].isin(HEADLINE_KPIS)]))
    print("Difference from baseline (paired by replication; * = CI excludes 0)")
    print(format_differences(res.differences))
    print("\nCost per delayed bed-day saved")
    print(
        res.costs[
            [
                "scenario",
                "intervention_cost_gbp",
                "delayed_bed_days_saved",
                "gbp_per_delayed_bed_day_saved",
            ]
        ].to_string(index=False)
    )
    print("\nProbability of breaching thresholds (share of replications)")
    print(res.breaches.to_string(index=False))


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [(_fmt(v) if isinstance(v, float) else str(v)) for v in row]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def write_comparison_figures(res, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {
        "occupancy_by_setting.png": lambda: res.plot_occupancy()[0, 0].figure,
        "ed_time_in_department.png": lambda: res.plot_time_in_department().figure,
        "waiting_list.png": lambda: res.plot_waiting_list().figure,
        "delayed_by_pathway.png": lambda: res.plot_delayed_by_pathway().figure,
        "forest_delayed_bed_days.png": lambda: res.plot_forest("delayed_discharge_bed_days").figure,
        "forest_ed_4h.png": lambda: res.plot_forest("ed_pct_within_4h").figure,
        "cost_vs_benefit.png": lambda: res.plot_cost_benefit().figure,
    }
    names = []
    for name, make in figs.items():
        fig = make()
        fig.tight_layout()
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        names.append(name)
    return names


def comparison_markdown(res, figures: list[str]) -> str:
    """A report a partner can read without Python."""
    exp = res.experiment
    scns = res.run.scenarios
    first = next(iter(scns.values()))
    n = int(res.run.kpis["rep"].nunique())
    lines = [
        f"# {exp.name}: what each option buys",
        "",
        exp.description or "",
        "",
        f"Base scenario **{exp.base}**, {first.run.days:g} days reported after "
        f"{first.run.warmup_days:g} days warm-up, {n} replications per scenario, seed {exp.seed}. "
        "Every scenario sees the same patients (common random numbers), so differences "
        "from the baseline are paired by replication.",
        "",
        "## Scenarios",
        "",
    ]
    for s in exp.scenarios:
        what = ", ".join(s.interventions) or "no interventions"
        if s.overrides:
            what += "; " + ", ".join(f"{k}={v}" for k, v in s.overrides.items())
        lines.append(f"- **{s.name}**: {s.description or what} ({what})")
    summ = res.summary
    head = summ[summ["kpi"].isin(HEADLINE_KPIS)]
    piv = head.pivot_table(index="kpi", columns="scenario", values="mean", sort=False)
    piv = piv.reindex([k for k in HEADLINE_KPIS if k in piv.index])
    lines += [
        "",
        "## Headline results (mean over replications)",
        "",
        _md_table(piv.reset_index()),
        "",
    ]
    d = res.differences[res.differences["kpi"].isin(HEADLINE_KPIS)].copy()
    d["paired 95% CI"] = [
        f"[{_fmt(a)}, {_fmt(b)}]" for a, b in zip(d["diff_ci_low"], d["diff_ci_high"], strict=True)
    ]
    d["unpaired 95% CI"] = [
        f"[{_fmt(a)}, {_fmt(b)}]"
        for a, b in zip(d["unpaired_ci_low"], d["unpaired_ci_high"], strict=True)
    ]
    lines += [
        "## Difference from baseline",
        "",
        "A difference whose paired CI excludes zero is marked *yes* under significant.",
        "",
        _md_table(
            d[["scenario", "kpi", "diff_mean", "paired 95% CI", "unpaired 95% CI", "significant"]]
        ),
        "",
    ]
    lines += [
        "## Cost per delayed bed-day saved",
        "",
        "Intervention cost is the annual running cost pro rata for the period; "
        "bed-days saved are acute bed-days occupied by medically fit patients.",
        "",
        _md_table(res.costs.drop(columns=["net_cost_change_gbp"])),
        "",
    ]
    lines += [
        "## Probability of breaching thresholds",
        "",
        "Share of replications in which the 4-hour performance is below "
        f"{exp.thresholds.ed_pct_within_4h_below:g}% or G&A occupancy above "
        f"{exp.thresholds.acute_occupancy_pct_above:g}%.",
        "",
        _md_table(res.breaches),
        "",
    ]
    lines += ["## Figures", ""] + [f"![{f}]({f})" for f in figures]
    lines += [
        "",
        "## How to reproduce",
        "",
        "The resolved configuration of every scenario, its hash, the seeds and package "
        "versions are in `manifest.json`.",
        "",
    ]
    return "\n".join(lines)


def write_comparison(res, out: str | Path = "outputs") -> Path:
    """Tables, figures, report.md and (last) manifest.json for a comparison."""
    from flowsim.outputs import atomic_write_text

    folder = new_run_dir(out, res.experiment.name)
    run = res.run
    write_csv(run.kpis_wide(), folder / "kpis.csv")
    write_csv(run.daily, folder / "daily.csv")
    write_csv(res.summary, folder / "summary.csv")
    write_csv(res.differences, folder / "differences.csv")
    write_csv(res.costs, folder / "costs.csv")
    write_csv(res.breaches, folder / "breaches.csv")
    if run.ed_time_hist is not None and len(run.ed_time_hist):
        write_csv(run.ed_time_hist, folder / "ed_time_in_department_hist.csv")
    figures = write_comparison_figures(res, folder)
    atomic_write_text(folder / "report.md", comparison_markdown(res, figures))
    reps = int(run.kpis["rep"].nunique())
    write_json(
        manifest(
            run.scenarios,
            run.seed,
            reps,
            {
                "experiment": res.experiment.model_dump(mode="json"),
                "files": sorted(p.name for p in folder.iterdir()),
                "complete": True,
            },
        ),
        folder / "manifest.json",
    )
    return folder
