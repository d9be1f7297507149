"""The summit app: a Streamlit page over the same API as the CLI and notebooks.

``flowsim app`` (or :func:`launch`) starts a local server; partners pick a county,
build options from the intervention library, run them in worker processes, compare
them and download the report, the tables and the experiment YAML. The page
(``page.py``) is thin: the logic lives in plain modules tested without Streamlit
(options, cache, jobs, uploads, ranking, timeline, diagram, downloads).

Importing this package does not import Streamlit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from flowsim.app.settings import DEFAULT_CACHE_DIR, AppSettings
from flowsim.errors import ConfigError, Problem

#: The Streamlit script.
PAGE = Path(__file__).with_name("page.py")


def streamlit_command(host: str, port: int, extra: Sequence[str] = ()) -> list[str]:
    """The command line that serves the page on ``host:port``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PAGE),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.maxUploadSize",
        "1",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--theme.base",
        "light",
        *extra,
    ]


def launch(
    host: str = "127.0.0.1",
    port: int = 8501,
    cache_dir: str | Path = DEFAULT_CACHE_DIR,
    jobs: int = 2,
    executor: str | None = None,
    scheduler: str | None = None,
) -> int:
    """Serve the summit app until interrupted; returns the server's exit code.

    Parameters
    ----------
    host
        Address to listen on. The default, ``127.0.0.1``, is this machine only; use
        ``0.0.0.0`` to let others on the network open it (at your own risk: the app
        has no login).
    port
        TCP port.
    cache_dir
        Folder for cached results and uploads; nothing is written outside it.
    jobs, executor, scheduler
        Where each run's replications run, as for ``flowsim compare``.

    Raises
    ------
    ConfigError
        Listing every bad setting, or saying that Streamlit is not installed.
    """
    settings = AppSettings(
        cache_dir=Path(cache_dir),
        executor=executor,
        scheduler=scheduler,
        jobs=int(jobs),
        address=f"{host}:{port}",
    )
    problems = settings.problems()
    if not 0 < int(port) < 65536:
        problems.append(Problem("port", port, "must be between 1 and 65535"))
    try:
        import streamlit  # noqa: F401
    except ImportError:
        problems.append(Problem("app", "streamlit", "is not installed: pip install 'flowsim[app]'"))
    if problems:
        raise ConfigError(problems, "flowsim app")
    env = {**os.environ, **settings.to_env()}
    print(f"flowsim app: open http://{host}:{port} (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(streamlit_command(host, int(port)), env=env)
    except KeyboardInterrupt:
        return 0


__all__ = ["AppSettings", "PAGE", "launch", "streamlit_command"]
