"""The ranking: rearranges the comparison's own tables, sorted as asked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flowsim.app.ranking import RANK_BY, breach_label, rank_options, ranking_for_display


def test_bed_days_saved_are_the_paired_differences_per_year(tiny_comparison):
    res = tiny_comparison
    r = rank_options(res).set_index("option")
    d = res.differences[res.differences["kpi"] == "delayed_discharge_bed_days"]
    for row in d.itertuples():
        per_year = 365.0 / res.run.scenarios[row.scenario].run.days
        assert r.loc[row.scenario, "bed_days_saved_per_year"] == pytest.approx(
            -row.diff_mean * per_year
        )
        assert r.loc[row.scenario, "bed_days_saved_low"] == pytest.approx(
            -row.diff_ci_high * per_year
        )


def test_cost_per_bed_day_and_breaches(tiny_comparison):
    res = tiny_comparison
    r = rank_options(res).set_index("option")
    for name, row in r.iterrows():
        cost = res.run.scenarios[name].intervention_cost_gbp_per_year
        assert row["annual_cost_gbp"] == pytest.approx(cost)
        saved = row["bed_days_saved_per_year"]
        if saved > 0:
            assert row["gbp_per_bed_day_saved"] == pytest.approx(cost / saved)
        else:
            assert math.isnan(row["gbp_per_bed_day_saved"])
    b = res.breaches.set_index("scenario")
    for col in b.columns:
        assert (r[col] == b.loc[r.index, col]).all()


@pytest.mark.parametrize("by", list(RANK_BY))
def test_sorted_best_first_with_missing_values_last(tiny_comparison, by):
    r = rank_options(tiny_comparison, by)
    col, larger_better = RANK_BY[by]
    v = r[col].to_numpy(float)
    finite = v[~np.isnan(v)]
    assert list(r["rank"]) == list(range(1, len(r) + 1))
    assert (np.diff(finite) <= 0).all() if larger_better else (np.diff(finite) >= 0).all()
    if np.isnan(v).any():
        assert np.isnan(v[len(finite) :]).all()
    assert "baseline" not in set(r["option"])


def test_unknown_rank_by_is_refused(tiny_comparison):
    with pytest.raises(ValueError, match="rank by"):
        rank_options(tiny_comparison, "luck")


def test_display_table_is_readable(tiny_comparison):
    t = ranking_for_display(rank_options(tiny_comparison))
    assert list(t.columns[:4]) == ["Rank", "Option", "What it is", "Annual cost"]
    assert t["Annual cost"].str.startswith("£").all()
    assert any(c.startswith("Chance 4-hour below") for c in t.columns)
    assert breach_label("p_occupancy_above_92") == "Chance occupancy above 92%"
