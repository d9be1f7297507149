"""Strict, bounded loading: YAML a careful reader would reject is an error naming its key;
unbounded input is refused before it is built; base:, shadowing and derived fields."""

from __future__ import annotations

import warnings

import pytest

import flowsim
from flowsim import yamlsafe
from flowsim.errors import ConfigError
from flowsim.loading import ShadowedScenarioWarning, load_scenario, packaged_names


def _problems(text: str, tmp_path) -> ConfigError:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_scenario(p)
    return e.value


@pytest.mark.parametrize(
    "text, key, words",
    [
        ("acute:\n  beds: 700\n  beds: 900\n", "acute.beds", "duplicate key"),
        ("discharge: {use_window: no}\n", "discharge.use_window", "boolean"),
        ("acute: {divert_direct_when_full: on}\n", "acute.divert_direct_when_full", "boolean"),
        ("elective: {operate_weekends: Yes}\n", "elective.operate_weekends", "boolean"),
        ("acute: {beds: 1_000}\n", "acute.beds", "without '_'"),
        ("elective: {schedule_hour: 1:30}\n", "elective.schedule_hour", "base-60"),
        ("acute: {beds: 010}\n", "acute.beds", "octal"),
        ("description: 2024-04-01\n", "description", "date"),
        ("1: x\n", "<root>", "a key must be a name"),
    ],
)
def test_yaml11_surprises_are_errors_naming_key(tmp_path, text, key, words):
    exc = _problems(text, tmp_path)
    assert key in exc.keys and words in str(exc), str(exc)


def test_duplicate_key_shows_both_values(tmp_path):
    exc = _problems("acute:\n  beds: 700\n  beds: 900\n", tmp_path)
    (p,) = exc.problems
    assert p.value == "900" and "line 2 (700) and again on line 3" in p.rule


def test_every_surprise_listed_at_once(tmp_path):
    exc = _problems(
        "acute: {beds: 1_000, escalation_beds: 1_0}\ndischarge: {use_window: off}\n", tmp_path
    )
    assert set(exc.keys) == {"acute.beds", "acute.escalation_beds", "discharge.use_window"}


def test_quoted_text_and_true_false_are_fine(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text(
        'base: worcestershire\nname: "off"\ndescription: "2024-04-01"\n'
        "discharge: {use_window: true}\n"
    )
    s = load_scenario(p)
    assert s.name == "off" and s.description == "2024-04-01" and s.discharge.use_window is True


@pytest.mark.parametrize(
    "change, key",
    [
        ({"acute.beds": "900"}, "acute.beds"),  # text is not a number
        ({"acute.beds": True}, "acute.beds"),  # nor is a boolean
        ({"ambulance.admit_prob": "0.5"}, "ambulance.admit_prob"),
        ({"discharge.use_window": 1}, "discharge.use_window"),  # a number is not a boolean
        ({"discharge.use_window": "true"}, "discharge.use_window"),
        ({"name": 2025}, "name"),  # a number is not a name
    ],
)
def test_coercions_that_hide_typos_are_refused(change, key):
    with pytest.raises(ConfigError) as e:
        load_scenario("worcestershire", change)
    assert e.value.keys == [key]


def test_whole_float_is_still_a_whole_number_of_beds():
    assert load_scenario("worcestershire", {"acute.beds": 900.0}).acute.beds == 900


def test_alias_expansion_bomb_refused_with_its_size():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 7):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += (
            f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, "
            f"*{prev}, *{prev}, *{prev}]\n"
        )
    with pytest.raises(ConfigError) as e:
        yamlsafe.loads(bomb)
    assert "expand" in str(e.value) and "values" in str(e.value)


def test_small_aliases_are_allowed():
    data = yamlsafe.loads("d: &d {kind: gamma, mean: 3, cv: 0.8}\ne: *d\n")
    assert data["e"] == data["d"]


def test_deep_nesting_refused_before_parsing():
    with pytest.raises(ConfigError) as e:
        yamlsafe.loads("[" * 5000 + "]" * 5000)
    assert f"more than {yamlsafe.MAX_DEPTH} levels" in str(e.value)
    with pytest.raises(ConfigError):
        yamlsafe.loads("".join(f"{'  ' * i}k{i}:\n" for i in range(100)) + "  " * 100 + "v: 1\n")


def test_huge_binary_and_non_utf8_files_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * yamlsafe.MAX_FILE_BYTES + "\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(big)
    assert "bytes" in str(e.value) and str(big.stat().st_size)[:3] in str(e.value).replace(",", "")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\x01\x02acute: {beds: 5}")
    with pytest.raises(ConfigError) as e:
        load_scenario(binary)
    assert "binary" in str(e.value)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("description: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as e:
        load_scenario(latin)
    assert "UTF-8" in str(e.value)


def test_base_pointing_at_a_non_scenario_never_shows_its_content(tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nSECRETLINE\n")
    child = tmp_path / "child.yaml"
    child.write_text(f"base: {secret}\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(child)
    assert "root:x" not in str(e.value) and "SECRETLINE" not in str(e.value)
    assert e.value.keys == ["config"] and ".yaml" in str(e.value)
    # a YAML file that is not a mapping: its type is named, its text is not shown
    odd = tmp_path / "odd.yaml"
    odd.write_text("SECRETLINE root:x:0:0\n")
    child.write_text(f"base: {odd}\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(child)
    assert "SECRETLINE" not in str(e.value) and "str" in str(e.value)


def test_yaml_syntax_error_shows_position_not_text(tmp_path):
    exc = _problems("acute: {beds: 5\nSECRET: [\n", tmp_path)
    assert "line" in str(exc) and "SECRET" not in str(exc)


def test_local_file_shadowing_a_packaged_name_says_which_was_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "west_norfolk.yaml").write_text("base: worcestershire\nacute: {beds: 777}\n")
    with pytest.warns(ShadowedScenarioWarning, match="west_norfolk.yaml") as rec:
        s = load_scenario("west_norfolk")
    assert s.acute.beds == 777
    assert str(tmp_path) in str(rec[0].message)
    # without the local file, the packaged one is used silently
    (tmp_path / "west_norfolk.yaml").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShadowedScenarioWarning)
        assert load_scenario("west_norfolk").acute.beds != 777


def test_packaged_base_is_not_hijacked_by_a_local_file(tmp_path, monkeypatch):
    # west_norfolk's "base: worcestershire" means the packaged file next to it
    monkeypatch.chdir(tmp_path)
    (tmp_path / "worcestershire.yaml").write_text("acute: {beds: 11}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert load_scenario("west_norfolk").community.beds == 70


def test_packaged_names_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert {"worcestershire", "west_norfolk", "leicestershire", "tandem"} <= set(packaged_names())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in packaged_names():
            assert load_scenario(name).name


@pytest.mark.parametrize("key", ["intervention_cost_gbp_per_year", "interventions"])
def test_derived_intervention_fields_not_settable(tmp_path, key):
    value = 0.0 if key == "intervention_cost_gbp_per_year" else [{"name": "extra_acute_beds"}]
    with pytest.raises(ConfigError) as e:
        load_scenario("worcestershire", {key: value})
    assert e.value.keys == [key]
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario("worcestershire").with_overrides({key: value})
    assert e.value.keys == [key]
    in_file = "1000" if key == "intervention_cost_gbp_per_year" else "[{name: x}]"
    p = tmp_path / "s.yaml"
    p.write_text(f"base: worcestershire\n{key}: {in_file}\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(p)
    assert e.value.keys == [key] and "interventions" in str(e.value)


def test_interventions_still_set_their_cost(worcs):
    s = load_scenario("worcestershire", interventions=["extra_acute_beds:beds=2"])
    assert s.intervention_cost_gbp_per_year == pytest.approx(
        2 * 365 * worcs.costs.acute_bed_day_gbp
    )


def test_section_override_merges_and_keeps_calibrated_values(worcs):
    s = load_scenario("worcestershire", ["acute={beds: 901}"])
    assert s.acute.beds == 901
    # every other acute value is the calibrated one, not the schema default
    assert s.acute.model_dump(exclude={"beds"}) == worcs.acute.model_dump(exclude={"beds"})
    assert s.acute.emergency_los_days == worcs.acute.emergency_los_days
    s2 = worcs.with_overrides({"acute": {"beds": 902}})
    assert s2.acute.model_dump(exclude={"beds"}) == worcs.acute.model_dump(exclude={"beds"})


def test_distribution_override_replaces_whole(worcs):
    s = worcs.with_overrides({"acute.emergency_los_days": {"kind": "exponential", "mean": 3.0}})
    assert (
        s.acute.emergency_los_days.kind == "exponential" and s.acute.emergency_los_days.cv is None
    )


def test_set_with_yaml11_value_is_refused_by_key():
    with pytest.raises(ConfigError) as e:
        load_scenario("worcestershire", ["discharge.use_window=no", "acute.beds=1_000"])
    assert set(e.value.keys) == {"discharge.use_window", "acute.beds"}


def test_yaml_surprises_and_schema_problems_listed_together(tmp_path):
    exc = _problems(
        "base: west_norfolk\nacute:\n  beds: 500\n  beds: 600\n"
        "  divert_direct_when_full: yes\n  escalation_beds: yes\nrun:\n  days: 1_000\nfoo: 1\n",
        tmp_path,
    )
    # escalation_beds: yes reads as True, which the schema refuses too: reported once
    assert exc.keys == [
        "acute.beds",
        "acute.divert_direct_when_full",
        "acute.escalation_beds",
        "run.days",
        "foo",
    ]


def test_a_surprise_that_does_not_read_is_refused_without_a_traceback(tmp_path):
    exc = _problems("run:\n  days: 2024-13-45\n", tmp_path)
    assert exc.keys == ["run.days"] and "date" in str(exc)


def test_surprises_survive_a_bad_base(tmp_path):
    exc = _problems("base: no\nacute: {divert_direct_when_full: yes}\n", tmp_path)
    assert exc.keys == ["base", "acute.divert_direct_when_full", "base"]
    exc = _problems("base: nothere.yaml\nacute: {divert_direct_when_full: yes}\n", tmp_path)
    assert "acute.divert_direct_when_full" in exc.keys and len(exc.keys) == 2


def test_an_override_of_a_surprising_key_is_still_checked(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("run:\n  days: 100\n  days: 1_000\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(p, {"run.days": "x"})
    assert e.value.keys.count("run.days") == 3 and "not text 'x'" in str(e.value)


def test_a_malformed_override_does_not_hide_the_others():
    with pytest.raises(ConfigError) as e:
        load_scenario("worcestershire", ["acute.beds2", "acute.beds=-3", "ed.nope=2"])
    assert set(e.value.keys) == {"acute.beds2", "acute.beds", "ed.nope"}
