"""Time from pressing Run to results for the 5-replication summit comparison.

Not a test (it takes minutes): run it by hand, e.g.

    MPLBACKEND=Agg .venv/bin/python tests/app/measure_summit.py OUT_FOLDER

It serves the app, uploads experiments/worcestershire_summit.yaml (14 scenarios,
5 replications, 365 days after the 90-day warm-up) in headless chromium, presses
Run, waits for the ranking, then presses Run again (answered from the cache), and
prints both times with the page's own "results in N s"; it saves a screenshot.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from browser import app_server, chromium, click, full_page_screenshot, tab, wait_for

ROOT = Path(__file__).resolve().parents[2]
RANKING = "//*[contains(@class,'st-key-ranking')]//*[@data-testid='stTable']"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        app_server(out / "cache", out / "server.log") as url,
        chromium(out / "profile", height=1200) as drv,
    ):
        drv.get(url)
        wait_for(drv, "//h1[contains(., 'options for the system risk summit')]")
        # The baseline runs first (as when a partner opens the page); Run is timed alone.
        t0 = time.monotonic()
        wait_for(drv, "//*[contains(., 'Where patients wait')]", 1800)
        print(f"baseline at a glance: {time.monotonic() - t0:.0f} s", flush=True)
        wait_for(drv, "//input[@type='file']").send_keys(
            str(ROOT / "experiments" / "worcestershire_summit.yaml")
        )
        click(drv, "//button[contains(., 'Use this file')]")
        wait_for(drv, "//h1[contains(., 'Worcestershire')]")
        time.sleep(2)
        tab(drv, "Compare")
        click(drv, "//button[contains(., 'Run comparison')]")
        t0 = time.monotonic()
        wait_for(drv, RANKING + "[contains(., 'discharge_package')]", 3600)
        first = time.monotonic() - t0
        said = wait_for(drv, "//*[@data-testid='stAlertContainer'][contains(., 'results in')]")
        print(f"run to ranking: {first:.0f} s; page says: {said.text}", flush=True)
        time.sleep(3)
        full_page_screenshot(drv, out / "summit.png")
        tab(drv, "Compare")
        click(drv, "//button[contains(., 'Run comparison')]")
        t0 = time.monotonic()
        wait_for(
            drv, "//*[contains(., 'answered from the cache')][@data-testid='stAlertContainer']"
        )
        print(f"repeated question: {time.monotonic() - t0:.1f} s (from the cache)", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
