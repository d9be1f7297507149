"""What one replication records: event times per patient, and a midnight census.

During a run the settings append to plain lists (cheap in the event loop); at the
end :meth:`Recorder.finish` turns them into numpy arrays in a
:class:`Replication`. Times are simulation minutes from the start of warm-up;
``nan`` means "had not happened when the run ended" (censored).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NAN = float("nan")

# Acute spell kinds
KIND_ED, KIND_DIRECT, KIND_ELECTIVE, KIND_PREFILL = 0, 1, 2, 3
# Social care request sources
SRC_ACUTE, SRC_COMMUNITY, SRC_BACKGROUND, SRC_PREFILL = 0, 1, 2, 3
HOME_CARE, CARE_HOME = 0, 1

CENSUS_COLUMNS = (
    "day",
    "acute_beds_available",
    "acute_occupied",
    "acute_delayed",
    "acute_delayed_p0",
    "acute_delayed_p1",
    "acute_delayed_p2",
    "acute_delayed_p3",
    "ed_in_department",
    "ed_awaiting_bed",
    "ambulances_waiting",
    "community_beds",
    "community_occupied",
    "community_delayed",
    "home_care_capacity",
    "home_care_in_use",
    "home_care_queue",
    "care_home_capacity",
    "care_home_in_use",
    "care_home_queue",
    "elective_waiting_list",
    "elective_beds_occupied",
)


@dataclass
class Recorder:
    """Append-only event logs filled by the model during one replication."""

    # A&E attendances
    ed_arrival: list = field(default_factory=list)
    ed_ambulance: list = field(default_factory=list)
    ed_majors: list = field(default_factory=list)
    ed_handover: list = field(default_factory=list)  # handover complete (ambulance only)
    ed_seen: list = field(default_factory=list)
    ed_dta: list = field(default_factory=list)
    ed_depart: list = field(default_factory=list)
    ed_corridor: list = field(default_factory=list)
    # Acute spells
    ac_kind: list = field(default_factory=list)
    ac_request: list = field(default_factory=list)
    ac_admit: list = field(default_factory=list)
    ac_fit: list = field(default_factory=list)
    ac_leave: list = field(default_factory=list)
    ac_pathway: list = field(default_factory=list)
    ac_diverted: list = field(default_factory=list)  # times direct admissions were diverted
    # Community spells
    cm_source: list = field(default_factory=list)
    cm_admit: list = field(default_factory=list)
    cm_fit: list = field(default_factory=list)
    cm_leave: list = field(default_factory=list)
    # Social care requests
    sc_service: list = field(default_factory=list)
    sc_source: list = field(default_factory=list)
    sc_request: list = field(default_factory=list)
    sc_start: list = field(default_factory=list)
    # Elective
    el_admit_t: list = field(default_factory=list)
    el_admit_day_case: list = field(default_factory=list)
    el_admit_clock: list = field(default_factory=list)
    el_cancel_t: list = field(default_factory=list)
    el_list_clock_end: np.ndarray | None = None
    # Census
    census: list = field(default_factory=list)

    def finish(self, warmup_min: float, end_min: float, meta: dict) -> Replication:
        f = lambda x: np.asarray(x, dtype=np.float64)  # noqa: E731
        i = lambda x: np.asarray(x, dtype=np.int64)  # noqa: E731
        b = lambda x: np.asarray(x, dtype=bool)  # noqa: E731
        census = pd.DataFrame(self.census, columns=list(CENSUS_COLUMNS))
        return Replication(
            warmup_min=warmup_min,
            end_min=end_min,
            meta=meta,
            ed={
                "arrival": f(self.ed_arrival),
                "ambulance": b(self.ed_ambulance),
                "majors": b(self.ed_majors),
                "handover": f(self.ed_handover),
                "seen": f(self.ed_seen),
                "dta": f(self.ed_dta),
                "depart": f(self.ed_depart),
                "corridor": b(self.ed_corridor),
            },
            acute={
                "kind": i(self.ac_kind),
                "request": f(self.ac_request),
                "admit": f(self.ac_admit),
                "fit": f(self.ac_fit),
                "leave": f(self.ac_leave),
                "pathway": i(self.ac_pathway),
                "diverted": f(self.ac_diverted),
            },
            community={
                "source": i(self.cm_source),
                "admit": f(self.cm_admit),
                "fit": f(self.cm_fit),
                "leave": f(self.cm_leave),
            },
            social={
                "service": i(self.sc_service),
                "source": i(self.sc_source),
                "request": f(self.sc_request),
                "start": f(self.sc_start),
            },
            elective={
                "admit_t": f(self.el_admit_t),
                "admit_day_case": b(self.el_admit_day_case),
                "admit_clock": f(self.el_admit_clock),
                "cancel_t": f(self.el_cancel_t),
                "list_clock_end": f(
                    self.el_list_clock_end if self.el_list_clock_end is not None else []
                ),
            },
            census=census,
        )


@dataclass
class Replication:
    """The records of one replication: arrays by setting plus the daily census.

    ``meta`` holds scenario name, seed, replication number and run statistics
    (events processed, wall time).
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
