"""Output containment, folder checks and file permissions (issue 15 items 1, 6, 7).

Every name a user controls (scenario, experiment or sweep ``name:``, ``--set name=``)
must give a folder inside ``--out`` and nothing else; ``--fresh`` may delete only what
the sweep wrote; a bad output folder or a full disk is exit 2 before any simulation;
files get the umask's permissions.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from flowsim import outputs
from flowsim.cli import main
from flowsim.errors import ConfigError
from flowsim.outputs import (
    MAX_NAME_CHARS,
    OutputError,
    atomic_write_text,
    child_dir,
    new_run_dir,
    preflight_out_dir,
    safe_name,
)
from flowsim.sweep import SweepSpec, sweep

HOSTILE_NAMES = [
    "../../../../evil",
    "/abs/olute/path",
    "a/b/c",
    "a\\b",
    "nul\x00byte",
    "new\nline",
    "x" * 300,
    "..",
    ".",
    "",
    ".hidden",
    "-rf",
    " ",
    "~",
    "é" * 200,
    "winter surge: 2026/27?",
]


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a hash of its content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_name_is_one_plain_folder_name(name):
    slug = safe_name(name)
    assert slug and len(slug) <= MAX_NAME_CHARS
    assert "/" not in slug and "\\" not in slug and "\0" not in slug and "\n" not in slug
    assert not slug.startswith((".", "-")) and slug not in (".", "..")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_child_dir_lies_directly_in_out(tmp_path, name):
    out = tmp_path / "out"
    assert child_dir(out, name).parent == out.resolve()


def test_safe_name_keeps_readable_names_and_separates_long_ones():
    assert safe_name("worcestershire") == "worcestershire"
    assert safe_name("winter surge 2026") == "winter-surge-2026"
    assert safe_name("beds_v2.1") == "beds_v2.1"
    assert safe_name("a" * 300) != safe_name("a" * 299)  # a hash keeps long names apart
    assert safe_name("a" * 300).startswith("a" * 60)


def test_symlink_out_of_out_is_refused(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "evil").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError) as e:
        child_dir(out, "evil")
    assert e.value.keys == ["name"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_new_run_dir_writes_only_inside_out(tmp_path, name):
    out = tmp_path / "deep" / "out"
    before = set(tmp_path.rglob("*"))
    folder = new_run_dir(out, name)
    assert folder.parent == out.resolve() and folder.is_dir()
    created = set(tmp_path.rglob("*")) - before
    assert all(p == out or out in p.parents or p == out.parent for p in created)


def _tiny_sweep(name: str, **changes) -> SweepSpec:
    return SweepSpec.model_validate(
        {
            "name": name,
            "replications": 1,
            "seed": 3,
            "days": 1,
            "warmup_days": 0,
            "parameters": {"acute.beds": {"values": [800]}},
            **changes,
        }
    )


def test_sweep_named_as_an_absolute_folder_with_fresh_touches_nothing_there(tmp_path):
    """The case from the issue: a sweep named /some/dir run with --fresh deleted a file
    in /some/dir/points/ and replaced its results.csv."""
    victim = tmp_path / "victim"
    (victim / "points").mkdir(parents=True)
    (victim / "points" / "point-00000.parquet").write_text("someone's file")
    (victim / "results.csv").write_text("someone's results")
    before = snapshot(victim)
    res = sweep(_tiny_sweep(str(victim)), out=tmp_path / "out", fresh=True)
    assert snapshot(victim) == before
    assert res.folder.parent == (tmp_path / "out").resolve()
    assert (res.folder / "results.csv").is_file()


def test_fresh_removes_only_files_the_sweep_wrote(tmp_path):
    out = tmp_path / "out"
    first = sweep(_tiny_sweep("mine"), out=out)
    user_files = {
        "points/notes.txt": "my notes",
        "points/point-00099.parquet": "looks like a point but is mine",
        "analysis.xlsx": "my workbook",
    }
    for rel, text in user_files.items():
        (first.folder / rel).write_text(text)
    # a file the sweep wrote but the user has since edited is the user's now
    (first.folder / "design.csv").write_text("edited by hand")
    again = sweep(_tiny_sweep("mine"), out=out, fresh=True)
    assert again.skipped == []  # its own point files were discarded and recomputed
    for rel, text in user_files.items():
        assert (first.folder / rel).read_text() == text
    assert again.results.equals(first.results)


def test_existing_folder_not_made_by_a_sweep_is_refused(tmp_path):
    out = tmp_path / "out"
    (out / "mine").mkdir(parents=True)
    (out / "mine" / "results.csv").write_text("precious")
    with pytest.raises(OutputError) as e:
        sweep(_tiny_sweep("mine"), out=out, fresh=True)
    assert e.value.keys == ["out"]
    assert (out / "mine" / "results.csv").read_text() == "precious"


# ------------------------------------------------------------------ the CLI end to end


def _cli(args: list[str], capsys) -> tuple[int, str]:
    try:
        rc = main(args)
    except SystemExit as exc:  # argparse
        rc = int(exc.code)
    err = capsys.readouterr().err
    return rc, err


def test_cli_set_name_escaping_out_stays_inside(tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    rc, err = _cli(
        [
            "run",
            "--days",
            "1",
            "--warmup-days",
            "0",
            "-r",
            "1",
            "--no-progress",
            "--out",
            "out",
            "--set",
            f"name=../../{tmp_path.name}/escaped",
        ],
        capsys,
    )
    assert rc == 0, err
    new = set(snapshot(tmp_path)) - set(before)
    assert new and all(p.startswith("work/out/") for p in new), sorted(new)
    assert not (tmp_path / "escaped").exists()


@pytest.mark.parametrize("kind", ["file", "devnull", "under-a-file"])
def test_bad_out_is_exit_2_before_any_simulation(tmp_path, monkeypatch, capsys, kind):
    import flowsim.experiment

    def never(*a, **k):
        raise AssertionError("simulated despite a bad --out")

    monkeypatch.setattr(flowsim.experiment, "map_tasks", never)
    f = tmp_path / "a-file"
    f.write_text("x")
    out = {"file": f, "devnull": Path(os.devnull), "under-a-file": f / "sub"}[kind]
    rc, err = _cli(["run", "--days", "1", "-r", "1", "--out", str(out)], capsys)
    assert rc == 2 and "Traceback" not in err
    assert "out" in err and str(out) in err
    assert f.read_text() == "x"


def test_unwritable_out_is_exit_2(tmp_path, monkeypatch, capsys):
    # Root can write anywhere, so the refusal is injected where the probe writes.
    def refuse(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    (tmp_path / "o").mkdir()
    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    rc, err = _cli(["run", "--days", "1", "-r", "1", "--out", str(tmp_path / "o")], capsys)
    assert rc == 2 and "cannot write in this folder" in err and "Traceback" not in err


def test_out_that_cannot_be_created_is_exit_2_and_creates_nothing(tmp_path, monkeypatch, capsys):
    # Root passes every permission check, so the answer of the check is injected.
    real = os.access
    monkeypatch.setattr(
        outputs.os, "access", lambda p, m: False if Path(p) == tmp_path else real(p, m)
    )
    out = tmp_path / "new" / "out"
    rc, err = _cli(["run", "--days", "1", "-r", "1", "--out", str(out)], capsys)
    assert rc == 2 and "is not writable" in err
    assert not (tmp_path / "new").exists()


def test_nearly_full_disk_is_refused_before_work(tmp_path, monkeypatch, capsys):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 1000, 1000))
    rc, err = _cli(["run", "--days", "1", "-r", "1", "--out", str(tmp_path / "o")], capsys)
    assert rc == 2 and "MB free" in err
    assert not (tmp_path / "o").exists()


def test_disk_full_while_writing_is_output_error_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    atomic_write_text(target, "old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.os, "fsync", full)
    with pytest.raises(OutputError) as e:
        atomic_write_text(target, "new")
    assert isinstance(e.value, ConfigError) and "disk is full" in str(e.value)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_disk_full_mid_run_is_exit_2(tmp_path, monkeypatch, capsys):
    real = outputs.os.fsync
    calls = {"n": 0}

    def full_after_a_few(fd):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(outputs.os, "fsync", full_after_a_few)
    rc, err = _cli(
        ["run", "--days", "1", "--warmup-days", "0", "-r", "1", "--no-progress"]
        + ["--out", str(tmp_path / "o")],
        capsys,
    )
    assert rc == 2 and "disk is full" in err and "Traceback" not in err


def test_preflight_accepts_a_new_nested_folder(tmp_path):
    out = tmp_path / "a" / "b"
    assert preflight_out_dir(out) == out and not (tmp_path / "a").exists()  # creates nothing
    out.mkdir(parents=True)
    assert preflight_out_dir(out) == out and not list(out.iterdir())  # the probe is gone


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002, 0o077])
def test_files_honour_the_umask(tmp_path, mask):
    old = os.umask(mask)
    try:
        atomic_write_text(tmp_path / "shared.csv", "a,b\n")
        assert outputs.file_mode() == 0o666 & ~mask
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "shared.csv").stat().st_mode)
    assert mode == 0o666 & ~mask


def test_sweep_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        res = sweep(_tiny_sweep("perm"), out=tmp_path)
    finally:
        os.umask(old)
    files = [p for p in res.folder.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in files)


def test_points_folder_linked_out_of_the_sweep_is_refused(tmp_path):
    out = tmp_path / "out"
    first = sweep(_tiny_sweep("linked"), out=out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    import shutil

    shutil.rmtree(first.folder / "points")
    (first.folder / "points").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="link out of the sweep folder"):
        sweep(_tiny_sweep("linked"), out=out)
    assert not list(elsewhere.iterdir())


def test_a_forged_file_list_cannot_make_fresh_delete_outside(tmp_path):
    out = tmp_path / "out"
    first = sweep(_tiny_sweep("forged"), out=out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    with open(first.folder / "written.jsonl", "a") as fh:
        for name in ("../../victim.txt", str(victim)):
            fh.write(json.dumps({"file": name, "sha256": digest}) + "\n")
        fh.write("not json at all\n")
    sweep(_tiny_sweep("forged"), out=out, fresh=True)
    assert victim.read_text() == "keep me"
