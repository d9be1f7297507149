"""How the app is served: cache folder, executor and worker count.

``flowsim app`` passes these to the Streamlit page through environment variables
(the page is a separate script that Streamlit runs), so the same settings reach the
page whether it was started by the CLI, by ``make app`` or by a test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flowsim.errors import ConfigError, Problem
from flowsim.executors import EXECUTORS

#: Default cache folder, inside the git-ignored outputs folder.
DEFAULT_CACHE_DIR = Path("outputs") / "app-cache"

ENV_CACHE_DIR = "FLOWSIM_APP_CACHE_DIR"
ENV_EXECUTOR = "FLOWSIM_APP_EXECUTOR"
ENV_SCHEDULER = "FLOWSIM_APP_SCHEDULER"
ENV_JOBS = "FLOWSIM_APP_JOBS"
ENV_ADDRESS = "FLOWSIM_APP_ADDRESS"


@dataclass(frozen=True)
class AppSettings:
    """Settings of one app server.

    Parameters
    ----------
    cache_dir
        Folder for cached results, run progress and uploaded scenario files. The
        app writes nothing outside it.
    executor
        ``serial``, ``processes`` or ``dask`` (None: processes when ``jobs > 1``).
    scheduler
        Dask scheduler address (``tcp://host:port``); None starts a LocalCluster.
    jobs
        Worker processes per run.
    address
        ``host:port`` the server listens on (shown in the page footer).
    """

    cache_dir: Path = DEFAULT_CACHE_DIR
    executor: str | None = None
    scheduler: str | None = None
    jobs: int = 2
    address: str = "127.0.0.1:8501"

    def problems(self) -> list[Problem]:
        """Every problem with these settings (empty when they are usable)."""
        out = []
        if self.executor is not None and self.executor not in EXECUTORS:
            out.append(Problem("executor", self.executor, f"must be one of {', '.join(EXECUTORS)}"))
        if self.jobs < 1:
            out.append(Problem("jobs", self.jobs, "must be a whole number >= 1"))
        if self.scheduler is not None and self.executor != "dask":
            out.append(Problem("scheduler", self.scheduler, "is used only with executor dask"))
        return out

    def check(self) -> AppSettings:
        """Raise one ConfigError listing every problem, else return self."""
        found = self.problems()
        if found:
            raise ConfigError(found, "app settings")
        return self

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables for the page process."""
        env = {
            ENV_CACHE_DIR: str(self.cache_dir),
            ENV_JOBS: str(self.jobs),
            ENV_ADDRESS: self.address,
        }
        if self.executor:
            env[ENV_EXECUTOR] = self.executor
        if self.scheduler:
            env[ENV_SCHEDULER] = self.scheduler
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppSettings:
        """Read the settings written by :meth:`to_env` (defaults where unset)."""
        env = os.environ if env is None else env
        problems = []
        jobs_text = env.get(ENV_JOBS, "2")
        try:
            jobs = int(jobs_text)
        except ValueError:
            problems.append(Problem(ENV_JOBS, jobs_text, "must be a whole number >= 1"))
            jobs = 1
        out = cls(
            cache_dir=Path(env.get(ENV_CACHE_DIR) or DEFAULT_CACHE_DIR),
            executor=env.get(ENV_EXECUTOR) or None,
            scheduler=env.get(ENV_SCHEDULER) or None,
            jobs=jobs,
            address=env.get(ENV_ADDRESS, "127.0.0.1:8501"),
        )
        problems += out.problems()
        if problems:
            raise ConfigError(problems, "app settings")
        return out
