"""Server settings, launch() and the `flowsim app` command (without serving)."""

from __future__ import annotations

from pathlib import Path

import pytest

import flowsim.app
from flowsim import cli
from flowsim.app import launch, streamlit_command
from flowsim.app.settings import AppSettings
from flowsim.errors import ConfigError


def test_settings_round_trip_through_the_environment(tmp_path):
    s = AppSettings(tmp_path / "c", "dask", "tcp://127.0.0.1:8786", 3, "127.0.0.1:9000")
    assert AppSettings.from_env(s.to_env()) == s
    assert AppSettings.from_env({}) == AppSettings()


def test_bad_settings_list_every_problem():
    env = {"FLOWSIM_APP_JOBS": "two", "FLOWSIM_APP_EXECUTOR": "cloud"}
    with pytest.raises(ConfigError) as exc:
        AppSettings.from_env(env)
    assert exc.value.keys == ["FLOWSIM_APP_JOBS", "executor"]


def test_launch_refuses_bad_settings_before_serving():
    with pytest.raises(ConfigError) as exc:
        launch(port=0, jobs=0, scheduler="tcp://x:1")
    assert set(exc.value.keys) == {"jobs", "scheduler", "port"}


def test_command_listens_where_asked_and_sends_no_usage_statistics():
    cmd = streamlit_command("127.0.0.1", 8600)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8600"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    assert Path(cmd[cmd.index("run") + 1]).name == "page.py"


def test_cli_app_passes_its_options_to_launch(monkeypatch):
    seen = {}
    monkeypatch.setattr(flowsim.app, "launch", lambda **kw: seen.update(kw) or 0)
    # the command line probes a scheduler before starting anything (preflight); no
    # scheduler runs here, so the probe answers as a live one would
    from flowsim import executors

    monkeypatch.setattr(executors, "check_scheduler", lambda *a, **k: None)
    argv = ["app", "--port", "8600", "--executor", "dask", "--scheduler", "tcp://h:1"]
    assert cli.main(argv) == 0
    assert seen == {
        "host": "127.0.0.1",
        "port": 8600,
        "cache_dir": "outputs/app-cache",
        "jobs": 2,
        "executor": "dask",
        "scheduler": "tcp://h:1",
    }


def test_cli_app_bad_input_exits_2_without_traceback(capsys):
    assert cli.main(["app", "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "jobs = 0" in err and "Traceback" not in err
