"""The elective (planned care) admitted-pathway waiting list.

The list is two heaps (day case, ordinary) keyed by (priority, clock start), not
one process per waiting patient. Referrals join as they arrive. Each operating
day a scheduler books the day's theatre sessions, urgent first then longest
waiting: ``admissions_per_weekday`` split between day-case and ordinary
(overnight) sessions by ``day_case_fraction``, the same split as referrals, as a
hospital plans its day-case unit and inpatient lists separately. Day cases need
no bed. An ordinary elective needs one: a ring-fenced hub bed, or a general bed
(behind queued emergencies unless ``acute.elective_bed_priority``); if none is
found within ``cancel_after_hours`` the operation is cancelled on the day (the theatre slot
is lost) and the patient is relisted with their original clock start.
"""

from __future__ import annotations

import heapq

import numpy as np

from flowsim.config import Scenario
from flowsim.model.acute import AcuteHospital
from flowsim.model.engine import MIN_PER_DAY, Clock, Ticket
from flowsim.patients import Cohort, Patient, patient
from flowsim.records import Table, schema

#: One row per elective admission (day case or ordinary).
ADMISSIONS = schema(
    "elective_admissions",
    ("admit_t", "float64", "min", "admitted (day case: the theatre session)"),
    ("admit_day_case", "bool", "", "day case (no bed)"),
    ("admit_clock", "float64", "min", "RTT clock start of the pathway"),
    ("admit_patient_id", "int64", "", "patient id (the same in every setting)"),
)
#: One row per operation cancelled on the day for want of a bed.
CANCELLATIONS = schema(
    "elective_cancellations",
    ("cancel_t", "float64", "min", "cancelled on the day"),
    ("cancel_patient_id", "int64", "", "patient id"),
)
CENSUS = schema(
    "elective_census",
    ("elective_waiting_list", "int64", "pathways", "patients on the list (booked today too)"),
    ("elective_beds_occupied", "int64", "beds", "ring-fenced elective hub beds occupied"),
)


class ElectiveList:
    """The admitted-pathway waiting list and its daily theatre scheduler.

    Journey steps:

    1. :meth:`_refer`: a referral joins the list (urgent ahead of routine).
    2. :meth:`_schedule`: each operating day, day cases are treated and ordinary
       cases booked, urgent first then longest waiting.
    3. :meth:`_book_bed`: an ordinary case asks the acute hospital for a bed.
    4. :meth:`_admitted` (in a bed, off the list) or :meth:`_cancel_if_waiting`
       (no bed in time: cancelled on the day and relisted).

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``elective.*``.
    acute : AcuteHospital
        Where ordinary electives are booked into a bed.
    """

    def __init__(self, clock: Clock, scn: Scenario, acute: AcuteHospital) -> None:
        self.clock = clock
        self.acute = acute
        self.admissions = Table(ADMISSIONS)
        self.cancellations = Table(CANCELLATIONS)
        el = scn.elective
        n_dc = int(round(el.admissions_per_weekday * el.day_case_fraction))
        self.slots = (n_dc, el.admissions_per_weekday - n_dc)  # (day case, ordinary)
        self.weekends = el.operate_weekends
        self.schedule_min = el.schedule_hour * 60.0
        self.cancel_after_min = el.cancel_after_hours * 60.0
        #: (day case, ordinary) heaps of (priority, clock start, referral row)
        self.heaps: tuple[list, list] = ([], [])
        self.pending = 0  # booked today, waiting for a bed
        self.referrals: Cohort | None = None

    def __len__(self) -> int:
        """Patients on the list, including those booked today and still waiting for a bed."""
        return len(self.heaps[0]) + len(self.heaps[1]) + self.pending

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        return (len(self), self.acute.hub.in_use)

    def start(self, referrals: Cohort) -> None:
        """The initial list (clock started before time 0), then referrals over the run."""
        self.referrals = c = referrals
        n_start = sum(1 for t in c.t if t <= 0.0)
        for i in range(n_start):
            self._refer(i)
        self.clock.chain(c.t[n_start:], self._refer_later, n_start)
        self.clock.at(self.schedule_min, self._schedule, 0)

    def _refer_later(self, n_start: int, j: int) -> None:
        """Step 1 for the ``j``-th referral made during the run."""
        self._refer(n_start + j)

    def _refer(self, i: int) -> None:
        """Step 1: referral ``i`` joins the list (urgent ahead of routine)."""
        a = self.referrals.attrs
        heap = self.heaps[0 if a.day_case[i] else 1]
        heapq.heappush(heap, (0 if a.urgent[i] else 1, self.referrals.t[i], i))

    def _schedule(self, day: int) -> None:
        """Step 2: the day's theatre sessions: day cases treated, ordinary cases booked."""
        self.clock.at(MIN_PER_DAY, self._schedule, day + 1)
        if not self.weekends and self.clock.weekday(self.clock.now) >= 5:
            return
        day_cases, ordinary = self.heaps
        for _ in range(min(self.slots[0], len(day_cases))):
            item = heapq.heappop(day_cases)
            self._record_admission(item[2], True)
        for _ in range(min(self.slots[1], len(ordinary))):
            self._book_bed(heapq.heappop(ordinary))

    def _record_admission(self, i: int, day_case: bool) -> None:
        """Referral ``i`` is treated now: off the list."""
        r = self.admissions
        r.admit_t.append(self.clock.now)
        r.admit_day_case.append(day_case)
        r.admit_clock.append(self.referrals.t[i])
        r.admit_patient_id.append(self.referrals.pid0 + i)

    def _book_bed(self, item: tuple[int, float, int]) -> None:
        """Step 3 (ordinary): ask for a bed; cancel on the day if none comes in time."""
        self.pending += 1
        ticket = self.acute.request_elective(patient(self.referrals, item[2]), self._admitted)
        if ticket.waiting:
            self.clock.at(self.cancel_after_min, self._cancel_if_waiting, ticket, item)

    def _admitted(self, p: Patient) -> None:
        """Step 4 (ordinary): in a bed; off the list."""
        self.pending -= 1
        self._record_admission(p.i, False)

    def _cancel_if_waiting(self, ticket: Ticket, item: tuple[int, float, int]) -> None:
        """Step 4 (cancelled): still no bed: the operation is cancelled, the patient relisted."""
        if ticket.cancel():
            self.pending -= 1
            self.cancellations.cancel_t.append(self.clock.now)
            self.cancellations.cancel_patient_id.append(self.referrals.pid0 + item[2])
            heapq.heappush(self.heaps[1], item)

    def clock_starts(self) -> np.ndarray:
        """Clock starts (minutes) of everyone on the list now (not those booked today)."""
        items = self.heaps[0] + self.heaps[1]
        return np.fromiter((it[1] for it in items), dtype=np.float64, count=len(items))
