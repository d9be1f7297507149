"""What the page offers for download: the board report, the tables and the YAML.

:func:`board_report_html` is the one call into the report: it uses the board report
(``flowsim.report.render_html_report``) when the package has it, and until then an
interim self-contained page built from the same tables.
"""

from __future__ import annotations

import base64
import html
import io
import zipfile

import pandas as pd

from flowsim.app.figures import forest_figure
from flowsim.app.kpi_text import format_value, kpi_label, kpi_unit, page_headline_kpis
from flowsim.app.ranking import rank_options, ranking_for_display
from flowsim.comparison import ComparisonResult


def result_tables(res: ComparisonResult) -> dict[str, pd.DataFrame]:
    """The tables of a comparison, by file stem (tidy, machine-readable)."""
    return {
        "ranking": rank_options(res),
        "summary": res.summary,
        "differences": res.differences,
        "costs": res.costs,
        "breaches": res.breaches,
        "kpis": res.run.kpis_wide(),
    }


def tables_zip(res: ComparisonResult) -> bytes:
    """Every table as a CSV file in one zip archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for stem, df in result_tables(res).items():
            z.writestr(f"{stem}.csv", df.to_csv(index=False))
    return buf.getvalue()


def tables_excel(res: ComparisonResult) -> bytes:
    """Every table as a sheet of one Excel workbook (openpyxl)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for stem, df in result_tables(res).items():
            df.to_excel(xw, sheet_name=stem[:31], index=False)
    return buf.getvalue()


def board_report_html(res: ComparisonResult) -> str:
    """The comparison's board report as one self-contained HTML page."""
    try:
        from flowsim.report import render_html_report
    except ImportError:
        return _interim_report_html(res)
    return render_html_report(res)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode()


def _interim_report_html(res: ComparisonResult) -> str:
    exp = res.experiment
    first = next(iter(res.run.scenarios.values()))
    n = int(res.run.kpis["rep"].nunique())
    summ = res.summary[res.summary["kpi"].isin(page_headline_kpis())]
    piv = summ.pivot_table(index="kpi", columns="scenario", values="mean", sort=False)
    piv = piv.reindex([k for k in page_headline_kpis() if k in piv.index])
    head = pd.DataFrame(
        {s: [format_value(k, piv.loc[k, s]) for k in piv.index] for s in piv.columns},
        index=[f"{kpi_label(k)} ({kpi_unit(k)})" for k in piv.index],
    )
    figs = "".join(
        f'<img alt="forest plot {html.escape(k)}" src="data:image/png;base64,'
        f'{_png(forest_figure(res, k))}">'
        for k in ("delayed_discharge_bed_days", "ed_pct_within_4h")
    )
    style = (
        "body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;"
        "color:#222}table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid "
        "#ccc;padding:4px 8px;text-align:left}th{background:#eef}img{max-width:100%}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(exp.name)}: options compared</title><style>{style}</style>"
        "</head><body>"
        f"<h1>{html.escape(exp.name)}: what each option buys</h1>"
        f"<p>{html.escape(exp.description)}</p>"
        f"<p>Base scenario <b>{html.escape(exp.base)}</b>; {first.run.days:g} days reported "
        f"after {first.run.warmup_days:g} days warm-up; {n} replications per option with "
        "common random numbers, so differences from the baseline are paired.</p>"
        "<h2>Options ranked by delayed bed-days saved</h2>"
        + ranking_for_display(rank_options(res)).to_html(index=False, escape=True)
        + "<h2>Headline results (mean over replications)</h2>"
        + head.to_html(escape=True)
        + "<h2>Effects with 95% confidence intervals</h2>"
        + figs
        + "<p><small>Interim report from the summit app; the board report replaces it.</small>"
        "</p></body></html>"
    )
