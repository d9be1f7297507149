"""The elective trajectory figure: dates, CI band, the E47 target lines, outside legend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests choose the backend; library code never does

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from flowsim.elective_plots import CI_BAND_LABEL, plot_elective_trajectory  # noqa: E402
from flowsim.elective_trajectory import stack, summarise_trajectory  # noqa: E402
from flowsim.plots import BASELINE_COLOUR  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _monthly(dates: list[str], reps: int = 3, scenarios=("baseline", "hub")) -> pd.DataFrame:
    d = pd.to_datetime(dates)
    tables = []
    for i, scen in enumerate(scenarios):
        for r in range(reps):
            tables.append(
                (
                    scen,
                    0,
                    r,
                    pd.DataFrame(
                        {
                            "month": d.strftime("%Y-%m"),
                            "date": d,
                            "day": np.arange(len(d)),
                            "month_end": [True] * (len(d) - 1) + [False],
                            "elective_waiting_list_end": 1000.0,
                            "elective_pct_within_18w": 50.0 + 5 * i + r + np.arange(len(d)),
                            "elective_52w_waiters": 10.0,
                            "elective_median_wait_weeks": 18.0,
                        }
                    ),
                )
            )
    return stack(tables)


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _hlines(ax) -> dict[float, str]:
    """Horizontal lines across the axes: y value -> label."""
    out = {}
    for ln in ax.get_lines():
        x, y = ln.get_xdata(), ln.get_ydata()
        if len(y) == 2 and y[0] == y[1] and tuple(x) == (0, 1):
            out[float(y[0])] = ln.get_label()
    return out


def test_targets_band_dates_and_legend_outside():
    monthly = _monthly(["2024-06-30", "2024-07-31", "2024-08-31", "2024-09-09"])
    ax = plot_elective_trajectory(summarise_trajectory(monthly))
    assert isinstance(ax, matplotlib.axes.Axes)
    lines = _hlines(ax)
    assert set(lines) == {65.0, 92.0}
    assert "E47" in lines[65.0] and "Mar 2026" in lines[65.0] and "after the run" in lines[65.0]
    assert "E47" in lines[92.0] and "RTT standard" in lines[92.0] and "Mar 2029" in lines[92.0]
    assert ax.get_ylim() == (0.0, 100.0)
    assert ax.get_ylabel() == "RTT list waiting under 18 weeks (%)"
    # a tick at each month end, labelled with its month (year under the first)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jun\n2024", "Jul", "Aug"]
    labels = _labels(ax)
    assert {"baseline", "hub", CI_BAND_LABEL, "period end, 9 Sep 2024"} <= set(labels)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection) and len(c.get_paths())]
    assert len(bands) == 2  # one CI band per scenario
    base = next(ln for ln in ax.get_lines() if ln.get_label() == "baseline")
    assert base.get_color() == BASELINE_COLOUR
    # the baseline line runs through the monthly means on the real dates
    x = matplotlib.dates.num2date(base.get_xdata(orig=False))
    assert [t.date().isoformat() for t in x][:2] == ["2024-06-30", "2024-07-31"]
    assert list(base.get_ydata()) == pytest.approx([51.0, 52.0, 53.0, 54.0])
    ax.figure.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.x0 >= ax.get_window_extent().x1 - 1  # legend right of the data
    assert not [ln for ln in ax.get_lines() if ln.get_marker() == "*"]  # no target date inside


def test_a_target_inside_the_months_shown_is_marked_at_its_date():
    monthly = _monthly(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-09"])
    ax = plot_elective_trajectory(monthly)  # per-replication table: summarised here
    lines = _hlines(ax)
    assert "after the run" not in lines[65.0] and "after the run" in lines[92.0]
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    assert len(stars) == 1
    (xs,), (ys,) = stars[0].get_xdata(), stars[0].get_ydata()
    assert pd.Timestamp(xs).date().isoformat() == "2026-03-31" and ys == 65.0
    assert "target date (E47)" in _labels(ax)


def test_one_replication_says_there_is_no_band_and_draws_on_given_axes():
    _, given = plt.subplots()
    ax = plot_elective_trajectory(_monthly(["2024-06-30", "2024-07-31"], reps=1), ax=given)
    assert ax is given
    assert "(one replication: no confidence band)" in _labels(ax)
    assert not [c for c in ax.collections if len(c.get_paths())]


def test_a_table_without_the_share_is_refused():
    s = summarise_trajectory(_monthly(["2024-06-30"]))
    with pytest.raises(ValueError, match="elective_pct_within_18w"):
        plot_elective_trajectory(s[s["kpi"] != "elective_pct_within_18w"])
