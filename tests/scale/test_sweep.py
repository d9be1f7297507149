"""Sweeps: designs, executor equivalence (serial, processes, Dask), resume after SIGKILL,
failed points, and sensitivity analysis."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import yaml

from flowsim.errors import ConfigError
from flowsim.sweep import (
    ParamSpec,
    PointResult,
    SweepSpec,
    design_points,
    latin_hypercube,
    load_sweep,
    sweep,
)

# flowsim.sweep is also the public function, so fetch the module itself
sweep_mod = importlib.import_module("flowsim.sweep")
EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"

TINY = {
    "name": "tiny",
    "base": "worcestershire",
    "replications": 2,
    "seed": 3,
    "days": 4,
    "warmup_days": 1,
    "parameters": {
        "acute.beds": {"values": [800, 840]},
        "discharge.weekend_factor": {"values": [0.67, 1.0]},
    },
}


def spec(**changes) -> SweepSpec:
    return SweepSpec.model_validate({**TINY, **changes})


def test_grid_is_full_factorial():
    s = spec(parameters={"a.b": {"low": 0, "high": 10, "levels": 3}, "c.d": {"values": [1, 2]}})
    d = design_points(s)
    assert len(d) == 6 and sorted(d["a.b"].unique()) == [0.0, 5.0, 10.0]
    assert set(map(tuple, d.to_numpy())) == {(a, c) for a in (0, 5, 10) for c in (1, 2)}


def test_latin_hypercube_one_point_per_stratum():
    u = latin_hypercube(20, 3, seed=1)
    for j in range(3):
        assert sorted((u[:, j] * 20).astype(int)) == list(range(20))
    s = spec(
        design="lhs",
        samples=8,
        parameters={"acute.beds": {"low": 700, "high": 900, "integer": True}},
    )
    d = design_points(s)
    assert len(d) == 8 and d["acute.beds"].between(700, 900).all()
    assert d["acute.beds"].map(type).eq(int).all()


def test_param_spec_errors():
    with pytest.raises(ValueError):
        ParamSpec(low=5)
    with pytest.raises(ValueError):
        ParamSpec(low=5, high=1)


def test_bad_point_value_is_config_error(tmp_path):
    s = spec(parameters={"acute.beds": {"values": [800, -5]}})
    with pytest.raises(ConfigError) as e:
        sweep(s, out=tmp_path)
    assert e.value.keys == ["point 1: acute.beds"]


def test_bad_sweep_file_names_key(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({**TINY, "replications": 0, "bogus": 1}))
    with pytest.raises(ConfigError) as e:
        load_sweep(p)
    assert set(e.value.keys) == {"replications", "bogus"}


@pytest.fixture(scope="module")
def serial_result(tmp_path_factory):
    return sweep(spec(), out=tmp_path_factory.mktemp("serial"))


def test_results_table_shape(serial_result):
    r = serial_result.results
    assert list(r.columns[:5]) == [
        "acute.beds",
        "discharge.weekend_factor",
        "scenario",
        "point",
        "rep",
    ]
    assert len(r) == 4 * 2 and set(r["rep"]) == {0, 1}
    assert (serial_result.folder / "results.parquet").is_file()
    pdt.assert_frame_equal(pd.read_parquet(serial_result.folder / "results.parquet"), r)
    # same seeds at every point: replication r sees the same A&E arrivals at every point
    assert r.groupby("rep")["ed_attendances"].nunique().eq(1).all()


def test_processes_identical_to_serial(serial_result, tmp_path):
    r = sweep(spec(), out=tmp_path, jobs=2)
    pdt.assert_frame_equal(r.results, serial_result.results)


@pytest.mark.slow
def test_dask_localcluster_identical_to_serial(serial_result, tmp_path):
    pytest.importorskip("distributed")
    r = sweep(spec(), out=tmp_path, executor="dask", jobs=2)
    pdt.assert_frame_equal(r.results, serial_result.results)


def test_rerun_skips_finished_points(serial_result):
    again = sweep(spec(), out=serial_result.folder.parent)
    assert again.skipped == [0, 1, 2, 3]
    pdt.assert_frame_equal(again.results, serial_result.results)


def test_changed_sweep_refuses_old_folder(serial_result):
    with pytest.raises(ConfigError) as e:
        sweep(spec(replications=3), out=serial_result.folder.parent)
    assert e.value.keys == ["out"]


def test_failed_point_recorded_and_sweep_continues(tmp_path, monkeypatch):
    # Test hook (this file only): make point 2 raise inside the worker, serially.
    real = sweep_mod.run_task

    def flaky(task):
        if task.point == 2:
            raise RuntimeError("injected failure")
        return real(task)

    monkeypatch.setattr(sweep_mod, "run_task", flaky)
    r = sweep(spec(), out=tmp_path)
    assert list(r.failed) == [2] and "injected failure" in r.failed[2]
    assert (r.folder / "points" / "point-00002.error.json").is_file()
    assert sorted(r.results["point"].unique()) == [0, 1, 3]
    # the failed point is retried on the next run (and now succeeds)
    monkeypatch.setattr(sweep_mod, "run_task", real)
    r2 = sweep(spec(), out=tmp_path)
    assert r2.failed == {} and sorted(r2.results["point"].unique()) == [0, 1, 2, 3]
    assert not (r.folder / "points" / "point-00002.error.json").exists()


def test_worker_returns_only_reduced_tables():
    base = sweep_mod.base_scenario(spec())
    task = sweep_mod.PointTask(0, base, 3, 1)
    res = sweep_mod.run_point(task)
    assert isinstance(res, PointResult) and res.error is None
    for v in vars(res).values():
        assert isinstance(v, (int, str, list, pd.DataFrame, type(None)))
    assert set(res.kpis.columns) == {"scenario", "point", "rep", "kpi", "value"}


@pytest.mark.slow
def test_sigkill_and_resume_gives_identical_tables(tmp_path):
    s = {
        **TINY,
        "name": "killme",
        "days": 3,
        "parameters": {"acute.beds": {"values": [780, 800, 820, 840, 860, 880]}},
    }
    f = tmp_path / "killme.yaml"
    f.write_text(yaml.safe_dump(s))
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    cmd = [sys.executable, "-m", "flowsim.cli", "sweep", str(f), "--no-progress"]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out_a)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    points = out_a / "killme" / "points"
    deadline = time.time() + 120
    while time.time() < deadline:
        done = [p for p in points.glob("point-*.parquet")] if points.exists() else []
        if any(".daily." not in p.name for p in done):
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = [p for p in points.glob("point-0000?.parquet")]
    assert 1 <= len(finished) < 6, "the kill must land mid-sweep"
    assert subprocess.run([*cmd, "--out", str(out_a)], capture_output=True).returncode == 0
    assert subprocess.run([*cmd, "--out", str(out_b)], capture_output=True).returncode == 0
    a = pd.read_parquet(out_a / "killme" / "results.parquet")
    b = pd.read_parquet(out_b / "killme" / "results.parquet")
    pdt.assert_frame_equal(a, b)
    assert len(a) == 6 * 2
    # no temporary files survive
    assert not list((out_a / "killme").rglob("*.tmp"))


def test_packaged_sweep_and_sensitivity_files_validate():
    from flowsim.sensitivity import load_sensitivity

    s = load_sweep(EXPERIMENTS / "sweep_beds_homecare.yaml")
    assert len(design_points(s)) == 25 and s.replications == 5
    m = load_sensitivity(EXPERIMENTS / "morris_6params.yaml")
    assert len(m.parameters) == 6


@pytest.mark.slow
def test_morris_six_parameters_writes_plot(tmp_path):
    from flowsim.sensitivity import SensitivitySpec, sensitivity, write_plots

    m = SensitivitySpec.model_validate(
        yaml.safe_load((EXPERIMENTS / "morris_6params.yaml").read_text())
    )
    # One parameter the flow cannot feel (a unit cost) in place of demand growth, which
    # barely moves in three days: with common seeds at every point its elementary
    # effects are exactly zero, so a wrong design or analysis shows here.
    params = {k: v for k, v in m.parameters.items() if k != "demand.growth_pct_per_year"}
    params["costs.acute_bed_day_gbp"] = {"low": 400, "high": 700}
    m = SensitivitySpec.model_validate(
        {
            **m.model_dump(mode="json"),
            "parameters": params,
            "days": 3,
            "warmup_days": 1,
            "replications": 1,
            "trajectories": 3,
            "kpis": ["delayed_patients_mean", "acute_occupancy_pct"],
        }
    )
    res = sensitivity(m, out=tmp_path, jobs=2)
    assert len(res.design) == (6 + 1) * 3
    assert set(res.indices["parameter"]) == set(m.parameters)
    assert np.isfinite(res.indices["mu_star"]).all()
    files = write_plots(res)
    assert all((res.folder / f).is_file() for f in files) and len(files) == 2 * 2  # per KPI
    occ = res.indices[res.indices["kpi"] == "acute_occupancy_pct"].set_index("parameter")
    # the cost has no effect and ranks last (tied with the weekend factor: a three-day
    # run from a Monday has no weekend); length of stay, which sets how many beds stay
    # filled, ranks first (measured; a design whose columns were mislabelled fails both)
    assert occ.loc["costs.acute_bed_day_gbp", "mu_star"] == 0 == occ["mu_star"].min()
    assert occ["mu_star"].idxmax() == "acute.emergency_los_days.mean"
    assert occ["mu_star"].max() > 0


def test_sobol_indices_on_tiny_design(tmp_path):
    from flowsim.sensitivity import SensitivitySpec, sensitivity

    m = SensitivitySpec(
        name="sob",
        method="sobol",
        replications=1,
        days=2,
        warmup_days=0,
        base_samples=4,
        kpis=("ed_attendances",),
        parameters={
            # the ambulance service is modelled: conveyances follow the 999 incidents
            "ambulance.service.incidents_per_day": {"low": 200, "high": 400},
            "acute.beds": {"low": 800, "high": 850, "integer": True},
        },
    )
    res = sensitivity(m, out=tmp_path, jobs=2)
    assert len(res.design) == 4 * (2 + 2)
    row = res.indices.set_index("parameter")
    # attendances depend on ambulance arrivals, not on beds
    assert row.loc["ambulance.service.incidents_per_day", "ST"] > row.loc["acute.beds", "ST"]
