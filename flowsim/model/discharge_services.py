"""Discharge services as capacity: assessment and brokerage staff, and reablement.

Every wait a delayed patient meets here comes from a queue for a counted capacity
(staff on shift, reablement places), never from a timer fitted to an output:

- :class:`AssessmentTeam`: discharge coordinators, social workers and trusted
  assessors on shift by weekday; each assessment holds one of them for the
  patient's assessment time (X52). Cases queue first come, first served.
- :class:`Reablement`: pathway 1 reablement / home first, a visit capacity shared
  (or split) between hospital discharges and community referrals. A person holds
  a place for their episode; those handing on to long-term home care keep it until
  the package starts, so a home care shortage backs up into reablement and then
  into hospital beds.
- :class:`Pathway3`: before a pathway 3 patient's care-home place is sought, the
  share needing continuing healthcare (CHC) queues for CHC nurse assessors (a
  counted capacity, each holding the case for its assessor time); then patient or
  family choice and, for self-funders, their own search for a home take a decision
  time (the patient's, not a service's: no capacity is involved).
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.engine import MIN_PER_DAY, Clock, Pool
from flowsim.model.social_care import SocialCare
from flowsim.patients import Cohort, Patient
from flowsim.records import HOME_CARE, NAN, SRC_ACUTE, SRC_REABLEMENT, Table, schema

#: One row per reablement episode (hospital discharges and community referrals).
RECORDS = schema(
    "reablement",
    ("patient_id", "int64", "", "patient id (the same in every setting)"),
    ("source", "int64", "", "0 acute discharge, 2 community referral"),
    ("request", "float64", "min", "referral for reablement"),
    ("start", "float64", "min", "a place is the person's (the wait ends)"),
)
CENSUS = schema(
    "discharge_services_census",
    ("assessment_queue", "int64", "patients", "delayed patients waiting for an assessment"),
    ("reablement_capacity", "int64", "people", "reablement places (visits / visits per person)"),
    ("reablement_in_use", "int64", "people", "reablement places in use or held"),
    ("reablement_queue_hospital", "int64", "people", "hospital discharges waiting"),
    ("reablement_queue_community", "int64", "people", "community referrals waiting"),
    ("chc_queue", "int64", "patients", "pathway 3 patients waiting for a CHC assessor"),
    ("chc_in_use", "int64", "assessors", "CHC assessors working on a case"),
    (
        "unmet_need_waiting",
        "int64",
        "people",
        "people at home waiting for home care, "
        "reablement or a step-up bed (the unmet need that feeds back)",
    ),
)


def split_pools(name: str, capacity: int, hospital_share: float | None) -> tuple[Pool, Pool]:
    """The hospital and community pools of a service: one shared pool (``None``) or a
    dedicated split, ``round(capacity * hospital_share)`` for hospital discharges."""
    if hospital_share is None:
        pool = Pool(name, capacity)
        return pool, pool
    n_h = int(round(capacity * hospital_share))
    return Pool(f"{name}_hospital", n_h), Pool(f"{name}_community", capacity - n_h)


class AssessmentTeam:
    """Assessment and brokerage staff for delayed patients on pathways 1-3.

    Steps of a case:

    1. :meth:`assess`: join the queue for a member of staff (``assessment_rounds``
       times in turn: a duplicated assessment queues twice).
    2. :meth:`_start`: a member of staff takes the case for its assessment time.
    3. :meth:`_finish`: done; the staff member takes the next case; the patient goes
       on to request their pathway's capacity.

    Staff are on shift from ``assessment_shift_start_hour`` for ``assessment_shift_hours``
    with the weekday's head count; a case started before the shift ends is finished.
    A fractional count is whole-time equivalents: 8.5 is 8 staff for the shift and a
    part-timer for its first half (so capacity comes in hours of staff time, not only
    in whole shifts). While the acute trust is escalated its discharge push adds
    ``extra`` staff to each shift (``acute.escalation_extra_assessors``).

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``discharge.assessment_*``.
    """

    def __init__(self, clock: Clock, scn: Scenario) -> None:
        d = scn.discharge
        self.clock = clock
        self.staff = d.assessment_staff_by_weekday
        #: False: no assessment capacity (cases pass straight through).
        self.enabled = self.staff is not None
        self.rounds = d.assessment_rounds
        self.start_min = d.assessment_shift_start_hour * 60.0
        self.shift_min = d.assessment_shift_hours * 60.0
        self.pool = Pool("assessors", 0)
        #: Extra WTE on each shift while the acute trust is escalated (its discharge
        #: push, ``acute.escalation_extra_assessors``), set by the trust; read at shift start.
        self.extra = 0.0

    def snapshot(self) -> tuple:
        """The census field ``assessment_queue``."""
        return (self.pool.n_waiting,)

    def start(self) -> None:
        """Schedule the first shift (then one shift a day)."""
        if self.enabled:
            self.clock.at(self.start_min, self._shift_start, 0)

    def _shift_start(self, day: int) -> None:
        n = self.staff[self.clock.weekday(self.clock.now)]
        n += self.extra
        whole = int(n)
        part = n - whole
        if part > 0.0:  # a part-timer on shift for that fraction of it
            # (the end is scheduled before any case starts, so at that minute the
            # part-timer leaves before a finishing colleague's place is refilled)
            self.clock.at(part * self.shift_min, self._part_time_end, whole)
            self.pool.set_capacity(whole + 1)
        else:
            self.pool.set_capacity(whole)
        self.clock.at(self.shift_min, self._shift_end)
        self.clock.at(MIN_PER_DAY, self._shift_start, day + 1)

    def _part_time_end(self, whole: int) -> None:
        """The part-timer's hours end (a case they started is finished)."""
        self.pool.set_capacity(whole)

    def _shift_end(self) -> None:
        self.pool.set_capacity(0)

    def assess(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 1: queue for staff; ``done(p)`` runs when every round is complete."""
        if not self.enabled:
            done(p)
            return
        p.assess_round = 1
        self.pool.request(self._start, 0, p, done)

    def _start(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 2: a member of staff works on the case."""
        self.clock.at(p.care.assess_work_min[p.j], self._finish, p, done)

    def _finish(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 3: the round is done; the next round queues again, or the patient goes on."""
        self.pool.release()
        if p.assess_round < self.rounds:
            p.assess_round += 1
            self.pool.request(self._start, 0, p, done)
        else:
            done(p)


class Reablement:
    """Pathway 1 reablement: places = visits per day / visits per person per day.

    Steps of an episode:

    1. :meth:`request` (hospital) or :meth:`_community_arrive`: ask for a place.
    2. :meth:`_granted`: the place is the person's (held from now, as providers do).
    3. :meth:`start`: the episode begins (on leaving hospital, or at once).
    4. :meth:`_end`: the episode ends; home care is requested for those handing on,
       who keep the place until it starts (:meth:`_handed_on`).

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``social_care.reablement_*``.
    social : SocialCare
        Where long-term home care is requested at hand-on.
    """

    def __init__(self, clock: Clock, scn: Scenario, social: SocialCare) -> None:
        sc = scn.social_care
        self.clock = clock
        self.social = social
        self.records = Table(RECORDS)
        self.capacity = int(sc.reablement_visits_per_day / sc.reablement_visits_per_person_day)
        #: False: no reablement service (pathway 1 goes straight to home care).
        self.enabled = sc.reablement_visits_per_day > 0
        self.hospital, self.community = split_pools(
            "reablement", self.capacity, sc.reablement_hospital_share
        )

    def snapshot(self) -> tuple:
        """The reablement fields of :data:`CENSUS`."""
        h, c = self.hospital, self.community
        if h is c:
            in_use = h.in_use
            # one shared FIFO queue: count hospital and community waiters apart
            n_h = sum(1 for t in h.queues[0] if t.args[1] == SRC_ACUTE)
            return (h.capacity, in_use, n_h, h.n_waiting - n_h)
        return (h.capacity + c.capacity, h.in_use + c.in_use, h.n_waiting, c.n_waiting)

    def _row(self, pid: int, source: int) -> int:
        r = self.records
        k = len(r.source)
        r.patient_id.append(pid)
        r.source.append(source)
        r.request.append(self.clock.now)
        r.start.append(NAN)
        return k

    def request(self, p: Patient, grant: Callable[[Patient], None]) -> None:
        """Step 1 (hospital): ask for a place; ``grant(p)`` runs when it is the patient's."""
        k = self._row(p.pid, SRC_ACUTE)
        self.hospital.request(self._granted, 0, k, SRC_ACUTE, grant, p)

    def _granted(self, k: int, source: int, grant: Callable[..., None], *args: object) -> None:
        """Step 2: the place is the person's."""
        self.records.start[k] = self.clock.now
        grant(*args)

    def start(self, p: Patient) -> None:
        """Step 3 (hospital): the patient has left hospital; the episode begins."""
        care, j = p.care, p.j
        self.clock.at(
            care.reablement_min[j],
            self._end,
            self.hospital,
            care.reablement_handon[j],
            p.pid,
            care.home_care_min[j],
            False,
        )

    def community_referrals(self, c: Cohort) -> None:
        """Community referrals arriving over the run."""
        self.clock.chain(c.t, self._community_arrive, c)

    def _community_arrive(self, c: Cohort, i: int) -> None:
        """Step 1 (community): a referral from home asks for a place."""
        k = self._row(c.pid0 + i, 2)
        self.community.request(self._granted, 0, k, 2, self._community_start, c, i)

    def _community_start(self, c: Cohort, i: int) -> None:
        """Step 3 (community): the episode begins at once."""
        a = c.attrs
        self.clock.at(
            a.length_min[i],
            self._end,
            self.community,
            a.handon[i],
            c.pid0 + i,
            a.home_care_min[i],
            True,
        )

    def _end(
        self, pool: Pool, handon: bool, pid: int, home_care_min: float, community: bool
    ) -> None:
        """Step 4: the episode ends; hand on to home care (keeping the place) or free it.
        A community referral's package comes from the community part of a home care split."""
        if handon:
            self.social.request(
                HOME_CARE,
                SRC_REABLEMENT,
                pid,
                self._handed_on,
                pool,
                home_care_min,
                community,
                community=community,
            )
        else:
            pool.release()

    def _handed_on(self, pool: Pool, home_care_min: float, community: bool) -> None:
        """Step 4b: the home care package starts; the reablement place is free."""
        self.social.start(HOME_CARE, home_care_min, community)
        pool.release()


class Pathway3:
    """Pathway 3 before the place is sought: CHC assessment, choice, self-funder search.

    Steps of a case:

    1. :meth:`prepare`: a CHC case queues for a CHC assessor (when they are a
       capacity, ``discharge.chc_assessors``); others go to step 3.
    2. :meth:`_chc_start` / :meth:`_chc_end`: the assessor holds the case for its time.
    3. :meth:`_decide`: the patient's choice and self-funder search time (if any), then
       ``done(p)``: the care-home place is requested.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``discharge.chc_*``, ``discharge.choice_share`` and
        ``social_care.care_home_self_funder_share``.
    """

    def __init__(self, clock: Clock, scn: Scenario) -> None:
        d, sc = scn.discharge, scn.social_care
        self.clock = clock
        #: CHC assessors, or None (CHC is then not a capacity: no wait, no assessor time).
        self.chc = (
            Pool("chc_assessors", d.chc_assessors)
            if d.chc_assessors is not None and d.chc_share > 0
            else None
        )
        self.decide = d.choice_share > 0 or sc.care_home_self_funder_share > 0
        #: False: pathway 3 goes straight to asking for a place.
        self.enabled = self.chc is not None or self.decide

    def snapshot(self) -> tuple:
        """The CHC fields of :data:`CENSUS`."""
        c = self.chc
        return (c.n_waiting, c.in_use) if c is not None else (0, 0)

    def prepare(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 1: a CHC case queues for an assessor; ``done(p)`` runs when the place
        can be sought."""
        if self.chc is not None and p.care.chc[p.j]:
            self.chc.request(self._chc_start, 0, p, done)
        else:
            self._decide(p, done)

    def _chc_start(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 2: an assessor works on the case."""
        self.clock.at(p.care.chc_work_min[p.j], self._chc_end, p, done)

    def _chc_end(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 2b: the CHC decision is made; the assessor takes the next case."""
        self.chc.release()  # type: ignore[union-attr]
        self._decide(p, done)

    def _decide(self, p: Patient, done: Callable[[Patient], None]) -> None:
        """Step 3: choice and self-funder search (the patient's time), then ``done(p)``."""
        t = p.care.p3_decide_min[p.j] if self.decide else 0.0
        if t > 0.0:
            self.clock.at(t, done, p)
        else:
            done(p)


class UnmetNeed:
    """Unmet community need feeding back as emergency admissions.

    People waiting at home for home care, reablement or a step-up community bed are at
    risk: each generates emergency (direct) admissions at
    ``social_care.unmet_need_admissions_per_person_day``. The admissions are a thinned
    candidate stream: a candidate arriving when ``n`` people wait is admitted if its
    uniform is below ``rate * n / max_per_day`` (a Poisson process of intensity
    ``rate * n(t)``, clipped at the ceiling).

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``social_care.unmet_need_*``.
    social, community, reablement :
        Whose community queues are counted.
    admit : callable
        ``admit(cohort, i)``: the candidate becomes a direct emergency admission.
    """

    def __init__(
        self,
        clock: Clock,
        scn: Scenario,
        social: SocialCare,
        community: object,
        reablement: Reablement,
        admit: Callable[[Cohort, int], None],
    ) -> None:
        sc = scn.social_care
        self.clock = clock
        self.social, self.community, self.reablement = social, community, reablement
        self.admit = admit
        self.rate = sc.unmet_need_admissions_per_person_day
        self.max_per_day = sc.unmet_need_max_per_day
        self.enabled = self.rate > 0
        #: Candidates admitted so far.
        self.admitted = 0

    def waiting(self) -> int:
        """People at home waiting for home care, reablement or a step-up bed."""
        n = self.social.snapshot()[6]  # community referrals waiting for home care
        if self.reablement.enabled:
            n += self.reablement.snapshot()[3]
        return n + self.community.snapshot()[3]  # type: ignore[attr-defined]

    def snapshot(self) -> tuple:
        """The census field ``unmet_need_waiting``."""
        return (self.waiting(),)

    def start(self, c: Cohort) -> None:
        """Schedule the candidates."""
        if self.enabled and len(c):
            self.clock.chain(c.t, self._candidate, c)

    def _candidate(self, c: Cohort, i: int) -> None:
        """A candidate: admitted with probability ``rate * waiting / max_per_day``."""
        if c.attrs.crisis_u[i] * self.max_per_day < self.rate * self.waiting():
            self.admitted += 1
            self.admit(c, i)


__all__ = [
    "AssessmentTeam",
    "CENSUS",
    "Pathway3",
    "RECORDS",
    "Reablement",
    "UnmetNeed",
    "split_pools",
]
