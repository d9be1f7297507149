"""How a KPI is shown to people: label, unit, range, direction, headline.

Reports, figures and summaries read KPI metadata through :func:`kpi_meta` only. It
adds presentation (range, whole-number counts, unit text) to the one KPI table,
:data:`flowsim.kpis.KPIS`, which holds every label, unit, definition, direction and
headline flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
    from flowsim.kpis import KPIS

    return {
        k.name: KpiMeta(
            name=k.name,
            label=k.label,
            unit=k.unit,
            definition=k.definition,
            higher_is_better=k.higher_is_better,
            headline=k.headline,
            lower=0.0,
            upper=100.0 if k.unit == "%" else None,
            integer=k.unit in _INTEGER_UNITS,
        )
        for k in KPIS
    }


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
    return tuple(name for name, m in _kpi_table().items() if m.headline)


def higher_is_better(name: str) -> bool:
    """True when a larger value of ``name`` is better (unknown names: False)."""
    table = _kpi_table()
    return table[name].higher_is_better if name in table else False


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
