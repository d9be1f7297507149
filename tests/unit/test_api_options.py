"""The API takes run options as one RunOptions, obeys the CLI's limits, and labels progress."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.errors import ConfigError
from flowsim.executors import RunOptions, in_notebook
from flowsim.sensitivity import SensitivitySpec
from flowsim.sweep import SweepSpec


class _Bar:
    """A tqdm-like progress callable that records its descriptions."""

    made: list[_Bar] = []

    def __init__(self, total: int, desc: str = "") -> None:
        self.total, self.descs, self.n = total, [desc], 0
        _Bar.made.append(self)

    def set_description(self, desc: str, refresh: bool = True) -> None:
        self.descs.append(desc)

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def tiny(worcs):
    return worcs.with_overrides({"run.days": 1, "run.warmup_days": 0})


def test_run_takes_options_and_old_keywords_alike(tiny):
    a = flowsim.run(tiny, replications=2, options=flowsim.RunOptions(jobs=1))
    b = flowsim.run(tiny, replications=2, jobs=1)
    assert a.kpis.equals(b.kpis)
    with pytest.raises(TypeError, match="not both"):
        flowsim.run(tiny, replications=1, jobs=2, options=RunOptions(jobs=1))


def test_progress_bar_is_labelled_per_scenario(tiny):
    other = tiny.with_overrides({"name": "more_beds", "acute.beds": 900})
    _Bar.made.clear()
    flowsim.run([tiny, other], replications=2, options=RunOptions(progress=_Bar))
    (bar,) = _Bar.made
    assert bar.n == 4
    labels = set(bar.descs[1:])
    assert labels == {f"{tiny.name}: replications", "more_beds: replications"}


def test_progress_is_off_outside_a_notebook():
    assert not in_notebook()
    assert RunOptions.of().progress is False
    assert RunOptions.of(progress=True).progress is True


def test_sweep_and_sensitivity_specs_obey_the_replication_cap(tmp_path):
    sw = SweepSpec.model_validate(
        {
            "name": "cap",
            "replications": 10**9,
            "days": 1,
            "warmup_days": 0,
            "parameters": {"acute.beds": {"values": [800, 820]}},
        }
    )
    with pytest.raises(ConfigError, match="replications"):
        flowsim.sweep(sw, out=tmp_path)
    se = SensitivitySpec.model_validate(
        {
            "replications": 10**9,
            "days": 1,
            "warmup_days": 0,
            "trajectories": 2,
            "parameters": {
                "acute.beds": {"low": 800, "high": 900},
                "ed.spaces": {"low": 60, "high": 80},
            },
        }
    )
    with pytest.raises(ConfigError, match="replications"):
        flowsim.sensitivity(se, out=tmp_path)
    assert not any(tmp_path.iterdir())  # refused before any folder was made


def test_importing_a_submodule_keeps_the_function_of_its_name():
    import importlib

    importlib.import_module("flowsim.sweep")
    importlib.import_module("flowsim.sensitivity")
    assert callable(flowsim.sweep) and flowsim.sweep.__name__ == "sweep"
    assert callable(flowsim.sensitivity) and flowsim.sensitivity.__module__ == "flowsim.sensitivity"
