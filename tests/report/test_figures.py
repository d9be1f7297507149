"""Every figure: labels with units, legends outside the data, standards, dates, colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests choose the backend; library code never does

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from flowsim.plots import (  # noqa: E402
    BAND_LABEL,
    BASELINE_COLOUR,
    plot_daily,
    plot_daily_band,
    scenario_colours,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend_outside(ax) -> bool:
    leg = ax.get_legend()
    if leg is None:
        return False
    ax.figure.canvas.draw()
    lb = leg.get_window_extent()
    ab = ax.get_window_extent()
    return lb.x0 >= ab.x1 - 1  # legend box starts right of the axes


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_colours_distinct_for_twenty_and_baseline_grey():
    names = ["baseline", *[f"s{i}" for i in range(20)]]
    c = scenario_colours(names)
    assert c["baseline"] == BASELINE_COLOUR
    others = [c[n] for n in names[1:]]
    assert len(set(others)) == 20 and BASELINE_COLOUR not in others
    # no other colour is a grey (r == g == b)
    assert all(len({round(v, 2) for v in mcolors.to_rgb(x)}) > 1 for x in others)
    # the baseline keeps its colour wherever it appears in the list
    assert scenario_colours(["a", "baseline"])["baseline"] == BASELINE_COLOUR


def test_daily_band_has_dates_units_band_label_capacity_and_outside_legend(small_comparison):
    ax = plot_daily_band(small_comparison.run.daily, "acute_occupied")
    assert ax.get_ylabel() == "G&A beds occupied at midnight (beds)"
    assert ax.get_xlabel() == "date"
    assert isinstance(ax.xaxis.get_major_formatter(), matplotlib.dates.ConciseDateFormatter)
    labels = _labels(ax)
    assert {"baseline", "d2a", "home_care", BAND_LABEL, "capacity"} <= set(labels)
    assert "92% of beds available" in labels
    assert _legend_outside(ax)
    base = [ln for ln in ax.get_lines() if ln.get_label() == "baseline"][0]
    assert mcolors.to_hex(base.get_color()) == BASELINE_COLOUR


def test_standard_lines_on_percentage_series(small_comparison):
    ax = plot_daily_band(small_comparison.run.daily, "ed_pct_within_4h")
    assert "78% standard" in _labels(ax) and ax.get_ylabel().endswith("(%)")
    ax = plot_daily_band(small_comparison.run.daily, "acute_occupancy_pct")
    assert "92% standard" in _labels(ax)


def test_capacity_of_an_option_that_changes_it_is_drawn_separately(small_comparison):
    ax = plot_daily_band(small_comparison.run.daily, "home_care_in_use")
    assert {"capacity", "capacity (home_care)"} <= set(_labels(ax))


def test_unknown_column_lists_valid_names(small_comparison):
    with pytest.raises(ValueError, match="valid columns: .*acute_occupied"):
        small_comparison.run.plot_daily("bad")
    one = small_comparison.run.daily.query("rep == 0 and scenario == 'baseline'")
    with pytest.raises(ValueError, match="no daily column 'bad'"):
        plot_daily(one, "bad")
    ax = plot_daily(one, "acute_delayed")
    assert ax.get_ylabel().endswith("(patients)") and ax.get_xlabel() == "date"


def test_forest_is_sorted_labelled_and_coloured(small_comparison):
    ax = small_comparison.plot_forest("delayed_discharge_bed_days")
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    d = small_comparison.differences.query("kpi == 'delayed_discharge_bed_days'")
    # lower is better: the largest reduction sits at the top (last tick)
    expected = list(d.sort_values("diff_mean", ascending=False)["scenario"])
    assert ticks == expected
    assert "Delayed discharge bed-days (bed-days)" in ax.get_xlabel()
    assert "lower is better" in ax.get_xlabel()
    assert "95% CI" in ax.get_title(loc="left")
    with pytest.raises(ValueError, match="valid KPIs"):
        small_comparison.plot_forest("nope")


def test_cost_benefit_numbers_points_and_keeps_labels_apart(small_comparison):
    ax = small_comparison.plot_cost_benefit()
    assert ax.get_xlabel() == "delayed bed-days saved per year (bed-days)"
    assert "£ million per year" in ax.get_ylabel()
    assert _labels(ax) == [f"{i}  {n}" for i, n in enumerate(small_comparison.costs["scenario"], 1)]
    assert _legend_outside(ax)
    colours = small_comparison.colours()
    for coll, name in zip(ax.collections, small_comparison.costs["scenario"], strict=True):
        assert mcolors.to_hex(coll.get_facecolor()[0]) == colours[name]


def test_delayed_by_pathway_labels_and_legend(small_comparison):
    ax = small_comparison.plot_delayed_by_pathway()
    assert "mean midnight count" in ax.get_xlabel()
    assert _labels(ax) == ["P0 home", "P1 home with care", "P2 community bed", "P3 care home"]
    assert ax.get_legend().get_title().get_text() == "discharge pathway"
    assert _legend_outside(ax)
    assert {t.get_text() for t in ax.get_yticklabels()} == {"baseline", "d2a", "home_care"}


def test_time_in_department_lines_and_units(small_comparison):
    ax = small_comparison.plot_time_in_department()
    assert ax.get_xlabel().startswith("time in department (hours")
    assert ax.get_ylabel() == "attendances (% per half-hour bin)"
    assert {"4 hours", "12 hours", "baseline"} <= set(_labels(ax))
    assert _legend_outside(ax)


def test_occupancy_panels_share_one_outside_legend(small_comparison):
    axes = small_comparison.plot_occupancy()
    fig = axes[0, 0].figure
    assert all(ax.get_legend() is None for ax in axes.flat)
    (leg,) = fig.legends
    texts = {t.get_text() for t in leg.get_texts()}
    assert {"baseline", "d2a", "home_care", BAND_LABEL, "capacity"} <= texts
    assert [ax.get_ylabel() for ax in axes.flat] == ["beds", "beds", "packages", "places"]
    fig.canvas.draw()
    right = max(ax.get_window_extent().x1 for ax in axes.flat)
    assert leg.get_window_extent().x0 >= right - 1


def test_waiting_list_has_units(small_comparison):
    ax = small_comparison.plot_waiting_list()
    assert ax.get_ylabel() == "Elective (admitted) waiting list (pathways)"


def test_system_diagram_shows_queues_and_delays_side_by_side(small_comparison):
    axes = small_comparison.plot_system("d2a")
    assert [ax.get_title() for ax in axes] == [
        "baseline: where patients wait (mean midnight counts)",
        "d2a: where patients wait (mean midnight counts)",
    ]
    texts = [t.get_text() for t in axes[0].texts]
    for box in ("Ambulance", "A&E", "G&A beds", "Home care (P1)", "Care home (P3)"):
        assert any(t.startswith(box) for t in texts), box
    daily = small_comparison.run.daily
    q = daily.loc[daily["scenario"] == "baseline", "acute_delayed_p1"].mean()
    assert any(t.startswith(f"{q:,.1f} fit, waiting") for t in texts)
    assert any("mean delay" in t for t in texts) and any("waiting to hand over" in t for t in texts)
    assert len(axes[0].patches) == 7 + 7  # boxes + arrows
    with pytest.raises(ValueError, match="valid scenarios"):
        small_comparison.plot_system("nope")


def test_library_never_selects_a_backend():
    import pathlib

    import flowsim

    root = pathlib.Path(flowsim.__file__).parent
    mine = ["report.py", "plots.py", "figures.py", "comparison.py", "experiment.py"]
    for name in mine:
        assert "matplotlib.use(" not in (root / name).read_text(), name


def test_save_figure_writes_and_closes(tmp_path, small_comparison):
    from flowsim.figures import figure_png_base64, save_figure

    ax = small_comparison.plot_forest()
    assert figure_png_base64(ax).startswith("iVBOR")  # PNG magic in base64
    path = save_figure(ax, tmp_path / "f.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert not plt.fignum_exists(ax.figure.number)
    with pytest.raises(TypeError, match="Figure or Axes"):
        save_figure(np.zeros(3), tmp_path / "x.png")


def test_long_busy_series_are_smoothed_and_say_so():
    import pandas as pd

    days = np.arange(120)
    rows = [
        pd.DataFrame(
            {
                "scenario": s,
                "rep": r,
                "day": days,
                "date": pd.Timestamp("2024-04-01") + pd.to_timedelta(days, unit="D"),
                "acute_delayed": 100 + 10 * np.sin(2 * np.pi * days / 7) + i,
            }
        )
        for i, s in enumerate(["baseline", *[f"s{k}" for k in range(7)]])
        for r in range(2)
    ]
    ax = plot_daily_band(pd.concat(rows), "acute_delayed")
    assert ax.get_ylabel().endswith("(patients), 7-day mean")
    labels = _labels(ax)
    assert BAND_LABEL not in labels and "(percentile bands left out: 8 scenarios)" in labels
    base = [ln for ln in ax.get_lines() if ln.get_label() == "baseline"][0]
    y = base.get_ydata()[10:-10]
    assert np.ptp(y) < 1.0  # the weekly cycle (amplitude 10) is averaged out
