"""Bad-input error type: survives pickling, headed by what was wrong."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from flowsim.errors import ConfigError, Problem
from flowsim.outputs import OutputError

PROBLEMS = [
    Problem("acute.beds", -3, "must be at least 1"),
    Problem("run.days", "ten", "must be a number"),
]


def _raise_config_error() -> None:
    raise ConfigError(PROBLEMS, "county.yaml")


def test_config_error_pickles_with_its_problems():
    err = ConfigError(PROBLEMS, "county.yaml")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ConfigError
    assert back.problems == PROBLEMS
    assert back.source == "county.yaml"
    assert str(back) == str(err)


def test_output_error_pickles_as_itself():
    err = OutputError([Problem("out", "x", "is a file, not a folder")])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is OutputError
    assert back.problems == err.problems
    assert str(back) == str(err)


def test_worker_error_arrives_whole():
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(ConfigError) as info:
        pool.submit(_raise_config_error).result()
    assert info.value.keys == ["acute.beds", "run.days"]


def test_header_names_the_kind_of_input():
    assert str(ConfigError(PROBLEMS)).startswith("invalid configuration: 2 problems")
    args = ConfigError([Problem("--jobs", 0, "must be at least 1"), Problem("jobs", 0, "x")])
    assert str(args).startswith("invalid arguments: 2 problems")
    out = OutputError([Problem("out", "f", "is a file")])
    assert str(out).startswith("invalid output folder: 1 problem\n")
    mixed = ConfigError([Problem("--jobs", 0, "x"), Problem("acute.beds", 0, "y")])
    assert str(mixed).startswith("invalid configuration")
    assert str(ConfigError(PROBLEMS, kind="sweep spec")).startswith("invalid sweep spec")
