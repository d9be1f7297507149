"""Patient ids across settings, the journey table, declared schemas and the census."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import cohort, cohorts, run_system, tiny_scenario

import flowsim
from flowsim.model.system import CENSUS, CountySystem
from flowsim.records import KIND_ED, journeys

DAY = 1440.0


@pytest.fixture(scope="module")
def one(worcs_short):
    return flowsim.simulate(worcs_short, seed=3)


def test_patient_ids_are_unique_within_each_setting(one):
    rep = one.records
    for table in (rep.ed, rep.acute, rep.community):
        ids = table["patient_id"]
        assert (ids >= 0).all() and len(np.unique(ids)) == len(ids)
    # a social-care request per patient too (a person waits for one service at a time)
    assert (rep.social["patient_id"] >= 0).all()


def test_a_patient_admitted_via_ae_has_the_same_id_in_ed_and_acute(one):
    rep = one.records
    via_ed = rep.acute["patient_id"][rep.acute["kind"] == KIND_ED]
    assert via_ed.size > 100
    ed_ids = rep.ed["patient_id"][~np.isnan(rep.ed["dta"])]
    # every A&E admission's spell belongs to an attendance with a decision to admit
    assert np.isin(via_ed, ed_ids).all()
    # and the spell was requested at that attendance's decision to admit
    dta = dict(zip(rep.ed["patient_id"], rep.ed["dta"], strict=True))
    req = rep.acute["request"][rep.acute["kind"] == KIND_ED]
    assert all(dta[pid] == t for pid, t in zip(via_ed, req, strict=True))


def test_journey_table_follows_one_patient_from_ae_to_social_care():
    # One walk-in majors patient, admitted; pathway 2 (community bed), then home care.
    # A&E: seen 0, assessed 20, treated to 80 (decision to admit), bed at once; acute
    # LOS 1 day (fit 1520), assessment 0 -> community bed reserved, leaves at 1520;
    # community LOS 1 day (fit 2960), home care requested and started at 2960.
    scn = tiny_scenario()
    c = cohorts(walkin=cohort("walkin", [0.0], admit=[True], pathway=[2], onward=[1]))
    s = run_system(scn, c, until_days=3)
    s.census(s.n_days)
    rep = s.replication({})
    j = journeys(rep)
    assert set(j["patient_id"]) == {c.walkin.pid0}
    assert list(zip(j["setting"], j["event"], j["time_min"], strict=True)) == [
        ("ed", "ed_arrival", 0.0),
        ("ed", "ed_seen", 0.0),
        ("ed", "ed_decision_to_admit", 80.0),
        ("acute", "acute_bed_requested", 80.0),
        ("ed", "ed_departure", 80.0),
        ("acute", "acute_admission", 80.0),
        ("acute", "acute_medically_fit", 80.0 + DAY),
        ("acute", "acute_discharge", 80.0 + DAY),
        ("community", "community_admission", 80.0 + DAY),
        # same-minute events in the order the patient meets them
        ("community", "community_medically_fit", 80.0 + 2 * DAY),
        ("social", "social_care_requested", 80.0 + 2 * DAY),
        ("social", "social_care_started", 80.0 + 2 * DAY),
        ("community", "community_discharge", 80.0 + 2 * DAY),
    ]


def test_journey_table_is_tidy_and_ordered(one):
    j = journeys(one.records)
    assert list(j.columns) == ["patient_id", "setting", "event", "time_min"]
    assert set(j["setting"]) == {"ed", "acute", "community", "social", "elective"}
    assert not j["time_min"].isna().any()
    pid = j["patient_id"].to_numpy()
    t = j["time_min"].to_numpy()
    assert (np.diff(pid) >= 0).all()
    same = np.diff(pid) == 0
    assert (np.diff(t)[same] >= 0).all()
    n_ed = int((~np.isnan(one.records.ed["arrival"])).sum())
    assert (j["event"] == "ed_arrival").sum() == n_ed


def test_ids_differ_between_cohorts_and_depend_only_on_cohort_sizes():
    c = cohorts(
        walkin=cohort("walkin", [0.0, 1.0]),
        ambulance=cohort("ambulance", [2.0]),
        direct=cohort("direct", [3.0]),
    )
    starts = [x.pid0 for x in c.all()]
    sizes = [len(x) for x in c.all()]
    assert starts == list(np.cumsum([0, *sizes[:-1]]))


def test_census_is_the_merge_of_the_settings_snapshots(worcs_short):
    from flowsim.patients import build_cohorts
    from flowsim.streams import Streams

    s = CountySystem(worcs_short, build_cohorts(worcs_short, Streams(2, 0)))
    s.start()
    s.clock.run(3 * DAY + 1)
    s.census(99)
    row = s.census_rows[-1]
    assert len(row) == len(CENSUS.fields)
    named = dict(zip(CENSUS.names, row, strict=True))
    assert named["day"] == 98
    assert named["acute_beds_available"] == s.acute.beds.capacity
    assert named["acute_delayed"] == sum(s.acute.delayed)
    assert named["ed_in_department"] == s.ed.in_department
    # community hospital beds (one pool here) plus the D2A beds in care homes
    assert named["community_occupied"] == s.community.beds.in_use + s.community.d2a.in_use
    assert named["d2a_occupied"] == s.community.d2a.in_use
    assert named["care_home_queue"] == s.social.pools[1].n_waiting
    assert named["elective_waiting_list"] == len(s.elective)


def test_every_record_array_is_declared_with_its_dtype(one):
    rep = one.records
    assert rep.schemas is not None
    for setting in ("ed", "acute", "community", "social", "elective"):
        declared = {f.name: f for f in rep.schemas[setting].fields}
        arrays = getattr(rep, setting)
        extra = set(arrays) - set(declared) - {"list_clock_end"}
        assert not extra, (setting, extra)
        for name, f in declared.items():
            assert arrays[name].dtype == np.dtype(f.dtype), (setting, name)
            assert f.doc and f.unit is not None
    assert list(rep.census.columns) == list(rep.schemas["census"].names)


def test_run_results_hold_no_patient_records(worcs_short):
    # A run keeps small tables only: its results pickle to far less than one
    # replication's records, and no attribute holds a Replication or a records array.
    import pickle

    res = flowsim.run(worcs_short.with_overrides({"run.days": 10}), replications=2)
    one = flowsim.simulate(worcs_short.with_overrides({"run.days": 10}), seed=1)
    size_run = len(pickle.dumps(res))
    size_records = len(pickle.dumps(one.records))
    assert size_run < size_records / 2, (size_run, size_records)
    from flowsim.records import Replication

    for value in vars(res).values():
        assert not isinstance(value, Replication)
        if isinstance(value, list | tuple):
            assert not any(isinstance(v, Replication) for v in value)


def test_table_follows_its_schema():
    from flowsim.records import Table, schema

    sch = schema(
        "t",
        ("patient_id", "int64", "", "id"),
        ("when", "float64", "min", "a time"),
        ("flag", "bool", "", "a flag"),
    )
    t = Table(sch)
    t.presize(4)
    assert len(t) == 4 and t.patient_id == [-1] * 4 and t.flag == [False] * 4
    assert all(x != x for x in t.when)  # NaN until filled
    t.patient_id[0], t.when[0], t.flag[0] = 7, 1.5, True
    t.trim(1)
    a = t.arrays()
    assert list(a) == ["patient_id", "when", "flag"]
    assert [a[k].dtype for k in a] == [np.dtype("int64"), np.dtype("float64"), np.dtype(bool)]
    assert a["patient_id"].tolist() == [7] and a["when"].tolist() == [1.5] and a["flag"][0]
