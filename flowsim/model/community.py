"""Community hospital (intermediate care / rehabilitation) beds.

Patients arrive on discharge pathway 2 from acute beds (the bed is reserved when
granted and occupied when they leave the acute hospital) or as step-up
admissions from home. After rehabilitation they are medically fit and go home,
home with a care package, or to a care home, keeping the community bed until
that capacity exists (community delayed discharge).
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.discharge_window import DischargeWindow
from flowsim.model.engine import Clock, Pool
from flowsim.model.social_care import SocialCare
from flowsim.patients import Cohort, Patient, patient
from flowsim.records import CARE_HOME, HOME_CARE, NAN, SRC_COMMUNITY, Table, schema

FROM_ACUTE, STEP_UP, PREFILL = 0, 1, 2
#: Onward service after a community stay, by ``CareAttrs.onward`` (0 home: none).
ONWARD_SERVICE = (None, HOME_CARE, CARE_HOME)

#: One row per community bed stay.
RECORDS = schema(
    "community",
    ("patient_id", "int64", "", "patient id (the same in every setting)"),
    ("source", "int64", "", "0 from an acute bed, 1 step-up from home, 2 start state"),
    ("admit", "float64", "min", "admission to the community bed"),
    ("fit", "float64", "min", "medically fit (rehabilitation done)"),
    ("leave", "float64", "min", "left the community bed"),
)
CENSUS = schema(
    "community_census",
    ("community_beds", "int64", "beds", "community beds available"),
    ("community_occupied", "int64", "beds", "community beds occupied or reserved"),
    ("community_delayed", "int64", "patients", "medically fit patients still in a bed"),
    ("community_step_up_queue", "int64", "people", "step-up patients at home waiting for a bed"),
)


class CommunityHospital:
    """Community beds: acute pathway-2 discharges ahead of step-up admissions.

    Journey steps (one method each, each taking the :class:`~flowsim.patients.Patient`):

    0. :meth:`_step_up` (from home) or :meth:`request_bed` (from acute): ask for a bed.
    1. :meth:`_admit`: in the bed; rehabilitation until medically fit.
    2. :meth:`_fit`: medically fit; home now, or an onward assessment first.
    3. :meth:`_referred`: the onward package or place is requested; the bed is kept.
    4. :meth:`_ready`: leave in the patient's next discharge slot.
    5. :meth:`_leave`: leave; the onward service starts; the bed is free.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``community.beds``.
    window : DischargeWindow
        When patients ready to leave actually leave.
    social : SocialCare
        Where onward home care and care-home places are requested.
    """

    def __init__(
        self, clock: Clock, scn: Scenario, window: DischargeWindow, social: SocialCare
    ) -> None:
        self.clock = clock
        self.window = window
        self.social = social
        self.records = Table(RECORDS)
        # Community hospital beds and discharge-to-assess beds in care homes, one pool.
        cm = scn.community
        self.beds = Pool("community_beds", cm.beds + cm.d2a_beds, levels=2)
        self.delayed = 0

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        return (self.beds.capacity, self.beds.in_use, self.delayed, len(self.beds.queues[1]))

    def start(self, stepup: Cohort, prefill: Cohort) -> None:
        """Start state (beds occupied at time 0), then step-up arrivals over the run."""
        for i in range(len(prefill)):
            self.beds.occupy()
            self._admit(patient(prefill, i), PREFILL)
        self.clock.chain(stepup.t, self._step_up, stepup)

    def _step_up(self, c: Cohort, i: int) -> None:
        """Step 0 (step-up): a patient from home asks for a bed, behind acute discharges."""
        self.beds.request(self._admit, 1, patient(c, i), STEP_UP)

    def request_bed(self, grant: Callable[..., None], *args: object) -> None:
        """Reserve a bed for an acute patient on pathway 2 (ahead of step-up demand);
        ``grant(*args)`` runs when one is theirs."""
        self.beds.request(grant, 0, *args)

    def admit_from_acute(self, p: Patient) -> None:
        """Step 1 (from acute): the patient arrives in the bed reserved for them."""
        self._admit(p, FROM_ACUTE)

    def _admit(self, p: Patient, source: int) -> None:
        """Step 1: in a community bed; rehabilitation until medically fit."""
        r = self.records
        p.community_row = len(r.source)
        r.patient_id.append(p.pid)
        r.source.append(source)
        r.admit.append(self.clock.now)
        r.fit.append(NAN)
        r.leave.append(NAN)
        self.clock.at(p.care.comm_los_min[p.j], self._fit, p)

    def _fit(self, p: Patient) -> None:
        """Step 2: medically fit; home now, or an onward assessment first."""
        self.records.fit[p.community_row] = self.clock.now
        self.delayed += 1
        if p.care.onward[p.j] == 0:
            self._ready(p)
        else:
            self.clock.at(p.care.onward_assess_min[p.j], self._referred, p)

    def _referred(self, p: Patient) -> None:
        """Step 3: ask social care for the onward package or place; keep the bed."""
        service = ONWARD_SERVICE[p.care.onward[p.j]]
        self.social.request(service, SRC_COMMUNITY, p.pid, self._ready, p)

    def _ready(self, p: Patient) -> None:
        """Step 4: ready to leave: go in the patient's next discharge slot."""
        now = self.clock.now
        care, j = p.care, p.j
        t = self.window.leave_time(now, care.comm_dis_hour_u[j], care.comm_dis_weekend_u[j])
        if self.window.enabled:
            self.clock.at(t - now, self._leave, p)
        else:
            self._leave(p)

    def _leave(self, p: Patient) -> None:
        """Step 5: leave the bed; the onward service (if any) starts now."""
        self.records.leave[p.community_row] = self.clock.now
        self.delayed -= 1
        care, j = p.care, p.j
        onward = care.onward[j]
        if onward == 1:
            self.social.start(HOME_CARE, care.home_care_min[j])
        elif onward == 2:
            self.social.start(CARE_HOME, care.care_home_min[j])
        self.beds.release()
