"""What one replication records: each setting's event table, and a midnight census.

Every table is declared once, as a :class:`Schema` of :class:`Field` (name, dtype,
unit, meaning), by the setting that fills it. During a run a :class:`Table` holds
one plain list per field (cheap in the event loop); at the end the tables become
numpy arrays in a :class:`Replication`. Times are simulation minutes from the start
of warm-up; ``nan`` means "had not happened when the run ended" (censored). Every
patient-level table carries ``patient_id``, the same for a patient in every setting,
so :func:`journeys` can follow a patient across settings.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
import pandas as pd

NAN = float("nan")

# Acute spell kinds
KIND_ED, KIND_DIRECT, KIND_ELECTIVE, KIND_PREFILL = 0, 1, 2, 3
# Social care request sources
SRC_ACUTE, SRC_COMMUNITY, SRC_BACKGROUND, SRC_PREFILL = 0, 1, 2, 3
#: A person at the end of a reablement episode handing on to long-term home care.
SRC_REABLEMENT = 4
HOME_CARE, CARE_HOME = 0, 1

_FILL = {"float64": NAN, "int64": -1, "bool": False}


@dataclass(frozen=True)
class Field:
    """One column of a records table or of the census."""

    name: str
    dtype: str  #: "float64", "int64" or "bool"
    unit: str  #: "min" for simulation minutes, "" for codes and flags
    doc: str


@dataclass(frozen=True)
class Schema:
    """The declared columns of one table."""

    name: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def __add__(self, other: Schema) -> Schema:
        return Schema(f"{self.name}+{other.name}", self.fields + other.fields)


def schema(name: str, *rows: tuple[str, str, str, str]) -> Schema:
    """A schema from ``(name, dtype, unit, doc)`` rows."""
    return Schema(name, tuple(Field(*r) for r in rows))


#: The typed buffer behind each dtype (C double, signed 64-bit, signed byte).
_TYPECODE = {"float64": "d", "int64": "q", "bool": "b"}


class Column(array):
    """One column of a :class:`Table`: a typed buffer that compares equal to a list or
    tuple holding the same values (``table.admit == [0.0, 60.0]``), as a list column
    did."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | tuple):
            return list(self) == list(other)
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # mutable, like a list

    @classmethod
    def filled(cls, typecode: str, value: float, n: int) -> Column:
        """``n`` copies of ``value``."""
        col = cls(typecode)
        col.frombytes((array(typecode, [value]) * n).tobytes())
        return col


class Table:
    """An append-only table filled during a run: one typed buffer per declared field.

    Columns are plain attributes (``table.admit[k] = now``), the cheapest access in
    the event loop. Each is a :class:`Column` (an :class:`array.array`) of the
    field's C type: written as fast as a list, and turned into a numpy array without
    unboxing one Python object per value (``np.frombuffer`` reads the buffer; measured 0.35 s of a
    Worcestershire replication-year with lists).
    """

    def __init__(self, sch: Schema) -> None:
        self.schema = sch
        for f in sch.fields:
            setattr(self, f.name, Column(_TYPECODE[f.dtype]))

    def __len__(self) -> int:
        return len(getattr(self, self.schema.fields[0].name))

    def presize(self, n: int) -> None:
        """Make ``n`` empty rows (NaN, -1, False) to be filled in place."""
        for f in self.schema.fields:
            setattr(self, f.name, Column.filled(_TYPECODE[f.dtype], _FILL[f.dtype], n))

    def grow(self, n: int) -> None:
        """Add ``n`` empty rows (NaN, -1, False) at the end, to be filled in place."""
        for f in self.schema.fields:
            getattr(self, f.name).extend(Column.filled(_TYPECODE[f.dtype], _FILL[f.dtype], n))

    def trim(self, n: int) -> None:
        """Keep the first ``n`` rows (drop the unused tail of a pre-sized table)."""
        for name in self.schema.names:
            del getattr(self, name)[n:]

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as numpy arrays of the declared dtypes, by field name (copies)."""
        out = {}
        for f in self.schema.fields:
            buf = getattr(self, f.name)
            if not isinstance(buf, array):  # a column a setting filled as a list
                out[f.name] = np.asarray(buf, dtype=f.dtype)
                continue
            a = np.frombuffer(buf, dtype=np.int8 if f.dtype == "bool" else f.dtype)
            out[f.name] = a.astype(f.dtype) if f.dtype == "bool" else a.copy()
        return out


@dataclass
class Replication:
    """The records of one replication: arrays by setting plus the daily census.

    ``meta`` holds scenario name, seed, replication number and run statistics
    (events processed, wall time). ``schemas`` declares every array (by setting)
    and every census column.
    """

    warmup_min: float
    end_min: float
    meta: dict
    ed: dict[str, np.ndarray]
    acute: dict[str, np.ndarray]
    community: dict[str, np.ndarray]
    social: dict[str, np.ndarray]
    elective: dict[str, np.ndarray]
    census: pd.DataFrame
    schemas: dict[str, Schema] | None = None
    #: 999 incidents of the ambulance service (empty arrays when it is not modelled).
    ambulance: dict[str, np.ndarray] | None = None
    #: Reablement episodes (empty when the scenario has no reablement service).
    reablement: dict[str, np.ndarray] | None = None


#: The events that :func:`journeys` lists, as ``(setting, field holding the patient id,
#: field holding the time, event name)``, in the order a patient meets them: events at
#: the same minute keep this order (a package is granted before the bed is left).
JOURNEY_EVENTS: tuple[tuple[str, str, str, str], ...] = (
    ("ed", "patient_id", "arrival", "ed_arrival"),
    ("ed", "patient_id", "handover", "ambulance_handover"),
    ("ed", "patient_id", "seen", "ed_seen"),
    ("ed", "patient_id", "dta", "ed_decision_to_admit"),
    ("acute", "diverted_patient_id", "diverted", "acute_diverted"),
    ("acute", "patient_id", "request", "acute_bed_requested"),
    ("ed", "patient_id", "depart", "ed_departure"),
    ("elective", "cancel_patient_id", "cancel_t", "elective_cancelled"),
    ("acute", "patient_id", "admit", "acute_admission"),
    ("elective", "admit_patient_id", "admit_t", "elective_admission"),
    ("acute", "patient_id", "fit", "acute_medically_fit"),
    ("community", "patient_id", "fit", "community_medically_fit"),
    ("social", "patient_id", "request", "social_care_requested"),
    ("social", "patient_id", "start", "social_care_started"),
    ("acute", "patient_id", "leave", "acute_discharge"),
    ("community", "patient_id", "admit", "community_admission"),
    ("community", "patient_id", "leave", "community_discharge"),
)


def journeys(rep: Replication) -> pd.DataFrame:
    """Every patient's journey across settings as a tidy table, one row per event.

    Columns: ``patient_id`` (the same in every setting), ``setting`` (ed, acute,
    community, social, elective), ``event`` (e.g. ``ed_arrival``,
    ``acute_admission``, ``social_care_started``) and ``time_min`` (minutes from the
    start of warm-up). Events that had not happened by the end of the run are left
    out. Sorted by patient, then time; events at the same minute in the order of
    :data:`JOURNEY_EVENTS` (the order a patient meets them).
    """
    parts = []
    for order, (setting, id_field, time_field, event) in enumerate(JOURNEY_EVENTS):
        table = getattr(rep, setting)
        t = table[time_field]
        ok = ~np.isnan(t)
        n = int(ok.sum())
        parts.append(
            pd.DataFrame(
                {
                    "patient_id": table[id_field][ok],
                    "setting": np.full(n, setting, dtype=object),
                    "event": np.full(n, event, dtype=object),
                    "time_min": t[ok],
                    "_order": np.full(n, order),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values(["patient_id", "time_min", "_order"], kind="stable")
    df = df.drop(columns="_order").reset_index(drop=True)
    df["setting"] = df["setting"].astype("category")
    df["event"] = df["event"].astype("category")
    return df
