"""A config written by hand in a hurry: every problem is listed at once, with its key."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.cli import main
from flowsim.errors import ConfigError

HURRIED = """\
base: worcestershire
run: {days: 30, warmup_days: 60}
acute:
  beds: 800.5
  bedz: 10
  pathway_probs: [0.8, 0.1, 0.1, 0.1]
  pathway_assessment_days:
    - {kind: fixed, mean: 0}
    - {kind: gamma, meen: 4, cv: 0.8}
    - {kind: gamma, mean: 3, cv: 0.8}
    - {kind: gamma, mean: 9, cv: -1}
ed:
  clinicians_by_hour: [5, 5, 5]
  spaces: -4
ambulance: {admit_prob: 1.2}
demand: {month_of_year: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}
social_care: {home_care_packages: null}
elective: {initial_list: 1e12}
"""

EXPECTED_KEYS = {
    "run.warmup_days",
    "acute.beds",
    "acute.bedz",
    "acute.pathway_probs",
    "acute.pathway_assessment_days.1.meen",
    "acute.pathway_assessment_days.3.cv",
    "ed.clinicians_by_hour",
    "ed.spaces",
    "ambulance.admit_prob",
    "demand.month_of_year",
    "social_care.home_care_packages",
    "elective.initial_list",
}


def test_every_problem_listed_with_key(tmp_path):
    p = tmp_path / "hurried.yaml"
    p.write_text(HURRIED)
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario(p)
    keys = set(e.value.keys)
    missing = EXPECTED_KEYS - keys
    assert not missing, (missing, str(e.value))
    text = str(e.value)
    assert "did you mean 'mean'" in text and "did you mean 'beds'" in text


def test_cli_exit_2_lists_everything(tmp_path, capsys):
    p = tmp_path / "hurried.yaml"
    p.write_text(HURRIED)
    assert main(["run", str(p), "--no-progress", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for k in EXPECTED_KEYS:
        assert k in err, k
    assert not (tmp_path / "o").exists()  # nothing written for a bad config


def test_unknown_intervention_exit_2(capsys):
    assert main(["validate", "worcestershire", "--intervention", "more_beds"]) == 2
    err = capsys.readouterr().err
    assert "interventions.more_beds" in err and "did you mean" in err


def test_section_of_wrong_type_and_top_level_typo():
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario({"base": "worcestershire", "acute": 5, "comunity": {}})
    assert set(e.value.keys) == {"acute", "comunity"}
    assert "did you mean 'community'" in str(e.value)


def test_unstable_configuration_warns_with_key():
    with pytest.warns(UserWarning, match="acute.beds: offered load"):
        flowsim.load_scenario("worcestershire", {"acute.beds": 400})
    with pytest.warns(UserWarning, match="ed.clinicians_by_hour"):
        flowsim.load_scenario("worcestershire", {"ed.clinicians_by_hour": [2] * 24})
