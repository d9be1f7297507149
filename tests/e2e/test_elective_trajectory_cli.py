"""End-to-end: ``flowsim run`` writes the monthly elective trajectory (table and figure)
into its output folder and its report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from flowsim.cli import main
from flowsim.elective_trajectory import MEASURES


def test_run_writes_the_elective_trajectory_table_and_figure(tmp_path):
    # Day 0 on Monday 1 April 2024 (not the packaged financial-year calendar, whose day 0
    # is a warm-up before 1 April) + 1 warm-up day, 32 days: the 30 April month end and
    # the 3 May period end
    rc = main(
        [
            "-q",
            "run",
            "--set",
            "run.reporting_start_month=null",
            "--set",
            "run.start_month=4",
            "--days",
            "32",
            "--warmup-days",
            "1",
            "-r",
            "2",
            "--seed",
            "5",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert rc == 0
    (folder,) = list(tmp_path.iterdir())
    png = folder / "elective_trajectory.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    t = pd.read_csv(folder / "elective_trajectory.csv")
    assert list(dict.fromkeys(t["date"])) == ["2024-04-30", "2024-05-03"]
    assert list(dict.fromkeys(t["month_end"])) == [True, False]
    assert set(t["kpi"]) == set(MEASURES) and (t["n"] == 2).all()
    assert {"ci_low", "ci_high", "month", "scenario"} <= set(t.columns)
    # the period-end snapshot is the mean of the replications' period-end KPIs
    kpis = pd.read_csv(folder / "kpis.csv")
    end = t[~t["month_end"]].set_index("kpi")
    for k in MEASURES:
        assert end.loc[k, "mean"] == pytest.approx(kpis[k].mean()), k
    # and the report shows the figure; the per-replication table is in the workbook
    assert "](elective_trajectory.png)" in (folder / "report.md").read_text()
    assert "E47" in (folder / "report.html").read_text()
    sheets = pd.read_excel(folder / "results.xlsx", sheet_name=None)
    assert len(sheets["elective_monthly"]) == 2 * 2 and "elective_trajectory" in sheets
    m = json.loads((folder / "manifest.json").read_text())
    assert "elective_trajectory.png" in m["figures"] and "elective_trajectory.csv" in m["files"]
