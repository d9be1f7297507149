"""Acute (general and acute) beds: emergency and elective patients, discharge pathways.

A patient is admitted when a bed is free, stays until medically fit (no longer
meets the criteria to reside), then needs their discharge pathway: pathway 0
home, 1 home with a care package, 2 a community (rehab) bed, 3 a care home. After
an assessment/brokerage time the pathway's capacity is requested; the patient
keeps the acute bed until it is granted and then leaves in the next discharge
window. Everything from medically fit to leaving is delayed discharge.

A general bed that comes free goes to a waiting emergency patient before a booked
elective unless ``acute.elective_bed_priority``: under sustained pressure it is
electives that are cancelled on the day, which keeps the emergency pathway stable
as it does in practice, and is what a ring-fenced elective hub protects against.
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.community import CommunityHospital
from flowsim.model.discharge_window import DischargeWindow
from flowsim.model.engine import GRANTED, Clock, Granted, Pool, Ticket
from flowsim.model.social_care import SocialCare
from flowsim.patients import Cohort, Patient, patient
from flowsim.records import (
    CARE_HOME,
    HOME_CARE,
    KIND_DIRECT,
    KIND_ELECTIVE,
    KIND_PREFILL,
    NAN,
    SRC_ACUTE,
    Table,
    schema,
)

#: One row per acute spell (start-state patients included).
RECORDS = schema(
    "acute",
    ("patient_id", "int64", "", "patient id (the same in every setting)"),
    ("kind", "int64", "", "0 via A&E, 1 direct emergency, 2 elective, 3 start state"),
    ("request", "float64", "min", "bed requested (decision to admit, referral, booking)"),
    ("admit", "float64", "min", "in the bed"),
    ("fit", "float64", "min", "medically fit (no longer meets the criteria to reside)"),
    ("leave", "float64", "min", "left the bed"),
    ("pathway", "int64", "", "discharge pathway 0-3 (-1 before medically fit)"),
)
#: One row per direct emergency admission diverted for want of a bed.
DIVERSIONS = schema(
    "acute_diversions",
    ("diverted", "float64", "min", "arrival of the diverted direct admission"),
    ("diverted_patient_id", "int64", "", "patient id"),
)
CENSUS = schema(
    "acute_census",
    ("acute_beds_available", "int64", "beds", "G&A beds open (base plus escalation)"),
    ("acute_occupied", "int64", "beds", "G&A beds occupied (cleaning beds excluded)"),
    ("acute_delayed", "int64", "patients", "medically fit patients still in a bed"),
    ("acute_delayed_p0", "int64", "patients", "... on pathway 0 (home)"),
    ("acute_delayed_p1", "int64", "patients", "... on pathway 1 (home care)"),
    ("acute_delayed_p2", "int64", "patients", "... on pathway 2 (community bed)"),
    ("acute_delayed_p3", "int64", "patients", "... on pathway 3 (care home)"),
)


class AcuteHospital:
    """The acute trust's G&A beds (and a ring-fenced elective hub).

    Journey steps (one method each, each taking the :class:`~flowsim.patients.Patient`):

    0. :meth:`arrive_direct`: a direct emergency admission arrives (or is diverted).
    1. :meth:`request_emergency` / :meth:`request_elective`: queue for a bed.
    2. :meth:`_admit`: in a bed; stays until medically fit.
    3. :meth:`_fit`: medically fit (a delayed discharge from now); assessment.
    4. :meth:`_referred`: the pathway's capacity is requested; the bed is kept.
    5. :meth:`_granted`: the package, community bed or place is the patient's.
    6. :meth:`_ready`: leave in the patient's next discharge slot.
    7. :meth:`_leave`: leave for the pathway's service; the bed is cleaned.
    8. :meth:`_cleaned`: the bed is free for the next patient.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``acute.*`` and ``elective.ringfenced_beds``.
    window : DischargeWindow
        When patients ready to leave actually leave.
    community : CommunityHospital
        Where pathway-2 patients go.
    social : SocialCare
        Where pathway-1 and pathway-3 packages and places are requested.
    """

    def __init__(
        self,
        clock: Clock,
        scn: Scenario,
        window: DischargeWindow,
        community: CommunityHospital,
        social: SocialCare,
    ) -> None:
        self.clock = clock
        self.window = window
        self.community = community
        self.social = social
        self.records = Table(RECORDS)
        self.diversions = Table(DIVERSIONS)
        ac = scn.acute
        self.base_beds = ac.beds
        self.escalation_beds = ac.escalation_beds
        self.escalation_months = frozenset(ac.escalation_months)
        #: Beds opened by a user's process (see :meth:`open_surge_beds`); 0 by default.
        self.surge_beds = 0
        self.month = 0
        self.beds = Pool("acute_beds", ac.beds, levels=2)
        # Queue levels of the bed pool: level 0 is served first.
        self.elective_level = 0 if ac.elective_bed_priority else 1
        self.emergency_level = 1 - self.elective_level
        self.hub = Pool("elective_hub", scn.elective.ringfenced_beds)
        self.delayed = [0, 0, 0, 0]
        self.turnaround_min = ac.bed_turnaround_hours * 60.0
        self.divert_direct = ac.divert_direct_when_full
        self.cleaning_general = 0  # general beds empty between patients, not yet free

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        d = self.delayed
        return (
            self.beds.capacity,
            self.beds.in_use - self.cleaning_general,
            sum(d),
            *d,
        )

    def capacity_for_month(self, month: int) -> int:
        """G&A beds open in calendar ``month``: base, escalation and surge beds."""
        extra = self.escalation_beds if month in self.escalation_months else 0
        return self.base_beds + extra + self.surge_beds

    def new_day(self, month: int) -> None:
        """Open the day's bed base (escalation beds in their months)."""
        self.month = month
        self.beds.set_capacity(self.capacity_for_month(month))

    def open_surge_beds(self, n: int) -> None:
        """Open ``n`` surge beds from now on, on top of base and escalation beds (0 closes
        them; closing never evicts a patient). For a user's SimPy process."""
        self.surge_beds = int(n)
        self.beds.set_capacity(self.capacity_for_month(self.month))

    # ------------------------------------------------------------ admission
    def _new_spell(self, kind: int, p: Patient) -> None:
        """Open the patient's acute spell record (its row is ``p.acute_row``)."""
        r = self.records
        p.acute_row = len(r.kind)
        r.patient_id.append(p.pid)
        r.kind.append(kind)
        r.request.append(self.clock.now)
        r.admit.append(NAN)
        r.fit.append(NAN)
        r.leave.append(NAN)
        r.pathway.append(-1)

    def request_emergency(
        self, p: Patient, kind: int, on_admit: Callable[[Patient], None] | None = None
    ) -> None:
        """Step 1 (emergency): queue for a bed after a decision to admit or a direct
        referral; ``on_admit(p)`` runs when the patient is in the bed."""
        self._new_spell(kind, p)
        self.beds.request(self._admit, self.emergency_level, p, self.beds, on_admit)

    def arrive_direct(self, c: Cohort, i: int) -> None:
        """Step 0 (direct): a GP / assessment-unit emergency admission queues for a bed,
        or is diverted elsewhere when none is free and diversion is the policy."""
        p = patient(c, i)
        if self.divert_direct and not self.beds.try_acquire():
            self.diversions.diverted.append(self.clock.now)
            self.diversions.diverted_patient_id.append(p.pid)
            return
        self._new_spell(KIND_DIRECT, p)
        if self.divert_direct:  # bed already taken by try_acquire
            self._admit(p, self.beds, None)
        else:
            self.beds.request(self._admit, self.emergency_level, p, self.beds, None)

    def request_elective(self, p: Patient, on_admit: Callable[[Patient], None]) -> Ticket | Granted:
        """Step 1 (elective): a ring-fenced hub bed if one is free, else a general bed
        (queued behind or ahead of emergencies, see the module docstring).

        Returns
        -------
        Ticket
            The bed request (``cancel()`` withdraws it if still queued), or
            :data:`~flowsim.model.engine.GRANTED` if the patient was admitted at once.
        """
        if self.hub.try_acquire():
            self._new_spell(KIND_ELECTIVE, p)
            self._admit(p, self.hub, on_admit)
            return GRANTED
        return self.beds.request(self._elective_bed, self.elective_level, p, on_admit)

    def _elective_bed(self, p: Patient, on_admit: Callable[[Patient], None]) -> None:
        """Step 1b (elective): a general bed is free; the spell starts now."""
        self._new_spell(KIND_ELECTIVE, p)
        self._admit(p, self.beds, on_admit)

    def prefill(self, c: Cohort, already_fit: bool) -> None:
        """Start state: patients in a bed at time 0, with residual stays."""
        for i in range(len(c)):
            self.beds.occupy()
            p = patient(c, i)
            self._new_spell(KIND_PREFILL, p)
            self.records.admit[p.acute_row] = 0.0
            p.bed = self.beds
            if already_fit:
                self._fit(p)
            else:
                self.clock.at(p.care.los_min[p.j], self._fit, p)

    def _admit(self, p: Patient, bed: Pool, on_admit: Callable[[Patient], None] | None) -> None:
        """Step 2: in a bed (general or hub); stays until medically fit."""
        self.records.admit[p.acute_row] = self.clock.now
        p.bed = bed
        if on_admit is not None:
            on_admit(p)
        self.clock.at(p.care.los_min[p.j], self._fit, p)

    # ------------------------------------------------------------ discharge
    def _fit(self, p: Patient) -> None:
        """Step 3: medically fit, now a delayed discharge; assessment and brokerage."""
        care, j = p.care, p.j
        pw = care.pathway[j]
        p.pathway = pw
        k = p.acute_row
        self.records.fit[k] = self.clock.now
        self.records.pathway[k] = pw
        self.delayed[pw] += 1
        if pw == 0:
            # Pathway 0 needs no capacity: the leaving time is known now, so schedule it
            # directly (one event fewer for most patients).
            self._ready(p, self.clock.now + care.assess_min[j])
        else:
            self.clock.at(care.assess_min[j], self._referred, p)

    def _referred(self, p: Patient) -> None:
        """Step 4: ask for the pathway's capacity; the patient keeps the bed meanwhile."""
        pw = p.pathway
        if pw == 1:
            self.social.request(HOME_CARE, SRC_ACUTE, p.pid, self._granted, p)
        elif pw == 2:
            self.community.request_bed(self._granted, p)
        else:
            self.social.request(CARE_HOME, SRC_ACUTE, p.pid, self._granted, p)

    def _granted(self, p: Patient) -> None:
        """Step 5: the package, community bed or place is the patient's: ready to leave."""
        self._ready(p, self.clock.now)

    def _ready(self, p: Patient, ready: float) -> None:
        """Step 6: ready to leave at ``ready``: leave in the patient's next discharge slot."""
        now = self.clock.now
        care, j = p.care, p.j
        t = self.window.leave_time(ready, care.dis_hour_u[j], care.dis_weekend_u[j])
        if self.window.enabled or t > now:
            self.clock.at(t - now, self._leave, p)
        else:
            self._leave(p)

    def _leave(self, p: Patient) -> None:
        """Step 7: leave the bed for the pathway's service; the bed is cleaned, then free."""
        self.records.leave[p.acute_row] = self.clock.now
        pw = p.pathway
        self.delayed[pw] -= 1
        if pw == 1:
            self.social.start(HOME_CARE, p.care.home_care_min[p.j])
        elif pw == 2:
            self.community.admit_from_acute(p)
        elif pw == 3:
            self.social.start(CARE_HOME, p.care.care_home_min[p.j])
        bed = p.bed
        if self.turnaround_min > 0.0:
            if bed is self.beds:
                self.cleaning_general += 1
            self.clock.at(self.turnaround_min, self._cleaned, bed)
        else:
            bed.release()

    def _cleaned(self, bed: Pool) -> None:
        """Step 8: the cleaned bed is free for the next patient."""
        if bed is self.beds:
            self.cleaning_general -= 1
        bed.release()
