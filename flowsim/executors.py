"""Where tasks run: in this process, in local worker processes, or on Dask.

All executors return results in task order, and each task carries its own seed
and replication number, so the tables are identical whichever executor ran them.

How tasks run is one value, :class:`RunOptions` (jobs, executor, scheduler,
progress), passed whole from the command line or a notebook down to
:func:`map_tasks`. The old keyword arguments (``jobs=2``) still work.

Process lifetime: no worker outlives its parent. Each local worker asks the Linux
kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``) and also polls its
parent's pid, so a parent killed with SIGKILL leaves no orphan; on any exception
(Ctrl-C, SIGTERM, a failed task) the parent terminates and reaps its workers before
it returns. :func:`signals_as_interrupts` makes SIGTERM and SIGHUP behave like
Ctrl-C, so a stopped run marks its partial results the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flowsim.errors import ConfigError, Problem

T = TypeVar("T")
R = TypeVar("R")

EXECUTORS = ("serial", "processes", "dask")
#: More local workers than this is a typo, not a plan (each holds a model, ~400 MB).
MAX_JOBS = 256
#: Dask address schemes a scheduler can listen on.
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
#: Seconds to wait for a Dask scheduler to answer before giving up.
SCHEDULER_TIMEOUT_S = 5.0
#: Seconds between a worker's checks that its parent is still alive.
PARENT_POLL_S = 1.0


class Interrupted(KeyboardInterrupt):
    """A stop requested by a signal other than SIGINT (SIGTERM, SIGHUP).

    A subclass of :class:`KeyboardInterrupt`, so every handler of Ctrl-C handles it
    too; ``signum`` gives the exit status ``128 + signum``.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(frozen=True)
class RunOptions:
    """How to run a batch of tasks.

    Parameters
    ----------
    jobs
        Local worker processes (``0``: one per CPU core). With ``executor="dask"``
        and no scheduler, the number of LocalCluster workers.
    executor
        ``"serial"``, ``"processes"`` or ``"dask"``; ``None`` picks ``processes``
        when ``jobs > 1`` and ``dask`` when a scheduler is given.
    scheduler
        Dask scheduler address (``tcp://host:8786``); ``None`` starts a LocalCluster.
    progress
        ``True`` for a tqdm bar, a tqdm-like callable, or ``False``.
    scheduler_timeout_s
        How long to wait for the scheduler to answer before failing.
    """

    jobs: int = 1
    executor: str | None = None
    scheduler: str | None = None
    progress: bool | Callable = False
    scheduler_timeout_s: float = SCHEDULER_TIMEOUT_S

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError(problems)

    def problems(self) -> list[Problem]:
        """Every rule these options break (empty when they are usable)."""
        out = []
        jobs = self.jobs
        if isinstance(jobs, bool) or not isinstance(jobs, int):
            out.append(Problem("jobs", jobs, "must be a whole number"))
        elif not 0 <= jobs <= MAX_JOBS:
            out.append(Problem("jobs", jobs, f"must be 0 (one per core) to {MAX_JOBS}"))
        if self.executor is not None and self.executor not in EXECUTORS:
            out.append(Problem("executor", self.executor, f"must be one of {', '.join(EXECUTORS)}"))
        if self.scheduler is not None:
            if self.executor in ("serial", "processes"):
                out.append(
                    Problem(
                        "scheduler",
                        self.scheduler,
                        f"a scheduler address is used only with executor dask, not {self.executor}",
                    )
                )
            out += scheduler_address_problems(self.scheduler)
        t = self.scheduler_timeout_s
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t <= 600:
            out.append(Problem("scheduler_timeout_s", t, "must be a number of seconds in (0, 600]"))
        return out

    @property
    def kind(self) -> str:
        """The executor that will run the tasks."""
        if self.executor is not None:
            return self.executor
        if self.scheduler is not None:
            return "dask"
        return "processes" if self.jobs != 1 else "serial"

    @property
    def workers(self) -> int:
        """Local worker processes asked for (``jobs``, or the CPU count for 0)."""
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    @classmethod
    def of(cls, options: RunOptions | None = None, **legacy: Any) -> RunOptions:
        """``options``, or options built from the old keyword arguments.

        ``legacy`` holds ``jobs``, ``executor``, ``scheduler`` and ``progress`` as a
        caller passed them (``None`` meaning not given). Giving both an options
        object and a conflicting keyword is an error, never a silent choice.
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(legacy) - names)
        if unknown:
            raise TypeError(f"unknown run options: {', '.join(unknown)}")
        given = {k: v for k, v in legacy.items() if v is not None}
        if options is not None and not isinstance(options, RunOptions):
            raise TypeError(
                f"options must be a RunOptions, got {type(options).__name__} {options!r}; "
                "pass jobs=, executor=, scheduler= and progress= by keyword"
            )
        if options is None:
            given.setdefault("progress", in_notebook())
            return cls(**given)
        clash = {k: v for k, v in given.items() if getattr(options, k) != v}
        if clash:
            raise TypeError(
                f"give either options= or the keyword arguments, not both: {sorted(clash)}"
            )
        return options

    def with_(self, **changes: Any) -> RunOptions:
        """A copy with some options changed (validated again)."""
        return replace(self, **changes)


def scheduler_address_problems(address: object) -> list[Problem]:
    """Problems with the form of a Dask scheduler address (no network access)."""
    if not isinstance(address, str) or not address.strip():
        return [Problem("scheduler", address, "must be an address like tcp://host:8786")]
    rule = "must look like tcp://host:port (schemes: " + ", ".join(SCHEDULER_SCHEMES) + ")"
    if any(c in address for c in "\0\n\r\t "):
        return [Problem("scheduler", address, rule + "; no spaces or control characters")]
    if "://" not in address:
        address = "tcp://" + address
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as exc:
        return [Problem("scheduler", address, f"{rule}: {exc}")]
    if parts.scheme not in SCHEDULER_SCHEMES:
        return [Problem("scheduler", address, rule)]
    if not parts.hostname or port is None:
        return [Problem("scheduler", address, rule + "; host and port are both needed")]
    return []


def check_scheduler(address: str, timeout_s: float = SCHEDULER_TIMEOUT_S) -> None:
    """Fail fast, with one message, when no scheduler answers at ``address``.

    Checks the form of the address, then opens (and closes) a TCP connection to it
    within ``timeout_s`` seconds; raises :class:`ConfigError` naming the address.
    """
    problems = scheduler_address_problems(address)
    if problems:
        raise ConfigError(problems)
    full = address if "://" in address else "tcp://" + address
    parts = urlsplit(full)
    if parts.scheme not in ("tcp", "tls", "ws", "wss"):
        return  # no portable way to probe these without Dask itself
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s):
            pass
    except OSError as exc:
        why = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConfigError(
            [
                Problem(
                    "scheduler",
                    address,
                    f"no Dask scheduler answers there ({why} after at most {timeout_s:g} s); "
                    "check the address, or leave --scheduler out to use a LocalCluster",
                )
            ]
        ) from None


# ------------------------------------------------------------------ worker lifetime

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int, start_method: str = "fork") -> None:
    """Worker initializer: never outlive the parent process ``parent``.

    With the ``fork`` start method the worker's parent is ``parent`` itself; with
    ``spawn`` or ``forkserver`` it is the process that started the worker, whose
    pid is taken as found.

    Linux kills the worker with SIGKILL as soon as its parent exits (prctl); on
    every platform a daemon thread also checks once a second that the parent is
    still there and ends the worker if not (covering a worker blocked writing a
    result into a pipe nobody reads). The worker ignores Ctrl-C and takes SIGTERM
    with the default action: stopping is the parent's decision.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    expected = parent if start_method == "fork" else os.getppid()
    if os.getppid() != expected or expected == 1:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != expected:
                os._exit(1)

    threading.Thread(target=watch, name="flowsim-parent-watch", daemon=True).start()


def _stop_pool(pool: ProcessPoolExecutor, grace_s: float = 2.0) -> None:
    """Terminate every worker of ``pool`` and reap it (kill if it will not stop)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + grace_s
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)


# ------------------------------------------------------------------ signals


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Interrupted` (a Ctrl-C).

    A run stopped by ``kill`` or a closed terminal then takes the same path as
    Ctrl-C: workers stopped, partial results marked. The previous handlers come
    back on exit. Outside the main thread it does nothing (Python allows signal
    handlers only there).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    old = {s: signal.signal(s, _raise_interrupted) for s in wanted}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def interrupted_exit_code(exc: BaseException) -> int:
    """Exit status for a stop: 130 for Ctrl-C, ``128 + signum`` for other signals."""
    return 128 + getattr(exc, "signum", signal.SIGINT)


def quiet_broken_pipe() -> None:
    """After stdout was closed by the reader (``| head -1``): stop writing quietly.

    Points stdout at the null device so the interpreter's final flush does not
    print a second error.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# ------------------------------------------------------------------ running


def in_notebook() -> bool:
    """True inside a Jupyter kernel, where progress bars are on by default (tqdm.auto)."""
    import sys

    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython() if hasattr(shell, "get_ipython") else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def _progress_bar(total: int, desc: str, progress: bool | Callable):
    """A tqdm bar (terminal or Jupyter) or None when progress is off."""
    if not progress or total <= 1:
        return None
    if callable(progress):
        return progress(total=total, desc=desc)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)


def resolve_executor(executor: str | None, jobs: int) -> str:
    """The executor name that ``executor`` and ``jobs`` select."""
    return RunOptions(jobs=jobs, executor=executor).kind


def map_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    options: RunOptions | None = None,
    *,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | Callable | None = None,
    desc: str = "tasks",
    on_result: Callable[[int, R], None] | None = None,
    label: Callable[[T], str] | None = None,
) -> list[R]:
    """Apply ``fn`` to every task and return the results in task order.

    Parameters
    ----------
    fn, tasks
        The function (picklable for processes and Dask) and its arguments.
    options
        How to run them; or give the same as ``jobs``/``executor``/``scheduler``/
        ``progress`` keywords.
    desc
        Label of the progress bar.
    on_result
        ``on_result(i, result)`` is called in this process as each task finishes
        (completion order), which lets sweeps write each finished point at once.
    label
        ``label(task)`` relabels the progress bar as each task finishes (e.g. with
        the scenario whose replication it was), so a bar over several scenarios
        says where it is.

    Returns
    -------
    list
        ``fn(task)`` for every task, in task order.
    """
    opts = RunOptions.of(
        options, jobs=jobs, executor=executor, scheduler=scheduler, progress=progress
    )
    kind = opts.kind
    bar = _progress_bar(len(tasks), desc, opts.progress)
    out: list[Any] = [None] * len(tasks)

    def done(i: int, r: Any) -> None:
        out[i] = r
        if on_result is not None:
            on_result(i, r)
        if bar is not None:
            if label is not None and hasattr(bar, "set_description"):
                bar.set_description(label(tasks[i]), refresh=False)
            bar.update(1)

    try:
        if kind == "dask":
            # honoured even for one task: the user asked for the cluster
            if tasks:
                from flowsim.dask_executor import dask_map

                dask_map(fn, tasks, options=opts, done=done)
        elif kind == "serial" or len(tasks) <= 1:
            for i, t in enumerate(tasks):
                done(i, fn(t))
        else:
            workers = max(1, min(opts.workers, len(tasks)))
            ctx = multiprocessing.get_context()
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=ctx,
                initializer=_die_with_parent,
                initargs=(os.getpid(), ctx.get_start_method()),
            )
            try:
                futs = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
                for f in as_completed(futs):
                    done(futs[f], f.result())
            except BaseException:
                # Ctrl-C, SIGTERM or a failure: stop now rather than finish the queue.
                _stop_pool(pool)
                raise
            pool.shutdown()
    finally:
        if bar is not None:
            bar.close()
    return out
