"""Theatre capacity: sessions by weekday and specialty group, as usable minutes.

A group's week of sessions (day-case unit and inpatient theatres, Monday to Friday,
plus any Saturday lists and independent-sector sessions) becomes usable theatre
minutes per weekday: sessions x ``session_minutes`` x ``session_utilisation`` (late
starts and early finishes lose the rest, R10-R12). A session fills with the
group's cases, each taking the group's case-mix minutes; minutes left over that
cannot fit a whole case carry to the next operating day, at most one case's
worth (lists are arranged over the week). In a slowdown month
``slowdown_fraction`` of sessions are not run.

With no groups configured, one group ``all`` reproduces the older fixed activity:
``admissions_per_weekday`` cases per operating day, ``day_case_fraction`` of them
day cases, one "minute" per case.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowsim.config import Scenario


@dataclass(frozen=True)
class GroupPlan:
    """Theatre capacity of one specialty group.

    ``minutes[k][weekday]`` are usable minutes for setting ``k`` (0 day case,
    1 ordinary) on ``weekday`` (0 Monday); ``is_minutes`` the same for
    independent-sector sessions (ordinary cases there use no trust bed).
    """

    name: str
    referral_share: float
    day_case_fraction: float
    case_minutes: tuple[float, float]
    minutes: tuple[tuple[float, ...], tuple[float, ...]]
    is_minutes: tuple[tuple[float, ...], tuple[float, ...]]


def theatre_plan(scn: Scenario) -> tuple[GroupPlan, ...]:
    """The theatre capacity of every specialty group of ``scn.elective``.

    Parameters
    ----------
    scn : Scenario
        Reads ``elective.*``.

    Returns
    -------
    tuple of GroupPlan
        One per group, in configuration order.
    """
    el = scn.elective
    zero = (0.0,) * 7
    if not el.groups:
        n_dc = int(round(el.admissions_per_weekday * el.day_case_fraction))
        n_ip = el.admissions_per_weekday - n_dc
        days = 7 if el.operate_weekends else 5
        week = lambda n: tuple(float(n) if d < days else 0.0 for d in range(7))  # noqa: E731
        return (
            GroupPlan(
                "all", 1.0, el.day_case_fraction, (1.0, 1.0), (week(n_dc), week(n_ip)), (zero, zero)
            ),
        )
    usable = el.session_minutes * el.session_utilisation
    weekday_sessions = sum(
        g.day_case_sessions_per_week + g.inpatient_sessions_per_week for g in el.groups
    )
    plans = []
    for g in el.groups:
        own = g.day_case_sessions_per_week + g.inpatient_sessions_per_week
        # Saturday lists split over groups (and settings) like the weekday sessions
        sat = el.weekend_sessions_per_week * own / weekday_sessions if weekday_sessions else 0.0
        minutes = []
        for sessions in (g.day_case_sessions_per_week, g.inpatient_sessions_per_week):
            wd = sessions / 5.0 * usable
            st = sat * (sessions / own if own else 0.0) * usable
            minutes.append((wd,) * 5 + (st, 0.0))
        # independent-sector sessions: split by referral share, then by case-mix minutes
        is_week = el.independent_sector_sessions_per_week * g.referral_share / 5.0 * usable
        dc_load = g.day_case_fraction * g.day_case_minutes
        ip_load = (1 - g.day_case_fraction) * g.inpatient_minutes
        dc_share = dc_load / (dc_load + ip_load)
        is_minutes = (
            (is_week * dc_share,) * 5 + (0.0, 0.0),
            (is_week * (1 - dc_share),) * 5 + (0.0, 0.0),
        )
        plans.append(
            GroupPlan(
                g.name,
                g.referral_share,
                g.day_case_fraction,
                (g.day_case_minutes, g.inpatient_minutes),
                (minutes[0], minutes[1]),
                is_minutes,
            )
        )
    return tuple(plans)


def weekly_cases(plan: tuple[GroupPlan, ...]) -> float:
    """Cases a full (no slowdown) week of sessions can treat, ignoring leftover minutes."""
    return sum(
        sum(g.minutes[k]) / g.case_minutes[k] + sum(g.is_minutes[k]) / g.case_minutes[k]
        for g in plan
        for k in (0, 1)
    )
