"""KPI text for the page: labels, units, definitions and headline from the one KPI table.

Labels, units, definitions and the headline flag come from :mod:`flowsim.kpi_meta`
(which reads :data:`flowsim.kpis.KPIS`); this module adds only the page's number
formats (short money, a time unit after headline figures) and interval wording.
"""

from __future__ import annotations

import math

from flowsim.kpi_meta import headline_kpis, kpi_meta, kpi_names


def page_headline_kpis() -> tuple[str, ...]:
    """The KPI table's headline KPIs the page shows as tiles, in table order.

    Money is left out: the page shows each option's annual cost beside it.
    """
    return tuple(k for k in headline_kpis() if kpi_meta(k).unit != "GBP")


def kpi_unit(name: str) -> str:
    """Unit of a KPI (``%``, ``count``, ``bed-days``...), empty if unknown."""
    return kpi_meta(name).unit if name in kpi_names() else ""


def kpi_definition(name: str) -> str:
    """One-line definition of a KPI (its name if unknown)."""
    return kpi_meta(name).definition if name in kpi_names() else name


def kpi_label(name: str) -> str:
    """Label of a KPI, for headings and table rows (unknown names made readable)."""
    if name in kpi_names():
        return kpi_meta(name).label
    return name.replace("_", " ").capitalize()


def kpi_bounds(name: str) -> tuple[float, float]:
    """Possible values of a KPI: percentages in [0, 100], every other KPI >= 0."""
    return (0.0, 100.0) if kpi_unit(name) == "%" else (0.0, math.inf)


def interval_text(name: str, low: float, high: float) -> str:
    """A 95% CI as text, clipped to the KPI's possible values (and saying so)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "one replication: no confidence interval"
    lo_b, hi_b = kpi_bounds(name)
    clipped = low < lo_b or high > hi_b
    lo, hi = max(low, lo_b), min(high, hi_b)
    text = f"95% CI {format_value(name, lo)} to {format_value(name, hi)}"
    return text + (" (clipped to possible values)" if clipped else "")


def format_value(name: str, x: float) -> str:
    """A KPI value as a reader expects it: counts as integers, percentages to 0.1."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    unit = kpi_unit(name)
    if unit == "%":
        return f"{x:.1f}%"
    if unit == "GBP":
        return f"£{x / 1e6:,.1f}m" if abs(x) >= 1e6 else f"£{x:,.0f}"
    if unit in ("count", "pathways", "bed-days", "patients", "people") or abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def format_with_unit(name: str, x: float) -> str:
    """:func:`format_value` followed by a time unit (h, min, days) where it has one.

    Other units are in the label already (patients, bed-days, pathways) or in the
    number (%, £), and would crowd a headline figure.
    """
    text = format_value(name, x)
    unit = kpi_unit(name)
    if text == "n/a" or unit not in ("h", "min", "days"):
        return text
    return f"{text} {unit}"
