"""The intervention library: each changes what it says, sizes validate, they compose."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.errors import ConfigError
from flowsim.interventions import REGISTRY, apply_interventions, describe, resolve

REQUIRED = {
    "extra_acute_beds",
    "escalation_beds",
    "discharge_to_assess",
    "more_home_care",
    "more_care_home_places",
    "more_community_beds",
    "admission_avoidance",
    "urgent_treatment_centre",
    "seven_day_discharge",
    "elective_hub",
    "more_ed_clinicians",
    "hear_and_treat",
    "more_sdec_chairs",
    "extend_sdec_hours",
    "more_mh_beds",
}


def test_library_has_the_summit_options():
    assert set(REGISTRY) >= REQUIRED
    for d in describe():
        assert d["description"] and d["changes"] and d["cost"]


#: What each intervention at its default size must change, and its annual cost worked
#: out by hand from the cost basis it cites (``w`` is the Worcestershire baseline).
EXPECTED = {
    "extra_acute_beds": ({"acute.beds"}, lambda w: 40 * 365 * w.costs.acute_bed_day_gbp),
    "escalation_beds": (
        {"acute.escalation_beds"},
        lambda w: 0.0,  # charged in the run for the days the beds are open
    ),
    # the county admin times (0.5 days) are already under the default 1 day: only the
    # in-hospital assessment queue is removed
    "discharge_to_assess": ({"discharge.assess_before_discharge"}, lambda w: 1_500_000),
    "more_home_care": (
        {"social_care.home_care_packages"},
        lambda w: 100 * 365 * w.costs.home_care_package_day_gbp,
    ),
    "more_care_home_places": (
        {"social_care.care_home_places"},
        lambda w: 50 * 52 * w.costs.care_home_week_gbp,
    ),
    "more_community_beds": ({"community.beds"}, lambda w: 20 * 365 * w.costs.community_bed_day_gbp),
    "admission_avoidance": (
        {
            "ambulance.admit_prob",
            "ed.walkin_majors_admit_prob",
            "ed.minors_admit_prob",
            "acute.direct_admissions_per_day",
        },
        lambda w: 2_000_000,
    ),
    "urgent_treatment_centre": (
        {"ed.walkin_arrivals_per_day", "ed.walkin_majors_fraction"},
        lambda w: w.ed.walkin_arrivals_per_day * (1 - w.ed.walkin_majors_fraction) * 0.2 * 365 * 80,
    ),
    # with a weekday profile (issue 16) its weekend days are raised too
    "seven_day_discharge": (
        {"discharge.weekend_factor", "discharge.weekday_profile"},
        lambda w: 1_000_000,
    ),
    "elective_hub": ({"elective.ringfenced_beds"}, lambda w: 20 * 365 * w.costs.acute_bed_day_gbp),
    "more_ed_clinicians": ({"ed.clinicians_by_hour"}, lambda w: 2 * 14 * 365 * 110),
    # the ambulance service is modelled: hear and treat takes incidents from conveyance,
    # and the stated conveyance rate (arrivals_per_day, derived then) follows
    "hear_and_treat": ({"ambulance.arrivals_per_day", "ambulance.service"}, lambda w: 500_000),
    # Worcestershire SDEC: 8 chairs, 12 h on weekdays and 10 h at weekends = 80 h a week
    "more_sdec_chairs": ({"sdec.chairs"}, lambda w: 4 * 80 * 52 * 14),
    # closing 4 h later every day: 7 x 4 h x 8 chairs a week
    "extend_sdec_hours": ({"sdec.close_hour_by_weekday"}, lambda w: 7 * 4 * 8 * 52 * 14),
    "more_mh_beds": ({"mental_health.beds"}, lambda w: 5 * 365 * 450),
}


def _changed_keys(a, b) -> set[str]:
    """Dotted keys (section.field) whose values differ, ignoring the derived fields."""
    da, db = a.to_dict(), b.to_dict()
    out = set()
    for section, va in da.items():
        if section in ("interventions", "intervention_cost_gbp_per_year"):
            continue
        if isinstance(va, dict):
            out |= {f"{section}.{k}" for k in va if va[k] != db[section][k]}
        elif va != db[section]:
            out.add(section)
    return out


def test_expected_table_covers_the_library():
    assert set(EXPECTED) == REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_intervention_changes_config_and_costs(worcs, name):
    keys, cost = EXPECTED[name]
    s = apply_interventions(worcs, [name])
    # exactly the model keys it says it changes, and nothing else
    assert _changed_keys(worcs, s) == keys
    assert s.interventions[-1].name == name
    assert s.intervention_cost_gbp_per_year == pytest.approx(cost(worcs), rel=1e-12)
    # escalation beds are charged in the run, for the days they are open (issue 17)
    assert s.intervention_cost_gbp_per_year > 0 or name == "escalation_beds"


def test_sizes_map_to_keys(worcs):
    s = apply_interventions(
        worcs,
        [
            "extra_acute_beds:beds=25",
            "more_home_care:packages=10",
            "discharge_to_assess:assessment_days=2",
        ],
    )
    assert s.acute.beds == worcs.acute.beds + 25
    assert s.social_care.home_care_packages == worcs.social_care.home_care_packages + 10
    assert [d.mean for d in s.acute.pathway_assessment_days[1:]] == [
        min(2.0, d.mean) for d in worcs.acute.pathway_assessment_days[1:]
    ]
    assert s.acute.pathway_assessment_days[0] == worcs.acute.pathway_assessment_days[0]
    expected = (
        25 * 365 * worcs.costs.acute_bed_day_gbp
        + 10 * 365 * worcs.costs.home_care_package_day_gbp
        + 1_500_000
    )
    assert s.intervention_cost_gbp_per_year == pytest.approx(expected)


def test_utc_keeps_majors_and_removes_minors(worcs):
    s = apply_interventions(worcs, ["urgent_treatment_centre:minors_diverted_pct=50"])
    w0, m0 = worcs.ed.walkin_arrivals_per_day, worcs.ed.walkin_majors_fraction
    w1, m1 = s.ed.walkin_arrivals_per_day, s.ed.walkin_majors_fraction
    assert w1 * m1 == pytest.approx(w0 * m0)
    assert w1 * (1 - m1) == pytest.approx(w0 * (1 - m0) * 0.5)


def test_roster_change_only_in_hours(worcs):
    s = apply_interventions(worcs, ["more_ed_clinicians:extra=3,from_hour=10,to_hour=12"])
    diff = [
        b - a for a, b in zip(worcs.ed.clinicians_by_hour, s.ed.clinicians_by_hour, strict=True)
    ]
    assert diff == [3 if 10 <= h < 12 else 0 for h in range(24)]


def test_composition_applies_in_order(worcs):
    s = apply_interventions(worcs, ["extra_acute_beds:beds=10", "extra_acute_beds:beds=5"])
    assert s.acute.beds == worcs.acute.beds + 15 and len(s.interventions) == 2


def test_bad_specs_raise_config_error_naming_key(worcs):
    with pytest.raises(ConfigError) as e:
        resolve("dischage_to_assess")
    assert "did you mean 'discharge_to_assess'" in str(e.value)
    with pytest.raises(ConfigError) as e:
        resolve("extra_acute_beds:bed=3,beds=-1")
    assert e.value.keys == [
        "interventions.extra_acute_beds.bed",
        "interventions.extra_acute_beds.beds",
    ]
    with pytest.raises(ConfigError):
        flowsim.load_scenario("worcestershire", interventions=["elective_hub:beds=many"])


def test_carve_out_hub_that_removes_more_beds_than_exist_is_a_config_error(worcs):
    with pytest.raises(ConfigError) as e:
        apply_interventions(worcs, [f"elective_hub:beds={worcs.acute.beds + 1},carve_out=1"])
    assert "acute.beds" in e.value.keys
