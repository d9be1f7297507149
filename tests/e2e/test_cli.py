"""End-to-end: the CLI as a user runs it."""

from __future__ import annotations

import json

import pandas as pd

from flowsim.cli import main
from flowsim.metrics import KPI_NAMES


def test_run_writes_output_folder_and_prints_table(tmp_path, capsys):
    rc = main(
        [
            "run",
            "--days",
            "8",
            "--warmup-days",
            "2",
            "-r",
            "2",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "Scenario: worcestershire" in out and "ed_pct_within_4h" in out and "95% CI" in out
    (folder,) = list(tmp_path.iterdir())
    assert folder.name.startswith("worcestershire-")
    for f in ("manifest.json", "kpis.csv", "daily.csv", "summary.csv"):
        assert (folder / f).is_file(), f
    m = json.loads((folder / "manifest.json").read_text())
    assert m["complete"] is True and m["seed"] == 3 and m["replications"] == 2
    assert len(m["scenarios"]["worcestershire"]["config_hash"]) == 64
    assert m["scenarios"]["worcestershire"]["config"]["run"]["days"] == 8
    kp = pd.read_csv(folder / "kpis.csv")
    assert list(kp["rep"]) == [0, 1] and set(KPI_NAMES) <= set(kp.columns)
    s = pd.read_csv(folder / "summary.csv")
    assert {"kpi", "mean", "ci_low", "ci_high"} <= set(s.columns)


def test_second_run_never_overwrites(tmp_path):
    args = [
        "run",
        "--days",
        "3",
        "--warmup-days",
        "0",
        "-r",
        "1",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(args) == 0 and main(args) == 0
    assert len(list(tmp_path.iterdir())) == 2


def test_validate_bad_file_exits_2_listing_every_error(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: worcestershire\nacute: {beds: -5, bedz: 3}\ned: {spaces: lots}\n")
    rc = main(["validate", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "acute.beds" in err and "acute.bedz" in err and "ed.spaces" in err
    assert "Traceback" not in err


def test_validate_good_file(capsys):
    assert main(["validate", "worcestershire"]) == 0
    assert "valid" in capsys.readouterr().out


def test_set_override_reaches_the_run(tmp_path):
    rc = main(
        [
            "run",
            "--days",
            "3",
            "--warmup-days",
            "0",
            "-r",
            "1",
            "--out",
            str(tmp_path),
            "--set",
            "acute.beds=777",
            "--no-progress",
        ]
    )
    assert rc == 0
    (folder,) = list(tmp_path.iterdir())
    m = json.loads((folder / "manifest.json").read_text())
    assert m["scenarios"]["worcestershire"]["config"]["acute"]["beds"] == 777
