"""Property test of the command line (issue 15): on generated arguments and generated
config files, ``flowsim`` exits 0 or 2, prints no traceback, and writes nothing
outside its output folder.

Most cases run in-process through ``main(argv)`` (fast); a few run the real
executable in a subprocess. Work stays tiny (one replication of one or two days) so
the whole test takes well under a minute.

The generated values cover what this branch makes safe: hostile names, output
folders, figure paths, run options and scheduler addresses, experiment structure,
binary and non-UTF-8 files, design sizes, bad horizons, and the argument limits of
:mod:`flowsim.limits` (``--replications`` 0, -1 or 10^9, ``--seed -1``, ``--jobs 0``),
which must be refused up front with exit 2, never run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from flowsim.cli import main  # noqa: E402

#: Argument values outside the limits of flowsim.limits (each must exit 2 before any work).
LIMIT_ARGUMENTS = {"--replications": ["0", "-1", "1000000000"], "--seed": ["-1"], "--jobs": ["0"]}

NAMES = st.one_of(
    st.sampled_from(
        [
            "../../../../escaped",
            "/absolute/escaped",
            "a/b",
            "nul\x00byte",
            "new\nline",
            "x" * 300,
            "..",
            ".",
            "-rf",
            "ok name",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
)
# Relative to the working folder work/here, inside the snapshot root.
OUTS = st.sampled_from(["out", "out/a/b", "../out2", "../../out3", "cfg.yaml", os.devnull])
SOUND_OUTS = st.sampled_from(["out", "out/a/b", "../out2"])
DAYS = st.sampled_from(["1", "0.5", "0", "-1", "nan", "inf", "1e9", "x"])
JOBS = st.sampled_from(["1", "2", "0", "-1", "999999", "x"])
EXECUTORS = st.sampled_from([None, "serial", "processes", "threads"])
SCHEDULERS = st.sampled_from([None, "tcp://127.0.0.1:1", "nonsense::", "tcp://host", ""])
FIGURES = st.sampled_from(["nodir/x.png", "x.xyz", "here.png", ".", "cfg.yaml/x.png"])
SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.none(),
    st.booleans(),
)
KNOWN_KEYS = ["acute.beds", "ed.spaces", "community.beds", "discharge.weekend_factor"]


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@st.composite
def scenario_file(draw) -> dict:
    doc: dict = {"base": "worcestershire", "run": {"days": 1, "warmup_days": 0}}
    if draw(st.booleans()):
        doc["name"] = draw(NAMES)
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=2)):
        section, field = key.split(".")
        doc.setdefault(section, {})[field] = draw(SCALARS)
    if draw(st.booleans()):
        doc[draw(st.text(min_size=1, max_size=8))] = draw(SCALARS)
    return doc


@st.composite
def sweep_file(draw, hostile: bool = True) -> dict:
    levels = draw(st.sampled_from([2, 10**4, 10**7] if hostile else [2, 3]))
    return {
        "name": draw(NAMES),
        "replications": 1,
        "days": 1,
        "warmup_days": 0,
        "parameters": {
            "acute.beds": {"low": 800, "high": 820, "levels": levels, "integer": True},
        },
    }


@st.composite
def experiment_file(draw, hostile: bool = True) -> dict:
    scenarios = [{"name": "baseline"}]
    if not hostile or draw(st.booleans()):
        scenarios.append({"name": draw(NAMES), "overrides": {"acute.beds": 900}})
    doc = {
        "name": draw(NAMES),
        "replications": 1,
        "days": 1,
        "warmup_days": 0,
        "scenarios": scenarios,
    }
    if hostile and draw(st.booleans()):
        doc["thresholds"] = {"ed_pct_within_4h_below": draw(st.sampled_from([78.0, "nan"]))}
    return doc


@st.composite
def invocation(draw) -> tuple[list[str], dict[str, bytes]]:
    """argv and the files it refers to (name -> bytes, written in the working folder)."""
    files: dict[str, bytes] = {"cfg.yaml": b"base: worcestershire\n"}
    # compare and calibrate are the slowest when they succeed, so they come up least
    command = draw(
        st.sampled_from(["run", "validate", "sweep", "sens"] * 3 + ["compare", "calibrate"])
    )
    # half the cases keep every option sound but the names, so that runs complete and
    # write their files; the other half are hostile throughout
    hostile = draw(st.booleans())
    if hostile and draw(st.integers(0, 4)) == 0:  # a binary or non-UTF-8 input file
        files["input.yaml"] = draw(st.sampled_from([b"\x00\x01\x02\xff", b"name: caf\xe9\n"]))
    elif command in ("run", "validate", "calibrate"):
        files["input.yaml"] = yaml.safe_dump(draw(scenario_file()), allow_unicode=True).encode()
    elif command == "sweep":
        doc = draw(sweep_file(hostile))
        files["input.yaml"] = yaml.safe_dump(doc, allow_unicode=True).encode()
    elif command == "compare":
        files["input.yaml"] = yaml.safe_dump(draw(experiment_file(hostile))).encode()
    else:
        trajectories = draw(st.sampled_from([10**6, 10**8]))
        spec = {
            "parameters": {
                "acute.beds": {"low": 800, "high": 900},
                "ed.spaces": {"low": 60, "high": 80},
            },
            "trajectories": trajectories,
            "replications": 1,
        }
        files["input.yaml"] = yaml.safe_dump(spec).encode()
    argv = ["sensitivity" if command == "sens" else command, "input.yaml"]
    if command in ("run", "validate", "calibrate"):
        argv += ["--set", "run.days=1", "--set", "run.warmup_days=0"]
        if draw(st.booleans()):
            argv += ["--set", f"name={draw(NAMES)}"]
    if command in ("run", "calibrate", "compare"):
        argv += ["-r", "1"]
    if command == "run" and hostile and draw(st.booleans()):
        argv += ["--days", draw(DAYS), "--warmup-days", "0"]
    if command != "validate" and command != "calibrate":
        argv += ["--out", draw(OUTS if hostile else SOUND_OUTS), "--no-progress"]
        if not hostile:
            return argv, files
        if draw(st.booleans()):
            argv += ["--jobs", draw(JOBS)]
        if draw(st.integers(0, 3)) == 0:
            flag = draw(st.sampled_from(sorted(LIMIT_ARGUMENTS)))
            argv += [flag, draw(st.sampled_from(LIMIT_ARGUMENTS[flag]))]
        executor, scheduler = draw(EXECUTORS), draw(SCHEDULERS)
        if executor:
            argv += ["--executor", executor]
        if scheduler is not None:
            argv += ["--scheduler", scheduler]
    if command == "calibrate":
        argv += ["--figure", draw(FIGURES if hostile else st.just("here.png"))]
        if hostile and draw(st.booleans()):
            argv += ["--fit", "acute.beds=800:900", "--target", "ed_pct_within_4h=70"]
            argv += ["--max-evals", draw(st.sampled_from(["0", "-5"]))]
    return argv, files


def _in_process(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse rejects an argument
            rc = exc.code if isinstance(exc.code, int) else 2
    return rc, out.getvalue() + err.getvalue()


def _allowed(root: Path, work: Path, argv: list[str]) -> Path | None:
    """The output folder the command may write in (None: may write nothing)."""
    if "--out" in argv:
        return (work / argv[argv.index("--out") + 1]).resolve()
    if "--figure" in argv:
        return (work / argv[argv.index("--figure") + 1]).resolve().parent
    return None


def _check(root: Path, work: Path, argv: list[str], rc: int, text: str, before: dict) -> None:
    # calibrate documents exit 1 for "model outside the observed band": an answer
    ok = (0, 1, 2) if argv[0] == "calibrate" and "--fit" not in argv else (0, 2)
    assert rc in ok, f"exit {rc} for {argv!r}:\n{text[-2000:]}"
    assert "Traceback" not in text, f"traceback for {argv!r}:\n{text[-2000:]}"
    after = snapshot(root)
    changed = {k for k, v in after.items() if before.get(k) != v}
    allowed = _allowed(root, work, argv)
    for rel in changed:
        path = (root / rel).resolve()
        assert allowed is not None and allowed in path.parents, (
            f"{argv!r} wrote {rel} outside its output folder {allowed}"
        )
    assert set(before) <= set(after), f"{argv!r} deleted {set(before) - set(after)}"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(case=invocation())
def test_cli_exits_0_or_2_without_traceback_and_stays_in_its_folder(
    tmp_path_factory, monkeypatch, case
):
    argv, files = case
    root = tmp_path_factory.mktemp("prop")
    work = root / "work" / "here"
    work.mkdir(parents=True)
    for name, data in files.items():
        (work / name).write_bytes(data)
    (root / "precious.txt").write_text("must survive")
    monkeypatch.chdir(work)
    before = snapshot(root)
    rc, text = _in_process(argv)
    event(f"{argv[0]} exit {rc}")  # the mix of outcomes, in --hypothesis-show-statistics
    _check(root, work, argv, rc, text, before)


@pytest.mark.parametrize(
    "command", [["run"], ["compare", "exp.yaml"], ["sweep", "sw.yaml"], ["sensitivity", "se.yaml"]]
)
@pytest.mark.parametrize(
    "flag,value", [(f, v) for f, values in LIMIT_ARGUMENTS.items() for v in values]
)
def test_argument_limits_exit_2_before_any_work(tmp_path, monkeypatch, command, flag, value):
    monkeypatch.chdir(tmp_path)
    exp = {"name": "e", "replications": 1, "days": 1, "warmup_days": 0}
    exp["scenarios"] = [{"name": "baseline"}, {"name": "b", "overrides": {"acute.beds": 900}}]
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(exp))
    sw = {"name": "s", "replications": 1, "days": 1, "warmup_days": 0}
    sw["parameters"] = {"acute.beds": {"values": [800, 820]}}
    (tmp_path / "sw.yaml").write_text(yaml.safe_dump(sw))
    se = {"replications": 1, "days": 1, "warmup_days": 0, "trajectories": 2}
    se["parameters"] = {"acute.beds": {"low": 800, "high": 900}}
    (tmp_path / "se.yaml").write_text(yaml.safe_dump(se))
    before = snapshot(tmp_path)
    rc, text = _in_process([*command, flag, value, "--out", "out", "--no-progress"])
    assert rc == 2, text
    assert "Traceback" not in text and flag in text, text
    assert snapshot(tmp_path) == before  # refused before any folder or file was made


SUBPROCESS_CASES = [
    [
        "run",
        "--days",
        "1",
        "--warmup-days",
        "0",
        "-r",
        "1",
        "--set",
        "name=../../esc",
        "--out",
        "o",
    ],
    ["sweep", "input.yaml", "--out", "o", "--jobs", "2", "--no-progress"],
    ["run", "-r", "1", "--scheduler", "tcp://127.0.0.1:1", "--out", "o"],
]


@pytest.mark.parametrize("argv", SUBPROCESS_CASES, ids=lambda a: a[0] + "-" + a[-1])
def test_real_executable_exits_0_or_2_and_stays_in_its_folder(tmp_path, argv):
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    (work / "bin.yaml").write_bytes(bytes(range(256)))
    (work / "input.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "/" + str(tmp_path / "victim"),
                "replications": 1,
                "days": 1,
                "warmup_days": 0,
                "parameters": {"acute.beds": {"values": [800, 820]}},
            }
        )
    )
    before = snapshot(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "flowsim.cli", *argv],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    _check(tmp_path, work, argv, proc.returncode, proc.stdout + proc.stderr, before)
