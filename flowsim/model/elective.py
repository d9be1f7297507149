"""The elective (planned care) waiting list, its theatre sessions and beds.

The list (:class:`~flowsim.model.waiting_list.WaitingList`) holds one heap per
specialty group and setting (day case, ordinary), ordered by the scheduling policy;
there is no process per waiting patient. Referrals join as they arrive; since only
the scheduler and the midnight census look at the list, the referrals made since it
last looked join just before it looks (in time order, so the heaps hold exactly what
they would hold had each joined on arrival, and no event is spent per referral). Each
day the scheduler removes pathways whose clock stopped for a reason other than
treatment (validation, removals), then fills the day's theatre minutes
(:mod:`flowsim.model.theatres`) group by group with cases in list order, each
taking its group's case-mix minutes. Day cases need no bed. An ordinary elective
needs one: a ring-fenced hub bed, or a general bed (behind queued emergencies
unless ``acute.elective_bed_priority``). With ``bed_planned_booking`` the bed
manager books only as many ordinary cases as there are free beds plus
``booking_headroom_beds`` (expected morning discharges); the others stay on the
list (postponed before the day, not an on-the-day cancellation). A booked case with
no bed within ``cancel_after_hours`` is cancelled on the day (its theatre time is
lost) and relisted with its original clock start. Independent-sector sessions treat
list patients with the sector's own beds.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left

import numpy as np

from flowsim.config import Scenario
from flowsim.model.acute import AcuteHospital
from flowsim.model.engine import MIN_PER_DAY, Clock, Ticket
from flowsim.model.theatres import theatre_plan
from flowsim.model.waiting_list import TREATED, WaitingList
from flowsim.patients import Cohort, Patient, patient
from flowsim.records import Table, schema
from flowsim.sampling import month_of_day

#: One row per elective admission (day case or ordinary).
ADMISSIONS = schema(
    "elective_admissions",
    ("admit_t", "float64", "min", "admitted (day case: the theatre session)"),
    ("admit_day_case", "bool", "", "day case (no bed)"),
    ("admit_clock", "float64", "min", "RTT clock start of the pathway"),
    ("admit_patient_id", "int64", "", "patient id (the same in every setting)"),
    ("admit_priority", "int64", "", "0 planned (non-RTT), 2-4 clinical priority P2-P4"),
    ("admit_group", "int64", "", "specialty group (index in elective.groups)"),
    ("admit_independent", "bool", "", "treated in an independent-sector session"),
)
#: One row per operation cancelled on the day for want of a bed.
CANCELLATIONS = schema(
    "elective_cancellations",
    ("cancel_t", "float64", "min", "cancelled on the day"),
    ("cancel_patient_id", "int64", "", "patient id"),
)
#: One row per clock stop other than treatment (validation, removal).
REMOVALS = schema(
    "elective_removals",
    ("removal_t", "float64", "min", "taken off the list without treatment"),
    ("removal_clock", "float64", "min", "RTT clock start of the pathway"),
)
#: The RTT list at the end of the run, one row per pathway still waiting.
END_LIST = schema(
    "elective_list_end",
    ("list_clock_end", "float64", "min", "RTT clock start of a pathway on the list"),
    ("list_priority_end", "int64", "", "its clinical priority, 2-4 (P2-P4)"),
    ("list_group_end", "int64", "", "its specialty group (index in elective.groups)"),
    ("list_patient_id_end", "int64", "", "its patient id"),
)
CENSUS = schema(
    "elective_census",
    ("elective_waiting_list", "int64", "pathways", "patients on the list (booked today too)"),
    ("elective_beds_occupied", "int64", "beds", "ring-fenced elective hub beds occupied"),
)


class ElectiveList:
    """The elective waiting list and its daily theatre scheduler.

    Journey steps:

    1. :meth:`_refer`: referrals join their groups' lists (day case or ordinary);
       those made since the list was last looked at join first (:meth:`_catch_up`).
    2. :meth:`_remove_due`: each day, clock stops other than treatment leave the list.
    3. :meth:`_schedule`: each day, the theatre minutes of every group are filled in
       list order: day cases are treated, ordinary cases booked (up to the bed plan).
    4. :meth:`_book_bed`: an ordinary case asks the acute hospital for a bed.
    5. :meth:`_admitted` (in a bed, off the list) or :meth:`_cancel_if_waiting`
       (no bed in time: cancelled on the day and relisted).

    An admission's row is written in two parts: the time and the kind of session at
    once (:meth:`_record_admission`), the fields that follow from the referral
    (clock start, patient id, priority, group, setting) in bulk whenever the clock
    pauses (:meth:`_fill_admissions`).

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``elective.*`` and ``run.*`` (calendar months for slowdowns).
    acute : AcuteHospital
        Where ordinary electives are booked into a bed.
    """

    def __init__(self, clock: Clock, scn: Scenario, acute: AcuteHospital) -> None:
        self.clock = clock
        self.acute = acute
        self.admissions = Table(ADMISSIONS)
        self.cancellations = Table(CANCELLATIONS)
        self.removals = Table(REMOVALS)
        el = scn.elective
        self.plan = theatre_plan(scn)
        self.credit = [[0.0, 0.0] for _ in self.plan]  # leftover minutes per group, setting
        self.schedule_min = el.schedule_hour * 60.0
        self.cancel_after_min = el.cancel_after_hours * 60.0
        self.bed_planned = el.bed_planned_booking
        self.headroom = el.booking_headroom_beds
        self.policy = el.policy
        self.target_min = tuple(w * 7 * MIN_PER_DAY for w in el.priority_target_weeks)
        n_days = int(scn.run.warmup_days + scn.run.days + 0.999999) + 2
        self.slow = [
            1.0 - el.slowdown_fraction if m in el.slowdown_months else 1.0
            for m in month_of_day(n_days, scn.run.start_month)
        ]
        self.list: WaitingList = WaitingList(len(self.plan), 0, self.policy, self.target_min)
        self.removal_heap: list[tuple[float, int]] = []
        self.pending = 0  # booked today, waiting for a bed
        self.referrals: Cohort | None = None
        self._next = 0  # the first referral not yet on the list (see _catch_up)
        self._admitted_rows: list[int] = []  # referral rows of admissions not yet filled in
        clock.on_pause(self._catch_up)
        clock.on_pause(self._fill_admissions)

    def __len__(self) -> int:
        """Patients on the list, including those booked today and still waiting for a bed."""
        self._catch_up()
        return self.list.n_waiting + self.pending

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS` (``len`` first lets the
        referrals made since the last look join)."""
        return (len(self), self.acute.hub.in_use)

    def start(self, referrals: Cohort) -> None:
        """The initial list (clock started before time 0), then referrals over the run."""
        self.referrals = c = referrals
        self.list = WaitingList(len(self.plan), len(c), self.policy, self.target_min)
        n_start = sum(1 for t in c.t if t <= 0.0)
        self._refer(0, n_start)
        self._next = n_start
        self.clock.at(self.schedule_min, self._schedule, 0)

    def _catch_up(self) -> None:
        """Step 1 for every referral made before now and not yet on the list, in order.

        A referral due exactly now joins after the step looking at the list, as an
        arrival due at the time of a scheduled step would (see :meth:`Clock._loop`).
        """
        c = self.referrals
        if c is None:
            return
        i0 = self._next
        i1 = bisect_left(c.t, self.clock.now, i0)  # sorted after the initial list
        self._refer(i0, i1)
        self._next = i1

    def _refer(self, i0: int, i1: int) -> None:
        """Step 1: referrals ``i0`` to ``i1 - 1`` join their groups' lists, in order."""
        if i1 <= i0:
            return
        t, a = self.referrals.t, self.referrals.attrs
        group, day_case, priority, removal_min = a.group, a.day_case, a.priority, a.removal_min
        push, removal_heap = self.list.push, self.removal_heap
        for i in range(i0, i1):
            clock = t[i]
            push(2 * group[i] + (0 if day_case[i] else 1), priority[i], clock, i)
            removal = removal_min[i]
            if removal != math.inf:
                heapq.heappush(removal_heap, (clock + removal, i))

    def _remove_due(self) -> None:
        """Step 2: pathways whose clock stopped without treatment leave the list."""
        h, now, t = self.removal_heap, self.clock.now, self.referrals.t
        r = self.removals
        while h and h[0][0] <= now:
            _, i = heapq.heappop(h)
            if self.list.remove(i):
                r.removal_t.append(now)
                r.removal_clock.append(t[i])

    def _schedule(self, day: int) -> None:
        """Step 3: fill each group's theatre minutes for the day in list order."""
        self.clock.at(MIN_PER_DAY, self._schedule, day + 1)
        self._catch_up()
        self._remove_due()
        wd = self.clock.weekday(self.clock.now)
        slow = self.slow[min(day, len(self.slow) - 1)]
        wl = self.list
        beds = None
        if self.bed_planned:
            hub = self.acute.hub
            beds = (
                self.acute.elective_free_beds() + max(0, hub.capacity - hub.in_use) + self.headroom
            )
        pop, record = wl.pop, self._record_admission
        for g, plan in enumerate(self.plan):
            for k in (0, 1):
                heap = 2 * g + k
                case_min = plan.case_minutes[k]
                # independent-sector sessions: own beds, no leftover carried
                m = plan.is_minutes[k][wd] * slow
                while m >= case_min and (item := pop(heap)) is not None:
                    m -= case_min
                    record(item[2], True)
                m = plan.minutes[k][wd] * slow
                if m <= 0.0:
                    continue
                m += self.credit[g][k]
                while m >= case_min:
                    if k == 1 and beds is not None and beds <= 0:
                        break  # no bed in the plan: the others stay on the list
                    item = pop(heap)
                    if item is None:
                        break
                    m -= case_min
                    if k == 0:
                        record(item[2], False)
                    else:
                        if beds is not None:
                            beds -= 1
                        self._book_bed(item[2])
                self.credit[g][k] = min(m, case_min) if wl.has_waiting(heap) else 0.0

    def _record_admission(self, i: int, independent: bool) -> None:
        """Referral ``i`` is treated now: off the list (the rest of its row is filled
        in by :meth:`_fill_admissions`)."""
        r = self.admissions
        r.admit_t.append(self.clock.now)
        r.admit_independent.append(independent)
        self._admitted_rows.append(i)
        self.list.status[i] = TREATED

    def _fill_admissions(self) -> None:
        """The admission fields that follow from the referral row, for the admissions
        since the last fill, in order: clock start, patient id, priority, group, and
        day case (a day case is treated from its day-case heap, an ordinary case from
        its ordinary heap, so the setting is the referral's own).

        Gathered with numpy and appended as bytes: a fifth of the time of appending
        them one admission at a time (~75k admissions a Worcestershire year).
        """
        if not self._admitted_rows:
            return
        rows = np.array(self._admitted_rows, dtype=np.intp)
        self._admitted_rows.clear()
        r, c = self.admissions, self.referrals
        a = c.attrs
        for column, values, dtype in (
            (r.admit_clock, c.t, np.float64),
            (r.admit_priority, a.priority, np.int64),
            (r.admit_group, a.group, np.int64),
            (r.admit_day_case, a.day_case, np.int8),
        ):
            column.frombytes(np.asarray(values, dtype)[rows].tobytes())
        r.admit_patient_id.frombytes((c.pid0 + rows).astype(np.int64).tobytes())

    def _book_bed(self, i: int) -> None:
        """Step 4 (ordinary): referral ``i`` asks for a bed; cancel on the day if none
        comes in time."""
        self.pending += 1
        ticket = self.acute.request_elective(patient(self.referrals, i), self._admitted)
        if ticket.waiting:
            self.clock.at(self.cancel_after_min, self._cancel_if_waiting, ticket, i)

    def _admitted(self, p: Patient) -> None:
        """Step 5 (ordinary): in a bed; off the list."""
        self.pending -= 1
        self._record_admission(p.i, False)

    def _cancel_if_waiting(self, ticket: Ticket, i: int) -> None:
        """Step 5 (cancelled): still no bed: the operation is cancelled, referral ``i``
        relisted with its original clock start."""
        if ticket.cancel():
            self.pending -= 1
            c = self.referrals
            self.cancellations.cancel_t.append(self.clock.now)
            self.cancellations.cancel_patient_id.append(c.pid0 + i)
            self.list.push(2 * c.attrs.group[i] + 1, c.attrs.priority[i], c.t[i], i)

    def end_list(self) -> dict[str, np.ndarray]:
        """Everyone on the RTT list now (not planned cases, not those booked today):
        clock start (minutes), priority (2-4), specialty group and patient id, as arrays."""
        self._catch_up()
        items = self.list.waiting_items(planned=False)
        a = self.referrals.attrs if self.referrals is not None else None
        rows = [it[2] for it in items]
        return {
            "list_clock_end": np.fromiter((it[1] for it in items), np.float64, len(items)),
            "list_priority_end": np.fromiter((a.priority[i] for i in rows), np.int64, len(rows)),
            "list_group_end": np.fromiter((a.group[i] for i in rows), np.int64, len(rows)),
            "list_patient_id_end": np.fromiter(
                (self.referrals.pid0 + i for i in rows), np.int64, len(rows)
            ),
        }

    def clock_starts(self) -> np.ndarray:
        """Clock starts (minutes) of everyone on the RTT list now (not those booked today)."""
        return self.end_list()["list_clock_end"]
