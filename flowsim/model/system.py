"""Wiring the county system together and running one replication.

ambulance -> A&E -> acute beds -> community beds -> social care, with the
elective list competing for acute beds. The model reads no files, prints
nothing and plots nothing: it turns a Scenario and seeds into a Replication.
"""

from __future__ import annotations

import time

import simpy

from flowsim.config import Scenario
from flowsim.model.acute import AcuteHospital
from flowsim.model.community import CommunityHospital
from flowsim.model.ed import EmergencyDepartment
from flowsim.model.elective import ElectiveList
from flowsim.model.engine import MIN_PER_DAY, Clock
from flowsim.model.social_care import CARE_HOME, HOME_CARE, SocialCare
from flowsim.patients import Cohorts, build_cohorts
from flowsim.records import Recorder, Replication
from flowsim.sampling import month_of_day
from flowsim.streams import Streams


class CountySystem:
    """All care settings of one replication, sharing one clock and one recorder."""

    def __init__(self, scn: Scenario, cohorts: Cohorts) -> None:
        self.scn = scn
        self.env = simpy.Environment()
        self.clock = Clock(self.env, scn.run.start_weekday)
        self.rec = Recorder()
        self.acute = AcuteHospital(self.clock, self.rec, scn)
        self.ed = EmergencyDepartment(self.clock, self.rec, scn, self.acute)
        self.community = CommunityHospital(self.clock, self.rec, scn)
        self.social = SocialCare(self.clock, self.rec, scn)
        self.elective = ElectiveList(self.clock, self.rec, scn, self.acute)
        self.acute.community = self.community
        self.acute.social = self.social
        self.community.social = self.social
        self.cohorts = cohorts
        self.n_days = int(scn.run.warmup_days + scn.run.days + 0.999999)
        self.months = month_of_day(self.n_days + 1, scn.run.start_month)

    def start(self) -> None:
        c = self.cohorts
        # Start state first, so that arrivals at time 0 find the beds already filled.
        self.acute.beds.set_capacity(self.acute.capacity_for_month(int(self.months[0])))
        self.acute.prefill(c.acute_prefill, already_fit=False)
        self.acute.prefill(c.acute_delayed, already_fit=True)
        self.social.prefill(HOME_CARE, c.hc_prefill)
        self.social.prefill(CARE_HOME, c.ch_prefill)
        self.community.start(c.community_stepup, c.community_prefill)
        self.social.background(HOME_CARE, c.hc_background)
        self.social.background(CARE_HOME, c.ch_background)
        self.ed.start(c.ambulance, c.walkin)
        direct = c.direct
        self.clock.chain(direct.t, self.acute.arrive_direct, direct)
        self.elective.start(c.referrals)
        self._midnight(0)

    def _midnight(self, day: int) -> None:
        """Midnight census (KH03-style) and the day's bed base (escalation beds)."""
        if day > 0:
            self.census(day)
        if day < self.n_days:
            self.acute.beds.set_capacity(self.acute.capacity_for_month(int(self.months[day])))
            self.clock.at(MIN_PER_DAY, self._midnight, day + 1)

    def census(self, day: int) -> None:
        """Record the state at the midnight that ends ``day - 1``; the row is labelled
        with the day it closes (0-based), so day d's row describes that day's end."""
        a, e, cm, s = self.acute, self.ed, self.community, self.social
        hc, ch = s.pools
        self.rec.census.append(
            (
                day - 1,
                a.beds.capacity,
                a.beds.in_use - a.cleaning_general,
                sum(a.delayed),
                *a.delayed,
                e.in_department,
                e.awaiting_bed,
                e.ambulances_waiting,
                cm.beds.capacity,
                cm.beds.in_use,
                cm.delayed,
                hc.capacity,
                hc.in_use,
                hc.n_waiting,
                ch.capacity,
                ch.in_use,
                ch.n_waiting,
                len(self.elective),
                a.hub.in_use,
            )
        )

    def run(self) -> None:
        self.clock.run((self.scn.run.warmup_days + self.scn.run.days) * MIN_PER_DAY)


def scn_referrals_after_start(cohorts: Cohorts) -> int:
    """Elective referrals made during the run (the initial list has clock starts <= 0)."""
    return sum(1 for t in cohorts.referrals.t if t > 0.0)


def simulate_replication(scn: Scenario, seed: int, replication: int = 0) -> Replication:
    """Run one replication of ``scn`` and return its records.

    The replication's random numbers depend only on ``(seed, replication)`` and
    the stream names, so the same arguments always give identical records.
    """
    t0 = time.perf_counter()
    cohorts = build_cohorts(scn, Streams(seed, replication))
    t1 = time.perf_counter()
    system = CountySystem(scn, cohorts)
    system.start()
    system.run()
    system.census(system.n_days)  # the final midnight: the run stops before events at T
    system.ed.trim_records()
    t2 = time.perf_counter()
    system.rec.el_list_clock_end = system.elective.clock_starts()
    meta = {
        "scenario": scn.name,
        "seed": int(seed),
        "replication": int(replication),
        "sampling_s": t1 - t0,
        "simulation_s": t2 - t1,
        "events": next(system.clock._eid),
        "patients": sum(len(getattr(cohorts, f)) for f in cohorts.__dataclass_fields__),
        # arrivals during the run (start-state patients and the initial list excluded)
        "arrivals": sum(
            len(getattr(cohorts, f))
            for f in (
                "ambulance",
                "walkin",
                "direct",
                "community_stepup",
                "hc_background",
                "ch_background",
            )
        )
        + scn_referrals_after_start(cohorts),
    }
    return system.rec.finish(
        scn.run.warmup_days * MIN_PER_DAY, (scn.run.warmup_days + scn.run.days) * MIN_PER_DAY, meta
    )
