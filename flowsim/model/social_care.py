"""Adult social care: home care packages and care-home places.

Both are shared between hospital discharges and people in the community who
never went to hospital (background demand), so discharge capacity is not
dedicated. A request is granted when a package/place is free; for a discharge
the capacity is held from the grant (the provider keeps it for the patient)
until the service ends.
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
        self.pools = (
            Pool("home_care", sc.home_care_packages, levels=2),
            Pool("care_home", sc.care_home_places, levels=2),
        )
        self.discharge_priority = sc.discharge_priority

    def snapshot(self) -> tuple:
        """The midnight census fields of :data:`CENSUS`."""
        hc, ch = self.pools
        src = self.records.source
        n_comm = sum(1 for q in hc.queues for t in q if src[t.args[0]] == SRC_BACKGROUND)
        return (
            hc.capacity,
            hc.in_use,
            hc.n_waiting,
            ch.capacity,
            ch.in_use,
            ch.n_waiting,
            n_comm,
        )

    def start(self, service: int, duration_min: float) -> None:
        """The service begins now and frees its capacity after ``duration_min``."""
        self.clock.at(duration_min, self.pools[service].release)

    def request(
        self,
        service: int,
        source: int,
        pid: int,
        grant: Callable[..., None],
        *args: object,
    ) -> None:
        """Step 1: ask for a package or place; ``grant(*args)`` runs when it is free
        (discharges ahead of community demand if ``social_care.discharge_priority``)."""
        r = self.records
        k = len(r.service)
        r.patient_id.append(pid)
        r.service.append(service)
        r.source.append(source)
        r.request.append(self.clock.now)
        r.start.append(float("nan"))
        level = 1 if (source == SRC_BACKGROUND and self.discharge_priority) else 0
        self.pools[service].request(self._granted, level, k, grant, args)

    def _granted(self, k: int, grant: Callable[..., None], args: tuple) -> None:
        """Step 2: the package or place is the patient's; the requester carries on."""
        self.records.start[k] = self.clock.now
        grant(*args)

    def prefill(self, service: int, c: Cohort) -> None:
        """Start state: places in use at time 0, each with its residual length."""
        pool = self.pools[service]
        r = self.records
        for i, length in enumerate(c.attrs.length_min):
            pool.occupy()
            r.patient_id.append(c.pid0 + i)
            r.service.append(service)
            r.source.append(SRC_PREFILL)
            r.request.append(0.0)
            r.start.append(0.0)
            self.start(service, length)

    def background(self, service: int, c: Cohort) -> None:
        """Community demand: people who never went to hospital, arriving over the run."""
        self.clock.chain(c.t, self._background_arrive, service, c)

    def _background_arrive(self, service: int, c: Cohort, i: int) -> None:
        """A person in the community needs the service: request it, start when granted."""
        self.request(
            service, SRC_BACKGROUND, c.pid0 + i, self.start, service, c.attrs.length_min[i]
        )


__all__ = ["CENSUS", "RECORDS", "SocialCare", "HOME_CARE", "CARE_HOME"]
