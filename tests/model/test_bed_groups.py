"""Beds by site and specialty (issue 17 item 2): group pools, outlying, validation,
and the pooling effect, against hand-derived answers where possible."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import cohort, cohorts, run_system, tiny_scenario

import flowsim
from flowsim.cli import main
from flowsim.errors import ConfigError
from flowsim.model import simulate_replication
from flowsim.model.acute import split_beds
from flowsim.records import KIND_DIRECT

#: Two groups at site A and one at site B, one bed each.
GROUPS = [
    {"name": "a_med", "site": "A", "specialty": "medicine", "beds": 1, "emergency_share": 0.5},
    {"name": "a_surg", "site": "A", "specialty": "surgery", "beds": 1, "emergency_share": 0.5},
    {"name": "b_med", "site": "B", "specialty": "medicine", "beds": 1, "emergency_share": 0.0},
]


def _run(outlying: str, other_sites: bool = False, fence: bool = False) -> dict[str, np.ndarray]:
    """Five direct admissions with known home groups and stays (no window, pathway 0);
    ``fence``: a_surg takes no outliers."""
    groups = [GROUPS[0], dict(GROUPS[1], takes_outliers=not fence), GROUPS[2]]
    scn = tiny_scenario(
        acute={
            "beds": 3,
            "bed_groups": groups,
            "outlying": outlying,
            "outlying_after_hours": 2,
            "outlying_other_sites": other_sites,
            "outlier_los_factor": 2.0,
        }
    )
    c = cohort("direct", [0.0, 10.0, 20.0, 200.0, 300.0], los=[1000.0, 500.0, 100.0, 100.0, 50.0])
    c.attrs.bed_group = [0, 0, 1, 1, 2]
    s = run_system(scn, cohorts(direct=c), until_days=2)
    a = s.acute.records.arrays()
    assert (a["kind"] == KIND_DIRECT).all()
    order = np.argsort(a["patient_id"])
    return {k: v[order] for k, v in a.items()}


def test_outlying_after_hours_by_hand():
    # p0 a_med at 0. p1 (a_med) queues at 10 and, 2 h later, takes a_surg's free bed
    # (p2 left it at 120): outlier, stay 500 x 2. p3 (a_surg) waits from 200; a_med's
    # bed frees at 1000 with nobody of its own waiting: p3 outlies there (stay 100 x 2).
    # b_med is at another site, closed to outliers. p4 at 300 in its own b_med.
    a = _run("after")
    assert a["admit"].tolist() == [0.0, 130.0, 20.0, 1000.0, 300.0]
    assert a["outlier"].tolist() == [False, True, False, True, False]
    assert a["bed_group"].tolist() == [0, 0, 1, 1, 2]
    assert a["leave"].tolist() == [1000.0, 1130.0, 120.0, 1200.0, 350.0]


def test_ring_fenced_group_takes_no_outliers():
    # a_surg is ring-fenced: p1 cannot outlie there and waits for a_med (1000); a_surg's
    # bed, free from 120, is p3's own when p3 comes at 200.
    a = _run("after", fence=True)
    assert a["admit"].tolist() == [0.0, 1000.0, 20.0, 200.0, 300.0]
    assert not a["outlier"].any()


def test_never_outlying_waits_for_the_home_group():
    a = _run("never")
    assert a["admit"].tolist() == [0.0, 1000.0, 20.0, 200.0, 300.0]
    assert not a["outlier"].any()


def test_immediate_outlying_and_longest_waiter_first():
    # p1 takes a_surg at once (10). p2 (a_surg, 20) finds both site-A beds full and
    # waits; p3 (a_surg, 200) waits behind p2. a_med frees at 1000: its own queue is
    # empty, so the longest waiter of a_surg (p2) outlies into it; a_surg frees at 1010
    # (p1: 10 + 500 x 2) and goes to its own next patient, p3.
    a = _run("immediately")
    assert a["admit"].tolist() == [0.0, 10.0, 1000.0, 1010.0, 300.0]
    assert a["outlier"].tolist() == [False, True, True, False, False]


def test_outlying_to_another_site_when_allowed():
    # As above, but p2 takes site B's free bed at 20 (leaves 220); p3 waits for any bed
    # and gets b_med when it frees at 220; p4 (b_med, 300) waits for its own bed (420).
    a = _run("immediately", other_sites=True)
    assert a["admit"].tolist() == [0.0, 10.0, 20.0, 220.0, 420.0]
    assert a["outlier"].tolist() == [False, True, True, True, False]


def test_split_beds_largest_remainder():
    assert split_beds(825, [500, 300]) == [516, 309]
    assert split_beds(10, [1, 1, 1]) == [4, 3, 3]  # ties to the earlier group
    assert split_beds(7, [0, 0]) == [0, 0] and split_beds(0, [3, 1]) == [0, 0]
    assert sum(split_beds(1720, [620, 380, 300, 115, 250, 180])) == 1720


def test_surge_and_closures_fall_on_medical_groups():
    groups = [dict(g, beds=b) for g, b in zip(GROUPS, (30, 20, 10), strict=True)]
    scn = tiny_scenario(acute={"beds": 60, "bed_groups": groups})
    s = run_system(scn, cohorts(), until_days=0.1)
    a = s.acute
    assert [p.capacity for p in a.pools] == [30, 20, 10] and a.beds.capacity == 60
    a.open_surge_beds(8)  # medical groups 30:10 -> 6 and 2
    assert [p.capacity for p in a.pools] == [36, 20, 12]
    a.closed_beds = 4
    a._set_capacity()
    assert [p.capacity for p in a.pools] == [33, 20, 11]
    assert a.beds.capacity == a.capacity_for_month(a.month) == 64


def test_group_beds_rescale_to_acute_beds():
    scn = tiny_scenario(acute={"beds": 120, "bed_groups": [dict(g, beds=20) for g in GROUPS]})
    s = run_system(scn, cohorts(), until_days=0.1)
    assert [p.capacity for p in s.acute.pools] == [40, 40, 40]


def _problems(groups: list[dict], **acute) -> str:
    with pytest.raises(ConfigError) as e:
        tiny_scenario(acute={"bed_groups": groups, **acute})
    return str(e.value)


def test_validation_of_bed_groups():
    bad = [dict(GROUPS[0], emergency_share=0.6), *GROUPS[1:]]
    assert "emergency_share values sum to 1.1" in _problems(bad)
    assert "must be unique" in _problems([GROUPS[0], dict(GROUPS[1], name="a_med"), GROUPS[2]])
    assert "acute.bed_groups.0.specialty" in _problems([dict(GROUPS[0], specialty="ortho")])
    zero = [dict(g, beds=0) for g in GROUPS]
    assert "must not all be 0" in _problems(zero)
    no_beds = [GROUPS[0], dict(GROUPS[1], beds=0), GROUPS[2]]
    assert "has no beds but a share" in _problems(no_beds)
    partial = [dict(GROUPS[0], elective_share=1.0), *GROUPS[1:]]
    assert "elective_share must be given in every group" in _problems(partial)
    assert "outlying" in _problems(GROUPS, outlying="sometimes")


def test_bad_bed_groups_exit_2_with_key_value_rule(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "base: worcestershire\nacute:\n  bed_groups:\n"
        "    - {name: m, site: X, specialty: medicine, beds: 10, emergency_share: 0.7}\n"
        "    - {name: s, site: X, specialty: surgery, beds: -1, emergency_share: 0.3}\n"
    )
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "acute.bed_groups.1.beds" in err and "-1" in err and "Traceback" not in err


#: Worcestershire by site (X50) and specialty (D), as in the county file.
WORCS_GROUPS = [
    {
        "name": "wrh_med",
        "site": "WRH",
        "specialty": "medicine",
        "beds": 340,
        "emergency_share": 0.455,
    },
    {
        "name": "wrh_surg",
        "site": "WRH",
        "specialty": "surgery",
        "beds": 160,
        "emergency_share": 0.158,
    },
    {
        "name": "alex_med",
        "site": "Alex",
        "specialty": "medicine",
        "beds": 250,
        "emergency_share": 0.334,
    },
    {
        "name": "alex_surg",
        "site": "Alex",
        "specialty": "surgery",
        "beds": 50,
        "emergency_share": 0.053,
    },
]


def _bed_wait_h(scn, seed: int) -> float:
    """Mean wait from bed request to admission of emergency spells in the period, h."""
    rep = simulate_replication(scn, seed, 0)
    a = rep.acute
    m = (a["kind"] < 2) & (a["request"] >= rep.warmup_min) & ~np.isnan(a["admit"])
    return float(np.mean(a["admit"][m] - a["request"][m]) / 60.0)


def test_groups_wait_longer_than_one_pool_of_the_same_beds():
    """Pooling: the same total beds split by site and specialty give longer bed waits
    than one pool (paired seeds, common random numbers)."""
    # A busy 60 days (fewer beds than the county's 825, so beds are the bottleneck; no
    # escalation beds, whose opening on crowding would differ between the two; no
    # electives, who with groups absorb much of the loss by being cancelled on the day),
    # outlying after 4 h at the same site, no ring-fence.
    pooled = flowsim.load_scenario(
        "worcestershire",
        {
            "run.days": 60,
            "run.warmup_days": 30,
            "acute.beds": 790,
            "acute.escalation_beds": 0,
            "elective.referrals_per_week": 0,
            "elective.initial_list": 0,
            "acute.bed_groups": [],
            "acute.outlying": "after",
            "acute.outlying_after_hours": 4,
        },
    )
    grouped = pooled.with_overrides({"acute.bed_groups": WORCS_GROUPS})
    diffs = np.array([_bed_wait_h(grouped, s) - _bed_wait_h(pooled, s) for s in (1, 2, 3, 4)])
    se = diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert diffs.mean() > 2.0 * se and diffs.mean() > 0.0, diffs
