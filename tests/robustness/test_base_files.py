"""A ``base:`` that points at a binary or non-UTF-8 file: exit 2, a message, no traceback."""

from __future__ import annotations

import pytest

from flowsim.cli import main


@pytest.mark.parametrize(
    "data,rule",
    [(b"\x00\x01\x02\xff", "a binary file"), (b"name: caf\xe9\n", "not UTF-8 text")],
    ids=["binary", "latin-1"],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_base_to_an_unreadable_file_exits_2_with_a_message(
    tmp_path, monkeypatch, capsys, data, rule, command
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "parent.yaml").write_bytes(data)
    (tmp_path / "child.yaml").write_text("base: parent.yaml\nrun: {days: 1, warmup_days: 0}\n")
    argv = [command, "child.yaml"] + (["-r", "1", "--out", "out"] if command == "run" else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "parent.yaml" in err and rule in err
    assert err.startswith("error: invalid configuration")
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_not_called_a_configuration_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file")
    assert main(["run", "-r", "1", "--days", "1", "--warmup-days", "0", "--out", "taken"]) == 2
    err = capsys.readouterr().err
    assert "invalid configuration" not in err and "Traceback" not in err
    assert "taken" in err
