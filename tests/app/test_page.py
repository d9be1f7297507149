"""The page driven headlessly with Streamlit's AppTest: choose, build, run, rank, upload."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowsim import load_scenario
from flowsim.app import PAGE
from flowsim.app.jobs import shutdown_all

ROOT = Path(__file__).resolve().parents[2]
TINY_QUERY = {"days": "10", "warmup": "5", "replications": "2"}


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The page with a fresh cache folder and the tiny horizon preset by the link."""
    monkeypatch.setenv("FLOWSIM_APP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FLOWSIM_APP_JOBS", "1")
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    for k, v in TINY_QUERY.items():
        at.query_params[k] = v
    yield at.run()
    shutdown_all()


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def run_until(at: AppTest, done, timeout_s: float = 300) -> AppTest:
    """Rerun the page (as its poller does) until ``done(at)``, at most ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not done(at):
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, f"no result within {timeout_s} s"
        time.sleep(1.0)
        at.run()
    return at


def test_choose_county_build_option_run_and_rank(app):
    at = app
    assert not at.exception
    at.selectbox(key="base_choice").select("West Norfolk").run()
    assert "West Norfolk" in at.title[0].value
    at.selectbox(key="iv").select("More home care").run()
    at.slider(key="sl_more_home_care_packages").set_value(150).run()
    cost = 150 * 365 * load_scenario("west_norfolk").costs.home_care_package_day_gbp
    shown = [m.value for m in at.metric if m.label == "Annual cost of this option"]
    assert shown == [f"£{cost / 1e6:,.2f}m"]
    at.button(key="add").click().run()
    options = at.table[0].value
    assert "more_home_care_packages_150" in options.to_string()

    at.button(key="run").click().run()
    run_until(at, lambda a: any("against the baseline" in t for t in texts(a.success)))
    ranking = [t.value for t in at.table if "What it is" in t.value.columns]
    assert ranking, "no ranking table"
    assert list(ranking[0]["Option"]) == ["more_home_care_packages_150"]
    assert any("Delayed bed-days saved" in c for c in ranking[0].columns)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Board report (HTML)",
        "Tables (CSV, zip)",
        "Tables (Excel)",
        "Experiment (YAML)",
    ]

    # The same question again answers at once from the cache.
    at.button(key="run").click().run()
    assert any("answered from the cache" in t for t in texts(at.success))


def test_bad_upload_lists_the_problems_in_the_page(app):
    at = app
    at.sidebar.file_uploader[0].upload("bad.yaml", b"acute: [unclosed", "application/x-yaml")
    at.run()
    assert not at.exception
    (err,) = [t for t in texts(at.error) if "bad.yaml" in t]
    assert "cannot be used" in err and "not valid YAML" in err

    broken = b"scenarios:\n  - name: baseline\n  - name: a\n    interventions: [nope]\n"
    at.sidebar.file_uploader[0].upload("broken.yaml", broken, "application/x-yaml")
    at.run()
    assert not at.exception
    (err,) = [t for t in texts(at.error) if "broken.yaml" in t]
    assert "scenarios.a.interventions.nope" in err and "unknown intervention" in err


def test_uploaded_experiment_becomes_the_option_set(app):
    at = app
    data = (ROOT / "experiments" / "quick_compare.yaml").read_bytes()
    at.sidebar.file_uploader[0].upload("quick_compare.yaml", data, "application/x-yaml")
    at.run()
    assert any("a valid experiment" in t for t in texts(at.success))
    at.button(key="adopt").click().run()
    assert not at.exception
    import yaml

    spec = yaml.safe_load(data)
    names = [s["name"] for s in spec["scenarios"] if s["name"] != spec.get("baseline", "baseline")]
    table = at.table[0].value.to_string()
    assert all(n in table for n in names)
    assert at.number_input(key="reps").value == spec.get("replications", 5)


def test_combine_options_into_a_package_and_remove_one(app):
    at = app
    at.selectbox(key="iv").select("Discharge to assess").run()
    at.button(key="add").click().run()
    at.selectbox(key="iv").select("Seven day discharge").run()
    at.button(key="add").click().run()
    at.multiselect(key="combine").select("discharge_to_assess").select("seven_day_discharge")
    at.text_input(key="pkg_name").input("Discharge package").run()
    at.button(key="do_combine").click().run()
    assert not at.exception
    table = at.table[0].value
    assert list(table["Option"]) == [
        "discharge_to_assess",
        "seven_day_discharge",
        "discharge_package",
    ]
    row = table[table["Option"] == "discharge_package"].iloc[0]
    assert row["Annual cost"] == "£2.50m"  # £1.5m D2A team + £1m weekend staffing
    at.multiselect(key="remove").select("seven_day_discharge").run()
    at.button(key="do_remove").click().run()
    assert list(at.table[0].value["Option"]) == ["discharge_to_assess", "discharge_package"]
