"""The calendar: a reporting period that starts on the 1st of a month after the warm-up,
dated daily output, and the monthly table (issue 17)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import flowsim
from flowsim.dates import month_of_days, reporting_start_date, scenario_start_date
from flowsim.monthly import MONTHLY_KPIS, monthly_table, monthly_values


def test_warmup_ends_on_first_of_reporting_month():
    day0, first = reporting_start_date(4, 91, start_weekday=0)
    assert first == dt.date(2024, 4, 1)
    assert day0 == dt.date(2024, 1, 1) and day0.weekday() == 0
    # a warm-up that does not fit 2024's weekdays moves to an earlier year
    day0, first = reporting_start_date(4, 90, start_weekday=0)
    assert first.month == 4 and first.day == 1 and first.year < 2024
    assert (first - day0).days == 90 and day0.weekday() == 0


def test_packaged_scenarios_report_a_financial_year(worcs):
    s = worcs
    assert s.run.reporting_start_month == 4
    day0 = scenario_start_date(s)
    assert day0 + dt.timedelta(days=s.run.warmup_days) == dt.date(2024, 4, 1)
    months = month_of_days(s, int(s.run.warmup_days + s.run.days))
    w = int(s.run.warmup_days)
    assert months[w] == 4 and months[w - 1] == 3 and months[0] == 1
    assert months[-1] == 3  # the year ends in March


@pytest.mark.parametrize(
    "warmup, day0",
    [
        (91, dt.date(2024, 1, 1)),
        (5, dt.date(2024, 3, 27)),
        (30, dt.date(2024, 3, 2)),
        (14, dt.date(2024, 3, 18)),
    ],
)
def test_any_warmup_reports_fy2024_25_with_the_calendar_weekday(worcs, warmup, day0):
    """start_weekday null (the packaged counties): the reporting period stays FY2024/25
    whatever the warm-up, and day 0 has the weekday the calendar gives it (27 March 2024
    was a Wednesday, 2 March a Saturday), which the model uses."""
    s = worcs.with_overrides({"run.warmup_days": warmup, "run.days": 95})
    assert s.run.start_weekday is None
    assert scenario_start_date(s) == day0
    assert s.run.weekday0 == day0.weekday()
    # ... and the model's weekday-dependent steps use it (the discharge rule, the clock)
    from flowsim.model.discharge_window import DischargeWindow
    from flowsim.model.engine import Clock

    assert DischargeWindow(s).start_weekday == day0.weekday()
    clock = Clock(__import__("simpy").Environment(), s.run.weekday0)
    assert clock.weekday(0.0) == day0.weekday()
    daily = flowsim.run(s, replications=1, progress=False).daily
    reporting = daily[daily["day"] >= warmup]
    assert reporting["date"].min() == pd.Timestamp("2024-04-01")


def test_a_set_weekday_keeps_the_latest_year_with_day0_on_it(worcs):
    s = worcs.with_overrides({"run.start_weekday": 0, "run.warmup_days": 90})
    d0 = scenario_start_date(s)
    assert d0.weekday() == 0 and s.run.weekday0 == 0 and d0.year < 2024


def test_winter_experiments_report_from_1_december(worcs):
    """The two winter experiments start their reporting period on 1 December
    (run.start_month is ignored beside the county's reporting_start_month)."""
    import yaml

    from flowsim.sweep import load_sweep

    root = __import__("pathlib").Path(__file__).resolve().parents[2] / "experiments"
    for name in ("ambulance_handover.yaml", "sweep_beds_homecare.yaml"):
        sw = load_sweep(root / name)
        raw = yaml.safe_load((root / name).read_text())
        s = worcs.with_overrides(
            {**raw["overrides"], "run.warmup_days": raw["warmup_days"], "run.days": raw["days"]}
        )
        first = scenario_start_date(s) + dt.timedelta(days=raw["warmup_days"])
        assert first == dt.date(2024, 12, 1), (name, sw)


def test_month_of_days_without_reporting_month_starts_on_start_month(worcs):
    s = worcs.with_overrides({"run.reporting_start_month": None, "run.start_month": 10})
    m = month_of_days(s, 62)
    assert m[0] == 10 and m[30] == 10 and m[31] == 11 and m[61] == 12


def test_daily_output_is_dated_from_the_first_reporting_day():
    s = flowsim.load_scenario(
        "configs/validation/ed_mmc.yaml",
        overrides={"run.days": 5, "run.warmup_days": 4, "run.reporting_start_month": 4},
    )
    res = flowsim.simulate(s)
    assert pd.Timestamp(res.daily["date"].iloc[0]) == pd.Timestamp(
        scenario_start_date(s)
    ) + pd.Timedelta(days=4)
    assert pd.Timestamp(res.daily["date"].iloc[0]).day == 1
    assert pd.Timestamp(res.daily["date"].iloc[0]).month == 4


def _daily(rep: int, start: str, n: int, **cols) -> pd.DataFrame:
    base = {
        "ed_attendances": 100.0,
        "ed_within_4h": 60.0,
        "ed_known_4h": 100.0,
        "ed_12h_from_arrival": 5.0,
        "ed_dta_waits_4h": 10.0,
        "ed_trolley_waits_12h": 1.0,
        "emergency_admissions": 40.0,
        "acute_occupied": 90.0,
        "acute_beds_available": 100.0,
        "acute_escalated": 0,
        "acute_beds_closed": 0,
    }
    base.update(cols)
    d = pd.DataFrame({k: [v] * n for k, v in base.items()})
    d.insert(0, "date", pd.date_range(start, periods=n, freq="D"))
    d.insert(0, "day", np.arange(n))
    d.insert(0, "rep", rep)
    d.insert(0, "scenario", "s")
    return d


def test_monthly_values_are_ratios_of_sums():
    # 20 days of March (one level) and 10 of April (another): each month on its own
    d = pd.concat(
        [
            _daily(0, "2025-03-12", 20, ed_within_4h=50.0, acute_escalated=1),
            _daily(0, "2025-04-01", 10, ed_within_4h=80.0, acute_beds_closed=28),
        ]
    )
    v = monthly_values(d).set_index(["month", "kpi"])["value"]
    assert v[("2025-03", "ed_pct_within_4h")] == pytest.approx(50.0)
    assert v[("2025-04", "ed_pct_within_4h")] == pytest.approx(80.0)
    assert v[("2025-03", "ed_dta_over_4h_pct")] == pytest.approx(25.0)
    assert v[("2025-03", "ed_12h_from_arrival_pct")] == pytest.approx(5.0)
    assert v[("2025-03", "ed_trolley_waits_12h")] == pytest.approx(20.0)
    assert v[("2025-03", "acute_occupancy_pct")] == pytest.approx(90.0)
    assert v[("2025-03", "escalation_days")] == 20 and v[("2025-04", "escalation_days")] == 0
    assert v[("2025-04", "outbreak_beds_closed_mean")] == pytest.approx(28.0)
    assert set(monthly_values(d)["kpi"]) == set(MONTHLY_KPIS)


def test_monthly_table_gives_mean_and_interval_over_replications():
    d = pd.concat([_daily(r, "2025-01-01", 31, ed_within_4h=60.0 + 2 * r) for r in range(4)])
    t = monthly_table(d)
    row = t[(t["month"] == "2025-01") & (t["kpi"] == "ed_pct_within_4h")].iloc[0]
    assert row["n"] == 4 and row["days"] == 31
    assert row["mean"] == pytest.approx(63.0)
    assert row["ci_low"] < 63.0 < row["ci_high"]
    assert list(t.columns) == [
        "scenario",
        "month",
        "days",
        "kpi",
        "unit",
        "n",
        "mean",
        "ci_low",
        "ci_high",
    ]
    one = monthly_table(_daily(0, "2025-01-01", 31))
    assert one["ci_low"].isna().all()  # one replication: no interval
