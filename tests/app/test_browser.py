"""The app in a real browser: Debian's headless chromium against `flowsim app`.

Skips only when chromium or its driver is missing (CI installs both: see .ci/run).
"""

from __future__ import annotations

import os

import pytest
from browser import app_server, choose, chromium, chromium_paths, click, tab, wait_for

pytestmark = pytest.mark.slow

RANKING = "//*[contains(@class,'st-key-ranking')]//*[@data-testid='stTable']"


@pytest.fixture
def browser_ready():
    browser, driver = chromium_paths()
    if browser is None or driver is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium and chromium-driver (.ci/run installs them)")
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium)")


def test_choose_run_and_see_the_ranking(browser_ready, tmp_path):
    with (
        app_server(tmp_path / "cache", tmp_path / "server.log") as url,
        chromium(tmp_path / "profile", height=1400) as drv,
    ):
        drv.get(f"{url}/?days=10&warmup=5&replications=2")
        wait_for(drv, "//h1[contains(., 'options for the system risk summit')]")
        tab(drv, "Options")
        choose(drv, "Intervention", "Seven day discharge")
        wait_for(drv, "//*[contains(., 'Seven-day discharge: weekend discharge capacity')]")
        click(drv, "//button[contains(., 'Add option')]")
        wait_for(drv, "//*[@data-testid='stTable'][contains(., 'seven_day_discharge')]")
        tab(drv, "Compare")
        click(drv, "//button[contains(., 'Run comparison')]")
        table = wait_for(drv, RANKING + "[contains(., 'seven_day_discharge')]", 300)
        drv.save_screenshot(str(tmp_path / "ranking.png"))
        assert (tmp_path / "ranking.png").stat().st_size > 10_000
        rows = table.find_elements("xpath", ".//tbody/tr")
        assert len(rows) == 1
        text = rows[0].text
        assert text.startswith("1") and "seven_day_discharge" in text and "£1.00m" in text
        head = table.find_element("xpath", ".//thead").text
        assert "Delayed bed-days saved a year" in head and "Chance 4-hour below 78%" in head
        assert wait_for(drv, "//button[contains(., 'Board report (HTML)')]")
