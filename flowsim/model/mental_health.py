"""Mental-health (MH) inpatient beds, and the A&E patients who wait for them.

About 3% of A&E attendances are mental-health presentations (M4). A share of them
(``ed.mh_bed_prob``) need an MH inpatient bed from the county's MH trust; they wait
in A&E, holding a majors space, until one is free (the A&E side is in
:mod:`flowsim.model.ed`). The pool also takes MH admissions from the community (crisis
and home treatment teams, ``mental_health.other_admissions_per_day``), which queue
behind A&E patients. Beds start filled (``mental_health.initial_occupancy_pct``) with
equilibrium residual stays. Stays are ``mental_health.los_days`` (M9, M11).
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.engine import Clock, Pool
from flowsim.patients import Cohort, Patient
from flowsim.records import schema

ED_LEVEL, COMMUNITY_LEVEL = 0, 1

CENSUS = schema(
    "mh_census",
    ("mh_beds", "int64", "beds", "mental-health inpatient beds"),
    ("mh_occupied", "int64", "beds", "mental-health beds occupied"),
    ("mh_awaiting_ed", "int64", "patients", "A&E patients waiting for a mental-health bed"),
    (
        "mh_awaiting_community",
        "int64",
        "patients",
        "community referrals waiting for a mental-health bed",
    ),
)


class MentalHealthBeds:
    """The MH trust's adult acute beds: A&E patients first, then community referrals.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``mental_health.*``.
    """

    def __init__(self, clock: Clock, scn: Scenario) -> None:
        self.clock = clock
        self.beds = Pool("mh_beds", scn.mental_health.beds, levels=2)
        self.awaiting_ed = 0

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        b = self.beds
        return (b.capacity, b.in_use, self.awaiting_ed, len(b.queues[COMMUNITY_LEVEL]))

    def start(self, prefill: Cohort, community: Cohort) -> None:
        """Fill the start state and schedule the community admissions."""
        for length in prefill.attrs.length_min:
            self.beds.occupy()
            self.clock.at(length, self.beds.release)
        self.clock.chain(community.t, self._community, community)

    def _community(self, c: Cohort, i: int) -> None:
        """A community referral queues for a bed (behind A&E patients)."""
        self.beds.request(self._stay, COMMUNITY_LEVEL, c.attrs.length_min[i])

    def _stay(self, length_min: float) -> None:
        self.clock.at(length_min, self.beds.release)

    def request_from_ed(self, p: Patient, length_min: float, admitted: Callable) -> None:
        """An A&E patient needs a bed: ``admitted(p)`` runs when they have one."""
        self.awaiting_ed += 1
        self.beds.request(self._ed_admit, ED_LEVEL, p, length_min, admitted)

    def _ed_admit(self, p: Patient, length_min: float, admitted: Callable) -> None:
        self.awaiting_ed -= 1
        self.clock.at(length_min, self.beds.release)
        admitted(p)
