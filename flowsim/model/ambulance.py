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

The door in the era before the 45-minute maximum (``ed.corridor_care_after_min``
null, crews held): a cohorting / handover area of ``cohort_places`` takes patients off
crews while they wait for a majors space (the crew hands over to it and turns around;
the patient keeps their place in the A&E queue); when it is full crews wait, and the one
that has waited longest takes the next free place. Two levers: crews of neighbouring
divisions (``mutual_aid_crews``, a fixed number with a longer journey) answer the most
urgent waiting call when no local crew is free; and with the area full and
``divert_when_waiting`` crews already at the door, the next crew whose patient would
queue goes on to another hospital (the patient leaves the model).

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
#: States of a conveyed incident at the hospital door, with a cohorting area.
AT_DOOR, COHORTED, HANDED_OVER = 1, 2, 3

#: One row per 999 incident, in call order.
RECORDS = schema(
    "ambulance",
    ("incident_id", "int64", "", "incident id (the patient id of the incident)"),
    ("patient_id", "int64", "", "A&E patient id of a conveyed patient (-1: not conveyed here)"),
    ("call", "float64", "min", "999 call (incident categorised)"),
    ("category", "int64", "", "response category 1-4"),
    ("outcome", "int64", "", "0 hear and treat, 1 see and treat, 2 conveyed, 3 community team"),
    ("dispatch", "float64", "min", "a crew is assigned (free crew)"),
    ("at_scene", "float64", "min", "the crew arrives on scene (response time ends)"),
    ("at_hospital", "float64", "min", "the crew arrives at A&E with the patient"),
    ("clear", "float64", "min", "the crew is clear, free for the next call"),
    ("cohort", "float64", "min", "the crew hands its patient to the cohorting area (held era)"),
    ("diverted", "bool", "", "conveyed to another hospital: the door was full (held era)"),
    ("mutual_aid", "bool", "", "answered by a crew of a neighbouring division"),
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
        #: Crews of neighbouring divisions (None: a closed fleet); queues stay in crews.
        self.aid = CrewPool(sv.mutual_aid_crews, levels=0) if sv.mutual_aid_crews else None
        self.aid_travel = float(sv.mutual_aid_extra_travel_min)
        self._by_aid = bytearray(0)  # per incident: answered by a neighbouring crew
        #: Urgent community response teams: their visit end times (a heap), no queue.
        self.ucr_teams = int(sv.ucr_teams)
        self._ucr_free: list[float] = []
        self.incidents: Cohort | None = None
        self.conveyed: Cohort | None = None
        #: Cohorting / handover area places (held era only; 0: none) and those in use.
        held = scn.ed.corridor_care_after_min is None
        self.cohort_cap = int(sv.cohort_places) if held else 0
        self.cohort_n = 0
        #: Crews waiting at the door beyond the area, and the count that diverts the next.
        self.n_door = 0
        dv = sv.divert_when_waiting
        self.divert_at = math.inf if dv is None else int(dv)
        self.divert_min = float(sv.divert_extra_min)
        self.handover_min = float(scn.ambulance.handover_process_min)
        #: Crews waiting with a patient for a space while the area is full (incident
        #: indices, arrival order; an entry handed over meanwhile is skipped lazily).
        self._door: deque[int] = deque()
        self._state = bytearray(0)  # per incident: 0, AT_DOOR, COHORTED, HANDED_OVER
        self._ed_row: list[int] = []  # per incident: its A&E record row
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
        if self.cohort_cap:
            self._state = bytearray(n)
            self._ed_row = [0] * n
        if self.aid is not None:
            self._by_aid = bytearray(n)
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
        """Give free crews to waiting incidents (Cat 1 first; a neighbouring crew when no
        local one is free), then make sure the next known clear time wakes the queue if
        incidents still wait."""
        cr = self.crews
        now = self.clock.now
        cr.drain(now)
        aid = self.aid
        if aid is not None:
            aid.drain(now)
        while cr.n_waiting:
            if cr.in_use < cr.capacity:
                cr.in_use += 1
                if cr.in_use > cr.peak_in_use:
                    cr.peak_in_use = cr.in_use
                by_aid = False
            elif aid is not None and aid.in_use < aid.capacity:
                aid.in_use += 1
                by_aid = True
            else:
                break
            for q in cr.queues:
                if q:
                    i = q.popleft()
                    break
            cr.n_waiting -= 1
            if by_aid:
                self._by_aid[i] = 1
            self._dispatch(i, now)
        self._wake_next()

    def _wake_next(self) -> None:
        """While incidents wait, make sure the next known clear time (local or
        neighbouring crew) wakes the queue."""
        cr = self.crews
        if not cr.n_waiting:
            return
        t = cr.free[0] if cr.free else math.inf
        aid = self.aid
        if aid is not None and aid.free and aid.free[0] < t:
            t = aid.free[0]
        if t < cr.wake_at:
            self._wake_due(t)

    def _wake_due(self, t: float) -> None:
        self.crews.wake_at = t
        self.crews.wakes.add(t)
        self.clock.at(t - self.clock.now, self._wake, t)

    def _crew_clear_at(self, t: float, i: int) -> None:
        """The crew on incident ``i`` will be clear at ``t``."""
        cr = self.crews
        heappush(self.aid.free if self.aid is not None and self._by_aid[i] else cr.free, t)
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
        if self.aid is not None:
            self._serve()  # a free neighbouring crew takes the most urgent waiting call
        elif free and free[0] < cr.wake_at:
            self._wake_due(free[0])

    def _dispatch(self, i: int, now: float) -> None:
        """Step 2: a crew is assigned; it travels (a neighbouring crew further), is on
        scene, then leaves (see and treat: clear) or conveys the patient to A&E."""
        a: IncidentAttrs = self.incidents.attrs
        r = self.records
        r.dispatch[i] = now
        scene = now + a.travel_min[i]
        if self.aid is not None and self._by_aid[i]:
            r.mutual_aid[i] = True
            scene += self.aid_travel
        r.at_scene[i] = scene
        leave = scene + a.scene_min[i]
        if a.outcome[i] == CONVEYED:
            self.clock.at(leave + a.to_hospital_min[i] - now, self._at_hospital, i)
        else:
            r.clear[i] = leave
            self._crew_clear_at(leave, i)

    def _at_hospital(self, i: int) -> None:
        """Step 3: at A&E: the patient joins the ambulance queue; the crew waits."""
        r = self.records
        r.at_hospital[i] = self.clock.now
        row = self.incidents.attrs.amb_row[i]
        c = self.conveyed
        ed = self.ed
        if not self.cohort_cap:
            r.patient_id[i] = c.pid0 + row
            ed.convey(c, row, self._released, i)
            return
        # with a cohorting area: a patient who must queue for a majors space (the
        # request cannot be granted at once, see Pool.request) is taken off the crew
        # if the area has a place; otherwise the crew waits at the door for one, or
        # goes on to another hospital when enough crews already wait there
        sp = ed.spaces
        queues = sp.n_waiting > 0 or sp.in_use >= sp.capacity
        if queues and self.cohort_n >= self.cohort_cap and self.n_door >= self.divert_at:
            r.diverted[i] = True
            t = self.clock.now + self.divert_min + self.handover_min
            t += self.incidents.attrs.turnaround_min[i]
            r.clear[i] = t
            self._crew_clear_at(t, i)
            return
        r.patient_id[i] = c.pid0 + row
        self._ed_row[i] = ed.n_arrived
        ed.convey(c, row, self._released, i)
        if queues:
            if self.cohort_n < self.cohort_cap:
                self._cohort(i)
            else:
                self._state[i] = AT_DOOR
                self.n_door += 1
                self._door.append(i)

    def _cohort(self, i: int) -> None:
        """Step 3b (cohorting area, held era): the crew hands its patient to the area's
        staff (one handover time, no receiving nurse) and turns around; the patient keeps
        their place in the queue for a majors space."""
        self.cohort_n += 1
        self._state[i] = COHORTED
        t = self.clock.now + self.handover_min
        r = self.records
        r.cohort[i] = t
        # the crew's handover is to the area: the A&E record keeps its time (written
        # again when the A&E takes the patient, which writes its own)
        self.ed.records.handover[self._ed_row[i]] = t
        t += self.incidents.attrs.turnaround_min[i]
        r.clear[i] = t
        self._crew_clear_at(t, i)
        self.ed.ambulances_waiting -= 1  # the crew no longer waits (census)

    def _released(self, i: int) -> None:
        """Step 4: the hospital has taken the patient; the crew turns around (a
        cohorted patient's crew has gone: the area's place frees for the crew that has
        waited longest at the door)."""
        if self.cohort_cap:
            state = self._state
            if state[i] == COHORTED:
                state[i] = HANDED_OVER
                self.ed.records.handover[self._ed_row[i]] = self.records.cohort[i]
                self.ed.ambulances_waiting += 1  # counted out at the cohort already
                self.cohort_n -= 1
                door = self._door
                while door:
                    j = door.popleft()
                    if state[j] == AT_DOOR:
                        self.n_door -= 1
                        self._cohort(j)
                        break
                return
            if state[i] == AT_DOOR:
                self.n_door -= 1
            state[i] = HANDED_OVER
        t = self.clock.now + self.incidents.attrs.turnaround_min[i]
        self.records.clear[i] = t
        self._crew_clear_at(t, i)
