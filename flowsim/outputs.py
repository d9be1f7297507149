"""Output folders: never overwritten, written atomically, with a manifest.

A run writes ``<out>/<name>-<timestamp>/``. If that folder exists a suffix is
added, so no run ever overwrites another. Each file is written to a temporary
name in the same folder and renamed into place, so a table that exists is
complete; ``manifest.json`` is written last and says ``"complete": true`` only
when every file of the run is in place.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("flowsim", "simpy", "numpy", "pandas", "numba", "scipy", "pydantic", "matplotlib")


def new_run_dir(out: str | Path, name: str) -> Path:
    """Create and return a fresh folder ``<out>/<name>-<YYYYmmdd-HHMMSS>[-k]``."""
    base = Path(out)
    base.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for k in range(1000):
        path = base / (f"{name}-{stamp}" + (f"-{k}" if k else ""))
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new output folder under {base}")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    atomic_write_text(path, df.to_csv(index=False))


def write_json(obj: Any, path: str | Path) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str))


def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def manifest(scenarios: dict, seed: int, replications: int, extra: dict | None = None) -> dict:
    """What is needed to reproduce a run: resolved configs and hashes, seeds, versions."""
    return {
        "created": datetime.now().isoformat(timespec="seconds"),
        "seed": seed,
        "replications": replications,
        "replication_seeds": [[seed, r] for r in range(replications)],
        "scenarios": {
            name: {"config_hash": s.config_hash(), "config": s.to_dict()}
            for name, s in scenarios.items()
        },
        "versions": package_versions(),
        "command": " ".join(sys.argv),
        **(extra or {}),
    }
