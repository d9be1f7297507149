"""Same day emergency care (SDEC) and acute frailty units: emergencies without a bed.

A share of the patients who would be admitted as emergencies (``sdec.ed_eligible_prob``
of A&E patients after their clinician assessment, ``sdec.direct_eligible_prob`` of
direct GP referrals) can be assessed, treated and sent home the same day in an SDEC or
acute frailty unit (NHS England: SDEC at least 12 hours a day, 7 days a week, X80; an
acute frailty service at least 70 hours a week, X81). A suitable patient goes there
when the unit is open, still taking patients (not within
``sdec.last_referral_before_close_h`` of closing) and has a chair or trolley free;
otherwise they follow the admitted pathway and request an acute bed. So the unit's
chairs and hours are levers: more of either means fewer bed requests.

The unit takes patients only from a free chair (no queue: a patient who cannot be taken
at once is admitted instead, as when a unit is full); a patient in a chair at closing
time finishes there. Counters for the KPIs go into the midnight census as running
totals (patients managed, chair-minutes used and open), so the reporting period's
figures are differences of two census rows.
"""

from __future__ import annotations

from flowsim.config import Scenario
from flowsim.model.acute import AcuteHospital
from flowsim.model.engine import MIN_PER_DAY, Clock, Pool
from flowsim.patients import Cohort
from flowsim.records import schema

CENSUS = schema(
    "sdec_census",
    ("sdec_chairs", "int64", "chairs", "SDEC / frailty chairs and trolleys"),
    ("sdec_managed_total", "int64", "patients", "running total of patients managed in SDEC"),
    ("sdec_chair_min_total", "int64", "min", "running total of chair-minutes used"),
    ("sdec_open_chair_min_total", "int64", "min", "running total of chair-minutes open"),
)


class SameDayCare:
    """SDEC / acute frailty chairs with opening hours by weekday.

    Parameters
    ----------
    clock : Clock
        The model clock (its weekday of day 0 sets the opening hours).
    scn : Scenario
        Reads ``sdec.*``.
    acute : AcuteHospital
        Where direct referrals go when SDEC cannot take them.
    """

    def __init__(self, clock: Clock, scn: Scenario, acute: AcuteHospital) -> None:
        sd = scn.sdec
        self.clock = clock
        self.acute = acute
        self.enabled = sd.chairs > 0
        self.chairs = Pool("sdec_chairs", sd.chairs)
        cut = sd.last_referral_before_close_h * 60.0
        #: Minute of the day the unit opens, and the last minute it takes patients, by weekday.
        self.opens = tuple(h * 60.0 for h in sd.open_hour_by_weekday)
        self.takes_until = tuple(h * 60.0 - cut for h in sd.close_hour_by_weekday)
        self.open_min = tuple(
            (c - o) * 60.0
            for o, c in zip(sd.open_hour_by_weekday, sd.close_hour_by_weekday, strict=True)
        )
        self.managed = 0
        self.chair_min = 0.0
        self.open_chair_min = 0.0
        self._day = 0  # days whose open chair-minutes are counted

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS` (running totals to this midnight)."""
        day = int(self.clock.now // MIN_PER_DAY + 1e-9)
        while self._day < day:
            self.open_chair_min += (
                self.chairs.capacity * self.open_min[self.clock.weekday(self._day * MIN_PER_DAY)]
            )
            self._day += 1
        return (
            self.chairs.capacity,
            self.managed,
            int(self.chair_min),
            int(self.open_chair_min),
        )

    def take(self, stay_min: float) -> bool:
        """A patient SDEC can manage (``stay_min`` >= 0): True if the unit takes them now
        (open, still taking patients, a chair free); they leave home after the stay."""
        if stay_min < 0.0:
            return False
        now = self.clock.now
        m = now % MIN_PER_DAY
        wd = self.clock.weekday(now)
        if not (self.opens[wd] <= m < self.takes_until[wd]) or not self.chairs.try_acquire():
            return False
        self.managed += 1
        self.chair_min += stay_min
        self.clock.at(stay_min, self.chairs.release)
        return True

    def arrive_direct(self, c: Cohort, i: int) -> None:
        """A direct (GP) emergency referral: SDEC if it can take them, else the acute
        hospital's direct admission."""
        if not self.take(c.attrs.sdec_min[i]):
            self.acute.arrive_direct(c, i)
