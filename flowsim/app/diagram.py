"""The system diagram of where patients wait, as Graphviz DOT text.

Settings are boxes; the arrows between them carry the queue in front of the next
setting (mean midnight count) and how long people wait there, from a run's KPIs
and daily census. The page renders the text with ``st.graphviz_chart``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: Daily census columns the diagram reads (mean over the period and replications).
DAILY_COLUMNS = (
    "acute_beds_available",
    "acute_occupied",
    "acute_delayed_p1",
    "acute_delayed_p2",
    "acute_delayed_p3",
    "ed_in_department",
    "ed_awaiting_bed",
    "ambulances_waiting",
    "community_beds",
    "community_occupied",
    "community_delayed",
    "home_care_capacity",
    "home_care_in_use",
    "home_care_queue",
    "care_home_capacity",
    "care_home_in_use",
    "care_home_queue",
    "elective_waiting_list",
)


def _n(x: float | None, fmt: str = ",.0f") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:{fmt}}"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _colour(waiting: float | None, scale: float) -> str:
    """Grey for no queue, amber for a queue, red for a long one (relative to scale)."""
    if waiting is None or (isinstance(waiting, float) and math.isnan(waiting)) or waiting < 0.5:
        return "#7f7f7f"
    return "#c0392b" if waiting >= scale else "#d68910"


def system_diagram_dot(kpis: Mapping[str, float], census: Mapping[str, float]) -> str:
    """DOT text of the system with queues and delays on the arrows.

    Parameters
    ----------
    kpis
        KPI means of one scenario (names of :data:`flowsim.KPI_INFO`).
    census
        Means of :data:`DAILY_COLUMNS` over the reporting period.
    """
    k, c = dict(kpis), dict(census)
    g = c.get

    def node(key: str, title: str, detail: str, fill: str = "#eaf2f8") -> str:
        return (
            f'{key} [label={_q(title + chr(10) + detail)}, shape=box, style="rounded,filled", '
            f'fillcolor="{fill}", fontname="Helvetica", fontsize=14];'
        )

    def edge(a: str, b: str, label: str, waiting: float | None, scale: float) -> str:
        col = _colour(waiting, scale)
        width = 1.0 if col == "#7f7f7f" else 2.5
        return (
            f'{a} -> {b} [label={_q(label)}, color="{col}", fontcolor="{col}", '
            f'penwidth={width}, fontname="Helvetica", fontsize=12];'
        )

    lines = [
        "digraph flowsim {",
        'rankdir=LR; bgcolor="transparent"; nodesep=0.35; ranksep=0.6;',
        node("amb", "Ambulance", f"{_n(g('ambulances_waiting'), '.1f')} crews waiting"),
        node("walk", "Walk-in", "patients"),
        node(
            "ed",
            "A&E",
            f"{_n(g('ed_in_department'))} in department\n"
            f"{_n(k.get('ed_pct_within_4h'), '.1f')}% within 4 h",
        ),
        node(
            "acute",
            "Acute beds",
            f"{_n(g('acute_occupied'))} of {_n(g('acute_beds_available'))} occupied\n"
            f"{_n(k.get('delayed_patients_mean'))} medically fit, delayed",
            "#fdebd0",
        ),
        node("home", "Home", "pathway 0", "#e9f7ef"),
        node(
            "hc",
            "Home care",
            f"{_n(g('home_care_in_use'))} of {_n(g('home_care_capacity'))} packages",
        ),
        node(
            "comm",
            "Community hospital",
            f"{_n(g('community_occupied'))} of {_n(g('community_beds'))} beds",
        ),
        node(
            "ch",
            "Care homes",
            f"{_n(g('care_home_in_use'))} of {_n(g('care_home_capacity'))} places",
        ),
        node("list", "Elective list", f"{_n(g('elective_waiting_list'))} waiting"),
        edge(
            "amb",
            "ed",
            f"handover: {_n(k.get('ambulance_handover_mean_min'))} min mean\n"
            f"{_n(k.get('ambulance_handover_hours_lost'))} h lost",
            g("ambulances_waiting"),
            3,
        ),
        edge("walk", "ed", "", 0.0, 1),
        edge(
            "ed",
            "acute",
            f"{_n(g('ed_awaiting_bed'), '.1f')} waiting for a bed\n"
            f"{_n(k.get('ed_trolley_waits_12h'))} waits > 12 h",
            g("ed_awaiting_bed"),
            10,
        ),
        edge(
            "list",
            "acute",
            f"{_n(k.get('elective_cancellations'))} cancelled on the day",
            k.get("elective_cancellations", 0.0) / 50.0,
            2,
        ),
        edge("acute", "home", "pathway 0", 0.0, 1),
        edge(
            "acute",
            "hc",
            f"{_n(g('acute_delayed_p1'), '.1f')} waiting (P1)\n"
            f"{_n(k.get('discharge_delay_mean_days_p1'), '.1f')} days from fit",
            g("acute_delayed_p1"),
            20,
        ),
        edge(
            "acute",
            "comm",
            f"{_n(g('acute_delayed_p2'), '.1f')} waiting (P2)\n"
            f"{_n(k.get('discharge_delay_mean_days_p2'), '.1f')} days from fit",
            g("acute_delayed_p2"),
            20,
        ),
        edge(
            "acute",
            "ch",
            f"{_n(g('acute_delayed_p3'), '.1f')} waiting (P3)\n"
            f"{_n(k.get('discharge_delay_mean_days_p3'), '.1f')} days from fit",
            g("acute_delayed_p3"),
            20,
        ),
        edge(
            "comm",
            "hc",
            f"{_n(g('community_delayed'), '.1f')} delayed in community beds",
            g("community_delayed"),
            10,
        ),
        "}",
    ]
    return "\n".join(lines)
