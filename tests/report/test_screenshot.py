"""The board report in a real browser: headless Chromium shows the summary and the
ranking on the first screen (1280 x 1600), with no network."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from flowsim.report import write_html_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (CI installs it in .ci/run)"
)

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
]

#: Appended to a copy of the report: puts the bottom edge (px) of the summary box and
#: the top of the ranking table into the DOM, so --dump-dom shows where they landed.
_PROBE = """<script>
const s=document.querySelector('.summary').getBoundingClientRect();
const t=[...document.querySelectorAll('h2')].find(h=>h.textContent==='Options ranked');
const r=t.nextElementSibling.getBoundingClientRect();
document.body.setAttribute("data-probe", [s.top, s.bottom, r.top, r.bottom, innerHeight]);
</script></body>"""


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_first_screen_shows_summary_and_ranking(tmp_path, small_comparison):
    from PIL import Image

    page = write_html_report(small_comparison, tmp_path / "report.html")
    shot = tmp_path / "first-page.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    img = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert img.shape[:2] == (1600, 1280)
    # the summary box's pale blue background and the NHS-blue headings are on screen
    pale = (np.abs(img - np.array([0xF2, 0xF7, 0xFC])).sum(axis=2) <= 3).mean()
    blue = (np.abs(img - np.array([0x00, 0x5E, 0xB8])).sum(axis=2) <= 30).sum()
    assert pale > 0.05 and blue > 200
    assert img.std() > 20  # not a blank page

    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text().replace("</body>", _PROBE))
    dom = _chromium(tmp_path, "--dump-dom", probe.as_uri()).stdout
    m = re.search(r'data-probe="([-\d.,]+)"', dom)
    assert m, dom[:500]
    s_top, s_bottom, r_top, r_bottom, _ = map(float, m.group(1).split(","))
    # layout width is the same in both modes; the ranking ends inside the 1600 px shot
    assert 0 < s_top < s_bottom < r_top < r_bottom <= 1600
    assert "Most delayed bed-days saved per year" in dom and "Options ranked" in dom
