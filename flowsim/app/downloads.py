"""What the page offers for download: the board report, the tables and the YAML.

:func:`board_report_html` is the one call into the report: the library's board report
(:func:`flowsim.report.render_html_report`), the same page ``flowsim compare`` writes.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from flowsim.app.ranking import rank_options
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
    """The comparison's board report as one self-contained HTML page (the library's)."""
    from flowsim.report import render_html_report

    return render_html_report(res)
