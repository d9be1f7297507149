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
from flowsim.model.engine import MIN_PER_DAY, Clock
from flowsim.patients import Cohort
from flowsim.records import Recorder


class ElectiveList:
    def __init__(self, clock: Clock, rec: Recorder, scn: Scenario, acute) -> None:
        self.clock = clock
        self.rec = rec
        self.acute = acute
        el = scn.elective
        n_dc = int(round(el.admissions_per_weekday * el.day_case_fraction))
        self.slots = (n_dc, el.admissions_per_weekday - n_dc)  # (day case, ordinary)
        self.weekends = el.operate_weekends
        self.schedule_min = el.schedule_hour * 60.0
        self.cancel_after_min = el.cancel_after_hours * 60.0
        self.heaps: tuple[list, list] = ([], [])  # (day case, ordinary) heaps
        self.pending = 0  # booked today, waiting for a bed
        self.in_beds = 0
        self.c: Cohort | None = None

    def __len__(self) -> int:
        """Patients on the list, including those booked today and still waiting for a bed."""
        return len(self.heaps[0]) + len(self.heaps[1]) + self.pending

    def start(self, referrals: Cohort) -> None:
        self.c = c = referrals
        n_start = sum(1 for t in c.t if t <= 0.0)
        for i in range(n_start):  # the initial list: clock started before time 0
            self._refer(i)
        later = c.t[n_start:]
        self.clock.chain(later, lambda j: self._refer(n_start + j))
        self.clock.at(self.schedule_min, self._schedule, 0)

    def _refer(self, i: int) -> None:
        c = self.c
        heap = self.heaps[0 if c.a["day_case"][i] else 1]
        heapq.heappush(heap, (0 if c.a["urgent"][i] else 1, c.t[i], i))

    def _schedule(self, day: int) -> None:
        self.clock.at(MIN_PER_DAY, self._schedule, day + 1)
        if not self.weekends and self.clock.weekday(self.clock.now) >= 5:
            return
        r = self.rec
        day_cases, ordinary = self.heaps
        for _ in range(min(self.slots[0], len(day_cases))):
            item = heapq.heappop(day_cases)
            r.el_admit_t.append(self.clock.now)
            r.el_admit_day_case.append(True)
            r.el_admit_clock.append(item[1])
        for _ in range(min(self.slots[1], len(ordinary))):
            self._book_bed(heapq.heappop(ordinary))

    def _book_bed(self, item: tuple[int, float, int]) -> None:
        i = item[2]
        self.pending += 1

        def admitted() -> None:
            self.pending -= 1
            self.rec.el_admit_t.append(self.clock.now)
            self.rec.el_admit_day_case.append(False)
            self.rec.el_admit_clock.append(item[1])

        handle = self.acute.request_elective(self.c, i, admitted)
        if handle is not None:
            self.clock.at(self.cancel_after_min, self._cancel_if_waiting, handle, item)

    def _cancel_if_waiting(self, handle, item) -> None:
        if self.acute.cancel_elective(handle):
            self.pending -= 1
            self.rec.el_cancel_t.append(self.clock.now)
            heapq.heappush(self.heaps[1], item)

    def clock_starts(self) -> np.ndarray:
        """Clock starts (minutes) of everyone on the list now (not those booked today)."""
        items = self.heaps[0] + self.heaps[1]
        return np.fromiter((it[1] for it in items), dtype=np.float64, count=len(items))
