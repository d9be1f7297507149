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
from flowsim.model.engine import Clock, Pool, next_discharge_time
from flowsim.patients import Cohort
from flowsim.records import CARE_HOME, HOME_CARE, NAN, SRC_COMMUNITY, Recorder

FROM_ACUTE, STEP_UP, PREFILL = 0, 1, 2


class CommunityHospital:
    def __init__(self, clock: Clock, rec: Recorder, scn: Scenario) -> None:
        self.clock = clock
        self.rec = rec
        self.beds = Pool("community_beds", scn.community.beds, levels=2)
        d = scn.discharge
        self.win = (d.window_start_hour * 60.0, d.window_end_hour * 60.0, d.weekend_factor)
        self.use_window = d.use_window
        self.delayed = 0
        self.social = None  # wired by the system

    def start(self, stepup: Cohort, prefill: Cohort) -> None:
        for i in range(len(prefill)):
            self.beds.occupy()
            self._admit(prefill, i, PREFILL)
        self.clock.chain(
            stepup.t, lambda i: self.beds.request(lambda: self._admit(stepup, i, STEP_UP), 1)
        )

    def request_bed(self, grant: Callable[[], None]) -> None:
        """Reserve a bed for an acute patient on pathway 2 (ahead of step-up demand)."""
        self.beds.request(grant, 0)

    def admit_from_acute(self, c: Cohort, i: int) -> None:
        self._admit(c, i, FROM_ACUTE)

    def _admit(self, c: Cohort, i: int, source: int) -> None:
        r = self.rec
        k = len(r.cm_source)
        r.cm_source.append(source)
        r.cm_admit.append(self.clock.now)
        r.cm_fit.append(NAN)
        r.cm_leave.append(NAN)
        self.clock.at(c.a["comm_los"][i], self._fit, c, i, k)

    def _fit(self, c: Cohort, i: int, k: int) -> None:
        self.rec.cm_fit[k] = self.clock.now
        self.delayed += 1
        onward = c.a["onward"][i]
        if onward == 0:
            self._ready(c, i, k, None)
            return
        service = HOME_CARE if onward == 1 else CARE_HOME
        days = c.a["hc_days"][i] if onward == 1 else c.a["ch_days"][i]

        def referred() -> None:
            self.social.request(
                service,
                SRC_COMMUNITY,
                lambda: self._ready(c, i, k, lambda: self.social.start(service, days)),
            )

        self.clock.at(c.a["onward_assess"][i], referred)

    def _ready(self, c: Cohort, i: int, k: int, then) -> None:
        now = self.clock.now
        if not self.use_window:
            self._leave(k, then)
            return
        ws, we, wf = self.win
        t = next_discharge_time(
            now,
            c.a["comm_dis_hour"][i],
            c.a["comm_dis_weekend"][i],
            ws,
            we,
            wf,
            self.clock.start_weekday,
        )
        self.clock.at(t - now, self._leave, k, then)

    def _leave(self, k: int, then) -> None:
        self.rec.cm_leave[k] = self.clock.now
        self.delayed -= 1
        if then is not None:
            then()
        self.beds.release()
