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

Crews are a :class:`~flowsim.model.engine.Pool` whose capacity follows the hourly
roster (a cut never recalls a crew on a job); no process per incident.
"""

from __future__ import annotations

from flowsim.config import Scenario
from flowsim.model.ed import EmergencyDepartment
from flowsim.model.engine import Clock, Pool
from flowsim.patients import Cohort, IncidentAttrs, Patient
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


class AmbulanceService:
    """The ambulance service of the county: crews, dispatch by category, conveyance.

    Journey steps (one method each, each taking the incident's :class:`Patient`):

    1. :meth:`_call`: a 999 call; hear and treat, community response, or wait for a crew.
    2. :meth:`_dispatched`: a crew is assigned and travels to the scene.
    3. :meth:`_at_scene`: the crew arrives (response time); time on scene.
    4. :meth:`_leave_scene`: see and treat (the crew is clear), or convey to A&E.
    5. :meth:`_at_hospital`: the patient joins the A&E ambulance queue; the crew waits.
    6. :meth:`_released`: the hospital takes the patient; the crew turns around.
    7. :meth:`_clear`: the crew is free for the next call.

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
        self.crews = Pool("ambulance_crews", self.roster[0], levels=4)
        self.ucr = Pool("community_response", sv.ucr_teams)
        self.n_called = 0
        self.conveyed: Cohort | None = None

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        return (self.crews.in_use, self.crews.n_waiting)

    # ------------------------------------------------------------ set-up
    def start(self, incidents: Cohort, conveyed: Cohort) -> None:
        """Schedule the calls and the crew roster; ``conveyed`` is the A&E ambulance
        cohort (the conveyed incidents, row by row)."""
        self.conveyed = conveyed
        self.records.presize(len(incidents))
        self.clock.chain(incidents.t, self._call, incidents)
        self._roster_tick(0)

    def trim_records(self) -> None:
        """Drop the rows of calls after the run end."""
        self.records.trim(self.n_called)

    def _roster_tick(self, hour: int) -> None:
        """Each hour: the rostered number of crews (a cut never recalls a crew on a job)."""
        self.crews.set_capacity(self.roster[hour % 24])
        self.clock.at(60.0, self._roster_tick, hour + 1)

    # ------------------------------------------------------------ journey
    def _call(self, c: Cohort, i: int) -> None:
        """Step 1: a 999 call: hear and treat, a community team, or queue for a crew."""
        k = self.n_called
        self.n_called = k + 1
        a: IncidentAttrs = c.attrs
        r = self.records
        p = Patient(c.pid0 + i, a, i, None, -1)
        r.incident_id[k] = p.pid
        r.call[k] = self.clock.now
        cat = a.category[i]
        r.category[k] = cat
        outcome = a.outcome[i]
        if outcome == HEAR_TREAT:
            r.outcome[k] = HEAR_TREAT
            return
        if a.ucr_eligible[i] and self.ucr.try_acquire():
            r.outcome[k] = COMMUNITY_RESPONSE
            self.clock.at(a.ucr_visit_min[i], self.ucr.release)
            return
        r.outcome[k] = outcome
        p.ed_row = k  # the incident's row in these records
        self.crews.request(self._dispatched, cat - 1, p)

    def _dispatched(self, p: Patient) -> None:
        """Step 2: a crew is assigned; it travels to the scene."""
        self.records.dispatch[p.ed_row] = self.clock.now
        self.clock.at(p.attrs.travel_min[p.i], self._at_scene, p)

    def _at_scene(self, p: Patient) -> None:
        """Step 3: on scene (the response time ends); assessment and treatment."""
        self.records.at_scene[p.ed_row] = self.clock.now
        self.clock.at(p.attrs.scene_min[p.i], self._leave_scene, p)

    def _leave_scene(self, p: Patient) -> None:
        """Step 4: see and treat (the crew is clear), or convey the patient to A&E."""
        a: IncidentAttrs = p.attrs
        if a.outcome[p.i] == CONVEYED:
            self.clock.at(a.to_hospital_min[p.i], self._at_hospital, p)
        else:
            self._clear(p)

    def _at_hospital(self, p: Patient) -> None:
        """Step 5: at A&E: the patient joins the ambulance queue; the crew waits."""
        r = self.records
        r.at_hospital[p.ed_row] = self.clock.now
        row = p.attrs.amb_row[p.i]
        c = self.conveyed
        r.patient_id[p.ed_row] = c.pid0 + row
        self.ed.convey(c, row, self._released, p)

    def _released(self, p: Patient) -> None:
        """Step 6: the hospital has taken the patient; the crew turns around."""
        self.clock.at(p.attrs.turnaround_min[p.i], self._clear, p)

    def _clear(self, p: Patient) -> None:
        """Step 7: the crew is clear and takes the next call (Cat 1 first)."""
        self.records.clear[p.ed_row] = self.clock.now
        self.crews.release()
