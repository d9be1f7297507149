"""The KPI table is the one source of KPI metadata, and agrees with what is computed."""

from __future__ import annotations

import pytest

import flowsim
from flowsim import kpis
from flowsim.calibration import TARGETS


def test_table_names_exactly_the_computed_kpis_in_order(worcs_short):
    computed = list(flowsim.simulate(worcs_short, seed=2).kpis)
    assert computed == list(kpis.KPI_NAMES)


def test_every_kpi_fully_described():
    for k in kpis.KPIS:
        assert k.label and k.unit and k.definition, k
        # W/N/L/E/S rows of public-figures.md, R and M rows of public-figures-2.md, X of sources.md
        assert k.public_row == "" or k.public_row[0] in "WNLESRXM" and k.public_row[1:].isdigit()


def test_derived_views_come_from_the_table():
    assert kpis.KPI_INFO["ed_pct_within_4h"] == ("%", kpis.kpi("ed_pct_within_4h").definition)
    assert {k.name for k in kpis.KPIS if k.higher_is_better} == kpis.HIGHER_IS_BETTER
    assert "ed_pct_within_4h" in kpis.HIGHER_IS_BETTER
    assert "delayed_patients_mean" not in kpis.HIGHER_IS_BETTER
    assert tuple(k.name for k in kpis.KPIS if k.headline) == kpis.HEADLINE_KPIS


def test_old_import_paths_still_work():
    from flowsim.metrics import KPI_INFO, KPI_NAMES

    assert KPI_INFO is kpis.KPI_INFO and KPI_NAMES is kpis.KPI_NAMES
    assert flowsim.KPI_NAMES is kpis.KPI_NAMES


def test_other_modules_agree_with_the_table():
    # Each module reads the table; a private copy (which could drift) fails here.
    from flowsim import kpi_meta, report

    assert report.HEADLINE_KPIS == kpis.HEADLINE_KPIS
    assert kpi_meta.headline_kpis() == kpis.HEADLINE_KPIS
    for k in kpis.KPIS:  # presentation metadata is the table's, not a private copy
        m = kpi_meta.kpi_meta(k.name)
        assert (m.label, m.unit, m.definition) == (k.label, k.unit, k.definition)
        assert (m.higher_is_better, m.headline) == (k.higher_is_better, k.headline)


def test_calibration_targets_cite_the_tables_row():
    for t in TARGETS["worcestershire"]:
        assert t.public_row, t.kpi
        assert t.source.startswith(t.public_row), (t.kpi, t.public_row, t.source)


def test_kpi_table_dataframe():
    t = flowsim.kpi_table()
    assert list(t.columns) == [
        "name",
        "label",
        "unit",
        "definition",
        "higher_is_better",
        "headline",
        "public_row",
    ]
    assert list(t["name"]) == list(kpis.KPI_NAMES)
    assert t.set_index("name").loc["acute_occupancy_pct", "public_row"] == "W37"


def test_unknown_kpi_lists_valid_names():
    with pytest.raises(KeyError, match="ed_pct_within_4h"):
        kpis.kpi("ed_pct_4h")


def test_every_calibration_target_observed_inside_its_own_band():
    """The observed figure of a target is a figure of the band it sits in (for the
    response rows, the median of the service's monthly values, not the E51 standard)."""
    from flowsim.calibration import TARGETS

    for county, targets in TARGETS.items():
        for t in targets:
            assert t.low <= t.observed <= t.high, (county, t.kpi, t.observed, t.low, t.high)
