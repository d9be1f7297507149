"""Output folders: contained, never overwritten, written atomically, with a manifest.

A run writes ``<out>/<name>-<timestamp>/``. The name comes from a user's file or
``--set name=...``, so it is made into a safe slug first (:func:`safe_name`) and the
folder is checked to resolve inside ``<out>`` (:func:`child_dir`): no name can write
anywhere else. If that folder exists a suffix is added, so no run ever overwrites
another. Each file is written to a temporary name in the same folder and renamed
into place, so a table that exists is complete; ``manifest.json`` is written last
and says ``"complete": true`` only when every file of the run is in place.

Files get the permissions the user's umask gives a new file (``0666 & ~umask``),
as any other program's output would, not the 0600 of a temporary file. A disk
that fills up or a folder that cannot be written is an :class:`OutputError` (a
:class:`~flowsim.errors.ConfigError`, so the command line exits 2 with a message).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import unicodedata
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from flowsim.errors import ConfigError, Problem

PACKAGES = ("flowsim", "simpy", "numpy", "pandas", "numba", "scipy", "pydantic", "matplotlib")
#: Longest folder name made from a user's name (file systems allow 255 bytes).
MAX_NAME_CHARS = 80
#: Below this much free space on the output disk a run is refused before it starts.
MIN_FREE_BYTES = 20 * 1024 * 1024
#: errno values that mean "this disk or folder cannot take the output".
DISK_ERRNOS = frozenset(
    e
    for e in (
        errno.ENOSPC,
        getattr(errno, "EDQUOT", None),
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EFBIG,
    )
    if e is not None
)


class OutputError(ConfigError):
    """The output folder cannot take the run's files (bad path, full disk, no permission)."""

    kind = "output folder"


def safe_name(name: object, default: str = "run") -> str:
    """A readable folder name made from a user-supplied ``name``.

    Letters, digits, ``.``, ``_`` and ``-`` are kept (Unicode letters included,
    after NFKC normalisation); every other run of characters (``/``, ``\\``, NUL,
    newlines, spaces, ...) becomes one ``-``. Leading dots and dashes are dropped,
    so the result is never ``..``, hidden, or an option. A name longer than
    :data:`MAX_NAME_CHARS` is cut and given a short hash of the full name, so two
    long names stay distinct. An empty result becomes ``default``.

    Examples
    --------
    >>> safe_name("../../etc/evil")
    'etc-evil'
    >>> safe_name("winter surge 2026")
    'winter-surge-2026'
    """
    text = unicodedata.normalize("NFKC", str(name))
    slug = "".join(c if (c.isalnum() or c in "._-") else "-" for c in text)
    slug = re.sub(r"-{2,}", "-", slug).lstrip(".-").rstrip("-")
    slug = re.sub(r"\.{2,}", ".", slug)
    if len(slug) > MAX_NAME_CHARS:
        digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = slug[: MAX_NAME_CHARS - 9].rstrip("-.") + "-" + digest
    return slug or default


def child_dir(out: str | Path, name: object, default: str = "run") -> Path:
    """``<out>/<safe_name(name)>``, verified to resolve inside ``out``.

    Raises :class:`OutputError` if the result would lie elsewhere (for example when
    ``<out>/<name>`` is a symbolic link pointing out of ``out``).
    """
    return _contained(Path(out), safe_name(name, default), name)


def _contained(out: Path, slug: str, name: object) -> Path:
    base = out.resolve()
    path = base / slug
    real = path.resolve()
    if real.parent != base or slug in ("", ".", ".."):
        raise OutputError(
            [
                Problem(
                    "name",
                    str(name),
                    f"its output folder {path} resolves to {real}, outside --out {base}; "
                    "remove the link or choose another name",
                )
            ]
        )
    return path


def _path_problem(out: Path, rule: str) -> OutputError:
    return OutputError([Problem("out", str(out), rule)])


def preflight_out_dir(out: str | Path, min_free_bytes: int = MIN_FREE_BYTES) -> Path:
    """Check, before any simulation, that ``out`` can take a run's files.

    Writes nothing outside ``out`` and creates nothing: if ``out`` exists a probe
    file is written and removed in it; if not, the nearest existing folder above it
    must be writable (and not on a read-only file system). Raises
    :class:`OutputError` naming the folder and the rule when ``out`` is a file (or a
    device such as the null device), cannot be created, is not writable, or is on a
    nearly full disk.

    Returns
    -------
    Path
        ``out`` as a Path.
    """
    raw = str(out)
    if not raw or "\0" in raw:
        raise _path_problem(Path(raw.replace("\0", "\\0")), "must be a folder path")
    out = Path(out)
    if out.exists() and not out.is_dir():
        kind = "a file" if out.is_file() else "not a folder (a device or special file)"
        raise _path_problem(out, f"is {kind}; --out must be a folder")
    if out.is_dir():
        try:
            fd, probe = tempfile.mkstemp(dir=out, prefix=".flowsim-probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise _path_problem(
                out, f"cannot write in this folder: {exc.strerror or exc}"
            ) from None
        existing = out
    else:
        existing = out.absolute().parent
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise _path_problem(out, f"cannot be created: {existing} is a file, not a folder")
        read_only = False
        with contextlib.suppress(OSError, AttributeError):
            read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
        if read_only or not os.access(existing, os.W_OK | os.X_OK):
            raise _path_problem(out, f"cannot be created: {existing} is not writable")
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        free = None
    if free is not None and free < min_free_bytes:
        raise _path_problem(
            out,
            f"only {free / 2**20:.1f} MB free on its disk (at least "
            f"{min_free_bytes / 2**20:.0f} MB needed); free some space or use another --out",
        )
    return out


def disk_error(exc: OSError, path: str | Path | None = None) -> OutputError:
    """An :class:`OutputError` explaining an operating-system write failure."""
    where = str(path or getattr(exc, "filename", None) or "output")
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        rule = "the disk is full (no space left on device); free some space or use another --out"
    elif exc.errno == errno.EROFS:
        rule = "the disk is read-only; use another --out"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        rule = "permission denied; use a folder you can write to"
    else:
        rule = f"cannot write: {exc.strerror or exc}"
    return OutputError([Problem("out", where, rule)])


def is_disk_error(exc: BaseException) -> bool:
    """True for an OSError that means the output cannot be written (full, read-only)."""
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


def new_run_dir(out: str | Path, name: object) -> Path:
    """Create and return a fresh folder ``<out>/<slug>-<YYYYmmdd-HHMMSS>[-k]``.

    ``name`` is made safe with :func:`safe_name`; the folder always lies in ``out``.
    """
    base = Path(out)
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, base) from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = safe_name(name)
    for k in range(1000):
        path = _contained(base, f"{slug}-{stamp}" + (f"-{k}" if k else ""), name)
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise disk_error(exc, path) from None
    raise OutputError([Problem("out", str(base), "could not create a new output folder in it")])


def file_mode() -> int:
    """Permission bits a new file gets under the current umask (``0o666 & ~umask``)."""
    mask = None
    try:  # Linux reports the umask without changing it (thread-safe)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                mask = int(line.split()[1], 8)
                break
    except (OSError, ValueError, IndexError):
        mask = None
    if mask is None:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename.

    The file ends with the umask's permissions (``0666 & ~umask``). A full disk or
    an unwritable folder raises :class:`OutputError`; the old file, if any, is left
    as it was and no temporary file remains.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        if is_disk_error(exc):
            raise disk_error(exc, path) from None
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), file_mode())
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and is_disk_error(exc):
            raise disk_error(exc, path) from None
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode())


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write ``df`` as CSV (no index), atomically."""
    atomic_write_text(path, df.to_csv(index=False))


def write_json(obj: Any, path: str | Path) -> None:
    """Write ``obj`` as indented, key-sorted JSON, atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str))


def package_versions() -> dict[str, str]:
    """Python, platform and the versions of the packages a result depends on."""
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
