"""Result cache: keys by scenario hash, files only inside the cache folder."""

from __future__ import annotations

import pytest
from conftest import tiny_experiment

from flowsim import load_scenario
from flowsim.app.cache import ResultCache, baseline_key, comparison_key
from flowsim.comparison import build_scenarios


def _key(*specs):
    exp = tiny_experiment(*specs)
    return comparison_key(exp, build_scenarios(exp))


def test_same_question_same_key_and_a_changed_one_differs():
    a = _key("extra_acute_beds:beds=60")
    assert a == _key("extra_acute_beds:beds=60")
    assert a != _key("extra_acute_beds:beds=61")
    assert a.startswith("compare-")


def test_key_follows_the_resolved_configuration_not_the_spelling():
    exp = tiny_experiment("seven_day_discharge")
    scns = build_scenarios(exp)
    changed = [scns[0], scns[1].with_overrides({"acute.beds": scns[1].acute.beds + 1})]
    assert comparison_key(exp, scns) != comparison_key(exp, changed)


def test_baseline_key_depends_on_replications_and_seed():
    s = load_scenario("worcestershire")
    k = baseline_key(s, 5, 1)
    assert k == baseline_key(s, 5, 1)
    assert len({k, baseline_key(s, 4, 1), baseline_key(s, 5, 2)}) == 3


def test_put_get_progress_and_uploads_stay_inside_the_folder(tmp_path):
    folder = tmp_path / "cache"
    c = ResultCache(folder)
    assert c.get("compare-abc") is None and not c.has("compare-abc")
    c.put("compare-abc", {"x": [1, 2]})
    assert c.has("compare-abc") and c.get("compare-abc") == {"x": [1, 2]}
    assert c.read_progress("compare-abc") is None
    c.write_progress("compare-abc", 3, 10)
    assert c.read_progress("compare-abc") == (3, 10)
    p = c.keep_upload(b"name: x\n")
    assert p.read_bytes() == b"name: x\n" and c.keep_upload(b"name: x\n") == p
    written = [q for q in tmp_path.rglob("*") if q.is_file()]
    assert written and all(folder in q.parents for q in written)


def test_bad_key_and_unreadable_file(tmp_path):
    c = ResultCache(tmp_path)
    with pytest.raises(ValueError, match="cache key"):
        c.result_path("../escape")
    c.result_path("compare-x").parent.mkdir(parents=True)
    c.result_path("compare-x").write_bytes(b"not a pickle")
    assert c.get("compare-x") is None
