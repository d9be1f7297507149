"""Paired comparisons with common random numbers; report and figures; the notebook."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import flowsim
from flowsim.comparison import Experiment, ScenarioSpec, load_experiment
from flowsim.errors import ConfigError
from flowsim.report import write_comparison

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


@pytest.fixture(scope="module")
def result():
    exp = Experiment(
        name="t",
        base="worcestershire",
        replications=6,
        seed=11,
        days=20,
        warmup_days=3,
        scenarios=(
            ScenarioSpec(name="baseline"),
            ScenarioSpec(name="d2a", interventions=("discharge_to_assess",)),
            ScenarioSpec(name="beds", interventions=("extra_acute_beds:beds=30",)),
        ),
    )
    return flowsim.compare(exp, jobs=2)


def test_tables_have_every_scenario_and_kpi(result):
    assert set(result.summary["scenario"]) == {"baseline", "d2a", "beds"}
    assert set(result.differences["scenario"]) == {"d2a", "beds"}
    assert set(result.differences["kpi"]) == set(flowsim.KPI_NAMES)
    assert set(result.costs["scenario"]) == {"d2a", "beds"}
    saved = list(result.costs["delayed_bed_days_saved"])
    assert saved == sorted(saved, reverse=True)  # ranked, most saved first
    assert set(result.breaches.columns) == {"scenario", "p_4h_below_78", "p_occupancy_above_92"}
    assert (
        result.breaches[["p_4h_below_78", "p_occupancy_above_92"]]
        .isin(np.arange(7) / 6)
        .all()
        .all()
    )


def test_paired_difference_matches_per_replication_differences(result):
    w = result.kpis.pivot_table(index="rep", columns=["kpi", "scenario"], values="value")
    d = w[("delayed_discharge_bed_days", "d2a")] - w[("delayed_discharge_bed_days", "baseline")]
    row = result.differences.query("scenario == 'd2a' and kpi == 'delayed_discharge_bed_days'")
    assert row["diff_mean"].item() == pytest.approx(d.mean())
    c = result.costs.query("scenario == 'd2a'")
    assert c["delayed_bed_days_saved"].item() == pytest.approx(-d.mean())
    cost = c["intervention_cost_gbp"].item()
    assert cost == pytest.approx(1_500_000 * 20 / 365)
    if -d.mean() > 0:
        assert c["gbp_per_delayed_bed_day_saved"].item() == pytest.approx(cost / -d.mean())


def test_crn_makes_paired_ci_narrower_than_unpaired(result):
    # With common random numbers replications are positively correlated across scenarios,
    # so Var(A - B) = Var A + Var B - 2 Cov(A, B) < Var A + Var B. Check on KPIs driven
    # by the shared arrivals, where the correlation is strong (about 0.6-0.9 here).
    # Delayed bed-days are not a witness: their spread in the baseline comes from the
    # long assessment draws that discharge to assess removes, so little is shared.
    d = result.differences.set_index(["scenario", "kpi"])
    for kpi in ("ed_pct_within_4h", "acute_occupancy_pct", "cost_total_gbp"):
        r = d.loc[("d2a", kpi)]
        paired = r["diff_ci_high"] - r["diff_ci_low"]
        unpaired = r["unpaired_ci_high"] - r["unpaired_ci_low"]
        assert paired < unpaired, kpi
    # 999 calls and walk-ins do not depend on discharge capacity at all: identical
    # patients (a conveyed patient's arrival time at A&E depends on crew delays, so
    # attendances in the period may move by the few still with a crew at its edges)
    assert d.loc[("d2a", "ambulance_incidents"), "diff_mean"] == 0
    base_att = d.loc[("d2a", "ed_attendances"), "diff_mean"]
    assert abs(base_att) < 0.002 * result.kpis.query("kpi == 'ed_attendances'")["value"].mean()


def test_discharge_to_assess_reduces_delays(result):
    r = result.differences.query("scenario == 'd2a' and kpi == 'delayed_patients_mean'")
    assert r["diff_ci_high"].item() < 0


def test_report_and_figures_written(result, tmp_path):
    folder = write_comparison(result, tmp_path)
    for f in (
        "report.md",
        "differences.csv",
        "costs.csv",
        "breaches.csv",
        "summary.csv",
        "kpis.csv",
        "daily.csv",
        "manifest.json",
        "occupancy_by_setting.png",
        "ed_time_in_department.png",
        "waiting_list.png",
        "delayed_by_pathway.png",
        "forest_delayed_bed_days.png",
        "cost_vs_benefit.png",
        "elective_trajectory.png",
        "elective_trajectory.csv",
    ):
        assert (folder / f).is_file(), f
    md = (folder / "report.md").read_text()
    assert "£ per delayed bed-day saved" in md and "](cost_vs_benefit.png)" in md
    assert (folder / "report.html").is_file() and (folder / "results.xlsx").is_file()
    assert json.loads((folder / "manifest.json").read_text())["complete"] is True


def test_experiment_file_errors_name_keys(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "name: x\nreplications: 0\nbaseline: nope\nscenarios:\n  - name: a\n    bogus: 1\n"
    )
    with pytest.raises(ConfigError) as e:
        load_experiment(p)
    keys = e.value.keys
    assert "replications" in keys and "scenarios.0.bogus" in keys
    p.write_text("scenarios:\n  - name: baseline\n  - name: x\n    interventions: [nope]\n")
    exp, where = load_experiment(p)
    with pytest.raises(ConfigError) as e:
        flowsim.compare(p)
    assert e.value.keys == ["scenarios.x.interventions.nope"]


def test_packaged_experiment_files_validate():
    from flowsim.comparison import build_scenarios

    built = {}
    for name in (
        "worcestershire_summit.yaml",
        "quick_compare.yaml",
        "discharge_levers.yaml",
        "exit_block_mechanisms.yaml",
    ):
        exp, path = load_experiment(EXPERIMENTS / name)
        scns = build_scenarios(exp, path.parent)
        assert scns[0].name == exp.baseline and len(scns) == len(exp.scenarios)
        built[name] = {s.name: s for s in scns}
    # docs/validation.md section 8: the ward scenario holds the four groups' beds (X50
    # sites; the model rescales them to acute.beds) as 26 wards, site by site
    ex = built["exit_block_mechanisms.yaml"]
    wards, four = ex["wards_26"].acute.bed_groups, ex["four_groups"].acute.bed_groups
    assert len(wards) == 26 and len(four) == 4
    for site in ("WRH", "Alexandra"):
        for spec in ("medicine", "surgery"):
            assert sum(g.beds for g in wards if (g.site, g.specialty) == (site, spec)) == sum(
                g.beds for g in four if (g.site, g.specialty) == (site, spec)
            )
    assert not ex["one_pool"].acute.bed_groups


def test_cli_compare(tmp_path, capsys):
    from flowsim.cli import main

    rc = main(
        [
            "compare",
            str(EXPERIMENTS / "quick_compare.yaml"),
            "-r",
            "2",
            "--days",
            "5",
            "--warmup-days",
            "1",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "Difference from baseline" in out and "Cost per delayed bed-day saved" in out
    (folder,) = list(tmp_path.iterdir())
    assert (folder / "report.md").is_file()


@pytest.mark.slow
def test_notebook_executes(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(EXPERIMENTS / "summit.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXPERIMENTS)}}
    ).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors


def test_notebook_is_committed_with_outputs():
    # `make notebook` re-executes it in place; every code cell must carry its output and
    # none an error, and the figure cells their images.
    import nbformat

    nb = nbformat.read(EXPERIMENTS / "summit.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("outputs") for c in code)
    assert all(o.get("output_type") != "error" for c in code for o in c["outputs"])
    images = [c for c in code if any("image/png" in o.get("data", {}) for o in c["outputs"])]
    assert len(images) >= 4
    assert all(isinstance(c.get("execution_count"), int) for c in code)


def test_compare_overrides_take_a_mapping_or_strings():
    from flowsim.comparison import build_scenarios

    exp, path = load_experiment(EXPERIMENTS / "quick_compare.yaml")
    a = build_scenarios(exp, path.parent, {"run.days": 7, "acute.beds": 800})
    b = build_scenarios(exp, path.parent, ["run.days=7", "acute.beds=800"])
    assert [s.config_hash() for s in a] == [s.config_hash() for s in b]
    assert all(s.run.days == 7 for s in a)
