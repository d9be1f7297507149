"""Ctrl-C stops a run cleanly, says where partial results are, and leaves nothing that
looks complete."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.slow
def test_ctrl_c_leaves_marked_partial_results(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "flowsim.cli",
        "run",
        "--days",
        "40",
        "--warmup-days",
        "2",
        "-r",
        "6",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    reps = []
    while time.time() < deadline and proc.poll() is None:
        reps = list(tmp_path.glob("*/replications/rep-*-kpis.csv"))
        if reps:
            break
        time.sleep(0.05)
    assert reps, "no replication finished"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "partial results" in err and "Traceback" not in err
    (folder,) = list(tmp_path.iterdir())
    assert str(folder) in err
    m = json.loads((folder / "manifest.json").read_text())
    assert m["complete"] is False and m["interrupted"] is True
    assert 1 <= len(m["replications_finished"]) < 6
    assert not (folder / "kpis.csv").exists() and not (folder / "summary.csv").exists()
    assert not list(folder.rglob("*.tmp"))


def test_atomic_write_leaves_old_file_or_new_never_half(tmp_path, monkeypatch):
    from flowsim import outputs

    target = tmp_path / "t.csv"
    outputs.atomic_write_text(target, "old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", boom)
    with pytest.raises(OSError):
        outputs.atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


@pytest.mark.slow
def test_ctrl_c_with_worker_processes(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "flowsim.cli",
        "run",
        "--days",
        "40",
        "--warmup-days",
        "2",
        "-r",
        "8",
        "-j",
        "2",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        if list(tmp_path.glob("*/replications/rep-*-kpis.csv")):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "partial results" in err
    (folder,) = list(tmp_path.iterdir())
    assert json.loads((folder / "manifest.json").read_text())["complete"] is False
