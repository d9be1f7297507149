"""Every public-figure row the county files and the KPI table cite exists in the
project's tables (docs/data/ holds the W, N, L, E and A, S, R, M rows; docs/sources.md
the X rows), so a reader can look each one up."""

from __future__ import annotations

import re
from pathlib import Path

from flowsim import kpis

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("docs/data/public-figures.md", "docs/data/public-figures-2.md", "docs/sources.md")
ROW = re.compile(r"(?<![\w-])([WNLEASRMX]\d{1,3})(?![\w.])")


def _rows() -> set[str]:
    text = "".join((ROOT / t).read_text() for t in TABLES)
    return set(re.findall(r"^\|\s*([WNLEASRMX]\d+)\s*\|", text, re.M))


def test_every_row_cited_by_a_county_file_exists():
    have = _rows()
    assert len(have) > 300  # the three tables were read
    missing = {
        (f.name, m) for f in (ROOT / "configs").glob("*.yaml") for m in ROW.findall(f.read_text())
    }
    missing = {(f, m) for f, m in missing if m not in have}
    assert not missing, sorted(missing)


def test_every_kpi_public_row_exists():
    have = _rows()
    assert not [k.name for k in kpis.KPIS if k.public_row and k.public_row not in have]
