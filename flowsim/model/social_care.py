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
    NAN,
    SRC_BACKGROUND,
    SRC_PREFILL,
    Recorder,
)


class SocialCare:
    def __init__(self, clock: Clock, rec: Recorder, scn: Scenario) -> None:
        self.clock = clock
        self.rec = rec
        sc = scn.social_care
        self.pools = (
            Pool("home_care", sc.home_care_packages, levels=2),
            Pool("care_home", sc.care_home_places, levels=2),
        )
        self.discharge_priority = sc.discharge_priority

    def start(self, service: int, duration_min: float) -> None:
        """The service begins now and frees its capacity after ``duration_min``."""
        self.clock.at(duration_min, self.pools[service].release)

    def request(self, service: int, source: int, grant: Callable[[], None]) -> None:
        r = self.rec
        k = len(r.sc_service)
        r.sc_service.append(service)
        r.sc_source.append(source)
        r.sc_request.append(self.clock.now)
        r.sc_start.append(NAN)
        level = 1 if (source == SRC_BACKGROUND and self.discharge_priority) else 0

        def granted() -> None:
            r.sc_start[k] = self.clock.now
            grant()

        self.pools[service].request(granted, level)

    def prefill(self, service: int, c: Cohort) -> None:
        pool = self.pools[service]
        r = self.rec
        for i in range(len(c)):
            pool.occupy()
            r.sc_service.append(service)
            r.sc_source.append(SRC_PREFILL)
            r.sc_request.append(0.0)
            r.sc_start.append(0.0)
            self.start(service, c.a["days"][i])

    def background(self, service: int, c: Cohort) -> None:
        days = c.a["days"]
        self.clock.chain(
            c.t,
            lambda i: self.request(service, SRC_BACKGROUND, lambda: self.start(service, days[i])),
        )


__all__ = ["SocialCare", "HOME_CARE", "CARE_HOME"]
