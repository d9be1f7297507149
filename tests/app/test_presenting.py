"""KPI text, dates, the system diagram and the downloads (no Streamlit)."""

from __future__ import annotations

import io
import math
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from flowsim import load_scenario
from flowsim.app.diagram import DAILY_COLUMNS, system_diagram_dot
from flowsim.app.downloads import (
    board_report_html,
    result_tables,
    tables_excel,
    tables_zip,
)
from flowsim.app.kpi_text import format_value, format_with_unit, interval_text, kpi_label
from flowsim.app.timeline import daily_means, monthly_means
from flowsim.dates import scenario_start_date
from flowsim.kpi_meta import headline_kpis, kpi_meta


def test_kpi_text():
    assert format_value("ed_attendances", 74635.0) == "74,635"
    assert format_value("ed_pct_within_4h", 71.234) == "71.2%"
    assert format_value("cost_total_gbp", 2.5e6) == "£2.5m"
    assert format_value("ed_pct_within_4h", math.nan) == "n/a"
    assert format_with_unit("delayed_discharge_bed_days", 3452.4) == "3,452"
    assert format_with_unit("ed_12h_from_arrival", 5207.0) == "5,207"
    assert format_with_unit("ambulance_handover_hours_lost", 301.6) == "301.6 h"
    assert kpi_label("ed_pct_within_4h") == kpi_meta("ed_pct_within_4h").label
    assert kpi_label("not_a_kpi_name") == "Not a kpi name"


def test_page_reads_the_one_kpi_table():
    from flowsim.app import kpi_text

    assert not hasattr(kpi_text, "_SHORT") and not hasattr(kpi_text, "HEADLINE_KPIS")
    tiles = kpi_text.page_headline_kpis()
    assert set(tiles) == {k for k in headline_kpis() if kpi_meta(k).unit != "GBP"}
    for k in tiles:
        assert kpi_text.kpi_unit(k) == kpi_meta(k).unit
        assert kpi_text.kpi_definition(k) == kpi_meta(k).definition


def test_intervals_stay_in_range_and_say_so():
    assert interval_text("ed_pct_within_4h", 27.5, 108.5) == (
        "95% CI 27.5% to 100.0% (clipped to possible values)"
    )
    assert interval_text("elective_52w_waiters", -253, 852).startswith("95% CI 0 to 852")
    assert interval_text("ed_attendances", 10, 20) == "95% CI 10 to 20"
    assert "no confidence interval" in interval_text("ed_attendances", math.nan, math.nan)


def test_page_dates_follow_the_library_calendar():
    # 1 January on a Wednesday: 2025 is one, but the library's rule stops at 2024
    scn = load_scenario("worcestershire", {"run.start_weekday": 2, "run.start_month": 1})
    daily = pd.DataFrame({"scenario": "s", "rep": 0, "day": [0, 1], "x": [1.0, 2.0]})
    d = daily_means(daily, scn, ["x"])
    assert d.index[0] == pd.Timestamp(scenario_start_date(scn))
    assert d.index[0].year <= 2024 and d.index[0].weekday() == 2


def test_daily_and_monthly_means_carry_dates():
    scn = load_scenario("worcestershire")
    # Day 0 of the packaged scenario is Monday 1 January 2024: its 91-day warm-up ends on
    # 1 April (run.reporting_start_month, issue 17), so days 111-150 are 21 April - 30 May.
    daily = pd.DataFrame(
        {
            "scenario": "s",
            "rep": [0] * 40 + [1] * 40,
            "day": list(range(111, 151)) * 2,
            "x": [1.0] * 40 + [3.0] * 40,
        }
    )
    d = daily_means(daily, scn, ["x"])
    assert d.index[0] == pd.Timestamp("2024-04-21") and (d["x"] == 2.0).all()
    m = monthly_means(d)
    assert list(m.index) == ["Apr 2024", "May 2024"]
    assert m["days"].sum() == 40 and m.loc["Apr 2024", "days"] == 10


def test_diagram_shows_queues_and_delays():
    census = dict.fromkeys(DAILY_COLUMNS, 0.0)
    census.update({"ed_awaiting_bed": 25.0, "acute_occupied": 774, "acute_beds_available": 825})
    census["acute_delayed_p1"] = 64.7
    kpis = {"discharge_delay_mean_days_p1": 5.5, "ed_pct_within_4h": math.nan}
    dot = system_diagram_dot(kpis, census)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert "774 of 825 occupied" in dot
    assert "64.7 waiting (P1)" in dot and "5.5 days from fit" in dot
    assert "n/a% within 4 h" in dot
    assert dot.count("#c0392b") >= 2  # long queues in red, labels and lines
    assert 'label="pathway 0", color="#7f7f7f"' in dot


def test_downloads_hold_the_same_tables(tiny_comparison):
    res = tiny_comparison
    tables = result_tables(res)
    with zipfile.ZipFile(io.BytesIO(tables_zip(res))) as z:
        assert sorted(z.namelist()) == sorted(f"{k}.csv" for k in tables)
        back = pd.read_csv(z.open("differences.csv"))
    assert len(back) == len(tables["differences"])
    wb = load_workbook(io.BytesIO(tables_excel(res)), read_only=True)
    assert wb.sheetnames == list(tables)
    assert wb["ranking"].max_row == len(tables["ranking"]) + 1


def test_report_is_self_contained(tiny_comparison):
    page = board_report_html(tiny_comparison)
    assert page.startswith("<!doctype html>") or page.lower().startswith("<!doctype html>")
    assert "seven_day_discharge" in page
    assert 'src="http' not in page and "src='http" not in page
    from flowsim.report import render_html_report

    assert page == render_html_report(tiny_comparison)  # the library's report, not a copy


@pytest.mark.parametrize("kpi", ["delayed_discharge_bed_days", "ed_pct_within_4h"])
def test_forest_figure_sorted_and_labelled(tiny_comparison, kpi):
    from flowsim.app.figures import forest_figure

    fig = forest_figure(tiny_comparison, kpi)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    d = tiny_comparison.differences
    d = d[d["kpi"] == kpi].sort_values("diff_mean")
    # best at the top: rows are drawn bottom-up, so the best effect is the last label
    best_last = list(d["scenario"]) if kpi == "ed_pct_within_4h" else list(d["scenario"])[::-1]
    assert labels == best_last
    assert "paired 95% CI" in ax.get_xlabel() and kpi_label(kpi) in ax.get_xlabel()
