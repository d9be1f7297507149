"""The discharge-window rule: patients leave in daytime hours, fewer at weekends.

Every setting that discharges (acute beds, community beds) asks one
:class:`DischargeWindow` when a patient ready to leave actually leaves.

Two rules:

- the window (default): a slot uniform in ``window_start_hour``-``window_end_hour``,
  Saturdays and Sundays open to a patient with probability ``weekend_factor``;
- the profile (``discharge.weekday_profile``, issue 16): each weekday is open to a
  waiting patient with a probability solved by :func:`open_probabilities` (a fresh
  draw each day) so that, for patients becoming ready at an even rate, discharges by
  weekday follow the profile
  (W48); the slot in the day follows ``discharge.hour_weights`` (E32, E33), and a
  patient ready after their slot leaves at once if that hour is a busy one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from math import floor, sin

from flowsim.config import Scenario
from flowsim.model.engine import MIN_PER_DAY

#: A patient ready after their slot leaves at once only in an hour holding at least
#: this share of the day's slots (half the even share): a few slots at night, but no
#: one sent home at 3 a.m. just because they became ready then.
OPEN_HOUR_SHARE = 1.0 / 48.0


def realised_profile(f: Sequence[float], weeks: int = 50) -> list[float]:
    """Discharges by weekday (mean 1) for an even flow of ready patients when each
    waiting patient leaves on day ``d`` with probability ``f[d]`` (independently each
    day), after ``weeks`` weeks from an empty start."""
    backlog = 0.0
    out = [0.0] * 7
    for _ in range(weeks):
        for d in range(7):
            waiting = 1.0 + backlog
            out[d] = f[d] * waiting
            backlog = waiting - out[d]
    mean = sum(out) / 7.0
    return [x / mean for x in out] if mean > 0 else out


def open_probabilities(profile: Sequence[float]) -> tuple[float, ...]:
    """Per-weekday probabilities that a waiting patient leaves that day, such that an
    even flow of ready patients (one a day) leaves in ``profile`` (normalised to mean 1).

    With ``B_d`` patients carried into day ``d`` and discharges ``D_d``,
    ``f_d = D_d / (1 + B_d)`` and ``B_{d+1} = B_d + 1 - D_d`` (closing over the week
    since the ``D_d`` sum to 7); the smallest carried backlog with every ``f_d <= 1``
    makes the busiest day clear everyone waiting.
    """
    mean = sum(profile) / 7.0
    target = [x / mean for x in profile]
    carried, b = [], 0.0
    for d in range(7):
        carried.append(b)
        b += 1.0 - target[d]
    b0 = max(target[d] - 1.0 - carried[d] for d in range(7))
    return tuple(min(target[d] / (1.0 + b0 + carried[d]), 1.0) for d in range(7))


def hour_cdf(weights: Sequence[float]) -> list[float]:
    """Cumulative shares of 24 hourly weights (25 values, from 0 to 1)."""
    total = float(sum(weights))
    cw = [0.0]
    for w in weights:
        cw.append(cw[-1] + w / total)
    cw[-1] = 1.0
    return cw


def slot_minute(u: float, cw: Sequence[float]) -> float:
    """Minute of the day of a slot with uniform ``u`` (in [0, 1)) under the hourly
    shares ``cw``: uniform within hour ``h``, the last hour whose share starts at or
    below ``u``. That hour has a share (``cw[h] <= u < cw[h + 1]``), so an hour with
    none is never chosen; ``u = 1`` falls in hour 23."""
    h = bisect_right(cw, u, 0, 24) - 1
    lo = cw[h]
    return (h + (u - lo) / (cw[h + 1] - lo)) * 60.0


def next_profile_time(
    t: float,
    u_hour: float,
    u_day: float,
    open_p: Sequence[float],
    cw: Sequence[float],
    start_weekday: int,
) -> float:
    """When a patient ready at minute ``t`` leaves under the profile rule: the first day
    (from ``t``'s) open to them at their slot, or at ``t`` itself if ``t`` is on an open
    day after their slot in an hour with at least :data:`OPEN_HOUR_SHARE` of the slots.

    Steps:

    1. the slot in the day, from ``u_hour`` (:func:`slot_minute`);
    2. day ``d`` is open to the patient if their uniform for that day is below
       ``open_p[weekday]``; the day's uniform is the fractional part of
       ``sin(u_day * 1000 + d * 12.9898) * 43758.5453``, a deterministic hash of their
       own uniform ``u_day``, so the draws of successive days are as good as
       independent;
    3. on the first open day, the slot if it is not past, else ``t`` in a busy hour;
       else the next day (step 2).
    """
    d = int(t // MIN_PER_DAY)
    slot_in_day = slot_minute(u_hour, cw)
    phase = u_day * 1000.0  # step 2's hash, the part that is the same every day
    while True:
        x = sin(phase + d * 12.9898) * 43758.5453
        if x - floor(x) < open_p[(start_weekday + d) % 7]:
            day0 = d * MIN_PER_DAY
            slot = day0 + slot_in_day
            if slot >= t:
                return slot
            h = int((t - day0) // 60.0)
            if cw[h + 1] - cw[h] >= OPEN_HOUR_SHARE:
                return t
        d += 1


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
        ``weekend_factor``, and the weekday of day 0 (``run.weekday0``).
    """

    __slots__ = (
        "enabled",
        "start_min",
        "end_min",
        "weekend_factor",
        "start_weekday",
        "open_p",
        "cw",
    )

    def __init__(self, scn: Scenario) -> None:
        d = scn.discharge
        #: False: patients leave the moment they are ready (queueing-theory reductions).
        self.enabled = bool(d.use_window)
        self.start_min = d.window_start_hour * 60.0
        self.end_min = d.window_end_hour * 60.0
        self.weekend_factor = d.weekend_factor
        self.start_weekday = scn.run.weekday0
        #: Profile rule: open probability by weekday and hourly slot shares (or None).
        self.open_p = None if d.weekday_profile is None else open_probabilities(d.weekday_profile)
        if d.hour_weights is not None:
            self.cw = hour_cdf(d.hour_weights)
        else:  # the window's hours, evenly
            self.cw = hour_cdf(
                [
                    1.0 if d.window_start_hour <= h + 0.5 < d.window_end_hour else 0.0
                    for h in range(24)
                ]
            )

    def leave_time(self, ready_min: float, u_hour: float, u_weekend: float) -> float:
        """The minute a patient ready at ``ready_min`` leaves, given their two uniforms
        (slot in the day, weekend or weekday eligibility); ``ready_min`` itself when
        disabled."""
        if not self.enabled:
            return ready_min
        if self.open_p is not None:
            return next_profile_time(
                ready_min, u_hour, u_weekend, self.open_p, self.cw, self.start_weekday
            )
        return next_discharge_time(
            ready_min,
            u_hour,
            u_weekend,
            self.start_min,
            self.end_min,
            self.weekend_factor,
            self.start_weekday,
        )
