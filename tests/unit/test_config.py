"""Loading, inheritance, overrides, and every malformed config -> ConfigError naming the key."""

from __future__ import annotations

import pytest
import yaml

import flowsim
from flowsim.config import load_scenario, parse_override, validate
from flowsim.errors import ConfigError


def test_default_loads_and_is_frozen(worcs):
    assert worcs.name == "worcestershire"
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        worcs.acute.beds = 1  # type: ignore[misc]


def test_overrides_dotted_and_parsed_as_data():
    s = load_scenario("worcestershire", ["acute.beds=900", "discharge.weekend_factor=1"])
    assert s.acute.beds == 900 and s.discharge.weekend_factor == 1.0
    assert parse_override("x.y=[1, 2]") == ("x.y", [1, 2])
    # safe_load: a tag that would build a Python object is not executed; the text stays data
    key, value = parse_override("name=!!python/object/apply:os.system ['echo hi']")
    assert key == "name" and isinstance(value, str)


def test_unsafe_yaml_tag_is_refused(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(p)
    assert "not valid YAML" in str(e.value)


def test_base_inheritance_and_cycle(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text("base: worcestershire\nname: child\nacute: {beds: 700}\n")
    s = load_scenario(child)
    assert (
        s.acute.beds == 700 and s.community.beds == load_scenario("worcestershire").community.beds
    )
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("base: b.yaml\n")
    b.write_text("base: a.yaml\n")
    with pytest.raises(ConfigError) as e:
        load_scenario(a)
    assert e.value.keys == ["base"]


def test_config_hash_changes_with_content(worcs):
    assert worcs.config_hash() == load_scenario("worcestershire").config_hash()
    assert worcs.config_hash() != worcs.with_overrides({"acute.beds": 1}).config_hash()


BAD = [
    ({"acute": {"bedz": 5}}, "acute.bedz", "did you mean 'beds'"),
    ({"acute": {"beds": -3}}, "acute.beds", "greater than or equal to 0"),
    ({"acute": {"beds": "many"}}, "acute.beds", "integer"),
    ({"acute": {"pathway_probs": [0.5, 0.5, 0.5, 0.0]}}, "acute.pathway_probs", "sum to 1"),
    ({"ambulance": {"admit_prob": 1.5}}, "ambulance.admit_prob", "less than or equal to 1"),
    ({"demand": {"hour_of_day": [1.0] * 23}}, "demand.hour_of_day", "exactly 24"),
    ({"demand": {"day_of_week": [0] * 7}}, "demand.day_of_week", "all zero"),
    ({"run": {"days": 10, "warmup_days": 30}}, "run.warmup_days", "longer than the reporting"),
    (
        {"ed": {"assessment_min": {"kind": "lognormal", "mean": 3, "cv": None}}},
        "ed.assessment_min",
        "cv",
    ),
    (
        {"ed": {"assessment_min": {"kind": "weibull", "mean": 3}}},
        "ed.assessment_min.kind",
        "Input should be",
    ),
    ({"costs": {"acute_bed_day_gbp": float("nan")}}, "costs.acute_bed_day_gbp", "finite"),
    (
        {"discharge": {"window_start_hour": 20, "window_end_hour": 10}},
        "discharge.window_end_hour",
        "after",
    ),
]


@pytest.mark.parametrize("change, key, rule", BAD, ids=[b[1] for b in BAD])
def test_bad_value_names_key_and_rule(worcs, change, key, rule):
    from flowsim.config import deep_merge

    with pytest.raises(ConfigError) as e:
        validate(deep_merge(worcs.to_dict(), change))
    problems = e.value.problems
    assert any(p.key == key and rule in p.rule for p in problems), problems


def test_every_problem_listed_at_once(worcs):
    from flowsim.config import deep_merge

    raw = deep_merge(
        worcs.to_dict(), {"acute": {"beds": -1, "bedz": 2}, "ed": {"spaces": "x"}, "nonsense": 1}
    )
    with pytest.raises(ConfigError) as e:
        validate(raw)
    assert {"acute.beds", "acute.bedz", "ed.spaces", "nonsense"} <= set(e.value.keys)
    text = str(e.value)
    assert "4 problems" in text and "acute.beds = -1" in text


def test_unknown_override_key_is_caught():
    with pytest.raises(ConfigError) as e:
        load_scenario("worcestershire", ["acute.bedss=5"])
    assert e.value.keys == ["acute.bedss"] and "did you mean 'beds'" in str(e.value)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_scenario(tmp_path / "nope.yaml")
    assert e.value.keys == ["config"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("acute: [unclosed\n")
    with pytest.raises(ConfigError):
        load_scenario(bad)
    notmap = tmp_path / "list.yaml"
    notmap.write_text(yaml.safe_dump([1, 2]))
    with pytest.raises(ConfigError) as e:
        load_scenario(notmap)
    assert e.value.keys == ["<root>"]


def test_public_api_exports():
    for name in ("load_scenario", "simulate", "run", "ConfigError", "KPI_NAMES"):
        assert hasattr(flowsim, name)


def _top_level_imports(path) -> set[str]:
    """flowsim modules a file imports at import time (not inside functions or
    ``if TYPE_CHECKING:``)."""
    import ast

    tree = ast.parse(path.read_text())
    out = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in [node, *(ast.walk(node) if isinstance(node, ast.If | ast.Try) else [])]:
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.module.startswith("flowsim"):
                out.add(sub.module)
                out |= {f"{sub.module}.{a.name}" for a in sub.names}
            elif isinstance(sub, ast.Import):
                out |= {a.name for a in sub.names if a.name.startswith("flowsim")}
    return out


def test_no_import_cycles_in_the_package():
    from pathlib import Path

    root = Path(flowsim.__file__).parent
    mods = {}
    for f in root.rglob("*.py"):
        rel = f.relative_to(root.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        mods[name] = f
    graph = {m: {i for i in _top_level_imports(f) if i in mods and i != m} for m, f in mods.items()}
    # a package imports its submodules implicitly; do not count package -> child edges
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(m: str, stack: list[str]) -> bool:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1:
                cycle.extend([*stack[stack.index(n) :], n] if n in stack else [m, n])
                return True
            if state.get(n) is None and visit(n, [*stack, n]):
                return True
        state[m] = 2
        return False

    for m in graph:
        if state.get(m) is None and visit(m, [m]):
            break
    assert not cycle, " -> ".join(cycle)


def _all_imports(path) -> set[str]:
    """flowsim modules a file imports anywhere, including inside functions."""
    import ast

    out = set()
    for sub in ast.walk(ast.parse(path.read_text())):
        if isinstance(sub, ast.ImportFrom) and sub.module and sub.module.startswith("flowsim"):
            out.add(sub.module)
        elif isinstance(sub, ast.Import):
            out |= {a.name for a in sub.names if a.name.startswith("flowsim")}
    return out


def test_config_is_split_by_concept_and_imports_one_way():
    from pathlib import Path

    root = Path(flowsim.__file__).parent
    loaders = {"flowsim.loading", "flowsim.config", "flowsim.interventions"}
    # data flows one way: yamlsafe/overrides/capacity -> schema -> interventions -> loading
    for low in ("schema.py", "capacity.py", "overrides.py", "yamlsafe.py"):
        assert not loaders & _all_imports(root / low), low
    # capacity names the schema's types for type checkers only, never at run time
    assert not any(m.startswith("flowsim.schema") for m in _top_level_imports(root / "capacity.py"))
    iv = _all_imports(root / "interventions.py")
    assert "flowsim.schema" in iv and not {"flowsim.config", "flowsim.loading"} & iv
    assert "flowsim.interventions" in _all_imports(root / "loading.py")
    assert len((root / "config.py").read_text().splitlines()) < 100
