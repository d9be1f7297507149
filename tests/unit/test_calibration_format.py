"""``flowsim calibrate``'s console table: one line per target, results said plainly,
and each known gap once."""

import numpy as np
import pandas as pd

from flowsim.calibration import format_calibration


def _row(kpi, mean, low=10.0, high=20.0, misfit="", gap="", ci=(np.nan, np.nan), era=""):
    return {
        "kpi": kpi,
        "observed": 15.0,
        "band_low": low,
        "band_high": high,
        "model_mean": mean,
        "model_ci_low": ci[0],
        "model_ci_high": ci[1],
        "within_band": bool(low <= mean <= high),
        "era": era,
        "known_misfit": misfit,
        "source": f"row for {kpi}",
        "gap": gap,
    }


def _lines(rows):
    text = format_calibration(pd.DataFrame(rows))
    return text, {ln.split()[0]: ln for ln in text.splitlines()[1 : len(rows) + 1]}


def test_each_result_is_said_plainly():
    text, by_kpi = _lines(
        [
            _row("fits", 15.0, ci=(14.0, 16.0)),
            _row("low_misfit", 5.0, misfit="low", gap="G1"),
            _row("moved_in", 12.0, misfit="low", gap="G1"),
            _row("wrong_side", 25.0, misfit="low", gap="G2"),
            _row("out", 25.0),
        ]
    )
    assert "15.0 [14.0, 16.0]" in by_kpi["fits"] and "in band" in by_kpi["fits"]
    assert "known misfit (low)" in by_kpi["low_misfit"]
    assert "in band (known misfit low moved in)" in by_kpi["moved_in"]
    assert "OUT (high; known misfit was low)" in by_kpi["wrong_side"]
    assert by_kpi["out"].rstrip().endswith("OUT (high)")
    # one replication: no interval, the mean alone
    assert "[" not in by_kpi["low_misfit"]


def test_sources_listed_and_each_gap_said_once():
    text, _ = _lines(
        [
            _row("a", 5.0, misfit="low", gap="the same reason"),
            _row("b", 5.0, misfit="low", gap="the same reason"),
            _row("c", 15.0),
        ]
    )
    assert text.count("the same reason") == 1
    assert "  a, b: the same reason" in text
    for k in "abc":
        assert f"  {k}: row for {k}" in text


def test_large_figures_have_thousands_separators_and_columns_align():
    text, by_kpi = _lines(
        [
            _row("big", 2500.0, low=40.0, high=2000.0, ci=(0.0, 2260.0)),
            _row("small_name", 15.0),
        ]
    )
    assert "2,500 [0.0, 2,260]" in by_kpi["big"]
    header = text.splitlines()[0]
    # right-aligned number columns end at the same place on every line
    end = header.index("model [95% CI]") + len("model [95% CI]")
    for line in text.splitlines()[1:3]:
        assert line[end - 1] != " "
