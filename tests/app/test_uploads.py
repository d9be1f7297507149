"""Uploaded YAML files: recognised, validated, every problem listed, never raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowsim.app.uploads import MAX_UPLOAD_BYTES, read_upload

ROOT = Path(__file__).resolve().parents[2]


def test_the_summit_experiment_is_a_valid_experiment():
    data = (ROOT / "experiments" / "worcestershire_summit.yaml").read_bytes()
    up = read_upload("worcestershire_summit.yaml", data)
    assert up.ok and up.kind == "experiment"
    assert len(up.experiment.scenarios) == 14


def test_a_scenario_inheriting_a_county_is_a_scenario():
    up = read_upload("mine.yaml", b"base: west_norfolk\nacute:\n  beds: 400\n")
    assert up.ok and up.kind == "scenario"
    assert up.scenario.acute.beds == 400


@pytest.mark.parametrize(
    "data, key",
    [
        (b"acute: [unclosed", "<file>"),
        (b"- just\n- a list\n", "<root>"),
        (b"\xff\xfe\x00binary", "<file>"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "<file>"),
        (b"base: west_norfolk\nacute:\n  beds: -5\n", "acute.beds"),
        (b"base: no_such_county\n", None),
    ],
)
def test_bad_files_give_problems_not_exceptions(data, key):
    up = read_upload("bad.yaml", data)
    assert not up.ok and up.scenario is None and up.experiment is None
    if key is not None:
        assert key in [p.key for p in up.problems]


def test_an_experiment_lists_every_problem_at_once():
    data = b"""
name: broken
replications: 0
scenarios:
  - name: baseline
  - name: a
    interventions: ["extra_acute_beds:beds=-3"]
  - name: b
    interventions: ["no_such_intervention"]
"""
    up = read_upload("broken.yaml", data)
    assert up.kind == "experiment" and not up.ok
    assert "replications" in [p.key for p in up.problems]


def test_experiment_scenario_problems_name_the_scenario():
    data = b"""
scenarios:
  - name: baseline
  - name: a
    interventions: ["extra_acute_beds:beds=-3"]
  - name: b
    interventions: ["no_such_intervention"]
"""
    up = read_upload("x.yaml", data)
    keys = [p.key for p in up.problems]
    assert "scenarios.a.interventions.extra_acute_beds.beds" in keys
    assert "scenarios.b.interventions.no_such_intervention" in keys
