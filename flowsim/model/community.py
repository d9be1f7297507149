"""Community hospital (intermediate care / rehabilitation) beds.

Patients arrive on discharge pathway 2 from acute beds (the bed is reserved when
granted and occupied when they leave the acute hospital) or as step-up
admissions from home. After rehabilitation they are medically fit and go home,
home with a care package, or to a care home, keeping the community bed until
that capacity exists (community delayed discharge).

Two bed capacities (issue 16):

- discharge-to-assess (D2A) beds in care homes (``community.d2a_beds``) are for
  hospital pathway 2 discharges only, their purpose: the share ``d2a_share`` of
  pathway 2 patients suited to one queue for them, so D2A beds bind on hospital
  delays and never serve step-up;
- community hospital beds serve the other pathway 2 discharges and step-up
  admissions by a configurable rule: hospital discharges first
  (``discharge_priority``), one first come, first served queue, or a split
  (``hospital_bed_share`` of the beds kept for hospital discharges).
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.discharge_services import split_pools
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
    ("d2a_beds", "int64", "beds", "discharge-to-assess beds in care homes"),
    ("d2a_occupied", "int64", "beds", "D2A beds occupied or reserved"),
    ("d2a_queue", "int64", "patients", "hospital patients waiting for a D2A bed"),
    ("community_queue_hospital", "int64", "patients", "hospital patients awaiting a bed"),
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
        cm = scn.community
        # Community hospital beds: for hospital pathway 2 (``beds``) and step-up
        # (``step_up_beds``), one pool or a split; queue level 1 is step-up's when the
        # pool is shared with hospital discharges first.
        if cm.hospital_bed_share is None:
            self.beds = Pool("community_beds", cm.beds, levels=2)
            self.step_up_beds = self.beds
            self.step_up_level = 1 if cm.discharge_priority else 0
        else:
            self.beds, self.step_up_beds = split_pools(
                "community_beds", cm.beds, cm.hospital_bed_share
            )
            self.step_up_level = 0
        #: Discharge-to-assess beds in care homes (hospital pathway 2 only), or None.
        self.d2a = Pool("d2a_beds", cm.d2a_beds) if cm.d2a_beds > 0 else None
        self.delayed = 0

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        b, s, d = self.beds, self.step_up_beds, self.d2a
        if b is s:
            n_step = sum(1 for q in b.queues for t in q if t.grant == self._admit)
            cap, used = b.capacity, b.in_use
        else:
            n_step = s.n_waiting
            cap, used = b.capacity + s.capacity, b.in_use + s.in_use
        n_hosp = b.n_waiting - n_step if b is s else b.n_waiting
        d_cap, d_use, d_q = (d.capacity, d.in_use, d.n_waiting) if d is not None else (0, 0, 0)
        return (cap + d_cap, used + d_use, self.delayed, n_step, d_cap, d_use, d_q, n_hosp)

    def start(self, stepup: Cohort, prefill: Cohort) -> None:
        """Start state (beds occupied at time 0), then step-up arrivals over the run."""
        b, s = self.beds, self.step_up_beds
        for i in range(len(prefill)):
            pool = b
            # split beds fill in proportion to their capacities
            fill_s = b.in_use >= b.capacity or s.in_use * b.capacity < b.in_use * s.capacity
            if b is not s and s.in_use < s.capacity and fill_s:
                pool = s
            pool.occupy()
            p = patient(prefill, i)
            p.comm_pool = pool
            self._admit(p, PREFILL)
        self.clock.chain(stepup.t, self._step_up, stepup)

    def _step_up(self, c: Cohort, i: int) -> None:
        """Step 0 (step-up): a patient from home asks for a community hospital bed
        (behind acute discharges when they have priority)."""
        p = patient(c, i)
        p.comm_pool = self.step_up_beds
        self.step_up_beds.request(self._admit, self.step_up_level, p, STEP_UP)

    def request_bed(self, grant: Callable[[Patient], None], p: Patient) -> None:
        """Reserve a bed for acute patient ``p`` on pathway 2: a D2A bed if they are
        suited to one, else a community hospital bed (level 0: ahead of step-up when
        hospital discharges have priority); ``grant(p)`` runs when one is theirs."""
        d2a = self.d2a
        pool = d2a if d2a is not None and p.care.d2a[p.j] else self.beds
        p.comm_pool = pool
        pool.request(grant, 0, p)

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
        p.comm_pool.release()
