"""Jobs run the public API in worker processes; results are the same whichever
executor ran them, and progress and results land in the cache folder."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from conftest import TINY, tiny_experiment

import flowsim
from flowsim.app.cache import ResultCache, comparison_key
from flowsim.app.jobs import JobManager, run_comparison_job
from flowsim.app.settings import AppSettings
from flowsim.comparison import build_scenarios


@pytest.fixture(scope="module")
def exp_and_serial():
    exp = tiny_experiment("seven_day_discharge")
    return exp, flowsim.compare(exp)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.run.kpis, b.run.kpis)
    pd.testing.assert_frame_equal(a.differences, b.differences)


def test_job_manager_runs_in_a_worker_and_caches(exp_and_serial, tmp_path):
    exp, serial = exp_and_serial
    key = comparison_key(exp, build_scenarios(exp))
    m = JobManager(AppSettings(cache_dir=tmp_path, jobs=2), max_jobs=1)
    try:
        assert m.status(key).state == "none"
        m.submit_comparison(exp, key)
        m.submit_comparison(exp, key)  # already running: not started twice
        assert len(m._jobs) == 1
        deadline = time.monotonic() + 300
        while (s := m.status(key)).state == "running":
            assert time.monotonic() < deadline
            assert 0 <= s.done <= s.total
            time.sleep(0.5)
        assert s.state == "done", s.error
        assert ResultCache(tmp_path).read_progress(key) == (4, 4)
        _same(m.result(key), serial)
    finally:
        m.shutdown(kill=True)


def test_failed_job_reports_its_error(tmp_path):
    # A base that exists when the page checked it but not in the worker's eyes.
    exp = tiny_experiment("seven_day_discharge").model_copy(update={"base": "nowhere"})
    m = JobManager(AppSettings(cache_dir=tmp_path, jobs=1), max_jobs=1)
    try:
        m.submit_comparison(exp, "compare-failing")
        deadline = time.monotonic() + 120
        while (s := m.status("compare-failing")).state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert s.state == "failed" and "nowhere" in s.error
        m.forget_failure("compare-failing")
        assert m.status("compare-failing").state == "none"
    finally:
        m.shutdown(kill=True)


@pytest.mark.slow
def test_dask_executor_gives_the_same_tables(exp_and_serial, tmp_path):
    exp, serial = exp_and_serial
    settings = AppSettings(cache_dir=tmp_path, executor="dask", jobs=2)
    key = run_comparison_job(exp, "compare-dask", str(tmp_path), settings)
    _same(ResultCache(tmp_path).get(key), serial)
    assert TINY.replications * len(exp.scenarios) == 4
