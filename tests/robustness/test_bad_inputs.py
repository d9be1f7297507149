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


# ----------------------------------------------------------- intervention sizes


@pytest.mark.parametrize(
    "spec, key",
    [
        ("extra_acute_beds:beds=0.5", "interventions.extra_acute_beds.beds"),
        ("more_home_care:packages=2.4", "interventions.more_home_care.packages"),
        ("more_ed_clinicians:extra=1.5", "interventions.more_ed_clinicians.extra"),
        ("elective_hub:carve_out=0.5", "interventions.elective_hub.carve_out"),
        ("extra_acute_beds:beds=1_0", "interventions.extra_acute_beds.beds"),
        ("extra_acute_beds:beds=nan", "interventions.extra_acute_beds.beds"),
        ("extra_acute_beds:beds=1,beds=2", "interventions.extra_acute_beds.beds"),
        ("more_ed_clinicians:from_hour=8,to_hour=8", "interventions.more_ed_clinicians.to_hour"),
    ],
)
def test_intervention_sizes_that_add_nothing_or_are_unclear_are_refused(worcs, spec, key):
    from flowsim.interventions import apply_interventions

    with pytest.raises(ConfigError) as e:
        apply_interventions(worcs, [spec])
    assert key in e.value.keys, e.value


def test_zero_size_is_not_charged(worcs):
    from flowsim.interventions import apply_interventions

    s = apply_interventions(worcs, ["extra_acute_beds:beds=0"])
    assert s.acute.beds == worcs.acute.beds and s.intervention_cost_gbp_per_year == 0


def test_hour_range_wrapping_midnight_is_honoured_and_costed(worcs):
    from flowsim.interventions import apply_interventions

    s = apply_interventions(worcs, ["more_ed_clinicians:extra=1,from_hour=22,to_hour=8"])
    added = [
        b - a for a, b in zip(worcs.ed.clinicians_by_hour, s.ed.clinicians_by_hour, strict=True)
    ]
    assert added == [1 if (h >= 22 or h < 8) else 0 for h in range(24)]
    assert s.intervention_cost_gbp_per_year == pytest.approx(1 * 10 * 365 * 110)


def test_every_bad_intervention_listed_at_once(capsys):
    args = ["validate", "--intervention", "extra_acute_beds:beds=0.5"]
    args += ["--intervention", "more_beds", "--intervention", "hear_and_treat:reduction_pct=150"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err and "Traceback" not in err


def test_cli_base_to_a_system_file_shows_no_content(tmp_path, capsys):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n")
    child = tmp_path / "c.yaml"
    child.write_text(f"base: {secret}\n")
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert "SECRETHASH" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "spec",
    [
        "discharge_to_assess:team_cost_gbp=0",
        "admission_avoidance:service_cost_gbp=1",
        "more_ed_clinicians:gbp_per_hour=0",
        "seven_day_discharge:staff_cost_gbp=0",
        "urgent_treatment_centre:gbp_per_attendance=0",
    ],
)
def test_intervention_cost_constants_cannot_be_set_by_a_user(worcs, spec):
    from flowsim.interventions import apply_interventions

    with pytest.raises(ConfigError) as e:
        apply_interventions(worcs, [spec])
    assert "cost constant" in str(e.value)


def test_library_lists_cost_constants_with_their_source():
    from flowsim.interventions import describe

    d2a = next(d for d in describe() if d["name"] == "discharge_to_assess")
    assert "team_cost_gbp" not in d2a["params"]
    assert d2a["cost_constants"]["team_cost_gbp"]["source"].startswith("D")
