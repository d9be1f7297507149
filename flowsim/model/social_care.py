"""Adult social care: home care packages and care-home places.

Both are shared between hospital discharges and people in the community who
never went to hospital (background demand), so discharge capacity is not
dedicated. A request is granted when a package/place is free; for a discharge
the capacity is held from the grant (the provider keeps it for the patient)
until the service ends.

Home care can be split (``social_care.home_care_hospital_share``): that share of the
packages is kept for discharges (from acute beds, community beds and hospital
reablement hand-ons), the rest for community referrals (people at home and
community reablement hand-ons), each with its own queue.
"""

from __future__ import annotations

from collections.abc import Callable

from flowsim.config import Scenario
from flowsim.model.engine import Clock, Pool
from flowsim.patients import Cohort
from flowsim.records import (
    CARE_HOME,
    HOME_CARE,
    SRC_BACKGROUND,
    SRC_PREFILL,
    Table,
    schema,
)

#: One row per request for a package or place (start-state places included).
RECORDS = schema(
    "social",
    ("patient_id", "int64", "", "patient id (the same in every setting)"),
    ("service", "int64", "", "0 home care package, 1 care-home place"),
    ("source", "int64", "", "0 acute discharge, 1 community discharge, 2 background, 3 start"),
    ("request", "float64", "min", "referral for the package or place"),
    ("start", "float64", "min", "package or place available (the wait ends)"),
)
CENSUS = schema(
    "social_census",
    ("home_care_capacity", "int64", "packages", "home care packages commissioned"),
    ("home_care_in_use", "int64", "packages", "packages in use or held for a discharge"),
    ("home_care_queue", "int64", "people", "people waiting for a package"),
    ("care_home_capacity", "int64", "places", "care-home places commissioned"),
    ("care_home_in_use", "int64", "places", "places in use or held for a discharge"),
    ("care_home_queue", "int64", "people", "people waiting for a place"),
    ("home_care_queue_community", "int64", "people", "of them, community referrals"),
)


class SocialCare:
    """Home care and care homes: two shared pools, each with a discharge and a
    community queue level.

    Steps of a request (hospital discharge or community demand):

    1. :meth:`request`: ask for a package or place (a record row per request).
    2. :meth:`_granted`: it is the person's; the requester carries on.
    3. :meth:`start`: the service begins; the capacity is freed when it ends.

    Parameters
    ----------
    clock : Clock
        The model clock.
    scn : Scenario
        Reads ``social_care.*``.
    """

    def __init__(self, clock: Clock, scn: Scenario) -> None:
        self.clock = clock
        self.records = Table(RECORDS)
        sc = scn.social_care
        share = sc.home_care_hospital_share
        if share is None:
            hc = Pool("home_care", sc.home_care_packages, levels=2)
            hc_comm = hc
        else:
            n_h = int(round(sc.home_care_packages * share))
            hc = Pool("home_care_hospital", n_h, levels=2)
            hc_comm = Pool("home_care_community", sc.home_care_packages - n_h, levels=2)
        #: Pools for discharges, by service (home care, care home).
        self.pools = (hc, Pool("care_home", sc.care_home_places, levels=2))
        #: Pools for community referrals, by service (the same pools unless split).
        self.community_pools = (hc_comm, self.pools[1])
        self.discharge_priority = sc.discharge_priority

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        hc, ch = self.pools
        hc_c = self.community_pools[0]
        src = self.records.source
        if hc is hc_c:
            n_comm = sum(1 for q in hc.queues for t in q if src[t.args[0]] == SRC_BACKGROUND)
            cap, used, queue = hc.capacity, hc.in_use, hc.n_waiting
        else:
            n_comm = hc_c.n_waiting
            cap, used = hc.capacity + hc_c.capacity, hc.in_use + hc_c.in_use
            queue = hc.n_waiting + hc_c.n_waiting
        return (cap, used, queue, ch.capacity, ch.in_use, ch.n_waiting, n_comm)

    def start(self, service: int, duration_min: float, community: bool = False) -> None:
        """The service begins now and frees its capacity after ``duration_min``
        (``community``: a community referral's package, from the community part)."""
        pools = self.community_pools if community else self.pools
        self.clock.at(duration_min, pools[service].release)

    def request(
        self,
        service: int,
        source: int,
        pid: int,
        grant: Callable[..., None],
        *args: object,
        community: bool = False,
    ) -> None:
        """Step 1: ask for a package or place; ``grant(*args)`` runs when it is free
        (discharges ahead of community demand if ``social_care.discharge_priority``).
        ``community``: a community referral other than background demand (a community
        reablement hand-on), served from the community part of a split."""
        r = self.records
        k = len(r.service)
        r.patient_id.append(pid)
        r.service.append(service)
        r.source.append(source)
        r.request.append(self.clock.now)
        r.start.append(float("nan"))
        background = source == SRC_BACKGROUND
        level = 1 if (background and self.discharge_priority) else 0
        pools = self.community_pools if (background or community) else self.pools
        pools[service].request(self._granted, level, k, grant, args)

    def _granted(self, k: int, grant: Callable[..., None], args: tuple) -> None:
        """Step 2: the package or place is the patient's; the requester carries on."""
        self.records.start[k] = self.clock.now
        grant(*args)

    def prefill(self, service: int, c: Cohort) -> None:
        """Start state: places in use at time 0, each with its residual length."""
        pool, comm = self.pools[service], self.community_pools[service]
        r = self.records
        for i, length in enumerate(c.attrs.length_min):
            # a split fills its two parts in proportion to their capacities
            behind = comm.in_use * pool.capacity < pool.in_use * comm.capacity
            community = (
                pool is not comm
                and comm.in_use < comm.capacity
                and (pool.in_use >= pool.capacity or behind)
            )
            (comm if community else pool).occupy()
            r.patient_id.append(c.pid0 + i)
            r.service.append(service)
            r.source.append(SRC_PREFILL)
            r.request.append(0.0)
            r.start.append(0.0)
            self.start(service, length, community)

    def background(self, service: int, c: Cohort) -> None:
        """Community demand: people who never went to hospital, arriving over the run."""
        self.clock.chain(c.t, self._background_arrive, service, c)

    def _background_arrive(self, service: int, c: Cohort, i: int) -> None:
        """A person in the community needs the service: request it, start when granted."""
        self.request(
            service, SRC_BACKGROUND, c.pid0 + i, self.start, service, c.attrs.length_min[i], True
        )


__all__ = ["CENSUS", "RECORDS", "SocialCare", "HOME_CARE", "CARE_HOME"]
