"""Helpers for the real-browser tests: serve the app, drive Debian's chromium.

The server is ``flowsim app`` in a subprocess on a free port of 127.0.0.1; the
browser is the distribution's ``chromium`` driven through its matching
``chromium-driver`` (selenium), so nothing is downloaded. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def chromium_paths() -> tuple[str | None, str | None]:
    """Paths of the chromium binary and its driver, None where missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file() else None
    )
    return browser, driver


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(cache_dir: Path, log: Path, jobs: int = 2, timeout_s: float = 90) -> Iterator[str]:
    """Run ``flowsim app`` on a free port; yield its URL; stop it (and its workers)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "flowsim.cli",
        "app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--cache-dir",
        str(cache_dir),
        "--jobs",
        str(jobs),
    ]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app server exited with {proc.returncode}: {log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"app server not up within {timeout_s} s: {log.read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        # The server's process group holds the job pool's workers too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def chromium(profile: Path, width: int = 1400, height: int = 1000):
    """A headless chromium WebDriver with a fresh profile; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = chromium_paths()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for f in CHROMIUM_FLAGS:
        opts.add_argument(f)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_argument(f"--window-size={width},{height}")
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def wait_for(drv, xpath: str, timeout_s: float = 60):
    """The first element matching ``xpath``, waiting at most ``timeout_s``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout_s, poll_frequency=0.5).until(
        ec.presence_of_element_located((By.XPATH, xpath))
    )


def click(drv, xpath: str, timeout_s: float = 60) -> None:
    """Click the element at ``xpath`` once it is clickable."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    el = WebDriverWait(drv, timeout_s, poll_frequency=0.5).until(
        ec.element_to_be_clickable((By.XPATH, xpath))
    )
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
    el.click()


def tab(drv, label: str) -> None:
    """Open the page tab whose label contains ``label``."""
    click(drv, f"//*[@role='tab'][contains(., '{label}')]")


def choose(drv, widget_label: str, option: str) -> None:
    """Pick ``option`` in the (visible) select box labelled ``widget_label``."""
    from selenium.webdriver.common.keys import Keys

    box = wait_for(
        drv,
        f"//div[@data-testid='stSelectbox'][.//label[contains(., '{widget_label}')]]//input",
    )
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    box.send_keys(option)
    time.sleep(0.5)
    box.send_keys(Keys.ENTER)


def full_page_screenshot(drv, path: Path, width: int = 1400) -> None:
    """Screenshot of the whole page (window grown to the content's height)."""
    height = drv.execute_script(
        "const m = document.querySelector('[data-testid=\"stMain\"]') || document.body;"
        "return Math.max(m.scrollHeight, document.body.scrollHeight);"
    )
    drv.set_window_size(width, min(int(height) + 120, 6000))
    time.sleep(1.0)
    drv.save_screenshot(str(path))
