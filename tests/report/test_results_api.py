"""Result objects: short reprs, HTML reprs, one KPI table shape, Parquet/Excel export,
dated daily tables, and summaries whose intervals stay in range."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

import flowsim
from flowsim.dates import scenario_start_date, start_date
from flowsim.kpi_meta import kpi_meta


@pytest.fixture(scope="module")
def one(worcs_short):
    return flowsim.simulate(worcs_short.with_overrides({"run.days": 6, "run.warmup_days": 1}))


def test_reprs_are_short_and_html_reprs_are_tables(one, small_comparison):
    for obj in (one, small_comparison.run, small_comparison):
        r = repr(obj)
        assert len(r) < 250 and "\n" not in r, r
        h = obj._repr_html_()
        assert "<table>" in h and "</table>" in h
    assert "G&amp;A bed occupancy (%)" in small_comparison.run._repr_html_()


def test_one_kpi_table_shape_everywhere(one, small_comparison):
    cols = ["scenario", "point", "rep", "kpi", "value"]
    for t in (one.kpi_table(), small_comparison.run.kpi_table(), small_comparison.kpi_table()):
        assert list(t.columns) == cols
    assert isinstance(one.kpis, dict)  # kept: tests and notebooks index it by name
    t = one.kpi_table().set_index("kpi")["value"]
    assert t.to_dict() == one.kpis


def test_parquet_and_excel_round_trip(tmp_path, one, small_comparison):
    for obj in (one, small_comparison.run, small_comparison):
        files = obj.to_parquet(tmp_path / type(obj).__name__)
        tables = obj.tables()
        assert [f.stem for f in files] == list(tables)
        for f in files:
            pdt.assert_frame_equal(
                pd.read_parquet(f), tables[f.stem], check_dtype=False, check_names=False
            )
        book = obj.to_excel(tmp_path / f"{type(obj).__name__}.xlsx")
        sheets = pd.read_excel(book, sheet_name=None)
        assert set(sheets) == set(tables)
        k = sheets["kpis"]
        assert len(k) == len(tables["kpis"])


def test_daily_table_has_dates_from_the_scenario(one):
    d = one.daily
    assert list(d.columns[:2]) == ["day", "date"]
    day0 = pd.Timestamp(scenario_start_date(one.scenario))
    assert (d["date"] - pd.to_timedelta(d["day"], unit="D") == day0).all()
    # the reporting period starts on 1 April 2024, after the one-day warm-up (day 0 is
    # Sunday 31 March 2024, the weekday the model uses)
    first = d["date"].iloc[0]
    assert first == pd.Timestamp("2024-04-01") and day0.weekday() == 6
    assert one.scenario.run.weekday0 == 6


def test_start_date_matches_weekday_and_month():
    for m in (1, 4, 10):
        for wd in range(7):
            d = start_date(m, wd)
            assert d.month == m and d.day == 1 and d.weekday() == wd and d.year <= 2024


def test_summary_intervals_respect_kpi_ranges(small_comparison):
    s = small_comparison.summary.dropna(subset=["ci_low"])
    pct = s["unit"] == "%"
    assert (s["ci_low"] >= 0).all()
    assert (s.loc[pct, "ci_high"] <= 100).all()
    assert (s["ci_low"] <= s["mean"]).all() and (s["mean"] <= s["ci_high"]).all()
    assert s["label"].map(lambda x: "_" not in x).all()
    assert (s["label"] == s["kpi"].map(lambda k: kpi_meta(k).label)).all()


def test_scenario_html_repr_is_short_and_names_capacities(worcs_short):
    scn = worcs_short.with_overrides({"name": "a<b", "acute.beds": 777})
    h = scn._repr_html_()
    assert h.startswith("<table>") and h.endswith("</table>")
    assert "a&lt;b" in h and "a<b" not in h  # escaped
    assert "777" in h and scn.config_hash()[:12] in h
    assert h.count("<tr>") <= 12


def test_journeys_are_exported_and_a_result_method(one):
    j = one.journeys()
    assert flowsim.journeys is flowsim.records.journeys
    pdt.assert_frame_equal(j, flowsim.journeys(one.records))
    assert list(j.columns) == ["patient_id", "setting", "event", "time_min"]
    assert (j["event"] == "ed_arrival").sum() == int(
        (one.records.ed["arrival"] == one.records.ed["arrival"]).sum()
    )


def test_excel_export_keeps_a_scenario_name_with_control_characters(tmp_path):
    # Excel cells refuse NUL and other C0 controls; the workbook is still written, and
    # the name keeps every other character.
    import pandas as pd
    from openpyxl import load_workbook

    from flowsim.export import write_excel_tables

    t = pd.DataFrame({"scenario": ["a\x00b\x07c"], "value": [1.0]})
    path = write_excel_tables({"kpis": t}, tmp_path / "x.xlsx")
    assert load_workbook(path)["kpis"]["A2"].value == "abc"


def test_console_tables_show_money_shares_and_dashes(small_comparison, capsys):
    """The terminal's cost and breach tables are formatted (the CSVs keep numbers)."""
    from flowsim.report import print_comparison

    print_comparison(small_comparison)
    out = capsys.readouterr().out
    cost = out.split("Cost per delayed bed-day saved")[1].split("Probability of breaching")[0]
    breach = out.split("Probability of breaching")[1]
    assert "NaN" not in out and "£" in cost
    assert "%" in breach and "0." not in breach.split("\n", 2)[2]
