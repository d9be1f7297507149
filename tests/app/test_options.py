"""Options, packages, costs and the experiment YAML the page offers (no Streamlit)."""

from __future__ import annotations

import math

import pytest
from conftest import TINY, tiny_experiment

from flowsim import cli, load_scenario
from flowsim.app import options as opt
from flowsim.comparison import build_scenarios, load_experiment
from flowsim.errors import ConfigError
from flowsim.interventions import REGISTRY, resolve


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sliders_cover_the_default_within_library_bounds(name):
    iv = REGISTRY[name]
    settable = [p for p in iv.params if not p.cost]
    for s, p in zip(opt.sliders(name), settable, strict=True):
        assert s.whole == p.integer
        assert s.step == 1.0 or not p.integer
        assert s.minimum == p.minimum
        assert s.minimum <= s.default <= s.maximum
        if p.maximum is not None:
            assert s.maximum == p.maximum
        assert 0 < s.step <= s.maximum - s.minimum
        # every slider position is a valid size for the library
        resolve(f"{name}:{p.name}={s.maximum:g}")
        resolve(f"{name}:{p.name}={s.minimum + s.step:g}")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_no_slider_for_a_library_cost_constant(name):
    costs = {p.name for p in REGISTRY[name].params if p.cost}
    assert not costs & {s.name for s in opt.sliders(name)}


def test_option_spec_leaves_out_defaults_and_resolves():
    assert opt.option_spec("extra_acute_beds", {"beds": 40}) == "extra_acute_beds"
    spec = opt.option_spec("more_home_care", {"packages": 150.0})
    assert spec == "more_home_care:packages=150"
    iv, params = resolve(spec)
    assert params["packages"] == 150


def test_annual_cost_is_the_library_cost():
    scn = load_scenario("worcestershire")
    cost = opt.annual_cost(scn, ["extra_acute_beds:beds=10"])
    assert cost == pytest.approx(10 * 365 * scn.costs.acute_bed_day_gbp)
    both = opt.annual_cost(scn, ["extra_acute_beds:beds=10", "seven_day_discharge"])
    assert both == pytest.approx(cost + 1_000_000)
    assert opt.annual_cost(scn, []) == 0.0


def test_combine_keeps_order_and_drops_repeats():
    a = opt.single_option_package("discharge_to_assess")
    b = opt.single_option_package("seven_day_discharge")
    p = opt.combine("D2A and 7-day", [a, b, a])
    assert p.name == "d2a_and_7_day"
    assert p.options == ("discharge_to_assess", "seven_day_discharge")


def test_package_problems_lists_every_problem():
    bad = [
        opt.Package("baseline", ("extra_acute_beds",)),
        opt.Package("x", ("extra_acute_beds:beds=-1",)),
        opt.Package("x", ("no_such_thing",)),
    ]
    keys = [p.key for p in opt.package_problems(bad)]
    assert "scenarios.baseline" in keys
    assert keys.count("scenarios.x") == 2  # repeated name, listed for both
    assert "interventions.extra_acute_beds.beds" in keys
    assert "interventions.no_such_thing" in keys
    with pytest.raises(ConfigError) as exc:
        opt.build_experiment("worcestershire", bad, TINY)
    assert len(exc.value.problems) == len(keys)


def test_build_experiment_has_baseline_and_each_package():
    exp = tiny_experiment("extra_acute_beds:beds=60", "seven_day_discharge")
    assert [s.name for s in exp.scenarios] == [
        "baseline",
        "extra_acute_beds_beds_60",
        "seven_day_discharge",
    ]
    assert exp.baseline == "baseline" and exp.replications == 2 and exp.days == 10
    scns = build_scenarios(exp)
    assert scns[1].acute.beds == scns[0].acute.beds + 60


def test_bad_run_settings_are_a_config_error():
    with pytest.raises(ConfigError) as exc:
        opt.build_experiment(
            "worcestershire",
            [opt.single_option_package("seven_day_discharge")],
            opt.RunChoice(replications=0, days=-1),
        )
    assert {"replications", "days"} <= set(exc.value.keys)


def test_yaml_round_trips_to_the_same_experiment(tmp_path):
    exp = tiny_experiment("extra_acute_beds:beds=60", "seven_day_discharge")
    path = tmp_path / "exp.yaml"
    path.write_text(opt.experiment_yaml(exp))
    back, _ = load_experiment(path)
    assert back == exp


def test_yaml_of_an_uploaded_base_names_the_file(tmp_path):
    exp = tiny_experiment("seven_day_discharge")
    text = opt.experiment_yaml(exp, base_file="my_county.yaml")
    assert "base: my_county.yaml" in text
    assert "Save the scenario file my_county.yaml" in text


def test_flowsim_compare_accepts_the_downloaded_yaml(tmp_path, capsys):
    """The YAML the page offers reproduces the run from the CLI."""
    exp = tiny_experiment("more_home_care:packages=150")
    path = tmp_path / "from_app.yaml"
    path.write_text(opt.experiment_yaml(exp))
    out = tmp_path / "out"
    assert cli.main(["compare", str(path), "--out", str(out), "--no-progress"]) == 0
    (folder,) = out.iterdir()
    assert (folder / "differences.csv").is_file()
    assert "more_home_care_packages_150" in (folder / "differences.csv").read_text()


def test_slug_and_labels():
    assert opt.slug("  Winter: +30 beds! ") == "winter_30_beds"
    assert opt.slug("!!!") == "option"
    assert opt.option_label("more_home_care:packages=150") == "More home care (packages 150)"
    assert [s.name for s in opt.sliders("discharge_to_assess")] == ["assessment_days"]
    assert all(math.isfinite(s.step) for n in REGISTRY for s in opt.sliders(n))


def test_not_kept_names_what_an_upload_loses():
    plain = tiny_experiment("seven_day_discharge")
    assert opt.not_kept(plain) == []
    data = plain.model_dump()
    data["scenarios"][0]["overrides"] = {"acute.beds": 800}
    data["overrides"] = {"run.seed": 3}
    data["thresholds"] = {"ed_pct_within_4h_below": 95.0}
    notes = opt.not_kept(type(plain).model_validate(data))
    assert len(notes) == 3 and "run.seed" in notes[1]
