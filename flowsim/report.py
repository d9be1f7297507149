"""Reports for people: the printed summary, and the board report of a run or comparison.

A report is built once as a list of blocks (headings, paragraphs, bullet lists, tables
of already-formatted text, figures) and rendered twice: to Markdown (``report.md``,
figures as PNG files beside it) and to one self-contained HTML page (``report.html``,
figures embedded as base64 PNG, print CSS for a clean PDF). The HTML page needs no
network and no other file.

The comparison report opens with a plain-English summary: the question, the options
ranked by effect and by cost per unit of effect, what each option changes in words,
its annual cost, the probability of breaching each standard, and the model's limits
that bear on the answer. KPI names appear as label and unit; a glossary and the full
table of differences sit in appendices.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flowsim.dates import scenario_start_date
from flowsim.experiment import RunResult
from flowsim.figures import figure_png_base64, save_figure
from flowsim.kpi_meta import format_value, headline_kpis, kpi_meta, kpi_names
from flowsim.metrics import KPI_INFO
from flowsim.outputs import atomic_write_text, manifest, new_run_dir, write_csv, write_json

#: Kept for callers of the old name: the headline KPIs in report order.
HEADLINE_KPIS = headline_kpis()

#: Interventions that add social-care or community capacity, and the baseline KPI
#: that shows whether that capacity binds in the calibration (mean wait, days).
_CAPACITY_LEVERS = {
    "more_home_care": ("home_care_wait_mean_days", "home care"),
    "more_care_home_places": ("care_home_wait_mean_days", "a care-home place"),
}
#: A mean wait below this (days) means the service has headroom in the calibration.
_HEADROOM_DAYS = 1.0

#: Terms used in reports that are not KPI names.
GLOSSARY_TERMS = (
    ("Baseline", "The scenario every option is compared with: current capacity and ways of work."),
    (
        "Common random numbers",
        "Every scenario sees the same patients (the same random numbers), so a difference "
        "between scenarios is the effect of the option, not of chance.",
    ),
    (
        "Paired 95% CI",
        "The range that contains the true difference from the baseline with 95% confidence, "
        "from the per-replication differences. If it excludes zero the difference is "
        "called clear (significant).",
    ),
    ("Replication", "One run of the model with its own random patients."),
    (
        "Medically fit (criteria to reside not met)",
        "A patient who no longer needs an acute bed but has not left it.",
    ),
    ("Delayed bed-day", "A day a medically fit patient spends in an acute bed."),
    (
        "Discharge pathways",
        "P0 home with no new support; P1 home with care (reablement, home care); "
        "P2 a community (intermediate-care) bed; P3 a care home.",
    ),
    ("G&A beds", "General and acute beds (adult, not critical care or maternity)."),
    ("4-hour standard", "Share of A&E attendances admitted, transferred or discharged within 4 h."),
    ("52-week waiter", "A patient on the elective list who has waited 52 weeks or more."),
    (
        "Probability of breaching",
        "The share of replications in which the year's figure misses the standard.",
    ),
)


# ------------------------------------------------------------------ blocks


@dataclass
class Table:
    """A table of formatted text cells, with optional note below it."""

    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    align_right: Sequence[int] = ()


@dataclass
class Figure:
    """A figure: file name, caption, and a function that draws it (returns axes)."""

    name: str
    caption: str
    draw: Callable[[], object]


@dataclass
class Report:
    """A report as blocks: ``("h1"|"h2"|"p"|"ul", text)``, :class:`Table`, :class:`Figure`."""

    title: str
    blocks: list = field(default_factory=list)

    def h2(self, text: str) -> None:
        """Add a section heading."""
        self.blocks.append(("h2", text))

    def p(self, text: str) -> None:
        """Add a paragraph (``**bold**`` allowed)."""
        self.blocks.append(("p", text))

    def ul(self, items: Sequence[str]) -> None:
        """Add a bullet list."""
        self.blocks.append(("ul", list(items)))

    def table(self, t: Table) -> None:
        """Add a table."""
        self.blocks.append(t)

    def figure(self, f: Figure) -> None:
        """Add a figure."""
        self.blocks.append(f)

    def figures(self) -> list[Figure]:
        """The figures, in order."""
        return [b for b in self.blocks if isinstance(b, Figure)]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(rep: Report) -> str:
    """The report as Markdown; figures refer to PNG files of the same name."""
    out = [f"# {rep.title}", ""]
    for b in rep.blocks:
        if isinstance(b, Table):
            out.append("| " + " | ".join(_md_cell(c) for c in b.columns) + " |")
            out.append(
                "|"
                + "|".join("---:" if i in b.align_right else "---" for i in range(len(b.columns)))
                + "|"
            )
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
            if b.note:
                out += ["", f"*{b.note}*"]
            out.append("")
        elif isinstance(b, Figure):
            out += [f"![{b.caption}]({b.name})", "", f"*{b.caption}*", ""]
        else:
            kind, text = b
            if kind == "h2":
                out += [f"## {text}", ""]
            elif kind == "p":
                out += [text, ""]
            elif kind == "ul":
                out += [f"- {t}" for t in text] + [""]
    return "\n".join(out)


def _inline(text: str) -> str:
    t = html.escape(text)
    t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", t)


_CSS = """
body{font-family:"Segoe UI",Arial,Helvetica,sans-serif;color:#1d2733;max-width:1180px;
margin:24px auto;padding:0 20px;line-height:1.42;font-size:15px}
h1{color:#005eb8;font-size:26px;margin:0 0 6px}h2{color:#005eb8;font-size:19px;
border-bottom:2px solid #d7e3f1;padding-bottom:3px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 4px;font-size:13px}
th,td{border:1px solid #c9d3de;padding:3px 7px;vertical-align:top}
th{background:#e8eff7;text-align:left}td.num{text-align:right;white-space:nowrap}
tr:nth-child(even) td{background:#f7f9fb}.wrap{overflow-x:auto;max-width:100%}
.note{font-size:12.5px;color:#4b5967;margin:2px 0 12px}
.summary{background:#f2f7fc;border-left:5px solid #005eb8;padding:6px 16px 8px;margin:10px 0}
figure{margin:14px 0;page-break-inside:avoid;break-inside:avoid}
figure img{max-width:100%;height:auto;border:1px solid #e0e6ec}
figcaption{font-size:12.5px;color:#4b5967}code{font-size:12.5px}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;font-size:11pt}h2{page-break-after:avoid;
break-after:avoid}table,figure,.summary{page-break-inside:avoid;break-inside:avoid}
.appendix{page-break-before:always;break-before:page}}
"""


def render_html(rep: Report, images: dict[str, str] | None = None) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    rep : Report
        The blocks.
    images : dict of str to str, optional
        Figure name to base64 PNG; figures not given are drawn now.
    """
    images = dict(images or {})
    body = [f"<h1>{_inline(rep.title)}</h1>"]
    in_summary = False
    for b in rep.blocks:
        if isinstance(b, Table):
            head = "".join(f"<th>{html.escape(c)}</th>" for c in b.columns)
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td class='num'>{html.escape(c)}</td>"
                    if i in b.align_right
                    else f"<td>{_inline(c)}</td>"
                    for i, c in enumerate(r)
                )
                + "</tr>"
                for r in b.rows
            )
            body.append(
                f"<div class='wrap'><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table></div>"
            )
            if b.note:
                body.append(f"<p class='note'>{_inline(b.note)}</p>")
        elif isinstance(b, Figure):
            data = images.get(b.name)
            if data is None:
                data = figure_png_base64(b.draw(), close=True)
            body.append(
                f"<figure><img alt='{html.escape(b.caption)}' "
                f"src='data:image/png;base64,{data}'>"
                f"<figcaption>{_inline(b.caption)}</figcaption></figure>"
            )
        else:
            kind, text = b
            if kind == "h2":
                if in_summary:
                    body.append("</div>")
                    in_summary = False
                cls = " class='appendix'" if text.startswith("Appendix") else ""
                body.append(f"<h2{cls}>{_inline(text)}</h2>")
                if text == "Summary":
                    body.append("<div class='summary'>")
                    in_summary = True
            elif kind == "p":
                body.append(f"<p>{_inline(text)}</p>")
            elif kind == "ul":
                body.append("<ul>" + "".join(f"<li>{_inline(t)}</li>" for t in text) + "</ul>")
    if in_summary:
        body.append("</div>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(rep.title)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def _write_report_files(rep: Report, folder: Path) -> list[str]:
    """Draw each figure once: PNG file beside the Markdown and base64 in the HTML."""
    images = {}
    names = []
    for f in rep.figures():
        obj = f.draw()
        images[f.name] = figure_png_base64(obj)
        save_figure(obj, folder / f.name)
        names.append(f.name)
    atomic_write_text(folder / "report.md", render_markdown(rep))
    atomic_write_text(folder / "report.html", render_html(rep, images))
    return names


# ------------------------------------------------------------------ formatting


def _label(kpi: str) -> str:
    try:
        return kpi_meta(kpi).label_unit
    except KeyError:
        return kpi


def _ci(kpi: str, lo: float, hi: float, signed: bool = False) -> str:
    if lo != lo or hi != hi:
        return ""
    return f"{format_value(kpi, lo, signed)} to {format_value(kpi, hi, signed)}"


def _money(x: float) -> str:
    if x != x:
        return "–"
    if abs(x) >= 1e6:
        return f"{'-' if x < 0 else ''}£{abs(x) / 1e6:,.2f}m"
    return f"{'-' if x < 0 else ''}£{abs(x):,.0f}"


def _pct_share(p: float) -> str:
    return "–" if p != p else f"{100 * p:.0f}%"


def _period_text(scn) -> str:
    d0 = pd.Timestamp(scenario_start_date(scn))
    start = d0 + pd.Timedelta(days=float(scn.run.warmup_days))
    end = start + pd.Timedelta(days=float(scn.run.days) - 1)
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


def _annual_note(days: float) -> str:
    if abs(days - 365.0) < 0.5:
        return "a one-year run, so period totals are annual"
    return f"a {days:g}-day run; period totals scaled to a year, x 365/{days:g}"


def format_summary(summary: pd.DataFrame) -> str:
    """A fixed-width table per scenario: KPI label, unit, mean, 95% CI and column name.

    Counts print as whole numbers; a single replication says why there is no interval.
    """
    lines = []
    for scen, g in summary.groupby("scenario", sort=False):
        n = int(g["n"].max())
        lines.append(f"Scenario: {scen}   (n = {n} replications, 95% CI kept within each range)")
        lines.append(f"  {'KPI':46s} {'unit':>10s} {'mean':>13s}   {'95% CI':>27s}  column")
        for r in g.itertuples():
            try:
                m = kpi_meta(r.kpi)
                label, unit = m.label, m.unit_text
            except KeyError:
                label, unit = r.kpi, r.unit
            mean = format_value(r.kpi, r.mean)
            ci = _ci(r.kpi, r.ci_low, r.ci_high)
            ci = f"[{ci}]" if ci else ("(one replication: no interval)" if n == 1 else "")
            lines.append(f"  {label[:46]:46s} {unit[:10]:>10s} {mean:>13s}   {ci:>27s}  {r.kpi}")
        lines.append("")
    return "\n".join(lines)


def print_summary(res: RunResult) -> None:
    """Print :func:`format_summary` of a run."""
    print(format_summary(res.summary))


# ------------------------------------------------------------------ run report


def _run_figures(res: RunResult) -> list[Figure]:
    from flowsim.plots import plot_daily_band

    out = []
    for col, cap in (
        ("acute_occupied", "G&A beds occupied at midnight, with beds available and 92% of them"),
        ("acute_delayed", "Patients fit to leave still in a G&A bed (midnight count)"),
        ("elective_waiting_list", "Elective (admitted) waiting list"),
        ("community_occupied", "Community beds occupied, with beds available"),
    ):
        if col in res.daily.columns:
            out.append(
                Figure(
                    f"daily_{col}.png",
                    f"{cap}: mean of replications; band = 2.5-97.5 percentile of replications.",
                    lambda col=col: plot_daily_band(res.daily, col),
                )
            )
    out.extend(_monthly_figures(res.daily))
    traj = _trajectory_figure(res, res.plot_elective_trajectory)
    return out + ([traj] if traj else [])


def _trajectory_figure(res: RunResult, draw: Callable[[], object]) -> Figure | None:
    """The monthly RTT trajectory with the E47 targets (None without snapshots)."""
    if res.elective_monthly is None or not len(res.elective_monthly):
        return None
    n = res.replications
    band = (
        "band = 95% CI of the mean across replications"
        if n > 1
        else "one replication, so no confidence band"
    )
    return Figure(
        "elective_trajectory.png",
        "Elective RTT list waiting under 18 weeks at each month end (hollow marker: the "
        f"period end), mean of replications; {band}. Lines: the national targets (E47), "
        "65% by March 2026 and the 92% RTT standard by March 2029.",
        draw,
    )


def _write_trajectory(res: RunResult, folder: Path) -> None:
    if res.elective_monthly is not None and len(res.elective_monthly):
        write_csv(res.elective_trajectory, folder / "elective_trajectory.csv")


def _monthly_figures(daily) -> list[Figure]:
    """The monthly figure (issue 17), when the daily series carries dates."""
    from flowsim.monthly import monthly_table
    from flowsim.plots import plot_monthly

    if "date" not in daily.columns or "ed_known_4h" not in daily.columns or not len(daily):
        return []
    out = [
        Figure(
            "monthly.png",
            "By calendar month: G&A occupancy, 4-hour performance, waits over 4 h from decision "
            "to admit and 12 hours from arrival; mean of replications with 95% CI.",
            lambda: plot_monthly(monthly_table(daily)),
        )
    ]
    if "amb_handovers" in daily.columns and daily["amb_handovers"].sum() > 0:
        panels = ["ambulance_handover_hours_lost_per_day", "ambulance_handover_over_60min_pct"]
        if daily["amb_cat2_responses"].sum() > 0:  # the ambulance service is modelled
            panels += ["ambulance_cat2_mean_min", "ambulance_cat1_mean_min"]
        out.append(
            Figure(
                "monthly_ambulance.png",
                "By calendar month: ambulance handover hours lost per day, handovers over "
                "60 minutes and (with the ambulance service) Category 2 and 1 mean response; "
                "mean of replications with 95% CI.",
                lambda: plot_monthly(monthly_table(daily), kpis=panels),
            )
        )
    return out


def _glossary(rep: Report, kpis: Sequence[str]) -> None:
    rows = []
    for k in kpis:
        try:
            m = kpi_meta(k)
        except KeyError:
            continue
        rows.append([m.label, m.unit_text, m.definition, f"`{k}`"])
    rep.table(Table(["KPI", "unit", "definition", "column name"], rows))
    rep.table(Table(["term", "meaning"], [list(t) for t in GLOSSARY_TERMS]))


def run_report(res: RunResult) -> Report:
    """The short report of a run: headline KPIs with 95% CIs, standards, figures."""
    name = "-".join(res.scenarios)
    first = next(iter(res.scenarios.values()))
    n = res.replications
    rep = Report(f"{name}: a run of the model")
    rep.h2("Summary")
    s = res.summary
    rep.p(
        f"{n} replication{'s' if n != 1 else ''} of the reporting period "
        f"{_period_text(first)} ({first.run.days:g} days after {first.run.warmup_days:g} days "
        f"warm-up), seed {res.seed}."
        + (" With one replication there are no confidence intervals." if n == 1 else "")
    )
    bullets = []
    for scen, g in s.groupby("scenario", sort=False):
        g = g.set_index("kpi")
        for kpi, std, words in (
            ("ed_pct_within_4h", 78.0, "the 78% 4-hour standard"),
            ("acute_occupancy_pct", 92.0, "the 92% G&A occupancy standard"),
        ):
            if kpi in g.index:
                v = g.loc[kpi, "mean"]
                side = (
                    "meets" if (v >= std if kpi == "ed_pct_within_4h" else v <= std) else "misses"
                )
                bullets.append(
                    f"{scen}: {kpi_meta(kpi).label} {format_value(kpi, v)}% ({side} {words})."
                )
    rep.ul(bullets)
    rows = []
    heads = [k for k in headline_kpis() if k in set(s["kpi"])]
    for scen, g in s.groupby("scenario", sort=False):
        g = g.set_index("kpi")
        for k in heads:
            r = g.loc[k]
            rows.append(
                [
                    str(scen),
                    _label(k),
                    format_value(k, r["mean"]),
                    _ci(k, r["ci_low"], r["ci_high"]) or "one replication: no interval",
                ]
            )
    rep.h2("Headline KPIs")
    rep.table(
        Table(
            ["scenario", "KPI (unit)", "mean", "95% CI"],
            rows,
            note="CIs are t-intervals across replications, kept within each KPI's range "
            "(percentages 0-100, counts 0 or more). The full table is in summary.csv.",
            align_right=(2, 3),
        )
    )
    rep.h2("Figures")
    for f in _run_figures(res):
        rep.figure(f)
    rep.h2("Appendix: glossary")
    _glossary(rep, heads)
    return rep


def write_run(
    res: RunResult, out: str | Path = "outputs", name: str | None = None, folder: Path | None = None
) -> Path:
    """Write a run's tables (CSV, Parquet, Excel), report and figures, then manifest.json.

    Parameters
    ----------
    res : RunResult
        The run.
    out : str or Path
        Parent of a new run folder (when ``folder`` is not given).
    name : str, optional
        Folder name stem (default: the scenario names).
    folder : Path, optional
        A run folder made earlier (the CLI makes one before running).

    Returns
    -------
    Path
        The run folder.
    """
    name = name or "-".join(res.scenarios)
    folder = folder or new_run_dir(out, name)
    write_csv(res.kpis_wide(), folder / "kpis.csv")
    write_csv(res.kpis, folder / "kpis_long.csv")
    write_csv(res.daily, folder / "daily.csv")
    _write_monthly(res.daily, folder)
    write_csv(res.summary, folder / "summary.csv")
    _write_trajectory(res, folder)
    res.to_parquet(folder / "parquet")
    res.to_excel(folder / "results.xlsx")
    figures = _write_report_files(run_report(res), folder)
    write_json(
        manifest(
            res.scenarios,
            res.seed,
            res.replications,
            {
                "files": sorted(p.name for p in folder.iterdir() if p.name != "manifest.json"),
                "kpi_definitions": {
                    k: {"unit": u, "definition": d} for k, (u, d) in KPI_INFO.items()
                },
                "figures": figures,
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


def format_differences(diffs: pd.DataFrame, kpis: Sequence[str] = HEADLINE_KPIS) -> str:
    """Fixed-width table of differences from baseline for ``kpis``."""
    d = diffs[diffs["kpi"].isin(kpis)]
    lines = [f"  {'scenario':28s} {'KPI':46s} {'difference':>12s}  {'paired 95% CI':>27s}  clear?"]
    for r in d.itertuples():
        ci = _ci(r.kpi, r.diff_ci_low, r.diff_ci_high, signed=True)
        flag = "yes" if r.significant else "no"
        lines.append(
            f"  {r.scenario[:28]:28s} {_label(r.kpi)[:46]:46s} "
            f"{format_value(r.kpi, r.diff_mean, signed=True):>12s}  {ci:>27s}  {flag}"
        )
    return "\n".join(lines)


def print_comparison(res) -> None:
    """Print the headline summary, differences, costs and breach probabilities."""
    print(format_summary(res.summary[res.summary["kpi"].isin(HEADLINE_KPIS)]))
    print("Difference from baseline (paired by replication; clear = 95% CI excludes 0)")
    print(format_differences(res.differences))
    print("\nCost per delayed bed-day saved (annual cost / delayed bed-days saved per year)")
    print(_console_table(ranking_table(res)))
    print("\nProbability of breaching each standard (share of replications)")
    print(_console_table(res.breaches))


def _console_table(df: pd.DataFrame) -> str:
    """A table for the terminal: money as £, shares as %, counts with separators and a
    dash for "no figure" (NaN: no clear improvement, or no running cost); the CSV and
    Excel tables keep the plain numbers."""
    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            continue
        if c.startswith("gbp_") or c.endswith("_gbp"):
            out[c] = out[c].map(_money)
        elif c.startswith("p_"):
            out[c] = out[c].map(_pct_share)
        else:
            out[c] = out[c].map(lambda v: "–" if v != v else f"{v:,.1f}")
    return out.to_string(index=False)


def _options_in_words(scn, brief: bool = False) -> list[str]:
    from flowsim.interventions import REGISTRY

    out = []
    for ref in scn.interventions:
        iv = REGISTRY.get(ref.name)
        if iv is None:
            out.append(ref.name)
            continue
        sizes = []
        for p in iv.params:
            v = ref.params.get(p.name, p.default)
            if p.unit == "GBP/yr":
                sizes.append(f"{p.description} {_money(v)} a year")
            elif p.unit == "GBP":
                sizes.append(f"{p.description} £{v:,.0f}")
            elif p.unit == "0/1":
                if v >= 0.5:
                    sizes.append(p.description.split("=", 1)[-1].strip())
            elif p.unit == "%":
                sizes.append(f"{p.description}: {v:g}%")
            elif p.unit == "ratio":
                sizes.append(f"{p.description}: {v:g}")
            else:
                sizes.append(f"{p.description}: {v:g} {p.unit}")
        desc = "" if brief else iv.description.replace("`", "") + " "
        out.append(f"{desc}Model: {'; '.join(sizes)}. Cost basis: {iv.cost_basis}.")
    return out


def _changes_text(spec, scn) -> str:
    parts = _options_in_words(scn, brief=bool(spec.description))
    if spec.overrides:
        parts.append(
            "Settings changed: "
            + ", ".join(
                f"{k.replace('.', ' ').replace('_', ' ')} = {v}" for k, v in spec.overrides.items()
            )
            + "."
        )
    return " ".join(parts) or "No change (the baseline)."


def ranking_table(res) -> pd.DataFrame:
    """Options ranked by delayed bed-days saved, with costs per unit of effect.

    Columns are plain numbers (annual figures); NaN cost-per-unit means no clear
    improvement (or no running cost), as the ``*_note`` columns of ``res.costs`` say.
    """
    c = res.costs.copy()
    cols = [
        "scenario",
        "annual_cost_gbp",
        "delayed_bed_days_saved_per_year",
        "ed_4h_points_gained",
        "waiters_52w_fewer",
        "gbp_per_delayed_bed_day_saved",
        "gbp_per_4h_point_gained",
        "gbp_per_52w_waiter_fewer",
    ]
    return c[[k for k in cols if k in c.columns]]


def _limits(res) -> list[str]:
    """The model's limits that bear on this comparison's answer."""
    exp = res.experiment
    scns = res.run.scenarios
    first = next(iter(scns.values()))
    d = res.differences
    base = res.summary[res.summary["scenario"] == exp.baseline].set_index("kpi")["mean"]
    out = []
    for spec in exp.scenarios:
        if spec.name == exp.baseline:
            continue
        names = [r.name for r in scns[spec.name].interventions]
        for iv, (kpi, service) in _CAPACITY_LEVERS.items():
            if iv in names and kpi in base.index and base[kpi] < _HEADROOM_DAYS:
                wait = f"{24 * base[kpi]:.1f} hours"
                first_note = (
                    " and discharges go first" if first.social_care.discharge_priority else ""
                )
                why = (
                    f"In the baseline a hospital discharge waits on average {wait} for "
                    f"{service} (social care has headroom{first_note}), so adding "
                    "capacity there barely moves hospital delays. It says the baseline is not "
                    "short of it (docs/validation.md, 'Discharge services as capacity'), not "
                    "that the option cannot work where capacity is short."
                )
                if len(names) == 1:
                    out.append(f"**{spec.name} can show little effect in this calibration.** {why}")
                else:
                    out.append(
                        f"**The {service} part of {spec.name} can show little effect in this "
                        f"calibration**; its effect comes from its other parts. {why}"
                    )
        sub = d[(d["scenario"] == spec.name) & d["kpi"].isin(HEADLINE_KPIS)]
        if len(sub) and not sub["significant"].any():
            out.append(
                f"{spec.name}: no headline KPI differs clearly from the baseline in "
                f"{res.run.replications} replications (every paired 95% CI includes zero)."
            )
    if abs(first.run.days - 365.0) > 0.5:
        out.append(
            f"The reporting period is {first.run.days:g} days ({_period_text(first)}); annual "
            f"figures are scaled x 365/{first.run.days:g} and miss the seasons outside it."
        )
    if "elective_52w_waiters" in base.index and base["elective_52w_waiters"] < 0.5:
        out.append(
            "**No option can reduce 52-week waiters here**: the baseline has "
            f"{base['elective_52w_waiters']:.0f} of them at the end of the period."
        )
    out.append(
        "52-week waiters: the list is served by priority (P2-P4, then in turn) and its "
        "size, 18-week share, median wait and 52-week waiters are calibrated, but the "
        "priority shares are assumed (D), so effects on long waiters depend on them "
        "(docs/validation.md, section 4b)."
    )
    out.append(
        "Option costs are the library's defaults (marked D where no public figure exists); "
        "replace them with local costings before using the cost-per-unit ranking."
    )
    if res.run.replications < 5:
        out.append(
            f"Only {res.run.replications} replications: intervals are wide and small effects "
            "will not show as clear."
        )
    return out


def _comparison_figures(res) -> list[Figure]:
    from flowsim.plots import plot_daily_band

    top = str(res.costs["scenario"].iloc[0]) if len(res.costs) else res.experiment.baseline
    daily = res.run.daily
    figs = [
        Figure(
            "forest_delayed_bed_days.png",
            "Delayed discharge bed-days in the period: difference from baseline with paired "
            "95% CI, sorted from the largest saving.",
            lambda: res.plot_forest("delayed_discharge_bed_days"),
        ),
        Figure(
            "forest_ed_4h.png",
            "A&E 4-hour performance: difference from baseline (percentage points) with paired "
            "95% CI, sorted from the largest gain.",
            lambda: res.plot_forest("ed_pct_within_4h"),
        ),
        Figure(
            "cost_vs_benefit.png",
            "Annual cost of each option against delayed bed-days saved per year.",
            lambda: res.plot_cost_benefit(),
        ),
        Figure(
            "system_diagram.png",
            f"Where patients wait: the baseline and the option saving most delayed bed-days "
            f"({top}). Boxes: mean occupied / capacity; arrows: mean midnight queue and delay.",
            lambda: res.plot_system(top),
        ),
        Figure(
            "delayed_by_pathway.png",
            "Patients fit to leave still in a G&A bed, by discharge pathway (mean midnight count).",
            lambda: res.plot_delayed_by_pathway(),
        ),
        Figure(
            "occupancy_by_setting.png",
            "Occupancy by setting against date, with capacity; band = 2.5-97.5 percentile of "
            "replications (not a confidence interval).",
            lambda: res.plot_occupancy(),
        ),
    ]
    if res.run.ed_time_hist is not None and len(res.run.ed_time_hist):
        figs.append(
            Figure(
                "ed_time_in_department.png",
                "Time in A&E: share of attendances per half-hour, with the 4- and 12-hour lines.",
                lambda: res.plot_time_in_department(),
            )
        )
    if "acute_occupancy_pct" in daily.columns:
        figs.append(
            Figure(
                "acute_occupancy.png",
                "G&A occupancy against date with the 92% standard; band = 2.5-97.5 percentile "
                "of replications.",
                lambda: plot_daily_band(daily, "acute_occupancy_pct"),
            )
        )
    figs.append(
        Figure(
            "waiting_list.png",
            "Elective waiting list against date; band = 2.5-97.5 percentile of replications.",
            lambda: res.plot_waiting_list(),
        )
    )
    figs.extend(_monthly_figures(daily))
    traj = _trajectory_figure(res.run, res.plot_elective_trajectory)
    return figs + ([traj] if traj else [])


def _rank_words(names: list[str]) -> str:
    if not names:
        return "none"
    return ", ".join(f"**{n}**" for n in names)


def comparison_report(res) -> Report:
    """The board report of a comparison, as blocks (see :func:`render_html_report`)."""
    exp = res.experiment
    scns = res.run.scenarios
    first = next(iter(scns.values()))
    n = res.run.replications
    c = res.costs
    specs = {s.name: s for s in exp.scenarios}
    options = [s.name for s in exp.scenarios if s.name != exp.baseline]
    title = exp.name.replace("_", " ")
    rep = Report(f"{title[:1].upper()}{title[1:]}: what each option buys")

    # ---- summary
    rep.h2("Summary")
    question = (exp.description or "").strip()
    rep.p(
        f"**The question.** {question + ' ' if question else ''}Which of {len(options)} options "
        "most reduces delayed discharges, improves A&E 4-hour performance and cuts elective "
        "52-week waiters, and at what cost per unit of effect?"
    )
    rep.p(
        f"**How.** The {exp.base} model, reporting period "
        f"{_period_text(first)} ({_annual_note(first.run.days)}), {n} replications per "
        f"scenario, seed {exp.seed}. Every scenario sees the same patients, so differences "
        "from the baseline are paired by replication."
    )
    bullets = []
    if "delayed_bed_days_saved" in c:
        clear = c[c["delayed_bed_days_saved_ci_low"] > 0]
        top = clear.head(3)
        bullets.append(
            "**Most delayed bed-days saved per year** (clear savings only): "
            + (
                "; ".join(
                    f"**{r.scenario}** {r.delayed_bed_days_saved_per_year:,.0f}"
                    for r in top.itertuples()
                )
                if len(top)
                else "no option saves delayed bed-days clearly"
            )
            + "."
        )
    if "ed_4h_points_gained" in c:
        g = c[c["ed_4h_points_gained_ci_low"] > 0].sort_values(
            "ed_4h_points_gained", ascending=False
        )
        bullets.append(
            "**Biggest 4-hour gain**: "
            + (
                "; ".join(
                    f"**{r.scenario}** +{r.ed_4h_points_gained:.1f} points"
                    for r in g.head(3).itertuples()
                )
                if len(g)
                else "no option improves 4-hour performance clearly"
            )
            + "."
        )
    if "waiters_52w_fewer" in c:
        g = c[c["waiters_52w_fewer_ci_low"] > 0].sort_values("waiters_52w_fewer", ascending=False)
        bullets.append(
            "**Fewest 52-week waiters**: "
            + (
                "; ".join(
                    f"**{r.scenario}** {r.waiters_52w_fewer:,.0f} fewer"
                    for r in g.head(3).itertuples()
                )
                if len(g)
                else "no option changes the number of 52-week waiters clearly"
            )
            + "."
        )
    for col, what in (
        ("gbp_per_delayed_bed_day_saved", "delayed bed-day saved"),
        ("gbp_per_4h_point_gained", "4-hour point gained"),
    ):
        if col in c:
            g = c[c[col].notna()].sort_values(col)
            if len(g):
                bullets.append(
                    f"**Lowest cost per {what}**: "
                    + "; ".join(
                        f"**{r.scenario}** {_money(getattr(r, col))}"
                        for r in g.head(3).itertuples()
                    )
                    + " (annual cost / annual effect)."
                )
    b = res.breaches.set_index("scenario")
    p4 = next((k for k in b.columns if k.startswith("p_4h_below")), None)
    po = next((k for k in b.columns if k.startswith("p_occupancy_above")), None)
    if p4 and po:
        t = exp.thresholds
        bullets.append(
            f"**Chance of missing the standards** in the baseline: 4-hour below "
            f"{t.ed_pct_within_4h_below:g}% in {_pct_share(b.loc[exp.baseline, p4])} of "
            f"replications, G&A occupancy above {t.acute_occupancy_pct_above:g}% in "
            f"{_pct_share(b.loc[exp.baseline, po])}. Options that lower either: "
            + _rank_words(
                [
                    s
                    for s in options
                    if s in b.index
                    and (
                        b.loc[s, p4] < b.loc[exp.baseline, p4]
                        or b.loc[s, po] < b.loc[exp.baseline, po]
                    )
                ]
            )
            + "."
        )
    rep.ul(bullets)
    rep.p("**Limits of the model that bear on this answer.**")
    rep.ul(_limits(res))

    # ---- ranking
    rep.h2("Options ranked")
    rows = []
    for i, r in enumerate(c.itertuples(), 1):
        cells = [str(i), str(r.scenario), _money(r.annual_cost_gbp)]
        ci = _ci(
            "delayed_discharge_bed_days",
            r.delayed_bed_days_saved_ci_low * 365 / r.period_days,
            r.delayed_bed_days_saved_ci_high * 365 / r.period_days,
            signed=True,
        )
        cells.append(
            format_value("delayed_discharge_bed_days", r.delayed_bed_days_saved_per_year, True)
            + (f" ({ci})" if ci else "")
        )
        cells.append(
            format_value("ed_pct_within_4h", r.ed_4h_points_gained, signed=True)
            if hasattr(r, "ed_4h_points_gained")
            else "–"
        )
        cells.append(
            format_value("elective_52w_waiters", r.waiters_52w_fewer, signed=True)
            if hasattr(r, "waiters_52w_fewer")
            else "–"
        )
        for col in (
            "gbp_per_delayed_bed_day_saved",
            "gbp_per_4h_point_gained",
            "gbp_per_52w_waiter_fewer",
        ):
            v = getattr(r, col, math.nan)
            note = getattr(r, f"{col}_note", "")
            cells.append(_money(v) if v == v else (note or "–"))
        rows.append(cells)
    per_year = (
        "per year"
        if abs(first.run.days - 365) < 0.5
        else f"per year, scaled from {first.run.days:g} days"
    )
    rep.table(
        Table(
            [
                "rank",
                "option",
                "annual cost (£ per year)",
                f"delayed bed-days saved ({per_year}; 95% CI)",
                "4-hour points gained",
                "52-week waiters fewer",
                "£ per delayed bed-day saved",
                "£ per 4-hour point",
                "£ per 52-week waiter",
            ],
            rows,
            note="Ranked by delayed bed-days saved. Cost per unit = annual cost / annual effect, "
            "shown only where the effect's paired 95% CI excludes zero; 'no clear improvement' "
            "means it does not. 4-hour points and 52-week waiters are the period's values, "
            "not scaled.",
            align_right=(0, 2, 3, 4, 5, 6, 7, 8),
        )
    )

    # ---- options in words
    rep.h2("What each option changes")
    rows = []
    cost_of = dict(zip(c["scenario"], c["annual_cost_gbp"], strict=True)) if len(c) else {}
    for name in options:
        rows.append(
            [
                name,
                (specs[name].description + " " if specs[name].description else "")
                + _changes_text(specs[name], scns[name]),
                _money(cost_of.get(name, 0.0)),
            ]
        )
    rep.table(Table(["option", "what changes", "annual cost (£ per year)"], rows, align_right=(2,)))

    # ---- headline differences
    rep.h2("Headline differences from the baseline")
    heads = [k for k in HEADLINE_KPIS if k in set(res.differences["kpi"])]
    base = res.summary[res.summary["scenario"] == exp.baseline].set_index("kpi")
    dd = res.differences.set_index(["scenario", "kpi"])
    rows = [["baseline (value)", *[format_value(k, base.loc[k, "mean"]) for k in heads]]]
    for name in c["scenario"]:
        cells = [str(name)]
        for k in heads:
            r = dd.loc[(name, k)]
            mark = " ✱" if r["significant"] else ""
            cells.append(format_value(k, r["diff_mean"], signed=True) + mark)
        rows.append(cells)
    rep.table(
        Table(
            ["option", *[_label(k) for k in heads]],
            rows,
            note="First row: the baseline's value over the period; then each option's mean "
            "difference from it, options in rank order. ✱ = clear difference: its paired 95% "
            "CI excludes zero; no mark = no clear difference. The full table with intervals "
            "for every KPI is in the appendix.",
            align_right=tuple(range(1, 1 + len(heads))),
        )
    )

    # ---- breaches
    rep.h2("Probability of breaching each standard")
    t = exp.thresholds
    if p4 and po:
        bb = res.breaches.sort_values([p4, po], kind="stable")
        rep.table(
            Table(
                [
                    "scenario",
                    f"4-hour below {t.ed_pct_within_4h_below:g}% (E46)",
                    f"G&A occupancy above {t.acute_occupancy_pct_above:g}% (E49)",
                ],
                [
                    [str(r.scenario), _pct_share(getattr(r, p4)), _pct_share(getattr(r, po))]
                    for r in bb.itertuples()
                ],
                note=f"Share of the {n} replications in which the period's value misses the "
                "standard; sorted from the lowest risk.",
                align_right=(1, 2),
            )
        )

    # ---- figures
    rep.h2("Figures")
    for f in _comparison_figures(res):
        rep.figure(f)

    # ---- appendices
    rep.h2("Appendix A: every KPI, difference from the baseline")
    rows = []
    for r in res.differences.itertuples():
        rows.append(
            [
                str(r.scenario),
                _label(r.kpi),
                format_value(r.kpi, r.baseline_mean),
                format_value(r.kpi, r.diff_mean, signed=True),
                _ci(r.kpi, r.diff_ci_low, r.diff_ci_high, signed=True) or "–",
                _ci(r.kpi, r.unpaired_ci_low, r.unpaired_ci_high, signed=True) or "–",
                "yes" if r.significant else "no",
            ]
        )
    rep.table(
        Table(
            [
                "option",
                "KPI (unit)",
                "baseline",
                "difference",
                "paired 95% CI",
                "unpaired 95% CI",
                "clear difference?",
            ],
            rows,
            note="'yes' = the paired 95% CI excludes zero. The unpaired (Welch) CI ignores the "
            "common random numbers and shows how much pairing narrows the interval.",
            align_right=(2, 3, 4, 5),
        )
    )
    rep.h2("Appendix B: glossary")
    _glossary(rep, [k for k in kpi_names() if k in set(res.differences["kpi"])])
    rep.h2("Appendix C: how to reproduce")
    rep.p(
        "The resolved configuration of every scenario, its hash, the seeds and package "
        "versions are in `manifest.json`; every table is in the CSV and Parquet files and "
        "in `results.xlsx`."
    )
    return rep


def render_html_report(comparison) -> str:
    """The comparison's board report as one self-contained HTML page (figures embedded).

    Parameters
    ----------
    comparison : ComparisonResult

    Returns
    -------
    str
        HTML that opens offline and prints cleanly to PDF.
    """
    return render_html(comparison_report(comparison))


def write_html_report(comparison, path: str | Path) -> Path:
    """Write :func:`render_html_report` to ``path`` and return it."""
    path = Path(path)
    atomic_write_text(path, render_html_report(comparison))
    return path


def comparison_markdown(res, figures: Sequence[str] = ()) -> str:
    """The comparison's board report as Markdown (figures as PNG files beside it)."""
    return render_markdown(comparison_report(res))


def _write_monthly(daily, folder: Path) -> None:
    """``monthly.csv`` (month, KPI, mean, CI) from the daily series, when it has dates."""
    from flowsim.monthly import monthly_table

    if "date" in daily.columns and "ed_known_4h" in daily.columns and len(daily):
        write_csv(monthly_table(daily), folder / "monthly.csv")


def write_comparison(res, out: str | Path = "outputs") -> Path:
    """Tables (CSV, Parquet, Excel), figures, report.md, report.html and (last)
    manifest.json for a comparison, in a new folder under ``out``."""
    folder = new_run_dir(out, res.experiment.name)
    run = res.run
    write_csv(run.kpis_wide(), folder / "kpis.csv")
    write_csv(run.daily, folder / "daily.csv")
    _write_monthly(run.daily, folder)
    write_csv(res.summary, folder / "summary.csv")
    write_csv(res.differences, folder / "differences.csv")
    write_csv(res.costs, folder / "costs.csv")
    write_csv(res.breaches, folder / "breaches.csv")
    if run.ed_time_hist is not None and len(run.ed_time_hist):
        write_csv(run.ed_time_hist, folder / "ed_time_in_department_hist.csv")
    _write_trajectory(run, folder)
    res.to_parquet(folder / "parquet")
    res.to_excel(folder / "results.xlsx")
    _write_report_files(comparison_report(res), folder)
    write_json(
        manifest(
            run.scenarios,
            run.seed,
            run.replications,
            {
                "experiment": res.experiment.model_dump(mode="json"),
                "files": sorted(p.name for p in folder.iterdir()),
                "complete": True,
            },
        ),
        folder / "manifest.json",
    )
    return folder
