"""Ambulance handover and the emergency department (A&E).

Majors patients (every ambulance arrival and a share of walk-ins) need a majors
space; an ambulance crew cannot hand over until one is free (handover delay).
Ambulance and walk-in majors patients take spaces in arrival order (one FIFO
queue): with strict priority for ambulances, walk-in majors starved for weeks in
busy months whenever the handover queue never emptied, which no department allows.
With ``ed.corridor_care_after_min`` set, a majors patient who has waited that long
for a space is treated in a corridor instead (the crew hands over then: the
45-minute maximum handover policy) and takes no space; without it, the space
queue is pure blocking, as in the queueing-theory reductions. The corridor (or a
handover area: HALO, cohorting) has ``ed.corridor_spaces`` places (null: unlimited);
when it is full, patients past the limit keep waiting for a space or a place, and an
ambulance crew waits with its patient, so long handovers return.
When the ambulance service is modelled, a conveyed patient arrives with a crew that
is released (:meth:`EmergencyDepartment.convey`) at handover.
With ``ambulance.handover_staff_by_hour`` set, a crew that has a space (or a corridor
place) still waits for a receiving nurse on the hourly roster, who is busy for the
handover time: arrivals come in bunches, so handovers spread beyond the handover time
even when spaces are free (L20: 21% within 15 minutes at UHL), and receiving staff are
a lever (HALO / ambulance receiving nurses).
The stages of an attendance (issue 17 item 3):

1. **Triage** (``ed.triage_min``): walk-ins are triaged (streamed) on arrival, before
   they queue for a space or a clinician; ambulance patients are triaged at handover.
   No capacity is modelled for it (the triage nurse is not the bottleneck), so it costs
   no event: the walk-in stream is chained at the times triage ends (arrival plus
   triage, sorted), and each attendance's record keeps its arrival time. A walk-in is
   counted in the department census from the end of triage, and one whose triage would
   end after the run end is not recorded.
2. **Clinician assessment**: every patient queues for a rostered clinician (majors
   first) and is assessed (``ed.assessment_min``). This is the capacity the stages
   queue for.
3. **Decision**: treatment, diagnostics and specialty review up to the decision, one
   scheduled event (no modelled capacity separates them): discharged patients take the
   majors / minors treatment time, patients who will be admitted
   ``ed.admitted_decision_min``, fitted to E12 (time in department of admitted patients,
   see docs/validation.md). A patient who would be admitted and whom SDEC can manage is
   streamed there after assessment when the unit takes them
   (:mod:`flowsim.model.sdec`); they leave A&E then. A minors patient going home holds
   no space and no one waits on their leaving, so it costs no event either: their
   departure time is known after assessment and kept in a due list
   (:class:`~flowsim.model.engine.DueBuckets`), which the census
   (:attr:`EmergencyDepartment.in_department`) reads up to its time.
4. **Wait for a bed**: an admitted patient keeps their A&E space until an acute bed is
   free (exit block, the "trolley wait" from decision to admit); a mental-health patient
   who needs an MH bed waits in the same way for one from the MH trust's pool
   (:mod:`flowsim.model.mental_health`).

Clinician sickness absence varies by month (``ed.staff_absence_pct_by_month``, X27:
about 3.9% in summer and 4.7% in winter): the roster is planned at the year's mean
absence, so each hour's clinicians on duty are the roster times
``(1 - absence of the month) / (1 - mean absence)``, rounded by error diffusion per
hour of day (the rounding error carries to the same hour next day), so that the
expected capacity is exact and no random stream is needed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flowsim.config import Scenario
from flowsim.dates import month_of_days
from flowsim.model.acute import AcuteHospital
from flowsim.model.engine import Clock, DueBuckets, Pool
from flowsim.model.mental_health import MentalHealthBeds
from flowsim.model.sdec import SameDayCare
from flowsim.patients import Cohort, EdAttrs, Patient
from flowsim.records import KIND_ED, Table, schema

MAJORS, MINORS = 0, 1  # clinician queue levels

#: One row per A&E attendance, in arrival order.
RECORDS = schema(
    "ed",
    ("patient_id", "int64", "", "patient id (the same in every setting)"),
    ("arrival", "float64", "min", "arrival at A&E"),
    ("ambulance", "bool", "", "arrived by ambulance"),
    ("majors", "bool", "", "needs a majors space"),
    ("handover", "float64", "min", "ambulance handover complete (ambulance only)"),
    ("seen", "float64", "min", "first seen by a clinician"),
    ("dta", "float64", "min", "decision to admit"),
    ("depart", "float64", "min", "left A&E (discharged or admitted to a bed)"),
    ("corridor", "bool", "", "treated in a corridor: no majors space in time"),
    ("corridor_from", "float64", "min", "moved to the corridor / handover area"),
    ("triaged", "float64", "min", "triage complete (walk-ins; ambulance patients at handover)"),
    ("sdec", "bool", "", "streamed to SDEC / frailty unit instead of admission"),
    ("mh", "bool", "", "mental-health presentation"),
    ("mh_bed_request", "float64", "min", "decision that an MH inpatient bed is needed"),
    ("type3", "bool", "", "a type 3 attendance (minor injury unit, urgent treatment centre)"),
)
CENSUS = schema(
    "ed_census",
    ("ed_in_department", "int64", "patients", "patients in A&E (arrived, not departed)"),
    ("ed_awaiting_bed", "int64", "patients", "decided to admit, waiting for a bed"),
    ("ambulances_waiting", "int64", "crews", "ambulance crews waiting to hand over"),
)


class EmergencyDepartment:
    """A&E: majors spaces, rostered clinicians, and exit block into acute beds.

    Journey steps (one method each, each taking the :class:`~flowsim.patients.Patient`):

    1. :meth:`_arrive`: arrive (walk-ins: at the end of triage, :meth:`_triaged`);
       majors patients queue for a space.
    2. :meth:`_request_space`: wait for a majors space (or the corridor, past the limit).
    3. :meth:`_space_for_walkin` / :meth:`_space_for_crew`: a space; a crew hands over
       (queueing for a receiving nurse when they are rostered).
    3b. :meth:`_handover_nurse`: a receiving nurse takes the handover.
    4. :meth:`_handed_over`: handover complete, the crew is free (ambulance only).
    5. :meth:`_to_clinician`: wait for a clinician (majors before minors).
    6. :meth:`_seen`: seen; assessment.
    7. :meth:`_assessed`: the clinician is free; SDEC, or treatment, diagnostics and
       specialty review.
    8. :meth:`_decided`: home, or admit: wait for a bed (acute, or MH), exit block holds
       the A&E space (minors going home: no event, their departure joins a due list
       in :meth:`_assessed`).
    9. :meth:`_admitted`: in a bed (admitted patients only).
    10. :meth:`_depart`: leave A&E; the majors space is freed.

    Type 3 attendances (minor injury units, urgent treatment centres) have their own
    journey, beside the department's:

    T1. :meth:`_arrive_type3`: arrive; wait for a type 3 practitioner.
    T2. :meth:`_type3_seen`: seen; assessment and treatment by that practitioner.
    T3. :meth:`_type3_done`: the practitioner is free; the patient leaves.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``ed.*``, ``ambulance.handover_process_min`` and
        ``ambulance.handover_staff_by_hour``.
    acute : AcuteHospital
        Where admitted patients wait for a bed.
    sdec : SameDayCare, optional
        Where suitable would-be admissions go after assessment, when it takes them.
    mh_beds : MentalHealthBeds, optional
        Where mental-health patients who need a bed wait for one.
    """

    def __init__(
        self,
        clock: Clock,
        scn: Scenario,
        acute: AcuteHospital,
        sdec: SameDayCare | None = None,
        mh_beds: MentalHealthBeds | None = None,
    ) -> None:
        self.clock = clock
        self.acute = acute
        #: SDEC (None or disabled: every would-be admission requests a bed).
        self.sdec = sdec if sdec is not None and sdec.enabled else None
        self.mh_on = scn.ed.mh_fraction > 0
        #: The MH bed pool (None: no MH patients, or they follow the general pathway).
        self.mh_beds = (
            mh_beds if self.mh_on and mh_beds is not None and mh_beds.beds.capacity > 0 else None
        )
        self.triage_on = scn.ed.triage_min is not None
        self.records = Table(RECORDS)
        self.roster = tuple(int(x) for x in scn.ed.clinicians_by_hour)
        self.spaces = Pool("ed_spaces", scn.ed.spaces)
        self.clinicians = Pool("ed_clinicians", self.roster[0], levels=2)
        self.type3_roster = tuple(int(x) for x in scn.ed.type3_practitioners_by_hour)
        #: Type 3 practitioners (None: no type 3 units in the scenario).
        self.type3_staff = (
            Pool("type3_practitioners", self.type3_roster[0])
            if scn.ed.type3_arrivals_per_day > 0
            else None
        )
        absence = np.asarray(scn.ed.staff_absence_pct_by_month, dtype=float) / 100.0
        #: Clinicians on duty relative to the roster, by month 1-12 (None: no absence).
        self.staffing: tuple[float, ...] | None = None
        if absence.any():
            self.staffing = (0.0, *((1.0 - absence) / (1.0 - absence.mean())).tolist())
            self.months = month_of_days(scn, int(scn.run.warmup_days + scn.run.days) + 2)
        #: Rounding remainders of the clinicians' and type 3 practitioners' rosters by hour.
        self._carry = [0.0] * 24
        self._carry3 = [0.0] * 24
        self.handover_min = float(scn.ambulance.handover_process_min)
        staff = scn.ambulance.handover_staff_by_hour
        #: Receiving nurses by hour and their pool (None: handovers need no nurse).
        self.handover_roster = None if staff is None else tuple(int(x) for x in staff)
        self.handover_staff = (
            None if staff is None else Pool("handover_staff", self.handover_roster[0])
        )
        self.corridor_after = scn.ed.corridor_care_after_min
        cap = scn.ed.corridor_spaces
        self.corridor_cap = float("inf") if cap is None else int(cap)
        self.corridor: set[int] = set()  # record rows of attendances in the corridor
        self._watching = False  # a corridor watch event is pending
        self._blocked = False  # the corridor is full: moves resume when a place frees
        self._present = 0  # arrived, and not known to have left (see in_department)
        #: (departure time, record row) of minors patients going home, not yet counted out
        self._leaving = DueBuckets()
        clock.on_pause(self._count_out)
        self.awaiting_bed = 0
        self.ambulances_waiting = 0
        self.n_arrived = 0

    @property
    def in_department(self) -> int:
        """Patients in the type 1 department now (arrived and not departed; type 3
        units' patients are not counted)."""
        self._count_out()
        return self._present

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        return (self.in_department, self.awaiting_bed, self.ambulances_waiting)

    def _count_out(self) -> None:
        """Minors patients gone home before now leave the census and get their
        departure time in the records (one due exactly now has not left yet, as an
        event due now would not have run before the step reading the census)."""
        gone = self._leaving.take_before(self.clock.now)
        if gone:
            depart = self.records.depart
            for t, k in gone:
                depart[k] = t
            self._present -= len(gone)

    # ------------------------------------------------------------ set-up
    def start(
        self,
        ambulance: Cohort,
        walkin: Cohort,
        conveyed: bool = False,
        type3: Cohort | None = None,
    ) -> None:
        """Schedule the arrivals and the clinician roster (``conveyed``: the ambulance
        service brings the ambulance cohort, see :meth:`convey`; ``type3``: attendances
        at the type 3 units)."""
        # Records are sized up front (arrival order, filled as patients arrive): cheaper
        # than growing nine lists per attendance.
        n3 = 0 if type3 is None or self.type3_staff is None else len(type3)
        self.records.presize(len(ambulance) + len(walkin) + n3)
        if n3:
            self.clock.chain(type3.t, self._arrive_type3, type3)
        if not conveyed:
            self.clock.chain(ambulance.t, self._arrive, ambulance, True)
        if self.triage_on and len(walkin):
            done = np.asarray(walkin.t) + np.asarray(walkin.attrs.triage_min)
            order = np.argsort(done, kind="stable")
            self._triage_order = order.tolist()
            self.clock.chain(done[order], self._triaged, walkin)
        else:
            self.clock.chain(walkin.t, self._arrive, walkin, False)
        self._roster_tick(0)

    def trim_records(self) -> None:
        """Drop the unused tail of the pre-sized records (arrivals after the run end)."""
        self.records.trim(self.n_arrived)

    def _roster_tick(self, hour: int) -> None:
        """Each hour: the rostered number of clinicians, receiving nurses and type 3
        practitioners (a cut never interrupts one)."""
        h = hour % 24
        self.clinicians.set_capacity(self._on_duty(self.roster, self._carry, hour))
        if self.handover_staff is not None:
            self.handover_staff.set_capacity(self.handover_roster[h])
        if self.type3_staff is not None:  # the same absence as the A&E clinicians
            self.type3_staff.set_capacity(self._on_duty(self.type3_roster, self._carry3, hour))
        self.clock.at(60.0, self._roster_tick, hour + 1)

    def _on_duty(self, roster: tuple[int, ...], carry: list[float], hour: int) -> int:
        """Staff on duty in ``hour``: the roster scaled by the month's absence, rounded
        with the remainder carried to the same hour of the next day (``carry``)."""
        h = hour % 24
        if self.staffing is None:
            return roster[h]
        month = int(self.months[min(hour // 24, len(self.months) - 1)])
        want = roster[h] * self.staffing[month] + carry[h]
        n = max(int(want + 0.5), 0)
        carry[h] = want - n
        return n

    # ------------------------------------------------------------ journey
    def convey(self, c: Cohort, i: int, released: Callable[..., None], *args: object) -> None:
        """Step 1 (ambulance service): patient ``i`` of the ambulance cohort arrives with
        a crew; ``released(*args)`` is called when the crew is free to go."""
        self._arrive(c, True, i, (released, args))

    def _arrive(self, c: Cohort, ambulance: bool, i: int, crew: tuple | None = None) -> None:
        """Step 1: arrive; majors patients queue for a space (a crew waits with theirs)."""
        r = self.records
        k = self.n_arrived
        self.n_arrived = k + 1
        a: EdAttrs = c.attrs
        p = Patient(c.pid0 + i, a, i, None, -1)
        p.ed_row = k
        p.crew = crew
        majors = ambulance or a.majors[i]
        r.patient_id[k] = p.pid
        r.arrival[k] = self.clock.now
        r.ambulance[k] = ambulance
        r.majors[k] = majors
        if self.mh_on and a.mh[i]:
            r.mh[k] = True
        self._present += 1
        if ambulance:
            self.ambulances_waiting += 1
            self._request_space(self._space_for_crew, p)
        elif majors:
            self._request_space(self._space_for_walkin, p)
        else:
            self._to_clinician(p, MINORS)

    def _arrive_type3(self, c: Cohort, i: int) -> None:
        """Step T1: a type 3 attendance arrives and waits for a practitioner."""
        r = self.records
        k = self.n_arrived
        self.n_arrived = k + 1
        p = Patient(c.pid0 + i, c.attrs, i, None, -1)
        p.ed_row = k
        r.patient_id[k] = p.pid
        r.arrival[k] = self.clock.now
        r.type3[k] = True  # not in the department's census (in_department)
        self.type3_staff.request(self._type3_seen, 0, p)

    def _type3_seen(self, p: Patient) -> None:
        """Step T2: seen by a practitioner, who assesses and treats."""
        self.records.seen[p.ed_row] = self.clock.now
        self.clock.at(p.attrs.treat_min[p.i], self._type3_done, p)

    def _type3_done(self, p: Patient) -> None:
        """Step T3: the practitioner is free; the patient leaves."""
        self.type3_staff.release()
        self.records.depart[p.ed_row] = self.clock.now

    def _triaged(self, c: Cohort, j: int) -> None:
        """Step 1 (walk-ins, with triage): the ``j``-th triage to end; the attendance
        is recorded with its arrival time and goes on as in :meth:`_arrive`."""
        i = self._triage_order[j]
        k = self.n_arrived
        r = self.records
        r.triaged[k] = self.clock.now
        self._arrive(c, False, i)
        r.arrival[k] = c.t[i]

    def _request_space(self, grant: Callable[..., None], p: Patient) -> None:
        """Step 2: wait for a majors space (or the corridor, past the limit)."""
        self.spaces.request(grant, 0, p)
        if (
            self.corridor_after is not None
            and self.spaces.n_waiting
            and not self._watching
            and not self._blocked
        ):
            # This request queued and heads the queue (no watch pending means none
            # was waiting): the next corridor move is due at its limit.
            self._watching = True
            self.clock.at(self.corridor_after, self._corridor_watch)

    def _corridor_watch(self) -> None:
        """Move every queued majors patient whose wait has reached the corridor-care
        limit out of the space queue, then watch for the next one.

        The queue is in arrival order, so limits fall due in queue order and one
        pending event watches the whole queue: a timer per queued patient (most of
        whom get a space in time) cost an event and a queue scan each.
        """
        self._watching = False
        r = self.records
        now = self.clock.now
        while (head := self.spaces.head()) is not None:
            p: Patient = head.args[0]
            k = p.ed_row
            # the limit runs from joining the space queue: arrival, or triage for walk-ins
            joined = r.triaged[k] if self.triage_on and not r.ambulance[k] else r.arrival[k]
            wait_left = joined + self.corridor_after - now
            if wait_left > 1e-9:  # minutes; tolerance for float round-off of the due time
                self._watching = True
                self.clock.at(wait_left, self._corridor_watch)
                return
            if len(self.corridor) >= self.corridor_cap:
                self._blocked = True  # resumed by the next corridor departure
                return
            head.cancel()
            self.corridor.add(k)
            r.corridor[k] = True
            r.corridor_from[k] = now
            if r.ambulance[k]:
                self._space_for_crew(p)
            else:
                self._to_clinician(p, MAJORS)

    def _space_for_walkin(self, p: Patient) -> None:
        """Step 3 (walk-in majors): a space: wait for a clinician."""
        self._to_clinician(p, MAJORS)

    def _space_for_crew(self, p: Patient) -> None:
        """Step 3 (ambulance): a space (or the corridor): the crew hands over, once a
        receiving nurse is free when they are rostered."""
        if self.handover_staff is None:
            self.clock.at(self.handover_min, self._handed_over, p)
        else:
            self.handover_staff.request(self._handover_nurse, 0, p)

    def _handover_nurse(self, p: Patient) -> None:
        """Step 3b (ambulance): a receiving nurse takes the handover."""
        self.clock.at(self.handover_min, self._handed_over, p)

    def _handed_over(self, p: Patient) -> None:
        """Step 4 (ambulance): handover complete; the crew (and nurse) are free."""
        if self.handover_staff is not None:
            self.handover_staff.release()
        self.ambulances_waiting -= 1
        r = self.records
        r.handover[p.ed_row] = self.clock.now
        if self.triage_on:
            r.triaged[p.ed_row] = self.clock.now
        if p.crew is not None:
            released, args = p.crew
            released(*args)
        self._to_clinician(p, MAJORS)

    def _to_clinician(self, p: Patient, level: int) -> None:
        """Step 5: wait for a clinician (majors before minors)."""
        p.ed_level = level
        self.clinicians.request(self._seen, level, p)

    def _seen(self, p: Patient) -> None:
        """Step 6: seen by a clinician; assessment."""
        self.records.seen[p.ed_row] = self.clock.now
        self.clock.at(p.attrs.assess_min[p.i], self._assessed, p)

    def _assessed(self, p: Patient) -> None:
        """Step 7: assessed; the clinician is free; a would-be admission SDEC can manage
        goes there if it takes them, others have treatment, diagnostics and specialty
        review up to the decision (minors going home leave without an event)."""
        self.clinicians.release()
        a: EdAttrs = p.attrs
        i = p.i
        if a.admit[i]:
            if self.sdec is not None and self.sdec.take(a.sdec_min[i]):
                self.records.sdec[p.ed_row] = True
                self._depart(p)
                return
        elif p.ed_level == MINORS and (self.mh_beds is None or a.mh[i] != 2):
            # Steps 8 and 10 (minors, going home): the patient leaves after treatment.
            # They hold no space and free nothing, so no event is scheduled: the
            # departure joins the due list that the census reads (:meth:`_count_out`),
            # the same as :meth:`_decided` then :meth:`_depart` at that time.
            d = a.treat_min[i]
            self._leaving.add((self.clock.now + (d if d > 0.0 else 0.0), p.ed_row))
            return
        self.clock.at(a.treat_min[i], self._decided, p)

    def _decided(self, p: Patient) -> None:
        """Step 8: decision: go home, or admit (wait for a bed; exit block holds the
        A&E space)."""
        a: EdAttrs = p.attrs
        i = p.i
        if a.admit[i]:
            self.records.dta[p.ed_row] = self.clock.now
            self.awaiting_bed += 1
            p.care = a.care
            p.j = a.care_row[i]
            self.acute.request_emergency(p, KIND_ED, self._admitted)
        elif self.mh_beds is not None and a.mh[i] == 2:
            self.records.mh_bed_request[p.ed_row] = self.clock.now
            self.mh_beds.request_from_ed(p, a.mh_los_min[i], self._depart)
        else:
            self._depart(p)

    def _admitted(self, p: Patient) -> None:
        """Step 9 (admitted): in an acute bed; the patient leaves A&E."""
        self.awaiting_bed -= 1
        self._depart(p)

    def _depart(self, p: Patient) -> None:
        """Step 10: leave A&E; a majors space is freed (a corridor place takes none)."""
        k = p.ed_row
        self.records.depart[k] = self.clock.now
        self._present -= 1
        if p.ed_level == MAJORS:
            if self.corridor and k in self.corridor:
                self.corridor.remove(k)
                if self._blocked:
                    self._blocked = False
                    self._corridor_watch()
            else:
                self.spaces.release()
