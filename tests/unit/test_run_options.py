"""RunOptions (one options object for jobs, executor, scheduler, progress), the
scheduler probe and the signal helpers (issue 14 item 5, issue 15 items 5 and 6)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time

import pytest

import flowsim
from flowsim import executors
from flowsim.cli import main
from flowsim.errors import ConfigError
from flowsim.executors import (
    Interrupted,
    RunOptions,
    check_scheduler,
    interrupted_exit_code,
    map_tasks,
    signals_as_interrupts,
)


def _square(x: int) -> int:
    return x * x


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_defaults_and_kinds():
    assert RunOptions().kind == "serial"
    assert RunOptions(jobs=2).kind == "processes"
    assert RunOptions(jobs=0).workers == (os.cpu_count() or 1)
    assert RunOptions(scheduler="tcp://127.0.0.1:8786").kind == "dask"
    assert RunOptions(executor="dask").kind == "dask"


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"jobs": -1}, "jobs"),
        ({"jobs": 10**6}, "jobs"),
        ({"jobs": 1.5}, "jobs"),
        ({"jobs": True}, "jobs"),
        ({"executor": "threads"}, "executor"),
        ({"executor": "serial", "scheduler": "tcp://h:1"}, "scheduler"),
        ({"scheduler": "tcp://host"}, "scheduler"),
        ({"scheduler": "http://host:80"}, "scheduler"),
        ({"scheduler": "tcp://host:99999"}, "scheduler"),
        ({"scheduler": "tcp://ho st:1"}, "scheduler"),
        ({"scheduler": ""}, "scheduler"),
        ({"scheduler_timeout_s": 0}, "scheduler_timeout_s"),
    ],
)
def test_bad_options_are_config_errors_naming_the_key(kw, key):
    with pytest.raises(ConfigError) as e:
        RunOptions(**kw)
    assert key in e.value.keys


def test_every_problem_is_listed_at_once():
    with pytest.raises(ConfigError) as e:
        RunOptions(jobs=-1, executor="x", scheduler_timeout_s=-1)
    assert e.value.keys == ["jobs", "executor", "scheduler_timeout_s"]


def test_legacy_keywords_and_options_object_agree():
    opts = RunOptions(jobs=2)
    assert RunOptions.of(None, jobs=2, executor=None) == opts
    assert RunOptions.of(opts, jobs=2) is opts
    with pytest.raises(TypeError, match="not both"):
        RunOptions.of(opts, jobs=3)
    with pytest.raises(TypeError, match="unknown"):
        RunOptions.of(None, workers=3)
    with pytest.raises(TypeError, match="must be a RunOptions"):
        RunOptions.of(2)  # an old positional jobs argument


def test_map_tasks_takes_either_form():
    tasks = list(range(5))
    assert map_tasks(_square, tasks) == [0, 1, 4, 9, 16]
    assert map_tasks(_square, tasks, RunOptions(jobs=2)) == [0, 1, 4, 9, 16]
    assert map_tasks(_square, tasks, jobs=2, executor="processes") == [0, 1, 4, 9, 16]


def test_public_run_keeps_its_jobs_keyword():
    from helpers import tiny_scenario

    scn = tiny_scenario(run={"days": 1, "warmup_days": 0})
    a = flowsim.run(scn, replications=2, jobs=2)
    b = flowsim.run(scn, replications=2)
    assert a.kpis.equals(b.kpis)


def test_dask_is_honoured_for_a_single_task(monkeypatch):
    """With -r 1 the Dask option used to be silently ignored (run in this process)."""
    import flowsim.dask_executor as dx

    calls = []

    def fake_dask_map(fn, tasks, options=None, done=None, **kw):
        calls.append(options)
        for i, t in enumerate(tasks):
            done(i, fn(t))

    monkeypatch.setattr(dx, "dask_map", fake_dask_map)
    assert map_tasks(_square, [3], RunOptions(executor="dask")) == [9]
    assert len(calls) == 1 and calls[0].kind == "dask"


def test_wrong_scheduler_fails_fast_with_one_message():
    port = _closed_port()
    t = time.perf_counter()
    with pytest.raises(ConfigError) as e:
        check_scheduler(f"tcp://127.0.0.1:{port}", timeout_s=2)
    assert time.perf_counter() - t < 3
    assert e.value.keys == ["scheduler"] and "no Dask scheduler answers" in str(e.value)


def test_cli_wrong_scheduler_is_exit_2_in_seconds(tmp_path, capsys):
    port = _closed_port()
    t = time.perf_counter()
    rc = main(
        ["run", "-r", "1", "--days", "1", "--executor", "dask"]
        + ["--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert rc == 2 and time.perf_counter() - t < 10
    assert "Traceback" not in err and len(err.splitlines()) <= 5
    assert not list(tmp_path.iterdir())  # refused before the output folder was made


def test_sigterm_becomes_an_interrupt_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as e, signals_as_interrupts():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
    assert isinstance(e.value, KeyboardInterrupt)
    assert interrupted_exit_code(e.value) == 128 + signal.SIGTERM
    assert interrupted_exit_code(KeyboardInterrupt()) == 130
    assert signal.getsignal(signal.SIGTERM) is before


def test_worker_initializer_exits_when_the_parent_is_already_gone(monkeypatch):
    exits = []
    monkeypatch.setattr(executors.os, "_exit", lambda code: exits.append(code))
    monkeypatch.setattr(
        executors.threading, "Thread", lambda **k: type("T", (), {"start": lambda self: None})()
    )
    prctl = []  # keep the test process's own death signal untouched
    fake_libc = type("Libc", (), {"prctl": staticmethod(lambda *a: prctl.append(a))})()
    monkeypatch.setattr(executors.ctypes, "CDLL", lambda *a, **k: fake_libc)
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        executors._die_with_parent(parent=os.getppid() + 1_000_000)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    assert exits == [1]
    if executors.sys.platform.startswith("linux"):
        assert prctl == [(1, signal.SIGKILL, 0, 0, 0)]  # PR_SET_PDEATHSIG


def test_something_that_is_not_a_scheduler_is_a_config_error():
    """A port that accepts connections but speaks no Dask (a proxy, another service)
    used to end in a 60-line traceback (once, a 3 EiB allocation)."""
    pytest.importorskip("distributed")
    import threading

    from flowsim.dask_executor import dask_map

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def babble():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with contextlib.suppress(OSError):
                conn.sendall(b"\xff" * 64 + b"HTTP/1.1 400 Bad Request\r\n\r\n")
                conn.close()

    t = threading.Thread(target=babble, daemon=True)
    t.start()
    try:
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        opts = RunOptions(scheduler=address, scheduler_timeout_s=3)
        start = time.perf_counter()
        with pytest.raises(ConfigError) as e:
            dask_map(_square, [1, 2], options=opts, done=lambda i, r: None)
        assert e.value.keys == ["scheduler"] and time.perf_counter() - start < 30
    finally:
        stop.set()
        t.join(2)
        server.close()
