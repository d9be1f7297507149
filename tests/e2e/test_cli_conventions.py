"""CLI conventions: --version, python -m flowsim, fast lazy --help, help with defaults and
examples, -q/-v, argument limits shared with the config, completion, schema, and
--replications/--days/--set on every command that simulates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

import flowsim
from flowsim.cli import COMMANDS, build_parser, main
from flowsim.errors import ConfigError

ENV = {**os.environ, "MPLBACKEND": "Agg"}


def _sub(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "flowsim", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=120,
    )


def test_version_and_python_dash_m(tmp_path):
    r = _sub("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"flowsim {flowsim.__version__}"
    r = _sub("--help", cwd=tmp_path)
    assert r.returncode == 0 and "run" in r.stdout and "sweep" in r.stdout


def test_help_imports_nothing_heavy():
    # The measure of a fast --help: no numerical stack is imported to print it.
    code = (
        "import sys\nfrom flowsim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'pydantic', 'scipy', 'numba', 'simpy', "
        "'matplotlib', 'yaml') if m in sys.modules]\nprint('HEAVY', heavy)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert "HEAVY []" in r.stdout, r.stdout + r.stderr


def _subparsers():
    import argparse

    p = build_parser()
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_subcommand_and_option_has_help_with_an_example():
    subs = _subparsers()
    assert set(subs) == set(COMMANDS)
    assert {"run", "compare", "sweep", "sensitivity", "validate", "calibrate"} <= set(subs)
    assert {"interventions", "schema", "completion"} <= set(subs)
    for name, sp in subs.items():
        text = sp.format_help()
        assert "example:" in text and "flowsim" in text.split("example:")[1], name
        for a in sp._actions:
            if a.dest in ("help",):
                continue
            assert a.help and ("e.g." in a.help or "example" in a.help or a.choices), (
                name,
                a.dest,
            )


def test_help_shows_defaults():
    text = _subparsers()["run"].format_help()
    assert "(default: outputs)" in text and "(default: worcestershire)" in text


@pytest.mark.parametrize("name", ["run", "compare", "sweep", "sensitivity", "calibrate"])
def test_every_simulating_command_takes_replications_days_set(name):
    opts = {s for a in _subparsers()[name]._actions for s in a.option_strings}
    assert {"--replications", "--days", "--warmup-days", "--set"} <= opts


@pytest.mark.parametrize(
    "args, key",
    [
        (["-r", "0"], "--replications"),
        (["-r", "-1"], "--replications"),
        (["-r", "1000000000"], "--replications"),
        (["--seed", "-1"], "--seed"),
        (["--seed", str(2**64)], "--seed"),
        (["-j", "0"], "--jobs"),
        (["--days", "0"], "--days"),
        (["--days", "nan"], "--days"),
        (["--warmup-days", "-3"], "--warmup-days"),
    ],
)
def test_run_arguments_obey_the_config_limits(tmp_path, capsys, args, key):
    out = tmp_path / "o"
    assert main(["run", *args, "--no-progress", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err
    assert not out.exists()  # refused before any work or folder


def test_all_bad_arguments_listed_at_once(capsys):
    assert main(["run", "-r", "0", "--seed", "-1", "-j", "0", "--days", "-2"]) == 2
    err = capsys.readouterr().err
    for key in ("--replications", "--seed", "--jobs", "--days"):
        assert key in err


def test_api_obeys_the_same_limits(worcs_short):
    for bad in ({"replications": 0}, {"replications": 10**9}, {"seed": -1}, {"jobs": 0}):
        with pytest.raises(ConfigError):
            flowsim.run(worcs_short, **bad)


def test_two_different_scenarios_with_one_name_refused(worcs_short):
    other = worcs_short.with_overrides({"acute.beds": 700})
    with pytest.raises(ConfigError) as e:
        flowsim.run([worcs_short, other], replications=1)
    assert worcs_short.name in str(e.value)


def test_quiet_and_verbose(tmp_path, capsys):
    base = ["run", "--days", "2", "--warmup-days", "0", "-r", "1", "--out", str(tmp_path)]
    assert main(["-q", *base]) == 0
    quiet = capsys.readouterr()
    assert "Scenario:" not in quiet.out and "Results written to" in quiet.out
    assert main([*base, "--no-progress"]) == 0
    normal = capsys.readouterr()
    assert "Scenario: worcestershire" in normal.out
    assert "1 replications of 2 days" in normal.err  # info goes to stderr via logging
    assert main(["validate", "-v", "worcestershire"]) == 0


def test_warnings_go_to_stderr_once_without_source_lines(capsys):
    assert main(["validate", "worcestershire", "--set", "acute.beds=400"]) == 0
    err = capsys.readouterr().err
    assert "warning: acute.beds: offered load" in err and "warnings.warn" not in err


def test_schema_json_and_markdown(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Scenario" and "AcuteCfg" in schema["$defs"]
    assert main(["schema", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| `acute.beds` | int | 800 |" in md and "| `run.days` |" in md


def test_every_schema_field_is_described():
    from pydantic import BaseModel

    from flowsim.schema import Scenario, field_model

    seen, todo = set(), [Scenario]
    while todo:
        m = todo.pop()
        for name, info in m.model_fields.items():
            assert info.description, f"{m.__name__}.{name} has no description"
            sub = field_model(info)
            if sub is not None and issubclass(sub, BaseModel) and sub not in seen:
                seen.add(sub)
                todo.append(sub)
    assert len(seen) >= 10


def test_kpis_command(capsys):
    assert main(["kpis", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("name,label,unit,definition")


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_script(shell, capsys):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "complete -o filenames -F _flowsim_complete flowsim" in script
    for word in ("run", "sweep", "--replications", "--intervention", "markdown"):
        assert word in script
    if shell == "bash" and shutil.which("bash"):
        r = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert r.returncode == 0, r.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_completes_subcommand_options(capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    probe = script + (
        "\nCOMP_WORDS=(flowsim sweep --rep); COMP_CWORD=2; _flowsim_complete; "
        'echo "${COMPREPLY[@]}"\n'
    )
    r = subprocess.run(["bash"], input=probe, text=True, capture_output=True)
    assert r.stdout.split() == ["--replications"], r.stdout + r.stderr


def test_interventions_command_lists_library(capsys):
    assert main(["interventions"]) == 0
    assert "extra_acute_beds" in capsys.readouterr().out


def test_sweep_takes_replications_days_and_set(tmp_path, capsys):
    spec = {
        "name": "cli-tiny",
        "base": "worcestershire",
        "replications": 3,
        "days": 30,
        "warmup_days": 1,
        "parameters": {"acute.beds": {"values": [800, 840]}},
    }
    f = tmp_path / "sweep.yaml"
    f.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    args = ["sweep", str(f), "-r", "1", "--days", "2", "--warmup-days", "0"]
    args += ["--set", "community.beds=111", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    cap = capsys.readouterr()
    assert "2 points x 1 replications = 2 simulations of 2 days" in cap.err
    assert "2 points x 1 replications" in cap.out
    import pandas as pd

    res = pd.read_csv(out / "cli-tiny" / "results.csv")
    assert len(res) == 2 and sorted(res["rep"].unique()) == [0]


def test_calibrate_checks_figure_path_before_running(tmp_path, capsys):
    rc = main(["calibrate", "--figure", str(tmp_path / "nodir" / "x.png"), "-r", "1"])
    assert rc == 2 and "--figure" in capsys.readouterr().err
    rc = main(["calibrate", "--figure", str(tmp_path / "x.txt"), "-r", "1"])
    assert rc == 2


def test_calibrate_without_targets_and_bad_max_evals(capsys):
    assert main(["calibrate", "west_norfolk", "--days", "2", "-r", "1"]) in (0, 1, 2)
    capsys.readouterr()
    assert main(["calibrate", "--fit", "acute.beds=700:900", "--max-evals", "0"]) == 2
    assert "--max-evals" in capsys.readouterr().err
    assert main(["calibrate", "--fit", "acute.beds=700:900"]) == 2
    assert "--target" in capsys.readouterr().err


def test_unknown_scenario_lists_packaged_names(capsys):
    assert main(["validate", "worcestershir"]) == 2
    err = capsys.readouterr().err
    assert "worcestershire" in err and "west_norfolk" in err


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_offers_an_options_choices(capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    probe = script + (
        "\nCOMP_WORDS=(flowsim schema --format ''); COMP_CWORD=3; _flowsim_complete; "
        'echo "${COMPREPLY[@]}"\n'
    )
    r = subprocess.run(["bash"], input=probe, text=True, capture_output=True)
    assert r.stdout.split() == ["json", "markdown"], r.stdout + r.stderr


def test_sensitivity_announces_design_size_and_interrupt_says_resume(monkeypatch, capsys):
    import importlib
    from pathlib import Path

    sens = importlib.import_module("flowsim.sensitivity")  # the module, not the function

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(sens, "sensitivity", interrupted)
    spec = Path(__file__).resolve().parents[2] / "experiments" / "morris_6params.yaml"
    rc = main(["sensitivity", str(spec), "--method", "sobol", "-r", "1", "--days", "5"])
    assert rc == 130
    err = capsys.readouterr().err
    s = sens.load_sensitivity(spec).model_copy(update={"method": "sobol"})
    n = len(sens.sample(s))
    assert f"{n} design points x 1 replications = {n} simulations" in err
    assert "re-run the same command to resume" in err


def test_sweep_file_obeys_the_replication_cap(tmp_path, capsys):
    spec = {
        "name": "huge",
        "replications": 1_000_000_000,
        "days": 2,
        "parameters": {"acute.beds": {"values": [800, 840]}},
    }
    f = tmp_path / "sweep.yaml"
    f.write_text(yaml.safe_dump(spec))
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "replications" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "name, says",
    [
        ("exit_block_mechanisms.yaml", "experiment 'exit_block_mechanisms', 7 scenarios"),
        ("ambulance_handover.yaml", "sweep 'ambulance_handover', 15 design points"),
        ("morris_6params.yaml", "sensitivity study 'morris_6params', morris, 6 parameters"),
    ],
)
def test_validate_knows_experiment_sweep_and_sensitivity_files(capsys, name, says):
    root = os.path.join(os.path.dirname(__file__), "..", "..", "experiments")
    assert main(["validate", os.path.join(root, name)]) == 0
    assert says in capsys.readouterr().out


def _refused(tmp_path, capsys, text: str) -> str:
    """``flowsim validate`` on a file holding ``text``: exit 2; its message."""
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    assert main(["validate", str(p)]) == 2
    return capsys.readouterr().err


def test_validate_lists_every_problem_of_an_experiment_file(tmp_path, capsys):
    err = _refused(
        tmp_path,
        capsys,
        "name: bad\nbase: worcestershire\nbaseline: baseline\nscenarios:\n"
        "  - name: baseline\n  - name: x\n    overrides:\n"
        "      acute.beds: -5\n      ed.nope: 1\n",
    )
    assert "2 problems" in err and "Traceback" not in err
    assert "scenarios.x.acute.beds = -5" in err and "scenarios.x.ed.nope = 1" in err


def test_validate_checks_a_study_at_its_bounds_and_with_set(tmp_path, capsys):
    err = _refused(
        tmp_path,
        capsys,
        "name: s\nbase: worcestershire\nmethod: morris\nparameters:\n"
        "  acute.bedz: {low: 1, high: 2}\n  acute.beds: {low: -10, high: -3, integer: true}\n",
    )
    assert "2 problems" in err and "acute.bedz" in err and "acute.beds = -10" in err
    exp = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "quick_compare.yaml")
    assert main(["validate", exp, "--set", "acute.beds=-1"]) == 2
    assert "acute.beds = -1" in capsys.readouterr().err


def test_an_experiment_with_a_yaml_surprise_is_still_read_as_an_experiment(tmp_path, capsys):
    err = _refused(
        tmp_path,
        capsys,
        "name: e\nbase: worcestershire\nbaseline: b\nscenarios:\n  - name: b\n"
        "  - name: x\n    overrides: {acute.divert_direct_when_full: yes}\n",
    )
    assert "1 problem" in err and "'yes'" in err and "unknown key" not in err
