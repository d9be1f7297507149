"""Ctrl-C stops a run cleanly, says where partial results are, and leaves nothing that
looks complete."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

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


# ------------------------------------------------------------------ SIGTERM, SIGKILL


def _children(pid: int) -> set[int]:
    """Live (non-zombie) child processes of ``pid``, from /proc."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(p)
    return out


def _start_two_worker_run(tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    cmd = [sys.executable, "-m", "flowsim.cli", "run", "--days", "40", "--warmup-days", "2"]
    cmd += ["-r", "8", "-j", "2", "--no-progress", "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    workers: set[int] = set()
    while time.time() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        if len(workers) >= 2 and list(tmp_path.glob("*/replications/rep-*-kpis.csv")):
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the run never started its two workers"
    return proc, workers


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.time() + seconds
    while time.time() < deadline and _alive(pids):
        time.sleep(0.1)
    return _alive(pids)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_is_handled_like_ctrl_c_and_leaves_no_worker(tmp_path):
    proc, workers = _start_two_worker_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "partial results" in err and "Traceback" not in err
    (folder,) = list(tmp_path.iterdir())
    m = json.loads((folder / "manifest.json").read_text())
    assert m["complete"] is False and m["interrupted"] is True
    assert 1 <= len(m["replications_finished"]) < 8
    assert not _wait_gone(workers, 10), "workers outlived their parent"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigkill_of_the_parent_leaves_no_orphan_worker(tmp_path):
    proc, workers = _start_two_worker_run(tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    # the kernel (PR_SET_PDEATHSIG) or the workers' parent watch ends them
    assert not _wait_gone(workers, 10), "orphaned workers survived a SIGKILL of the parent"
