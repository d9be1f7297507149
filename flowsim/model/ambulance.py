"""The ambulance service: 999 incidents, crews on an hourly roster, and the job cycle.

Incidents arrive by category (Cat 1-4) with the hour-of-day, weekday and seasonal
profile of the demand section. Hear-and-treat incidents are closed by telephone and
take no crew. An eligible Cat 3-4 incident goes to a free urgent community response
(falls) team if there is one, and is not conveyed. Every other incident queues for a
crew, Cat 1 first (one queue per category, each first come first served): the crew
travels, spends time on scene, and either leaves (see and treat) or conveys the
patient to A&E. A conveyed patient joins the hospital's ambulance queue and the crew
stays with them until the hospital takes them (handover, or release into a
corridor / handover area under a maximum-handover policy), then turns around before
it is free for the next call. Handover delay therefore takes crews off the road and
lengthens the next patients' response: the effect the ambulance service asks about.

**Event cost.** A job's times are sampled, so once a crew is dispatched the moment
it is clear is known (see and treat: dispatch + travel + scene; conveyed: handover
+ turnaround, known at handover). Crews are therefore a :class:`CrewPool`: a count
plus a heap of the times busy crews become free, drained by the next call. A release
becomes an event only while incidents wait for a crew (then the waiter must get the
crew at that minute). A hear-and-treat incident is a record and no event; a sent
incident is one event (the call) and a conveyed one a second (arrival at A&E).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from heapq import heappop, heappush

from flowsim.config import Scenario
from flowsim.model.ed import EmergencyDepartment
from flowsim.model.engine import Clock
from flowsim.patients import Cohort, IncidentAttrs
from flowsim.records import Table, schema

HEAR_TREAT, SEE_TREAT, CONVEYED, COMMUNITY_RESPONSE = 0, 1, 2, 3

#: One row per 999 incident, in call order.
RECORDS = schema(
    "ambulance",
    ("incident_id", "int64", "", "incident id (the patient id of the incident)"),
    ("patient_id", "int64", "", "A&E patient id of a conveyed patient (-1: not conveyed)"),
    ("call", "float64", "min", "999 call (incident categorised)"),
    ("category", "int64", "", "response category 1-4"),
    ("outcome", "int64", "", "0 hear and treat, 1 see and treat, 2 conveyed, 3 community team"),
    ("dispatch", "float64", "min", "a crew is assigned (free crew)"),
    ("at_scene", "float64", "min", "the crew arrives on scene (response time ends)"),
    ("at_hospital", "float64", "min", "the crew arrives at A&E with the patient"),
    ("clear", "float64", "min", "the crew is clear, free for the next call"),
)
CENSUS = schema(
    "ambulance_census",
    ("crews_busy", "int64", "crews", "ambulance crews on a job"),
    ("incidents_waiting", "int64", "incidents", "incidents waiting for a crew"),
)


class CrewPool:
    """Ambulance crews: a roster capacity, the crews in use, and when busy crews free.

    ``free`` is a heap of the clear times of crews whose job end is already known;
    :meth:`drain` gives those due by ``now`` back. ``queues`` hold the indices of
    incidents waiting for a crew, one FIFO queue per category (Cat 1 first).
    """

    __slots__ = (
        "capacity",
        "in_use",
        "peak_in_use",
        "free",
        "queues",
        "n_waiting",
        "wake_at",
        "wakes",
    )

    def __init__(self, capacity: int, levels: int = 4) -> None:
        self.capacity = int(capacity)
        self.in_use = 0
        self.peak_in_use = 0
        self.free: list[float] = []
        self.queues: list[deque[int]] = [deque() for _ in range(levels)]
        self.n_waiting = 0
        #: Time of the pending release event (inf: none pending).
        self.wake_at = math.inf
        #: Times of every pending release event (a superseded one is still pending).
        self.wakes: set[float] = set()

    def drain(self, now: float) -> None:
        """Give back every crew clear by ``now``."""
        free = self.free
        while free and free[0] <= now:
            heappop(free)
            self.in_use -= 1


class AmbulanceService:
    """The ambulance service of the county: crews, dispatch by category, conveyance.

    Journey steps (one method each, each taking the incident's index ``i``):

    1. :meth:`_call`: a 999 call that needs a response: a community team, or a crew
       (at once, or queued by category). Hear and treat is recorded at start.
    2. :meth:`_dispatch`: a crew is assigned; its arrival on scene and, for see and
       treat, its clear time follow from the sampled times.
    3. :meth:`_at_hospital`: a conveyed patient joins the A&E ambulance queue; the
       crew waits with them.
    4. :meth:`_released`: the hospital takes the patient; the crew is clear one
       turnaround later.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``ambulance.service.*`` (which must be set).
    ed : EmergencyDepartment
        Where conveyed patients are taken.
    """

    def __init__(self, clock: Clock, scn: Scenario, ed: EmergencyDepartment) -> None:
        sv = scn.ambulance.service
        if sv is None:
            raise ValueError("AmbulanceService needs ambulance.service to be set")
        self.clock = clock
        self.ed = ed
        self.records = Table(RECORDS)
        self.roster = tuple(int(x) for x in sv.crews_by_hour)
        self.crews = CrewPool(self.roster[0])
        #: Urgent community response teams: their visit end times (a heap), no queue.
        self.ucr_teams = int(sv.ucr_teams)
        self._ucr_free: list[float] = []
        self.incidents: Cohort | None = None
        self.conveyed: Cohort | None = None
        # hours from hour h (0-23) to the next roster change (0: the roster is flat)
        ch = [h for h in range(24) if self.roster[h] != self.roster[h - 1]]
        self._gap = [min(((c - h - 1) % 24) + 1 for c in ch) if ch else 0 for h in range(24)]

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        cr = self.crews
        cr.drain(self.clock.now)
        return (cr.in_use, cr.n_waiting)

    # ------------------------------------------------------------ set-up
    def start(self, incidents: Cohort, conveyed: Cohort) -> None:
        """Record every call, schedule those that need a response, start the roster;
        ``conveyed`` is the A&E ambulance cohort (the conveyed incidents, row by row)."""
        self.incidents, self.conveyed = incidents, conveyed
        a: IncidentAttrs = incidents.attrs
        n = len(incidents)
        r = self.records
        r.presize(n)  # row i is incident i (call order)
        r.incident_id = list(range(incidents.pid0, incidents.pid0 + n))
        r.call = list(incidents.t)
        r.category = list(a.category)
        r.outcome = list(a.outcome)  # a community response is written at its call
        sent = [i for i, o in enumerate(a.outcome) if o != HEAR_TREAT]
        t = incidents.t
        self.clock.chain([t[i] for i in sent], self._call, sent)
        if self._gap[0]:
            self.clock.at(60.0 * self._gap[0], self._roster_tick, self._gap[0])

    def trim_records(self) -> None:
        """Drop the rows of calls at or after the clock's time (the run end)."""
        if self.incidents is not None:
            self.records.trim(bisect_left(self.incidents.t, self.clock.now))

    def _roster_tick(self, hour: int) -> None:
        """At each roster change: the rostered number of crews (a cut never recalls a
        crew on a job)."""
        h = hour % 24
        cr = self.crews
        cr.capacity = self.roster[h]
        if cr.n_waiting:
            self._serve()
        self.clock.at(60.0 * self._gap[h], self._roster_tick, hour + self._gap[h])

    # ------------------------------------------------------------ crews
    def _wake(self, due: float) -> None:
        """A crew is clear while incidents wait: serve them."""
        cr = self.crews
        cr.wakes.discard(due)
        cr.wake_at = min(cr.wakes) if cr.wakes else math.inf
        self._serve()

    def _serve(self) -> None:
        """Give free crews to waiting incidents (Cat 1 first), then make sure the next
        known clear time wakes the queue if incidents still wait."""
        cr = self.crews
        now = self.clock.now
        cr.drain(now)
        while cr.n_waiting and cr.in_use < cr.capacity:
            for q in cr.queues:
                if q:
                    i = q.popleft()
                    break
            cr.n_waiting -= 1
            cr.in_use += 1
            if cr.in_use > cr.peak_in_use:
                cr.peak_in_use = cr.in_use
            self._dispatch(i, now)
        if cr.n_waiting and cr.free and cr.free[0] < cr.wake_at:
            self._wake_due(cr.free[0])

    def _wake_due(self, t: float) -> None:
        self.crews.wake_at = t
        self.crews.wakes.add(t)
        self.clock.at(t - self.clock.now, self._wake, t)

    def _crew_clear_at(self, t: float) -> None:
        """A busy crew will be clear at ``t``."""
        cr = self.crews
        heappush(cr.free, t)
        if cr.n_waiting and t < cr.wake_at:
            self._wake_due(t)

    # ------------------------------------------------------------ journey
    def _call(self, sent: list[int], j: int) -> None:
        """Step 1: a 999 call that needs a response: a community team, or a crew."""
        i = sent[j]
        now = self.clock.now
        a: IncidentAttrs = self.incidents.attrs
        if self.ucr_teams and a.ucr_eligible[i]:
            free = self._ucr_free
            while free and free[0] <= now:
                heappop(free)
            if len(free) < self.ucr_teams:
                heappush(free, now + a.ucr_visit_min[i])
                self.records.outcome[i] = COMMUNITY_RESPONSE
                return
        cr = self.crews
        free = cr.free
        while free and free[0] <= now:
            heappop(free)
            cr.in_use -= 1
        if cr.n_waiting == 0 and cr.in_use < cr.capacity:
            cr.in_use += 1
            if cr.in_use > cr.peak_in_use:
                cr.peak_in_use = cr.in_use
            self._dispatch(i, now)
            return
        cr.queues[a.category[i] - 1].append(i)
        cr.n_waiting += 1
        if free and free[0] < cr.wake_at:
            self._wake_due(free[0])

    def _dispatch(self, i: int, now: float) -> None:
        """Step 2: a crew is assigned; it travels, is on scene, then leaves (see and
        treat: clear) or conveys the patient to A&E."""
        a: IncidentAttrs = self.incidents.attrs
        r = self.records
        r.dispatch[i] = now
        scene = now + a.travel_min[i]
        r.at_scene[i] = scene
        leave = scene + a.scene_min[i]
        if a.outcome[i] == CONVEYED:
            self.clock.at(leave + a.to_hospital_min[i] - now, self._at_hospital, i)
        else:
            r.clear[i] = leave
            self._crew_clear_at(leave)

    def _at_hospital(self, i: int) -> None:
        """Step 3: at A&E: the patient joins the ambulance queue; the crew waits."""
        r = self.records
        r.at_hospital[i] = self.clock.now
        row = self.incidents.attrs.amb_row[i]
        c = self.conveyed
        r.patient_id[i] = c.pid0 + row
        self.ed.convey(c, row, self._released, i)

    def _released(self, i: int) -> None:
        """Step 4: the hospital has taken the patient; the crew turns around."""
        t = self.clock.now + self.incidents.attrs.turnaround_min[i]
        self.records.clear[i] = t
        self._crew_clear_at(t)
