"""KPI labels and units for the page: the one place the app reads the KPI table.

Today units and definitions come from :data:`flowsim.metrics.KPI_INFO`, which has no
short labels; the short labels for the headline KPIs live here until the KPI table
module carries them, when this accessor is the only thing to repoint.
"""

from __future__ import annotations

import math

from flowsim.metrics import KPI_INFO

#: KPIs the page shows first, in order.
HEADLINE_KPIS: tuple[str, ...] = (
    "ed_pct_within_4h",
    "ed_12h_from_arrival",
    "ambulance_handover_hours_lost",
    "acute_occupancy_pct",
    "delayed_patients_mean",
    "delayed_discharge_bed_days",
    "elective_waiting_list_end",
    "elective_52w_waiters",
)

_SHORT = {
    "ed_pct_within_4h": "A&E seen within 4 hours",
    "ed_12h_from_arrival": "A&E stays over 12 hours",
    "ed_trolley_waits_12h": "12-hour trolley waits",
    "ambulance_handover_hours_lost": "Handover hours lost",
    "acute_occupancy_pct": "G&A bed occupancy",
    "delayed_patients_mean": "Patients delayed in acute beds",
    "delayed_discharge_bed_days": "Delayed discharge bed-days",
    "elective_waiting_list_end": "Elective waiting list",
    "elective_52w_waiters": "52-week waiters",
    "elective_pct_within_18w": "Waiting under 18 weeks",
    "cost_total_gbp": "Total system cost",
}


def kpi_unit(name: str) -> str:
    """Unit of a KPI (``%``, ``count``, ``bed-days``...), empty if unknown."""
    return KPI_INFO.get(name, ("", ""))[0]


def kpi_definition(name: str) -> str:
    """One-line definition of a KPI."""
    return KPI_INFO.get(name, ("", name))[1]


def kpi_label(name: str) -> str:
    """Short label for a KPI, for headings and table rows."""
    if name in _SHORT:
        return _SHORT[name]
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
