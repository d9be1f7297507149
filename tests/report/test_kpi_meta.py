"""KPI presentation metadata and number formatting."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.kpi_meta import format_value, headline_kpis, higher_is_better, kpi_meta


def test_every_kpi_has_a_label_unit_and_range():
    for k in flowsim.KPI_NAMES:
        m = kpi_meta(k)
        assert m.label and m.label != k and "_" not in m.label, k
        assert m.unit and m.label_unit.endswith(")")
        assert m.lower == 0.0
        assert (m.upper == 100.0) == (m.unit == "%")


def test_unknown_kpi_lists_known_names():
    with pytest.raises(KeyError, match="ed_pct_within_4h"):
        kpi_meta("nope")


def test_headline_and_direction():
    assert "delayed_discharge_bed_days" in headline_kpis()
    assert higher_is_better("ed_pct_within_4h") and not higher_is_better("acute_occupancy_pct")


def test_counts_print_whole_and_money_with_pound_sign():
    assert format_value("ed_attendances", 74635.0) == "74,635"
    assert format_value("ed_12h_from_arrival", 12.4) == "12"
    assert format_value("cost_total_gbp", -9692146.2, signed=True) == "-£9,692,146"
    assert format_value("ed_pct_within_4h", 3.21, signed=True) == "+3.2"
    assert format_value("ed_pct_within_4h", float("nan")) == "–"


def test_values_that_round_to_zero_carry_no_sign():
    assert format_value("ed_pct_within_4h", -0.001, signed=True) == "0.00"
    assert format_value("elective_52w_waiters", 0.0, signed=True) == "0"
    assert format_value("ed_pct_within_4h", 0.03, signed=True) == "+0.03"
