"""Wiring the county system together and running one replication.

ambulance -> A&E -> acute beds -> community beds -> social care, with the
elective list competing for acute beds. Settings are built in dependency order,
each given the settings it sends patients to; each fills its own records tables
and reports its own part of the midnight census (:meth:`snapshot`). The model
reads no files, prints nothing and plots nothing: it turns a Scenario and seeds
into a Replication.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable

import simpy

import flowsim.model.acute as acute
import flowsim.model.ambulance as ambulance
import flowsim.model.community as community
import flowsim.model.discharge_services as discharge_services
import flowsim.model.ed as ed
import flowsim.model.elective as elective
import flowsim.model.mental_health as mental_health
import flowsim.model.sdec as sdec
import flowsim.model.social_care as social_care
from flowsim.config import Scenario
from flowsim.dates import month_of_days
from flowsim.model.acute import AcuteHospital
from flowsim.model.ambulance import AmbulanceService
from flowsim.model.community import CommunityHospital
from flowsim.model.discharge_services import AssessmentTeam, Pathway3, Reablement, UnmetNeed
from flowsim.model.discharge_window import DischargeWindow
from flowsim.model.ed import EmergencyDepartment
from flowsim.model.elective import ElectiveList
from flowsim.model.engine import MIN_PER_DAY, Clock, Pool, gc_paused
from flowsim.model.mental_health import MentalHealthBeds
from flowsim.model.sdec import SameDayCare
from flowsim.model.social_care import CARE_HOME, HOME_CARE, SocialCare
from flowsim.patients import Cohorts, build_cohorts
from flowsim.records import Replication, Schema, Table, schema
from flowsim.streams import Streams

#: The census: the day column, then each setting's snapshot in this order.
CENSUS = (
    schema("census_day", ("day", "int64", "day", "the day the midnight closes (0-based)"))
    + acute.CENSUS
    + ed.CENSUS
    + community.CENSUS
    + social_care.CENSUS
    + elective.CENSUS
    + discharge_services.CENSUS
    + ambulance.CENSUS
    + sdec.CENSUS
    + mental_health.CENSUS
)

#: A user's SimPy process: ``fn(env, system)`` returning a generator (see
#: :meth:`CountySystem.add_process`).
ProcessFn = Callable[[simpy.Environment, "CountySystem"], Generator]


class CountySystem:
    """All care settings of one replication, sharing one clock.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    cohorts : Cohorts
        Every patient of the replication, drawn up front.
    """

    def __init__(self, scn: Scenario, cohorts: Cohorts) -> None:
        self.scn = scn
        self.env = simpy.Environment()
        self.clock = clock = Clock(self.env, scn.run.weekday0)
        window = DischargeWindow(scn)
        self.social = SocialCare(clock, scn)
        self.community = CommunityHospital(clock, scn, window, social=self.social)
        self.assessment = AssessmentTeam(clock, scn)
        self.reablement = Reablement(clock, scn, self.social)
        self.pathway3 = Pathway3(clock, scn)
        self.acute = AcuteHospital(
            clock,
            scn,
            window,
            community=self.community,
            social=self.social,
            assessment=self.assessment,
            reablement=self.reablement,
            pathway3=self.pathway3,
        )
        self.unmet_need = UnmetNeed(
            clock, scn, self.social, self.community, self.reablement, self.acute.arrive_direct
        )
        self.sdec = SameDayCare(clock, scn, self.acute)
        self.mh = MentalHealthBeds(clock, scn)
        self.ed = EmergencyDepartment(clock, scn, acute=self.acute, sdec=self.sdec, mh_beds=self.mh)
        self.elective = ElectiveList(clock, scn, acute=self.acute)
        #: The ambulance service (None when ``ambulance.service`` is not set: conveyances
        #: then arrive at A&E by themselves).
        self.ambulance = (
            AmbulanceService(clock, scn, ed=self.ed) if scn.ambulance.service is not None else None
        )
        #: Settings in census order: the census row is the merge of their snapshots.
        self.settings = (
            self.acute,
            self.ed,
            self.community,
            self.social,
            self.elective,
            self.assessment,
            self.reablement,
            self.pathway3,
            self.unmet_need,
            self.ambulance or _NoAmbulance(),
            self.sdec,
            self.mh,
        )
        self.census_rows: list[tuple] = []
        self.cohorts = cohorts
        self.n_days = int(scn.run.warmup_days + scn.run.days + 0.999999)
        self.months = month_of_days(scn, self.n_days + 1)

    def add_process(self, fn: ProcessFn) -> simpy.Process:
        """Run a user's SimPy process with the model.

        ``fn(env, system)`` must return a generator of SimPy events on ``env`` (for
        example ``yield env.timeout(minutes)``); between events it may change the
        model through the settings' public methods, e.g.
        ``system.acute.open_surge_beds(40)`` or ``system.ed.spaces.set_capacity(90)``.
        Time is in minutes from the start of warm-up. Events interleave with the
        model's in time order.
        """
        return self.clock.process(fn(self.env, self))

    def start(self) -> None:
        """Schedule the start state, every arrival stream and the daily census."""
        c = self.cohorts
        # Start state first, so that arrivals at time 0 find the beds already filled.
        self.acute.new_day(int(self.months[0]))
        self.acute.prefill(c.acute_prefill, already_fit=False)
        self.acute.prefill(c.acute_delayed, already_fit=True)
        self.acute.start_pressure(c.outbreaks)
        self.social.prefill(HOME_CARE, c.hc_prefill)
        self.social.prefill(CARE_HOME, c.ch_prefill)
        self.community.start(c.community_stepup, c.community_prefill)
        self.social.background(HOME_CARE, c.hc_background)
        self.social.background(CARE_HOME, c.ch_background)
        self.assessment.start()
        if self.reablement.enabled:
            self.reablement.community_referrals(c.reablement_community)
        self.ed.start(c.ambulance, c.walkin, conveyed=self.ambulance is not None, type3=c.type3)
        if self.ambulance is not None:
            self.ambulance.start(c.incidents, c.ambulance)
        direct = self.sdec.arrive_direct if self.sdec.enabled else self.acute.arrive_direct
        self.clock.chain(c.direct.t, direct, c.direct)
        if self.mh.beds.capacity > 0:
            self.mh.start(c.mh_prefill, c.mh_community)
        self.unmet_need.start(c.unmet_need)
        self.elective.start(c.referrals)
        self._midnight(0)

    def _midnight(self, day: int) -> None:
        """Midnight census (KH03-style) and the day's bed base (escalation beds)."""
        if day > 0:
            self.census(day)
        if day < self.n_days:
            self.acute.new_day(int(self.months[day]))
            self.clock.at(MIN_PER_DAY, self._midnight, day + 1)

    def census(self, day: int) -> None:
        """Record the state at the midnight that ends ``day - 1``; the row is labelled
        with the day it closes (0-based), so day d's row describes that day's end."""
        row: tuple = (day - 1,)
        for s in self.settings:
            row += s.snapshot()
        self.census_rows.append(row)

    def run(self) -> None:
        """Run to the end of the horizon (warm-up plus reporting period)."""
        self.clock.run((self.scn.run.warmup_days + self.scn.run.days) * MIN_PER_DAY)
        # Conveyed patients still with their crew at the end never reached A&E: their
        # pre-sized rows go (trimming again is harmless).
        self.ed.trim_records()
        if self.ambulance is not None:
            self.ambulance.trim_records()

    def close(self) -> None:
        """Drop the run state that ties the settings to the clock (pending events,
        queued requests), so the finished system is freed as soon as it is unused.

        Called by :func:`simulate_replication` once the records are taken; the system
        cannot run further after it.
        """
        self.clock.clear()
        for setting in self.settings:
            for value in vars(setting).values():
                for pool in value if isinstance(value, list | tuple) else (value,):
                    if isinstance(pool, Pool):
                        pool.clear()

    def schemas(self) -> dict[str, Schema]:
        """Every records table and the census, declared once by their settings."""
        return {
            "ed": ed.RECORDS,
            "acute": acute.RECORDS + acute.DIVERSIONS,
            "community": community.RECORDS,
            "social": social_care.RECORDS,
            "reablement": discharge_services.RECORDS,
            "elective": (
                elective.ADMISSIONS + elective.CANCELLATIONS + elective.REMOVALS + elective.END_LIST
            ),
            "ambulance": ambulance.RECORDS,
            "census": CENSUS,
        }

    def replication(self, meta: dict) -> Replication:
        """The records of the run so far, as arrays (see :class:`Replication`)."""
        import pandas as pd

        run = self.scn.run
        census = pd.DataFrame(self.census_rows, columns=list(CENSUS.names))
        el = {**self.elective.admissions.arrays(), **self.elective.cancellations.arrays()}
        el.update(self.elective.removals.arrays())
        el.update(self.elective.end_list())
        return Replication(
            warmup_min=run.warmup_days * MIN_PER_DAY,
            end_min=(run.warmup_days + run.days) * MIN_PER_DAY,
            meta=meta,
            ed=self.ed.records.arrays(),
            acute={**self.acute.records.arrays(), **self.acute.diversions.arrays()},
            community=self.community.records.arrays(),
            social=self.social.records.arrays(),
            reablement=self.reablement.records.arrays(),
            elective=el,
            census=census,
            schemas=self.schemas(),
            ambulance=(self.ambulance.records if self.ambulance else _empty_ambulance()).arrays(),
        )


class _NoAmbulance:
    """The census part of an ambulance service that is not modelled."""

    def snapshot(self) -> tuple:
        return (0, 0)


def _empty_ambulance() -> Table:
    return Table(ambulance.RECORDS)


#: Cohorts whose patients arrive during the run (start-state patients excluded).
ARRIVING = (
    "ambulance",
    "walkin",
    "direct",
    "community_stepup",
    "hc_background",
    "ch_background",
    "reablement_community",
    "mh_community",
    "type3",
)


def simulate_replication(
    scn: Scenario,
    seed: int,
    replication: int = 0,
    processes: Iterable[ProcessFn] = (),
) -> Replication:
    """Run one replication of ``scn`` and return its records.

    Parameters
    ----------
    scn : Scenario
        The scenario.
    seed, replication : int
        The replication's random numbers depend only on these and the stream
        names, so the same arguments always give identical records.
    processes : iterable of callables
        User SimPy processes ``fn(env, system)`` run with the model (see
        :meth:`CountySystem.add_process`), e.g. a surge that opens beds on a date.

    Returns
    -------
    Replication
    """
    # The cyclic collector is paused from sampling to the end of the run: sampling
    # builds lists of hundreds of thousands of values, and each collection it
    # triggers walks them all (~0.15 s of a Worcestershire year, measured with
    # gc.callbacks) while no reference cycle is made (see gc_paused).
    with gc_paused():
        t0 = time.perf_counter()
        cohorts = build_cohorts(scn, Streams(seed, replication))
        t1 = time.perf_counter()
        system = CountySystem(scn, cohorts)
        for fn in processes:
            system.add_process(fn)
        system.start()
        system.run()
        system.census(system.n_days)  # the final midnight: the run stops before events at T
        system.ed.trim_records()
        t2 = time.perf_counter()
    referrals_in_run = sum(1 for t in cohorts.referrals.t if t > 0.0)
    n_conveyed = sum(1 for row in cohorts.incidents.attrs.amb_row if row >= 0)
    meta = {
        "scenario": scn.name,
        "seed": int(seed),
        "replication": int(replication),
        "sampling_s": t1 - t0,
        "simulation_s": t2 - t1,
        "events": system.clock.events_scheduled,
        # every patient once: a conveyed incident is also in the ambulance cohort
        "patients": sum(len(c) for c in cohorts.all())
        - n_conveyed
        - len(cohorts.unmet_need)
        + system.unmet_need.admitted,
        # arrivals during the run, start-state patients and the initial list excluded;
        # 999 incidents not conveyed count here (conveyed ones are the ambulance cohort)
        # the unmet-need candidates' patient ids (those admitted have acute rows)
        "unmet_need_pid0": int(cohorts.unmet_need.pid0),
        "unmet_need_candidates": len(cohorts.unmet_need),
        "arrivals": sum(len(getattr(cohorts, f)) for f in ARRIVING)
        + referrals_in_run
        + system.unmet_need.admitted
        + len(cohorts.incidents)
        - n_conveyed,
    }
    replication_records = system.replication(meta)
    system.close()
    return replication_records
