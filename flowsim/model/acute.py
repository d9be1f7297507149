"""Acute (general and acute) beds: emergency and elective patients, discharge pathways.

A patient is admitted when a bed is free, stays ``los`` until medically fit (no
longer meets the criteria to reside), then needs their discharge pathway:
pathway 0 home, 1 home with a care package, 2 a community (rehab) bed, 3 a care
home. After an assessment/brokerage time the pathway's capacity is requested;
the patient keeps the acute bed until it is granted and then leaves in the next
discharge window. Everything from medically fit to leaving is delayed discharge.

A general bed that comes free goes to a waiting emergency patient before a booked
elective unless ``acute.elective_bed_priority``: under sustained pressure it is
electives that are cancelled on the day, which keeps the emergency pathway stable
as it does in practice, and is what a ring-fenced elective hub protects against.
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.engine import Clock, Pool, next_discharge_time
from flowsim.patients import Cohort
from flowsim.records import (
    CARE_HOME,
    HOME_CARE,
    KIND_DIRECT,
    KIND_ELECTIVE,
    KIND_PREFILL,
    NAN,
    SRC_ACUTE,
    Recorder,
)


class AcuteHospital:
    def __init__(self, clock: Clock, rec: Recorder, scn: Scenario) -> None:
        self.clock = clock
        self.rec = rec
        ac = scn.acute
        self.base_beds = ac.beds
        self.escalation_beds = ac.escalation_beds
        self.escalation_months = frozenset(ac.escalation_months)
        self.beds = Pool("acute_beds", ac.beds, levels=2)
        # Queue levels of the bed pool: level 0 is served first.
        self.elective_level = 0 if ac.elective_bed_priority else 1
        self.emergency_level = 1 - self.elective_level
        self.hub = Pool("elective_hub", scn.elective.ringfenced_beds)
        d = scn.discharge
        self.win = (d.window_start_hour * 60.0, d.window_end_hour * 60.0, d.weekend_factor)
        self.use_window = d.use_window
        self.delayed = [0, 0, 0, 0]
        self.turnaround_min = ac.bed_turnaround_hours * 60.0
        self.divert_direct = ac.divert_direct_when_full
        self.cleaning_general = 0  # general beds empty between patients, not yet free
        self.community = None  # wired by the system
        self.social = None

    def capacity_for_month(self, month: int) -> int:
        extra = self.escalation_beds if month in self.escalation_months else 0
        return self.base_beds + extra

    # ------------------------------------------------------------ admission
    def _new_spell(self, kind: int) -> int:
        r = self.rec
        k = len(r.ac_kind)
        r.ac_kind.append(kind)
        r.ac_request.append(self.clock.now)
        r.ac_admit.append(NAN)
        r.ac_fit.append(NAN)
        r.ac_leave.append(NAN)
        r.ac_pathway.append(-1)
        return k

    def request_emergency(
        self, c: Cohort, i: int, kind: int, on_admit: Callable[[], None] | None = None
    ) -> None:
        """Queue an emergency patient (decision to admit, or direct referral) for a bed."""
        k = self._new_spell(kind)
        self.beds.request(self._admit, self.emergency_level, c, i, k, self.beds, on_admit)

    def arrive_direct(self, c: Cohort, i: int) -> None:
        """A direct (GP / assessment unit) emergency admission: queue for a bed, or be
        diverted elsewhere when none is free and diversion is the policy."""
        if self.divert_direct and not self.beds.try_acquire():
            self.rec.ac_diverted.append(self.clock.now)
            return
        k = self._new_spell(KIND_DIRECT)
        if self.divert_direct:  # bed already taken by try_acquire
            self._admit(c, i, k, self.beds, None)
        else:
            self.beds.request(self._admit, self.emergency_level, c, i, k, self.beds, None)

    def request_elective(self, c: Cohort, i: int, on_admit: Callable[[], None]) -> Callable | None:
        """Ask for a bed for a booked elective: a ring-fenced hub bed if one is free,
        else a general bed (queued behind or ahead of emergencies, see the module
        docstring). Returns a handle to cancel the request if it is still waiting,
        or None if the patient was admitted at once."""
        if self.hub.try_acquire():
            self._admit(c, i, self._new_spell(KIND_ELECTIVE), self.hub, on_admit)
            return None
        admitted = []

        def grant() -> None:
            admitted.append(True)
            self._admit(c, i, self._new_spell(KIND_ELECTIVE), self.beds, on_admit)

        self.beds.request(grant, self.elective_level)
        return None if admitted else grant

    def cancel_elective(self, handle: Callable) -> bool:
        return self.beds.cancel(handle, self.elective_level)

    def prefill(self, c: Cohort, already_fit: bool) -> None:
        """Start-state patients: in a bed at time 0, with residual stays."""
        for i in range(len(c)):
            self.beds.occupy()
            k = self._new_spell(KIND_PREFILL)
            self.rec.ac_admit[k] = 0.0
            if already_fit:
                self._fit(c, i, k, self.beds)
            else:
                self.clock.at(c.a["los"][i], self._fit, c, i, k, self.beds)

    def _admit(self, c: Cohort, i: int, k: int, pool: Pool, on_admit) -> None:
        self.rec.ac_admit[k] = self.clock.now
        if on_admit is not None:
            on_admit()
        self.clock.at(c.a["los"][i], self._fit, c, i, k, pool)

    # ------------------------------------------------------------ discharge
    def _fit(self, c: Cohort, i: int, k: int, pool: Pool) -> None:
        p = c.a["pathway"][i]
        self.rec.ac_fit[k] = self.clock.now
        self.rec.ac_pathway[k] = p
        self.delayed[p] += 1
        if p == 0:
            # Pathway 0 needs no capacity: the leaving time is known now, so schedule it
            # directly (one event fewer for most patients).
            self._ready(c, i, k, pool, 0, None, self.clock.now + c.a["assess"][i])
        else:
            self.clock.at(c.a["assess"][i], self._referred, c, i, k, pool, p)

    def _referred(self, c: Cohort, i: int, k: int, pool: Pool, p: int) -> None:
        if p == 1:
            days = c.a["hc_days"][i]
            self.social.request(
                HOME_CARE,
                SRC_ACUTE,
                lambda: self._ready(c, i, k, pool, p, lambda: self.social.start(HOME_CARE, days)),
            )
        elif p == 2:
            self.community.request_bed(
                lambda: self._ready(c, i, k, pool, p, lambda: self.community.admit_from_acute(c, i))
            )
        else:
            days = c.a["ch_days"][i]
            self.social.request(
                CARE_HOME,
                SRC_ACUTE,
                lambda: self._ready(c, i, k, pool, p, lambda: self.social.start(CARE_HOME, days)),
            )

    def _ready(
        self, c: Cohort, i: int, k: int, pool: Pool, p: int, then, ready: float | None = None
    ) -> None:
        """Ready to leave at ``ready`` (default now): leave in the next discharge slot."""
        now = self.clock.now
        if ready is None:
            ready = now
        if not self.use_window:
            if ready <= now:
                self._leave(k, pool, p, then)
            else:
                self.clock.at(ready - now, self._leave, k, pool, p, then)
            return
        ws, we, wf = self.win
        t = next_discharge_time(
            ready, c.a["dis_hour"][i], c.a["dis_weekend"][i], ws, we, wf, self.clock.start_weekday
        )
        self.clock.at(t - now, self._leave, k, pool, p, then)

    def _leave(self, k: int, pool: Pool, p: int, then) -> None:
        self.rec.ac_leave[k] = self.clock.now
        self.delayed[p] -= 1
        if then is not None:
            then()
        if self.turnaround_min > 0.0:
            if pool is self.beds:
                self.cleaning_general += 1
            self.clock.at(self.turnaround_min, self._cleaned, pool)
        else:
            pool.release()

    def _cleaned(self, pool: Pool) -> None:
        if pool is self.beds:
            self.cleaning_general -= 1
        pool.release()
