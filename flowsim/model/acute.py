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

Beds by site and specialty (issue 17 item 2, ``acute.bed_groups``; none: one pool):
each group (a site and medicine or surgery) is a pool with its own two-level queue.
Each emergency and ordinary elective patient has a home group drawn up front. A
patient waiting for a home-group bed may outlie (``acute.outlying``): take a free bed
of another group, same site first (other sites if ``outlying_other_sites``), at once
or after ``outlying_after_hours``; a freed bed goes to its own group's longest waiter
and, if none waits, to the longest waiter of another group allowed to outlie there.
Outliers may stay longer (``outlier_los_factor``). Electives do not outlie. Escalation
beds, surge beds and outbreak closures fall on the medical groups in proportion to
their beds.

Winter pressure on the bed base (issue 17):

- infection outbreaks (norovirus, flu; X24, X65, X66) close whole wards to
  admissions for about a week: the open capacity falls by the ward's beds (closing
  never evicts; the ward's patients leave as usual and no one replaces them);
- escalation by trigger (``acute.escalation_trigger: pressure``), an OPEL-like rule
  checked every ``escalation_check_hours``: when the base beds are at least
  ``escalation_on_occupancy_pct`` full, or at least ``escalation_on_awaiting_bed``
  emergency patients wait for a bed, the trust escalates: it opens its escalation
  beds, if ``escalation_cancels_electives`` gives ordinary electives no general
  bed (they are cancelled on the day), and boosts discharges: each day's assessment
  and brokerage shift gets ``escalation_extra_assessors`` more staff (a discharge push
  with redeployed and agency staff, costed per escalated day). It stands down when
  occupancy is below ``escalation_off_occupancy_pct`` and the queue is at most
  ``escalation_off_awaiting_bed``. The midnight census says whether the trust was
  escalated, so escalation is costed only for the days it was active.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.community import CommunityHospital
from flowsim.model.discharge_services import AssessmentTeam, Pathway3, Reablement
from flowsim.model.discharge_window import DischargeWindow
from flowsim.model.engine import GRANTED, Clock, DueBuckets, Granted, Pool, Ticket
from flowsim.model.social_care import SocialCare
from flowsim.patients import Cohort, Patient, patient
from flowsim.records import (
    CARE_HOME,
    HOME_CARE,
    KIND_DIRECT,
    KIND_ELECTIVE,
    KIND_PREFILL,
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
    ("referred", "float64", "min", "assessed; the pathway's capacity requested (P1-P3)"),
    ("granted", "float64", "min", "the package, bed or place is the patient's (P1-P3)"),
    ("bed_group", "int64", "", "home bed group (index into acute.bed_groups; -1: one pool, hub)"),
    ("outlier", "bool", "", "placed in a bed of another group than their home group"),
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
    ("acute_escalated", "int64", "", "1 if the trust is escalated at midnight (OPEL-like)"),
    ("acute_escalation_beds_open", "int64", "beds", "escalation beds open at midnight"),
    ("acute_beds_closed", "int64", "beds", "beds closed to admissions by outbreaks"),
    ("acute_awaiting_bed", "int64", "patients", "emergency patients waiting for a bed"),
    ("acute_outliers", "int64", "patients", "patients in a bed of another group (outliers)"),
)


def split_beds(n: int, weights: list[int] | list[float]) -> list[int]:
    """Split ``n`` beds over groups in proportion to ``weights`` (largest remainder;
    ties go to the earlier group). All zero weights or ``n <= 0``: nothing to split."""
    total = float(sum(weights))
    if n <= 0 or total <= 0.0:
        return [0] * len(weights)
    exact = [n * w / total for w in weights]
    out = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (out[i] - exact[i], i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


class BedTotal:
    """The G&A bed groups seen as one pool: read-only totals for the census, the
    escalation rule, the elective bed plan and users' processes (``capacity``,
    ``in_use``, ``n_waiting``, ``peak_in_use`` as the sum of the groups' peaks)."""

    __slots__ = ("pools", "name")

    def __init__(self, pools: list[Pool]) -> None:
        self.pools = pools
        self.name = "acute_beds"

    @property
    def capacity(self) -> int:
        """Beds open to admissions, all groups."""
        return sum(p.capacity for p in self.pools)

    @property
    def in_use(self) -> int:
        """Beds taken (occupied or being cleaned), all groups."""
        return sum(p.in_use for p in self.pools)

    @property
    def n_waiting(self) -> int:
        """Queued bed requests, all groups."""
        return sum(p.n_waiting for p in self.pools)

    @property
    def peak_in_use(self) -> int:
        """Sum of the groups' peaks (an upper bound of the total's peak)."""
        return sum(p.peak_in_use for p in self.pools)


class _Held:
    """An elective bed request held back while the trust is escalated and cancelling
    electives: never granted, so the elective list cancels it on the day."""

    __slots__ = ("waiting",)

    def __init__(self) -> None:
        self.waiting = True

    def cancel(self) -> bool:
        was, self.waiting = self.waiting, False
        return was


#: Empty spell rows added at a time (:meth:`AcuteHospital._new_spell`).
SPELL_BLOCK = 4096


class AcuteHospital:
    """The acute trust's G&A beds (and a ring-fenced elective hub).

    Journey steps (one method each, each taking the :class:`~flowsim.patients.Patient`):

    0. :meth:`arrive_direct`: a direct emergency admission arrives (or is diverted).
    1. :meth:`request_emergency` / :meth:`request_elective`: queue for a bed.
    2. :meth:`_admit`: in a bed; stays until medically fit (pathway 0: the leaving
       time is known now, :meth:`_admit_p0`, and fit and leaving cost no event).
    3. :meth:`_fit`: medically fit (a delayed discharge from now); admin time.
    3b. :meth:`_to_assessment`: queue for assessment and brokerage staff.
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
    assessment : AssessmentTeam, optional
        Assessment and brokerage staff every pathway 1-3 case queues for.
    reablement : Reablement, optional
        Pathway 1 reablement (when it exists, P1 patients flagged for it go there).
    pathway3 : Pathway3, optional
        CHC assessment, choice and self-funder search before a care-home place is sought.
    """

    def __init__(
        self,
        clock: Clock,
        scn: Scenario,
        window: DischargeWindow,
        community: CommunityHospital,
        social: SocialCare,
        assessment: AssessmentTeam | None = None,
        reablement: Reablement | None = None,
        pathway3: Pathway3 | None = None,
    ) -> None:
        self.clock = clock
        self.window = window
        self.community = community
        self.social = social
        #: Discharge services (no capacity when not given: cases pass straight through).
        in_hospital = scn.discharge.assess_before_discharge  # false: discharge to assess
        self.initial_awaiting_assessment = scn.discharge.initial_awaiting_assessment_share
        self.assessment = (
            assessment if assessment is not None and assessment.enabled and in_hospital else None
        )
        self.reablement = reablement if reablement is not None and reablement.enabled else None
        self.pathway3 = pathway3 if pathway3 is not None and pathway3.enabled else None
        self.records = Table(RECORDS)
        self.diversions = Table(DIVERSIONS)
        ac = scn.acute
        self.base_beds = ac.beds
        self.escalation_beds = ac.escalation_beds
        self.escalation_months = frozenset(ac.escalation_months)
        self.pressure = ac.escalation_trigger == "pressure"
        self.escalated = False
        self.check_min = ac.escalation_check_hours * 60.0
        self.on_pct, self.off_pct = ac.escalation_on_occupancy_pct, ac.escalation_off_occupancy_pct
        self.on_queue = ac.escalation_on_awaiting_bed
        self.off_queue = ac.escalation_off_awaiting_bed
        self.opens_beds = ac.escalation_opens_beds
        self.cancels_electives = ac.escalation_cancels_electives
        self.extra_assessors = ac.escalation_extra_assessors
        self.closed_beds = 0  # closed to admissions by outbreaks
        #: Beds opened by a user's process (see :meth:`open_surge_beds`); 0 by default.
        self.surge_beds = 0
        self.month = 0
        self._init_groups(ac)
        # Queue levels of the bed pool: level 0 is served first.
        self.elective_level = 0 if ac.elective_bed_priority else 1
        self.emergency_level = 1 - self.elective_level
        self.hub = Pool("elective_hub", scn.elective.ringfenced_beds)
        self.delayed = [0, 0, 0, 0]
        #: (fit time, record row) of pathway-0 patients not yet counted as fit, and
        #: (leaving time, record row, general bed) of those not yet counted as gone
        self._fits_p0 = DueBuckets()
        self._leaves_p0 = DueBuckets()
        clock.on_pause(self._count_p0)
        # Spell records grow in blocks of empty rows filled in place (cheaper than
        # eleven appends per spell); the unused tail goes whenever the clock pauses.
        self._n_spells = 0
        clock.on_pause(self._trim_spells)
        self.turnaround_min = ac.bed_turnaround_hours * 60.0
        self.divert_direct = ac.divert_direct_when_full
        self.cleaning_general = 0  # general beds empty between patients, not yet free

    def _init_groups(self, ac) -> None:
        """The bed pool: one for all G&A beds, or one per bed group with outlying rules."""
        groups = ac.bed_groups
        self.grouped = bool(groups)
        self.outliers_in_bed = 0
        if not self.grouped:
            self.beds: Pool | BedTotal = Pool("acute_beds", ac.beds, levels=2)
            self.pools = [self.beds]
            return
        self.group_base = split_beds(ac.beds, [g.beds for g in groups])
        self.pools = [
            Pool(f"acute_beds.{g.name}", b, levels=2)
            for g, b in zip(groups, self.group_base, strict=True)
        ]
        self.beds = BedTotal(self.pools)
        # Groups that take ordinary electives (the bed plan counts their free beds).
        explicit = all(g.elective_share is not None for g in groups)
        self.elective_pools = [
            p
            for p, g in zip(self.pools, groups, strict=True)
            if (g.elective_share > 0 if explicit else g.specialty == "surgery" and g.beds > 0)
        ]
        self.pool_index = {pool: k for k, pool in enumerate(self.pools)}
        # Escalation, surge beds and outbreak closures fall on the medical groups.
        med = [g.beds if g.specialty == "medicine" else 0 for g in groups]
        self.extra_weights = med if sum(med) > 0 else [g.beds for g in groups]
        self.outlie_after_min = {
            "never": math.inf,
            "after": ac.outlying_after_hours * 60.0,
            "immediately": 0.0,
        }[ac.outlying]
        self.outlier_factor = ac.outlier_los_factor
        n = len(groups)
        # alt[g]: the groups a patient of g may outlie to, same site first.
        # Groups with takes_outliers false are ring-fenced: nobody outlies into them.
        opens = [g.takes_outliers for g in groups]
        self.alt = [
            [h for h in range(n) if h != g and opens[h] and groups[h].site == groups[g].site]
            + (
                [h for h in range(n) if opens[h] and groups[h].site != groups[g].site]
                if ac.outlying_other_sites
                else []
            )
            for g in range(n)
        ]
        # takers[h]: whose waiting patients a free bed of h may go to, same site first.
        self.takers = [
            [
                g
                for g in range(n)
                if g != h and groups[g].site == groups[h].site and h in self.alt[g]
            ]
            + [g for g in range(n) if groups[g].site != groups[h].site and h in self.alt[g]]
            for h in range(n)
        ]

    def elective_free_beds(self) -> int:
        """General beds free for ordinary electives and not promised to a waiting
        patient (bed groups: only the groups electives go to), for the bed plan."""
        if not self.grouped:
            b = self.beds
            return max(0, b.capacity - b.in_use - b.n_waiting)
        return sum(max(0, p.capacity - p.in_use - p.n_waiting) for p in self.elective_pools)

    def _awaiting(self) -> int:
        """Emergency patients waiting for a bed (all groups)."""
        lvl = self.emergency_level
        return sum(len(p.queues[lvl]) for p in self.pools)

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        self._count_p0()
        d = self.delayed
        return (
            self.beds.capacity,
            self.beds.in_use - self.cleaning_general,
            sum(d),
            *d,
            int(self._escalated_now()),
            self._escalation_open(),
            self.closed_beds,
            self._awaiting(),
            self.outliers_in_bed,
        )

    def _escalated_now(self) -> bool:
        if self.pressure:
            return self.escalated
        return self.escalation_beds > 0 and self.month in self.escalation_months

    def _escalation_open(self) -> int:
        """Escalation beds open now."""
        if self.pressure:
            return self.escalation_beds if self.escalated and self.opens_beds else 0
        return self.escalation_beds if self.month in self.escalation_months else 0

    def capacity_for_month(self, month: int) -> int:
        """G&A beds open in calendar ``month``: base, escalation and surge beds, less beds
        closed by outbreaks (escalation by pressure: the beds open while escalated)."""
        if self.pressure:
            extra = self._escalation_open()
        else:
            extra = self.escalation_beds if month in self.escalation_months else 0
        return max(self.base_beds + extra + self.surge_beds - self.closed_beds, 0)

    def _set_capacity(self) -> None:
        """Open the beds of the moment (and the escalation discharge push, if any)."""
        if self.extra_assessors and self.assessment is not None:
            self.assessment.extra = self.extra_assessors if self._escalated_now() else 0.0
        if not self.grouped:
            self.beds.set_capacity(self.capacity_for_month(self.month))
            return
        # Bed groups: base beds, plus escalation and surge beds less outbreak closures
        # on the medical groups (in proportion to their beds).
        m = self.month
        if self.pressure:
            extra = self._escalation_open()
        else:
            extra = self.escalation_beds if m in self.escalation_months else 0
        w = self.extra_weights
        add = split_beds(extra + self.surge_beds, w)
        shut = split_beds(self.closed_beds, w)
        for k, pool in enumerate(self.pools):
            pool.set_capacity(max(self.group_base[k] + add[k] - shut[k], 0))
        if self.outlie_after_min < math.inf:
            for k, pool in enumerate(self.pools):
                if pool.n_waiting == 0 and pool.in_use < pool.capacity:
                    self._offer(k)

    # ------------------------------------------------------------ winter pressure
    def start_pressure(self, outbreaks: Cohort | None) -> None:
        """Schedule outbreaks and, for escalation by pressure, the escalation checks."""
        if outbreaks is not None and len(outbreaks):
            self.clock.chain(outbreaks.t, self._outbreak, outbreaks)
        if self.pressure:
            self.clock.at(0.0, self._check_escalation)

    def _outbreak(self, c: Cohort, i: int) -> None:
        """An outbreak closes its wards to admissions (never evicting anyone)."""
        n = c.attrs.beds[i]
        self.closed_beds += n
        self._set_capacity()
        self.clock.at(c.attrs.length_min[i], self._reopen, n)

    def _reopen(self, n: int) -> None:
        """The outbreak's wards reopen."""
        self.closed_beds -= n
        self._set_capacity()

    def _check_escalation(self) -> None:
        """OPEL-like check: escalate on occupancy or crowding, stand down when both ease."""
        base = max(self.base_beds + self.surge_beds - self.closed_beds, 1)
        self._count_p0()  # beds being cleaned are counted from the leaving times
        occ = 100.0 * (self.beds.in_use - self.cleaning_general) / base
        queue = self._awaiting()
        if not self.escalated:
            crowded = self.on_queue is not None and queue >= self.on_queue
            if occ >= self.on_pct or crowded:
                self.escalated = True
                self._set_capacity()
        elif occ < self.off_pct and queue <= self.off_queue:
            self.escalated = False
            self._set_capacity()
        self.clock.at(self.check_min, self._check_escalation)

    def new_day(self, month: int) -> None:
        """Open the day's bed base (escalation beds in their months)."""
        self.month = month
        self._set_capacity()

    def open_surge_beds(self, n: int) -> None:
        """Open ``n`` surge beds from now on, on top of base and escalation beds (0 closes
        them; closing never evicts a patient). For a user's SimPy process."""
        self.surge_beds = int(n)
        self._set_capacity()

    # ------------------------------------------------------------ admission
    def _new_spell(self, kind: int, p: Patient) -> None:
        """Open the patient's acute spell record (its row is ``p.acute_row``; the other
        fields start empty: NaN times, pathway and bed group -1, not an outlier)."""
        r = self.records
        k = self._n_spells
        if k == len(r.kind):
            r.grow(SPELL_BLOCK)
        self._n_spells = k + 1
        p.acute_row = k
        r.patient_id[k] = p.pid
        r.kind[k] = kind
        r.request[k] = self.clock.now

    def _trim_spells(self) -> None:
        """Drop the empty rows after the last spell (see :meth:`_new_spell`)."""
        self.records.trim(self._n_spells)

    def request_emergency(
        self, p: Patient, kind: int, on_admit: Callable[[Patient], None] | None = None
    ) -> None:
        """Step 1 (emergency): queue for a bed after a decision to admit or a direct
        referral; ``on_admit(p)`` runs when the patient is in the bed."""
        self._new_spell(kind, p)
        if self.grouped:
            self._request_group(p, on_admit)
        else:
            self.beds.request(self._admit, self.emergency_level, p, self.beds, on_admit)

    # ------------------------------------------------------------ bed groups
    def _request_group(self, p: Patient, on_admit: Callable[[Patient], None] | None) -> None:
        """Step 1 (bed groups): a bed of the home group; if none is free, another group's
        free bed at once (``outlying: immediately``), else queue at home, and after
        ``outlying_after_hours`` look for another group's free bed."""
        g = p.care.bed_group[p.j]
        self.records.bed_group[p.acute_row] = g
        home = self.pools[g]
        after = self.outlie_after_min
        if after == 0.0 and (home.n_waiting or home.in_use >= home.capacity):
            other = self._free_other(g)
            if other is not None:
                other.occupy()
                self._admit_outlier(p, other, on_admit)
                return
        t = home.request(self._admit, self.emergency_level, p, home, on_admit)
        if t.waiting and 0.0 < after < math.inf:
            self.clock.at(after, self._may_outlie, t, g)

    def _free_other(self, g: int) -> Pool | None:
        """The first group a patient of ``g`` may outlie to with a bed free and nobody
        waiting for it (same site first), or None."""
        pools = self.pools
        for h in self.alt[g]:
            o = pools[h]
            if o.n_waiting == 0 and o.in_use < o.capacity:
                return o
        return None

    def _may_outlie(self, t: Ticket, g: int) -> None:
        """Step 1c (bed groups): the patient has waited ``outlying_after_hours``: take
        another group's free bed if there is one (else wait for the first bed, home or
        another group's, see :meth:`_offer`)."""
        if not t.waiting:
            return
        other = self._free_other(g)
        if other is not None:
            t.cancel()
            other.occupy()
            p, _, on_admit = t.args
            self._admit_outlier(p, other, on_admit)

    def _offer(self, h: int) -> None:
        """A bed of group ``h`` is free and none of its own patients waits: it goes to
        the longest-waiting emergency patient of another group who may outlie there."""
        o = self.pools[h]
        lvl = self.emergency_level
        limit = self.clock.now - self.outlie_after_min
        request = self.records.request
        pools = self.pools
        for g in self.takers[h]:
            src = pools[g]
            q = src.queues[lvl]
            while q and o.in_use < o.capacity:
                p = q[0].args[0]
                if request[p.acute_row] > limit:
                    break
                t = src.take_head(lvl)
                o.occupy()
                self._admit_outlier(p, o, t.args[2])
            if o.in_use >= o.capacity:
                return

    def _admit_outlier(
        self, p: Patient, bed: Pool, on_admit: Callable[[Patient], None] | None
    ) -> None:
        """Step 2 (outlier): in another group's bed; may stay longer (``outlier_los_factor``)."""
        k = p.acute_row
        self.records.admit[k] = self.clock.now
        self.records.outlier[k] = True
        self.outliers_in_bed += 1
        p.bed = bed
        if on_admit is not None:
            on_admit(p)
        self.clock.at(p.care.los_min[p.j] * self.outlier_factor, self._fit, p)

    def _bed_free(self, bed: Pool) -> None:
        """A group's bed is free: its own queue first, else an outlier of another group."""
        bed.release()
        if bed.n_waiting == 0 and bed.in_use < bed.capacity and self.outlie_after_min < math.inf:
            k = self.pool_index.get(bed)
            if k is not None:
                self._offer(k)

    def arrive_direct(self, c: Cohort, i: int) -> None:
        """Step 0 (direct): a GP / assessment-unit emergency admission queues for a bed,
        or is diverted elsewhere when none is free and diversion is the policy."""
        p = patient(c, i)
        if self.grouped:
            self._direct_group(p)
            return
        if self.divert_direct and not self.beds.try_acquire():
            self.diversions.diverted.append(self.clock.now)
            self.diversions.diverted_patient_id.append(p.pid)
            return
        self._new_spell(KIND_DIRECT, p)
        if self.divert_direct:  # bed already taken by try_acquire
            self._admit(p, self.beds, None)
        else:
            self.beds.request(self._admit, self.emergency_level, p, self.beds, None)

    def _direct_group(self, p: Patient) -> None:
        """Step 0 (bed groups): a direct admission queues for a bed of its home group or,
        with diversion, takes a free one (home, else another group's when outlying is
        immediate) or is diverted."""
        if not self.divert_direct:
            self._new_spell(KIND_DIRECT, p)
            self._request_group(p, None)
            return
        g = p.care.bed_group[p.j]
        home = self.pools[g]
        if home.try_acquire():
            self._new_spell(KIND_DIRECT, p)
            self.records.bed_group[p.acute_row] = g
            self._admit(p, home, None)
            return
        other = self._free_other(g) if self.outlie_after_min == 0.0 else None
        if other is None:
            self.diversions.diverted.append(self.clock.now)
            self.diversions.diverted_patient_id.append(p.pid)
            return
        other.occupy()
        self._new_spell(KIND_DIRECT, p)
        self.records.bed_group[p.acute_row] = g
        self._admit_outlier(p, other, None)

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
        if self.escalated and self.cancels_electives:
            return _Held()  # type: ignore[return-value]  (cancelled on the day)
        if self.grouped:  # a bed of the home (surgical) group; electives do not outlie
            pool = self.pools[p.care.bed_group[p.j]]
            return pool.request(self._elective_bed, self.elective_level, p, on_admit, pool)
        return self.beds.request(self._elective_bed, self.elective_level, p, on_admit, self.beds)

    def _elective_bed(self, p: Patient, on_admit: Callable[[Patient], None], bed: Pool) -> None:
        """Step 1b (elective): a general bed is free; the spell starts now."""
        self._new_spell(KIND_ELECTIVE, p)
        if self.grouped:
            self.records.bed_group[p.acute_row] = p.care.bed_group[p.j]
        self._admit(p, bed, on_admit)

    def prefill(self, c: Cohort, already_fit: bool) -> None:
        """Start state: patients in a bed at time 0, with residual stays."""
        share = self.initial_awaiting_assessment
        home = self._prefill_groups(len(c)) if self.grouped else None
        for i in range(len(c)):
            bed = self.beds if home is None else self.pools[home[i]]
            bed.occupy()
            p = patient(c, i)
            self._new_spell(KIND_PREFILL, p)
            self.records.admit[p.acute_row] = 0.0
            if home is not None:
                self.records.bed_group[p.acute_row] = home[i]
            p.bed = bed
            if already_fit:
                # Already delayed at the start: a share (spread evenly over the cohort)
                # still awaits assessment; the rest are past it, waiting for the admin
                # time and then the pathway's capacity.
                if int((i + 1) * share) == int(i * share):
                    p.assess_round = -1
                self._fit(p)
            else:
                self.clock.at(p.care.los_min[p.j], self._fit, p)

    def _prefill_groups(self, n: int) -> list[int]:
        """Bed groups of ``n`` start-state patients: in proportion to the groups' free
        beds, spread evenly over the cohort (no group is filled past its beds by more
        than rounding)."""
        free = [max(pool.capacity - pool.in_use, 0) for pool in self.pools]
        if sum(free) == 0:
            free = [pool.capacity for pool in self.pools]
        counts = split_beds(n, free)
        keys = sorted(
            ((m + 0.5) / counts[g], g) for g in range(len(counts)) for m in range(counts[g])
        )
        return [g for _, g in keys]

    def _admit(self, p: Patient, bed: Pool, on_admit: Callable[[Patient], None] | None) -> None:
        """Step 2: in a bed (general or hub); stays until medically fit."""
        self.records.admit[p.acute_row] = self.clock.now
        p.bed = bed
        if on_admit is not None:
            on_admit(p)
        if p.care.pathway[p.j] == 0:
            self._admit_p0(p)
        else:
            self.clock.at(p.care.los_min[p.j], self._fit, p)

    def _admit_p0(self, p: Patient) -> None:
        """Steps 3, 6, 7 and 8 (pathway 0, home with no care): the patient needs no
        capacity after the stay, so their leaving time is known on admission.

        Steps:

        1. the fit time joins a due list the census reads (:meth:`_count_p0`): becoming fit
           changes nothing but the delayed count and the record, so it costs no event;
        2. the leaving time follows (the discharge slot after the admin time);
        3. with a bed turnaround and one bed pool, leaving frees nothing until the bed
           is clean: it joins a due list too, and only the bed's release
           (:meth:`_cleaned`) is scheduled, at the time it would have had;
           otherwise :meth:`_leave` is scheduled.

        The same as :meth:`_fit`, :meth:`_ready`, :meth:`_leave` and :meth:`_cleaned`
        as events.
        """
        care, j = p.care, p.j
        now = self.clock.now
        fit = now + max(care.los_min[j], 0.0)
        p.pathway = 0
        self._fits_p0.add((fit, p.acute_row))
        t = self.window.leave_time(
            fit + care.assess_min[j], care.dis_hour_u[j], care.dis_weekend_u[j]
        )
        if self.turnaround_min > 0.0 and not self.grouped:
            leave = now + max(t - now, 0.0)  # the time a step scheduled now would have
            self._leaves_p0.add((leave, p.acute_row, p.bed is not self.hub))
            self.clock.at_time(leave + self.turnaround_min, self._cleaned, p.bed)
        else:
            self.clock.at(t - now, self._leave, p)

    def _count_p0(self) -> None:
        """Pathway-0 patients fit before now become delayed discharges in the census
        and get their fit time in the records; those gone before now leave the delayed
        count and get their leaving time, and a general bed of theirs counts as being
        cleaned until :meth:`_cleaned`. One due exactly now is not counted yet, as a
        step due now would not have run before the step reading the counts."""
        now, r = self.clock.now, self.records
        fits = self._fits_p0.take_before(now)
        if fits:
            fit, pathway = r.fit, r.pathway
            for t, k in fits:
                fit[k] = t
                pathway[k] = 0
            self.delayed[0] += len(fits)
        gone = self._leaves_p0.take_before(now)
        if gone:
            leave = r.leave
            general = 0
            for t, k, g in gone:
                leave[k] = t
                general += g
            self.delayed[0] -= len(gone)
            self.cleaning_general += general

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
            self.clock.at(care.assess_min[j], self._to_assessment, p)

    def _to_assessment(self, p: Patient) -> None:
        """Step 3b: the case queues for assessment and brokerage staff (then, pathway 3,
        CHC assessment and the patient's choice before the place is sought)."""
        if getattr(p, "assess_round", 0) < 0:
            self._referred(p)  # start state: already past assessment
            return
        done = self._referred
        if p.pathway == 3 and self.pathway3 is not None:
            done = self._assessed_p3
        if self.assessment is None:
            done(p)
        else:
            self.assessment.assess(p, done)

    def _assessed_p3(self, p: Patient) -> None:
        """Step 3c (pathway 3): CHC assessment, choice and search, then step 4."""
        self.pathway3.prepare(p, self._referred)  # type: ignore[union-attr]

    def _referred(self, p: Patient) -> None:
        """Step 4: ask for the pathway's capacity; the patient keeps the bed meanwhile."""
        pw = p.pathway
        self.records.referred[p.acute_row] = self.clock.now
        if pw == 1:
            if self.reablement is not None and p.care.reablement[p.j]:
                self.reablement.request(p, self._granted)
            else:
                self.social.request(HOME_CARE, SRC_ACUTE, p.pid, self._granted, p)
        elif pw == 2:
            self.community.request_bed(self._granted, p)
        else:
            self.social.request(CARE_HOME, SRC_ACUTE, p.pid, self._granted, p)

    def _granted(self, p: Patient) -> None:
        """Step 5: the package, community bed or place is the patient's: ready to leave."""
        self.records.granted[p.acute_row] = self.clock.now
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
            if self.reablement is not None and p.care.reablement[p.j]:
                self.reablement.start(p)
            else:
                self.social.start(HOME_CARE, p.care.home_care_min[p.j])
        elif pw == 2:
            self.community.admit_from_acute(p)
        elif pw == 3:
            self.social.start(CARE_HOME, p.care.care_home_min[p.j])
        bed = p.bed
        if self.grouped and self.records.outlier[p.acute_row]:
            self.outliers_in_bed -= 1
        if self.turnaround_min > 0.0:
            if bed is not self.hub:
                self.cleaning_general += 1
            self.clock.at(self.turnaround_min, self._cleaned, bed)
        elif self.grouped:
            self._bed_free(bed)
        else:
            bed.release()

    def _cleaned(self, bed: Pool) -> None:
        """Step 8: the cleaned bed is free for the next patient (bed groups: its own
        group's longest waiter, else an outlier's, see :meth:`_offer`)."""
        if bed is not self.hub:
            self.cleaning_general -= 1
        if self.grouped:
            self._bed_free(bed)
        else:
            bed.release()
