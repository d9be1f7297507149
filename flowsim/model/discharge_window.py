"""The discharge-window rule: patients leave in daytime hours, fewer at weekends.

Every setting that discharges (acute beds, community beds) asks one
:class:`DischargeWindow` when a patient ready to leave actually leaves.
"""

from __future__ import annotations

from flowsim.config import Scenario
from flowsim.model.engine import MIN_PER_DAY


def next_discharge_time(
    t: float,
    u_hour: float,
    u_weekend: float,
    window_start_min: float,
    window_end_min: float,
    weekend_factor: float,
    start_weekday: int,
) -> float:
    """When a patient ready to leave at minute ``t`` physically leaves.

    Each patient has a slot in the daily discharge window
    (``window_start + u_hour * window length``). A patient leaves at the first slot
    at or after ``t``, or at ``t`` itself if ``t`` falls in an open window after
    their slot. Saturdays and Sundays are open to this patient only if
    ``u_weekend < weekend_factor``, so the weekend discharge rate is that fraction
    of the weekday rate; seven-day discharge is ``weekend_factor = 1``. A patient
    ready at 23:00 therefore leaves next morning, and one missed on Saturday
    usually waits until Monday.
    """
    d = int(t // MIN_PER_DAY)
    span = window_end_min - window_start_min
    while True:
        day0 = d * MIN_PER_DAY
        if (start_weekday + d) % 7 < 5 or u_weekend < weekend_factor:
            slot = day0 + window_start_min + u_hour * span
            if slot >= t:
                return slot
            if t < day0 + window_end_min:
                return t
        d += 1


class DischargeWindow:
    """The scenario's discharge hours and weekend profile (``discharge.*``).

    Parameters
    ----------
    scn : Scenario
        Reads ``discharge.use_window``, ``window_start_hour``, ``window_end_hour`` and
        ``weekend_factor``, and ``run.start_weekday``.
    """

    __slots__ = ("enabled", "start_min", "end_min", "weekend_factor", "start_weekday")

    def __init__(self, scn: Scenario) -> None:
        d = scn.discharge
        #: False: patients leave the moment they are ready (queueing-theory reductions).
        self.enabled = bool(d.use_window)
        self.start_min = d.window_start_hour * 60.0
        self.end_min = d.window_end_hour * 60.0
        self.weekend_factor = d.weekend_factor
        self.start_weekday = scn.run.start_weekday

    def leave_time(self, ready_min: float, u_hour: float, u_weekend: float) -> float:
        """The minute a patient ready at ``ready_min`` leaves, given their two uniforms
        (slot in the day, weekend eligibility); ``ready_min`` itself when disabled."""
        if not self.enabled:
            return ready_min
        return next_discharge_time(
            ready_min,
            u_hour,
            u_weekend,
            self.start_min,
            self.end_min,
            self.weekend_factor,
            self.start_weekday,
        )
