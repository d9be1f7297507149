"""Sweep integrity and bounded designs (issue 15 items 2 and 4).

A point file is reused only if it proves to be this point's result (its own
metadata: point, values, spec and config hashes, seed, replications, checksum);
anything else is recomputed, so a resumed sweep's table equals a clean run's.
Designs too large to run are refused before they are built.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas.testing as pdt
import pytest
import yaml

from flowsim.cli import main
from flowsim.errors import ConfigError
from flowsim.sensitivity import SensitivitySpec, sample
from flowsim.sweep import (
    DEFAULT_MAX_RUNS,
    MAX_POINTS,
    SweepSpec,
    check_design_size,
    design_points,
    sweep,
)

SPEC = {
    "name": "integrity",
    "replications": 1,
    "seed": 5,
    "days": 2,
    "warmup_days": 0,
    # 999 incidents a day: with the ambulance service modelled (the packaged counties),
    # conveyances and so attendances follow the incidents, not ambulance.arrivals_per_day
    "parameters": {"ambulance.service.incidents_per_day": {"values": [300.0, 500.0]}},
}


def spec(**changes) -> SweepSpec:
    return SweepSpec.model_validate({**SPEC, **changes})


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The reference: the sweep run once into a fresh folder."""
    return sweep(spec(), out=tmp_path_factory.mktemp("clean"))


@pytest.fixture
def copy(clean, tmp_path):
    """A copy of the clean sweep's folder to damage."""
    out = tmp_path / "out"
    shutil.copytree(clean.folder, out / clean.folder.name)
    return out, out / clean.folder.name


def test_untouched_folder_is_reused_whole(clean, copy):
    out, folder = copy
    again = sweep(spec(), out=out)
    assert again.skipped == [0, 1] and again.recomputed == {}
    pdt.assert_frame_equal(again.results, clean.results)


def test_deleted_sweep_json_and_changed_values_do_not_relabel_old_results(clean, copy, tmp_path):
    out, folder = copy
    (folder / "sweep.json").unlink()
    new = spec(parameters={"ambulance.service.incidents_per_day": {"values": [300.0, 700.0]}})
    res = sweep(new, out=out)
    # nothing is reused across specs: every file says it was made by another spec
    assert res.skipped == [] and list(res.recomputed) == [0, 1]
    assert "spec hash" in res.recomputed[1]
    reference = sweep(new, out=tmp_path / "reference")
    pdt.assert_frame_equal(res.results, reference.results)
    # point 1's attendances follow its new value, not the old file's
    old1 = clean.results.loc[clean.results["point"] == 1, "ed_attendances"].item()
    new1 = res.results.loc[res.results["point"] == 1, "ed_attendances"].item()
    assert new1 > old1


def test_point_file_copied_over_another_is_recomputed(clean, copy):
    out, folder = copy
    pts = folder / "points"
    for suffix in (".parquet", ".daily.parquet"):
        shutil.copy(pts / f"point-00000{suffix}", pts / f"point-00001{suffix}")
    res = sweep(spec(), out=out)
    assert list(res.recomputed) == [1] and "point 0" in res.recomputed[1]
    assert res.failed == {} and sorted(res.results["point"].unique()) == [0, 1]
    pdt.assert_frame_equal(res.results, clean.results)


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "no-metadata", "directory"])
def test_damaged_point_file_is_recomputed_not_a_traceback(clean, copy, damage):
    out, folder = copy
    f = folder / "points" / "point-00001.parquet"
    data = f.read_bytes()
    if damage == "truncate":
        f.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        f.write_bytes(b"")
    elif damage == "garbage":
        f.write_bytes(b"\x00garbage" * 100)
    elif damage == "no-metadata":
        import pandas as pd

        pd.read_parquet(f).to_parquet(f)  # same table, written by someone else
    else:
        f.unlink()
        f.mkdir()
    if damage == "directory":
        with pytest.raises(ConfigError, match="not a regular file"):
            sweep(spec(), out=out)
        return
    res = sweep(spec(), out=out)
    assert list(res.recomputed) == [1]
    pdt.assert_frame_equal(res.results, clean.results)


def test_edited_point_values_fail_the_checksum(clean, copy):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, folder = copy
    f = folder / "points" / "point-00000.parquet"
    table = pq.read_table(f)
    df = table.to_pandas()
    df["value"] = df["value"] * 2
    edited = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(
        table.schema.metadata
    )
    pq.write_table(edited, f)
    res = sweep(spec(), out=out)
    assert res.recomputed == {0: "checksum does not match its content"}
    pdt.assert_frame_equal(res.results, clean.results)


@pytest.mark.parametrize("content", ["{not json", "", "[1, 2]", "\xff\xfe"])
def test_corrupt_sweep_json_is_a_warning_not_a_traceback(clean, copy, content):
    out, folder = copy
    (folder / "sweep.json").write_text(content, encoding="latin-1")
    with pytest.warns(UserWarning, match="unreadable"):
        res = sweep(spec(), out=out)
    assert res.skipped == [0, 1]
    pdt.assert_frame_equal(res.results, clean.results)
    assert json.loads((folder / "sweep.json").read_text())["points"] == 2


def test_sweeping_the_seed_is_honoured(tmp_path):
    res = sweep(spec(parameters={"run.seed": {"values": [1, 2]}}), out=tmp_path)
    att = res.results.set_index("point")["ed_attendances"]
    assert att[0] != att[1]  # different seeds, different patients


def test_sweeping_replications_is_honoured(tmp_path):
    res = sweep(spec(parameters={"run.replications": {"values": [1, 2]}}), out=tmp_path)
    assert res.results.groupby("point")["rep"].nunique().to_dict() == {0: 1, 1: 2}


def test_sweeping_the_name_is_refused():
    with pytest.raises(ValueError, match="cannot be swept"):
        spec(parameters={"name": {"values": ["a", "b"]}})


# ------------------------------------------------------------------ bounded designs


def test_grid_size_is_refused_before_it_is_built():
    big = spec(parameters={f"p{i}.x": {"low": 0, "high": 1, "levels": 100} for i in range(6)})
    t = time.perf_counter()
    with pytest.raises(ConfigError) as e:
        design_points(big)
    assert time.perf_counter() - t < 1.0
    msg = str(e.value)
    assert f"{100**6:,} points" in msg and "simulations" in msg


def test_lhs_sample_count_is_refused_before_it_is_built():
    with pytest.raises(ConfigError, match="1,000,000,000 points"):
        design_points(spec(design="lhs", samples=10**9))


def test_max_runs_lets_a_user_insist():
    s = spec(
        replications=DEFAULT_MAX_RUNS, parameters={"acute.beds": {"values": [800, 810]}}
    )  # 2 points x 2,000 replications = 4,000 simulations
    with pytest.raises(ConfigError, match="--max-runs 4000"):
        design_points(s)
    assert len(design_points(s, max_runs=4000)) == 2


def test_hard_point_limit_cannot_be_insisted_past():
    with pytest.raises(ConfigError, match="design points cannot be held"):
        check_design_size(MAX_POINTS + 1, 1, max_runs=10**12)


@pytest.mark.parametrize(
    ("method", "size", "expected"),
    [("morris", {"trajectories": 10**7}, 10**7 * 3), ("sobol", {"base_samples": 2**30}, 2**32)],
)
def test_sensitivity_designs_are_refused_before_salib_draws_them(method, size, expected):
    s = SensitivitySpec(
        method=method,
        parameters={"acute.beds": {"low": 800, "high": 900}, "ed.spaces": {"low": 60, "high": 80}},
        **size,
    )
    assert s.n_points() == expected
    t = time.perf_counter()
    with pytest.raises(ConfigError, match=f"{expected:,} points"):
        sample(s)
    assert time.perf_counter() - t < 1.0


def test_cli_refuses_a_huge_sweep_with_exit_2(tmp_path, capsys):
    f = tmp_path / "huge.yaml"
    f.write_text(
        yaml.safe_dump(
            {**SPEC, "parameters": {"acute.beds": {"low": 1, "high": 2, "levels": 10**4}}}
        )
    )
    rc = main(["sweep", str(f), "--out", str(tmp_path / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "10,000 points" in err and "--max-runs 10000" in err


def test_cli_closed_stdout_loses_no_results(tmp_path):
    """``flowsim sweep ... | head -0``: the reader is gone before the summary is printed."""
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump({**SPEC, "name": "piped"}))
    cmd = [sys.executable, "-m", "flowsim.cli", "sweep", str(f), "--no-progress"]
    proc = subprocess.Popen(
        [*cmd, "--out", str(tmp_path / "o")], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # like `| true`: nobody reads
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert Path(tmp_path / "o" / "piped" / "results.parquet").is_file()


def test_many_bad_points_fit_on_one_screen(tmp_path):
    s = spec(parameters={"acute.beds": {"low": 800.5, "high": 900.5, "levels": 40}})
    with pytest.raises(ConfigError) as e:
        sweep(s, out=tmp_path)
    assert len(str(e.value).splitlines()) <= 15
    assert e.value.problems[-1].key == "more points" and e.value.problems[-1].value == 28
    assert not list(tmp_path.iterdir())  # refused before the folder was made
