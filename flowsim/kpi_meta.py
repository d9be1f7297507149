"""How a KPI is shown to people: label, unit, range, direction, headline.

Reports, figures and summaries read KPI metadata through :func:`kpi_meta` only. It
reads the units and definitions of :data:`flowsim.metrics.KPI_INFO`; the plain
labels, directions and headline flags below stand in until the project's one KPI
table lands, when :func:`_kpi_table` is the single place to repoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Plain-English labels (interim, until the KPI table carries them).
_LABELS = {
    "ed_attendances": "A&E attendances",
    "ed_pct_within_4h": "A&E seen within 4 hours",
    "ed_mean_time_in_dept_h": "A&E mean time in department",
    "ed_p95_time_in_dept_h": "A&E 95th centile time in department",
    "ed_12h_from_arrival": "A&E stays over 12 hours from arrival",
    "ed_trolley_waits_12h": "12-hour trolley waits (decision to admit)",
    "ed_dta_waits_4h": "4-hour trolley waits (decision to admit)",
    "ambulance_handover_mean_min": "Ambulance handover, mean",
    "ambulance_handover_hours_lost": "Ambulance hours lost at handover",
    "ambulance_handover_over_60min_pct": "Ambulance handovers over 60 minutes",
    "ed_corridor_care_pct": "Majors treated in a corridor",
    "acute_occupancy_pct": "G&A bed occupancy",
    "emergency_admissions": "Emergency admissions",
    "emergency_diversions": "Direct admissions diverted",
    "elective_admissions": "Elective admissions",
    "delayed_discharge_bed_days": "Delayed discharge bed-days",
    "delayed_patients_mean": "Patients fit to leave still in a bed",
    "discharge_delay_mean_days": "Mean discharge delay",
    "discharge_delay_mean_days_p0": "Mean discharge delay, pathway 0",
    "discharge_delay_mean_days_p1": "Mean discharge delay, pathway 1",
    "discharge_delay_mean_days_p2": "Mean discharge delay, pathway 2",
    "discharge_delay_mean_days_p3": "Mean discharge delay, pathway 3",
    "elective_waiting_list_end": "Elective waiting list at period end",
    "elective_pct_within_18w": "Elective list within 18 weeks",
    "elective_52w_waiters": "Elective 52-week waiters",
    "elective_cancellations": "Electives cancelled on the day",
    "community_occupancy_pct": "Community bed occupancy",
    "community_delayed_bed_days": "Community delayed bed-days",
    "home_care_wait_mean_days": "Mean wait for home care",
    "care_home_wait_mean_days": "Mean wait for a care home",
    "home_care_waiting_mean": "People waiting for home care",
    "care_home_waiting_mean": "People waiting for a care home",
    "cost_total_gbp": "Total cost",
    "cost_delayed_bed_days_gbp": "Cost of delayed bed-days",
}

#: KPIs where a larger value is better (all others: smaller is better).
_HIGHER_IS_BETTER = frozenset(
    {"ed_pct_within_4h", "elective_pct_within_18w", "emergency_admissions", "elective_admissions"}
)

#: KPIs a board reads first, in the order reports show them.
_HEADLINE = (
    "ed_pct_within_4h",
    "ed_12h_from_arrival",
    "ambulance_handover_hours_lost",
    "acute_occupancy_pct",
    "delayed_patients_mean",
    "delayed_discharge_bed_days",
    "elective_waiting_list_end",
    "elective_52w_waiters",
    "elective_cancellations",
    "cost_total_gbp",
)

#: Units whose per-replication values are whole numbers.
_INTEGER_UNITS = frozenset({"count", "pathways"})

#: How units print after a number.
_UNIT_TEXT = {"GBP": "£", "count": "count", "h": "hours", "min": "minutes"}


@dataclass(frozen=True)
class KpiMeta:
    """Presentation metadata of one KPI.

    Attributes
    ----------
    name : str
        Stable snake_case name (the column in tables).
    label : str
        Plain-English label.
    unit : str
        Unit as in the KPI table (``%``, ``count``, ``GBP``, ``days``, ...).
    definition : str
        One-line definition.
    higher_is_better : bool
        Direction of improvement.
    headline : bool
        Shown in report summaries.
    lower, upper : float or None
        Range of the KPI's value (percentages ``[0, 100]``, everything else ``>= 0``).
    integer : bool
        Per-replication values are whole numbers (counts print without decimals).
    """

    name: str
    label: str
    unit: str
    definition: str
    higher_is_better: bool
    headline: bool
    lower: float | None
    upper: float | None
    integer: bool

    @property
    def unit_text(self) -> str:
        """The unit as a reader expects it (``£``, ``hours``, ``%``)."""
        return _UNIT_TEXT.get(self.unit, self.unit)

    @property
    def label_unit(self) -> str:
        """``"Label (unit)"``, for axis labels and table rows."""
        return f"{self.label} ({self.unit_text})"


@lru_cache(maxsize=1)
def _kpi_table() -> dict[str, KpiMeta]:
    from flowsim.metrics import KPI_INFO

    out = {}
    for name, (unit, definition) in KPI_INFO.items():
        out[name] = KpiMeta(
            name=name,
            label=_LABELS.get(name, name.replace("_", " ")),
            unit=unit,
            definition=definition,
            higher_is_better=name in _HIGHER_IS_BETTER,
            headline=name in _HEADLINE,
            lower=0.0,
            upper=100.0 if unit == "%" else None,
            integer=unit in _INTEGER_UNITS,
        )
    return out


def kpi_meta(name: str) -> KpiMeta:
    """Presentation metadata of KPI ``name``.

    Raises
    ------
    KeyError
        Naming the KPI and listing the known names.
    """
    table = _kpi_table()
    if name not in table:
        raise KeyError(f"unknown KPI {name!r}; known KPIs: {', '.join(table)}")
    return table[name]


def kpi_names() -> tuple[str, ...]:
    """Every KPI name, in table order."""
    return tuple(_kpi_table())


def headline_kpis() -> tuple[str, ...]:
    """The headline KPIs in report order (those the KPI table knows)."""
    table = _kpi_table()
    return tuple(k for k in _HEADLINE if k in table)


def higher_is_better(name: str) -> bool:
    """True when a larger value of ``name`` is better (unknown names: False)."""
    table = _kpi_table()
    return table[name].higher_is_better if name in table else name in _HIGHER_IS_BETTER


def format_value(name: str, value: float, signed: bool = False) -> str:
    """A KPI value as a reader expects it: counts whole, pounds with a £, NaN as a dash.

    Parameters
    ----------
    name : str
        KPI name (unknown names print like a plain number).
    value : float
        The number.
    signed : bool
        Prefix ``+`` on positive values (for differences). A value that rounds to
        zero prints without a sign.
    """
    if value is None or value != value:
        return "–"
    text = _format_abs(_kpi_table().get(name), abs(value))
    nonzero = bool(text.strip("£0.,"))
    if value < 0 and nonzero:
        return "-" + text
    if signed and value > 0 and nonzero:
        return "+" + text
    return text


def _format_abs(m: KpiMeta | None, v: float) -> str:
    if m is not None and m.unit == "GBP":
        return f"£{v:,.0f}"
    if m is not None and m.unit == "%":
        return f"{v:,.1f}" if v >= 0.1 or v == 0 else f"{v:.2f}"
    if (m is not None and m.integer) or v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:,.1f}"
    return f"{v:,.2f}"
