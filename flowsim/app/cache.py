"""Results cached on disk by scenario hash, inside one folder the user chooses.

A comparison's key is the SHA-256 of the experiment (seed, replications, baseline,
thresholds, scenario names) and of the resolved configuration hash of every
scenario, with the flowsim version: the same question answers at once from the
cache, and a changed configuration (or a new model version) is a new question.
The executor and worker count are not in the key: results are identical whichever
ran them. Files are written atomically, so a cached result is always complete.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flowsim.comparison import Experiment
from flowsim.config import Scenario
from flowsim.outputs import atomic_write_bytes, atomic_write_text


def _digest(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _version() -> str:
    from flowsim import __version__

    return __version__


def comparison_key(exp: Experiment, scenarios: Sequence[Scenario]) -> str:
    """Cache key of a comparison: the experiment and every resolved scenario hash."""
    return (
        "compare-"
        + _digest(
            {
                "version": _version(),
                "experiment": exp.model_dump(mode="json", exclude={"base", "description"}),
                "scenarios": [(s.name, s.config_hash()) for s in scenarios],
            }
        )[:32]
    )


def baseline_key(scenario: Scenario, replications: int, seed: int) -> str:
    """Cache key of a baseline run: its resolved hash, replications and seed."""
    return (
        "baseline-"
        + _digest(
            {
                "version": _version(),
                "scenario": scenario.config_hash(),
                "replications": replications,
                "seed": seed,
            }
        )[:32]
    )


class ResultCache:
    """Pickled results and progress files under one folder (created on first write).

    Parameters
    ----------
    folder
        The cache folder. Every path this class returns is inside it.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, sub: str, key: str, suffix: str) -> Path:
        if not key.replace("-", "").isalnum():
            raise ValueError(f"cache key must be letters, digits and '-', got {key!r}")
        return self.folder / sub / f"{key}{suffix}"

    def result_path(self, key: str) -> Path:
        """Where the result of ``key`` is stored."""
        return self._path("results", key, ".pkl")

    def progress_path(self, key: str) -> Path:
        """Where the progress of the run of ``key`` is written."""
        return self._path("progress", key, ".json")

    def has(self, key: str) -> bool:
        """True when a complete result for ``key`` is cached."""
        return self.result_path(key).is_file()

    def get(self, key: str) -> Any | None:
        """The cached result for ``key``, or None (also for an unreadable file)."""
        path = self.result_path(key)
        if not path.is_file():
            return None
        try:
            return pickle.loads(path.read_bytes())
        except Exception:  # a file from an incompatible version: recompute
            return None

    def put(self, key: str, result: Any) -> Path:
        """Store ``result`` under ``key`` (atomically) and return its path."""
        path = self.result_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return path

    def write_progress(self, key: str, done: int, total: int, desc: str = "") -> None:
        """Record that ``done`` of ``total`` replications of ``key`` have finished."""
        path = self.progress_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"done": done, "total": total, "desc": desc}))

    def read_progress(self, key: str) -> tuple[int, int] | None:
        """``(done, total)`` of a run in progress, or None before the first report."""
        path = self.progress_path(key)
        try:
            data = json.loads(path.read_text())
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def upload_path(self, data: bytes) -> Path:
        """Where an uploaded scenario file with content ``data`` is kept."""
        return self.folder / "uploads" / f"scenario-{hashlib.sha256(data).hexdigest()[:16]}.yaml"

    def keep_upload(self, data: bytes) -> Path:
        """Store an uploaded scenario file in the cache folder and return its path."""
        path = self.upload_path(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file():
            atomic_write_bytes(path, data)
        return path
