"""The KPI table: one declaration of every KPI's name, label, unit and meaning.

Every place that needs KPI metadata (summary tables, the comparison's direction of
improvement, the headline subset in reports, sweep columns, calibration targets)
reads it from :data:`KPIS`. The computation of each KPI lives in
:mod:`flowsim.metrics`; a test checks that the two name the same KPIs in the same
order.

``public_row`` is the row of the public-figures table (``W22`` ...) against which
the Worcestershire baseline is checked, or ``""`` when no public figure exists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only when the table is asked for
    import pandas as pd


@dataclass(frozen=True)
class Kpi:
    """One key performance indicator.

    Attributes
    ----------
    name : str
        Stable snake_case column name (what users and files rely on).
    label : str
        Short human label for tables and figures.
    unit : str
        Unit of the value (``%``, ``count``, ``h``, ``days``, ``GBP`` ...).
    definition : str
        One-line definition, in NHS terms where one exists.
    higher_is_better : bool
        True when a larger value is an improvement.
    headline : bool
        True for the KPIs shown first in summaries and reports.
    public_row : str
        Public-figures row the baseline is checked against (``""``: none).
    """

    name: str
    label: str
    unit: str
    definition: str
    higher_is_better: bool = False
    headline: bool = False
    public_row: str = ""


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "ed_attendances",
        "A&E attendances",
        "count",
        "A&E attendances of all types arriving in the period (the type 1 department and "
        "the type 3 units, when modelled)",
        public_row="W6",
    ),
    Kpi(
        "ed_pct_within_4h",
        "A&E 4-hour performance",
        "%",
        "Attendances of all types whose arrival-to-departure time was 4 h or less",
        higher_is_better=True,
        headline=True,
        public_row="W22",
    ),
    Kpi(
        "ed_type1_attendances",
        "Type 1 A&E attendances",
        "count",
        "Attendances at the type 1 department (all attendances when no type 3 units are modelled)",
        public_row="W4",
    ),
    Kpi(
        "ed_type1_pct_within_4h",
        "Type 1 4-hour performance",
        "%",
        "Type 1 attendances whose arrival-to-departure time was 4 h or less",
        higher_is_better=True,
        public_row="W19",
    ),
    Kpi(
        "ed_mean_time_in_dept_h",
        "Mean time in A&E",
        "h",
        "Mean arrival-to-departure time of attendances that departed",
    ),
    Kpi(
        "ed_p95_time_in_dept_h",
        "95th centile time in A&E",
        "h",
        "95th centile of arrival-to-departure time",
    ),
    Kpi(
        "ed_12h_from_arrival",
        "12 hours from arrival",
        "count",
        "Attendances spending more than 12 h in A&E from arrival",
        headline=True,
        public_row="W24",
    ),
    Kpi(
        "ed_trolley_waits_12h",
        "12-hour trolley waits",
        "count",
        "Decision-to-admit to admission waits over 12 h",
        public_row="W25",
    ),
    Kpi(
        "ed_dta_waits_4h",
        "Decision-to-admit waits over 4 h",
        "count",
        "Decision-to-admit to admission waits over 4 h",
        public_row="W26",
    ),
    Kpi(
        "ambulance_handover_mean_min",
        "Mean ambulance handover",
        "min",
        "Mean arrival-to-handover time of ambulance patients",
    ),
    Kpi(
        "ambulance_handover_hours_lost",
        "Handover hours lost",
        "h",
        "Handover time beyond the 15-minute standard, summed",
        headline=True,
        public_row="W17",
    ),
    Kpi(
        "ambulance_handover_over_60min_pct",
        "Handovers over 60 minutes",
        "%",
        "Ambulance handovers taking over 60 minutes",
        public_row="W14",
    ),
    Kpi(
        "ed_corridor_care_pct",
        "Corridor care",
        "%",
        "Majors attendances treated in a corridor: no space in time",
    ),
    Kpi(
        "ed_corridor_hours",
        "Corridor hours",
        "h",
        "Hours patients spent in the corridor / handover area (HALO), summed",
    ),
    Kpi(
        "ed_corridor_over_1h",
        "Corridor stays over 1 hour",
        "count",
        "Patients in the corridor / handover area for more than 1 h (X20: harm from 60 min)",
    ),
    Kpi(
        "ed_corridor_over_4h",
        "Corridor stays over 4 hours",
        "count",
        "Patients in the corridor / handover area for more than 4 h",
    ),
    Kpi(
        "ed_corridor_over_12h",
        "Corridor stays over 12 hours",
        "count",
        "Patients in the corridor / handover area for more than 12 h",
    ),
    Kpi(
        "ambulance_handover_within_15min_pct",
        "Handovers within 15 minutes",
        "%",
        "Ambulance handovers (arrival at A&E to handover) within 15 minutes (E50 aim 65%)",
        higher_is_better=True,
        public_row="E50",
    ),
    Kpi(
        "ambulance_handover_within_30min_pct",
        "Handovers within 30 minutes",
        "%",
        "Ambulance handovers within 30 minutes (E50 aim 95%)",
        higher_is_better=True,
        public_row="W16",
    ),
    Kpi(
        "ambulance_handover_over_30min_pct",
        "Handovers over 30 minutes",
        "%",
        "Ambulance handovers taking over 30 minutes",
        public_row="W14",
    ),
    Kpi(
        "ambulance_cat1_mean_min",
        "Cat 1 mean response",
        "min",
        "Category 1 (life-threatening) mean call-to-scene response time (standard 7 min)",
        public_row="E51",
    ),
    Kpi(
        "ambulance_cat1_p90_min",
        "Cat 1 90th centile response",
        "min",
        "Category 1 90th centile response time (standard 15 min)",
        public_row="E51",
    ),
    Kpi(
        "ambulance_cat2_mean_min",
        "Cat 2 mean response",
        "min",
        "Category 2 (emergency) mean call-to-scene response time (standard 18 min)",
        headline=True,
        public_row="E51",
    ),
    Kpi(
        "ambulance_cat2_p90_min",
        "Cat 2 90th centile response",
        "min",
        "Category 2 90th centile response time (standard 40 min)",
        public_row="E51",
    ),
    Kpi(
        "ambulance_incidents",
        "999 incidents",
        "count",
        "Ambulance incidents in the period, hear and treat included",
    ),
    Kpi(
        "ambulance_conveyed_pct",
        "Incidents conveyed to A&E",
        "%",
        "Incidents whose patient was conveyed to A&E (A10: England 48-51%)",
    ),
    Kpi(
        "ambulance_crew_utilisation_pct",
        "Ambulance crew utilisation",
        "%",
        "Crew time on jobs (dispatch to clear) / rostered crew time",
    ),
    Kpi(
        "ambulance_crew_hours_at_hospital",
        "Crew hours at hospital",
        "h",
        "Crew hours from arrival at A&E to handover (time off the road)",
    ),
    Kpi(
        "ambulance_arrivals",
        "Ambulance arrivals at A&E",
        "count",
        "Attendances arriving by ambulance (conveyed patients)",
        public_row="W11",
    ),
    Kpi(
        "ambulance_arrivals_pct",
        "Attendances by ambulance",
        "%",
        "Share of A&E attendances arriving by ambulance",
        public_row="W13",
    ),
    Kpi(
        "ambulance_arrivals_peak_day",
        "Busiest day's ambulance arrivals",
        "count",
        "Ambulance arrivals at A&E on the busiest day of the period",
        public_row="W12",
    ),
    Kpi(
        "acute_occupancy_pct",
        "G&A bed occupancy",
        "%",
        "G&A beds occupied at midnight / beds available",
        headline=True,
        public_row="W37",
    ),
    Kpi(
        "emergency_admissions",
        "Emergency admissions",
        "count",
        "Emergency admissions to acute beds (via A&E and direct)",
        higher_is_better=True,
        public_row="W28",
    ),
    Kpi(
        "emergency_diversions",
        "Emergency diversions",
        "count",
        "Direct emergency admissions diverted: no bed on arrival",
    ),
    Kpi(
        "elective_admissions",
        "Elective admissions",
        "count",
        "Elective admissions, ordinary and day case",
        higher_is_better=True,
    ),
    Kpi(
        "delayed_discharge_bed_days",
        "Delayed discharge bed-days",
        "bed-days",
        "Acute bed-days used after medically fit",
        headline=True,
        public_row="W42",
    ),
    Kpi(
        "delayed_patients_mean",
        "Patients not meeting criteria to reside",
        "patients",
        "Mean midnight count of medically fit patients in acute beds",
        headline=True,
        public_row="W46",
    ),
    Kpi(
        "discharge_delay_mean_days",
        "Mean discharge delay",
        "days",
        "Mean time from medically fit to leaving the acute bed",
    ),
    Kpi(
        "discharge_delay_mean_days_p0",
        "Mean discharge delay, pathway 0",
        "days",
        "... for pathway 0 (home, no new support)",
    ),
    Kpi(
        "discharge_delay_mean_days_p1",
        "Mean discharge delay, pathway 1",
        "days",
        "... for pathway 1 (home with care package)",
    ),
    Kpi(
        "discharge_delay_mean_days_p2",
        "Mean discharge delay, pathway 2",
        "days",
        "... for pathway 2 (community bed)",
    ),
    Kpi(
        "discharge_delay_mean_days_p3",
        "Mean discharge delay, pathway 3",
        "days",
        "... for pathway 3 (care home)",
    ),
    Kpi(
        "acute_outlier_pct",
        "Emergency admissions outlying",
        "%",
        "Emergency admissions in the period placed in a bed of another group than their "
        "home site and specialty (outliers, boarders); 0 with one bed pool",
    ),
    Kpi(
        "outlier_bed_days",
        "Outlier bed-days",
        "bed-days",
        "Midnight census count of patients in a bed of another group, summed over the period",
    ),
    Kpi(
        "elective_waiting_list_end",
        "Elective waiting list",
        "pathways",
        "Admitted-pathway waiting list at period end",
        headline=True,
        public_row="W33",
    ),
    Kpi(
        "elective_pct_within_18w",
        "RTT within 18 weeks",
        "%",
        "Of the list at period end, waiting under 18 weeks (RTT)",
        higher_is_better=True,
        public_row="W33",
    ),
    Kpi(
        "elective_median_wait_weeks",
        "RTT median wait",
        "weeks",
        "Median time waited so far by incomplete RTT pathways at period end",
        public_row="W33",
    ),
    Kpi(
        "elective_p92_wait_weeks",
        "RTT 92nd centile wait",
        "weeks",
        "92nd centile of time waited so far by incomplete RTT pathways at period end",
        public_row="X34",
    ),
    Kpi(
        "elective_52w_waiters",
        "52-week waiters",
        "pathways",
        "Of the list at period end, waiting 52 weeks or more",
        headline=True,
        public_row="R7",
    ),
    Kpi(
        "elective_65w_waiters",
        "65-week waiters",
        "pathways",
        "Of the list at period end, waiting 65 weeks or more",
        public_row="X33",
    ),
    Kpi(
        "elective_78w_waiters",
        "78-week waiters",
        "pathways",
        "Of the list at period end, waiting 78 weeks or more",
        public_row="R7",
    ),
    Kpi(
        "elective_cancellations",
        "Elective cancellations on the day",
        "count",
        "Ordinary electives cancelled on the day for want of a bed",
        headline=True,
    ),
    Kpi(
        "elective_cancellation_pct",
        "On-the-day cancellation rate",
        "%",
        "Last-minute non-clinical cancellations per 100 elective admissions",
        public_row="R1",
    ),
    Kpi(
        "elective_removals",
        "List removals without treatment",
        "count",
        "Clock stops other than treatment (validation, removals) in the period",
    ),
    Kpi(
        "elective_list_p2_end",
        "List at P2",
        "pathways",
        "Of the RTT list at period end, clinical priority P2 (within 1 month)",
    ),
    Kpi(
        "elective_list_p3_end",
        "List at P3",
        "pathways",
        "Of the RTT list at period end, clinical priority P3 (within 3 months)",
    ),
    Kpi(
        "elective_list_p4_end",
        "List at P4",
        "pathways",
        "Of the RTT list at period end, clinical priority P4 (over 3 months)",
    ),
    Kpi(
        "elective_treated_median_wait_weeks",
        "RTT median wait, treated",
        "weeks",
        "Median RTT wait of admitted pathways completed (treated) in the period",
    ),
    Kpi(
        "community_occupancy_pct",
        "Community bed occupancy",
        "%",
        "Community beds occupied at midnight / beds available",
        public_row="W51",
    ),
    Kpi(
        "community_delayed_bed_days",
        "Community delayed bed-days",
        "bed-days",
        "Community bed-days used after medically fit",
        public_row="W44",
    ),
    Kpi(
        "home_care_wait_mean_days",
        "Mean wait for home care",
        "days",
        "Mean wait for a home care package, discharges",
    ),
    Kpi(
        "care_home_wait_mean_days",
        "Mean wait for a care home",
        "days",
        "Mean wait for a care-home place, discharges",
    ),
    Kpi(
        "home_care_waiting_mean",
        "People waiting for home care",
        "people",
        "Midnight census of people (discharges and community) waiting for home care",
    ),
    Kpi(
        "care_home_waiting_mean",
        "People waiting for a care home",
        "people",
        "Midnight census of people (discharges and community) waiting for a care home",
    ),
    Kpi(
        "cost_total_gbp",
        "Total cost",
        "GBP",
        "Bed-days, attendances, care packages, placements, interventions",
        headline=True,
    ),
    Kpi(
        "cost_delayed_bed_days_gbp",
        "Cost of delayed bed-days",
        "GBP",
        "Acute delayed bed-days x acute bed-day cost",
    ),
    Kpi(
        "ed_dta_over_4h_pct",
        "Waits over 4 h from decision to admit",
        "%",
        "A&E patients waiting over 4 h from decision to admit to admission, as a share of "
        "total emergency admissions (NHS sitrep measure)",
        public_row="W26",
    ),
    Kpi(
        "ed_12h_from_arrival_pct",
        "12 hours or more from arrival",
        "%",
        "Type 1 A&E attendances spending over 12 h from arrival to departure, as a share of "
        "type 1 attendances (NHS England's ECDS measure; type 3 units' attendances are not "
        "counted)",
        public_row="W24",
    ),
    Kpi(
        "escalation_days",
        "Days escalated",
        "days",
        "Days on which the trust was escalated at the midnight census (OPEL-like trigger, "
        "or the escalation months)",
    ),
    Kpi(
        "escalation_bed_days",
        "Escalation bed-days open",
        "bed-days",
        "Escalation beds open at the midnight census, summed over the period",
    ),
    Kpi(
        "outbreak_beds_closed_mean",
        "Beds closed by outbreaks",
        "beds",
        "Mean midnight count of G&A beds closed to admissions by infection outbreaks",
    ),
    Kpi(
        "delayed_share_awaiting_social_care_pct",
        "Delays awaiting social care",
        "%",
        "Share of acute delayed bed-days spent waiting for home care, reablement or a "
        "care-home place (after assessment, before the capacity is granted)",
        public_row="E44",
    ),
    Kpi(
        "assessment_waiting_mean",
        "Patients awaiting assessment",
        "patients",
        "Midnight census of delayed patients queued for discharge assessment staff",
    ),
    Kpi(
        "reablement_utilisation_pct",
        "Reablement utilisation",
        "%",
        "Reablement places in use or held at midnight / places (visits per day / visits "
        "per person)",
    ),
    Kpi(
        "reablement_community_waiting_mean",
        "Community referrals awaiting reablement",
        "people",
        "Midnight census of community (step-up) referrals waiting for reablement",
    ),
    Kpi(
        "community_step_up_waiting_mean",
        "Step-up patients awaiting a community bed",
        "people",
        "Midnight census of people at home waiting for a step-up community bed",
    ),
    Kpi(
        "home_care_community_waiting_mean",
        "Community referrals awaiting home care",
        "people",
        "Midnight census of community referrals waiting for a home care package (unmet need)",
    ),
    Kpi(
        "emergency_los_mean_days",
        "Emergency length of stay",
        "days",
        "Mean admission-to-leaving time of emergency spells that ended in the period",
        public_row="E25",
    ),
    Kpi(
        "beds_occupied_21plus_pct",
        "Beds occupied by 21+ day patients",
        "%",
        "Share of acute occupied bed-days used by patients in hospital 21 days or more",
        public_row="E27",
    ),
    Kpi(
        "same_day_discharge_p1p2_pct",
        "Pathway 1-2 discharged on the day fit",
        "%",
        "Pathway 1 and 2 patients leaving on the calendar day they became medically fit",
        higher_is_better=True,
        public_row="E37",
    ),
    Kpi(
        "ed_admitted_median_time_min",
        "Median time in A&E, admitted",
        "min",
        "Median arrival-to-departure time of attendances admitted to a bed (HES ED time of "
        "patients later admitted)",
        public_row="E12",
    ),
    Kpi(
        "ed_admitted_mean_time_min",
        "Mean time in A&E, admitted",
        "min",
        "Mean arrival-to-departure time of attendances admitted to a bed",
        public_row="E12",
    ),
    Kpi(
        "sdec_managed",
        "Patients managed in SDEC",
        "count",
        "Would-be emergency admissions (from A&E and direct referrals) assessed, treated and "
        "sent home the same day in an SDEC / acute frailty unit",
        higher_is_better=True,
    ),
    Kpi(
        "sdec_same_day_pct",
        "Emergency activity managed same day",
        "%",
        "Patients managed in SDEC as a share of SDEC patients plus emergency admissions to a "
        "bed (same day emergency care share of emergency activity)",
        higher_is_better=True,
    ),
    Kpi(
        "sdec_utilisation_pct",
        "SDEC utilisation",
        "%",
        "SDEC chair-minutes used / chair-minutes open",
    ),
    Kpi(
        "ed_mh_attendances",
        "Mental-health attendances",
        "count",
        "A&E attendances that are mental-health presentations",
        public_row="M4",
    ),
    Kpi(
        "ed_mh_12h_pct",
        "Mental-health attendances over 12 h",
        "%",
        "Mental-health A&E attendances with over 12 h from arrival to departure, as a share "
        "of mental-health attendances (censored ones count once past 12 h)",
        public_row="M2",
    ),
    Kpi(
        "ed_mh_24h_pct",
        "Mental-health attendances over 24 h",
        "%",
        "Mental-health A&E attendances with over 24 h in the department, as a share of "
        "mental-health attendances",
        public_row="M3",
    ),
    Kpi(
        "ed_mh_mean_time_h",
        "Mean time in A&E, mental health",
        "h",
        "Mean arrival-to-departure time of mental-health attendances that departed",
        public_row="M5",
    ),
    Kpi(
        "mh_bed_occupancy_pct",
        "Mental-health bed occupancy",
        "%",
        "Mental-health inpatient beds occupied at midnight / beds (KH03-style)",
        public_row="M7",
    ),
    Kpi(
        "mh_awaiting_bed_ed_mean",
        "A&E patients awaiting an MH bed",
        "patients",
        "Midnight census of A&E patients waiting for a mental-health bed",
        public_row="M11",
    ),
    Kpi(
        "d2a_waiting_mean",
        "Patients awaiting a D2A bed",
        "patients",
        "Midnight census of hospital pathway 2 patients waiting for a discharge-to-assess bed",
    ),
    Kpi(
        "community_bed_waiting_from_acute_mean",
        "Patients awaiting a community bed",
        "patients",
        "Midnight census of hospital pathway 2 patients waiting for a community hospital bed",
    ),
    Kpi(
        "chc_waiting_mean",
        "Patients awaiting CHC assessment",
        "patients",
        "Midnight census of pathway 3 patients waiting for a continuing healthcare assessor",
    ),
    Kpi(
        "delayed_share_awaiting_care_home_pct",
        "Delays awaiting a care home",
        "%",
        "Share of acute delayed bed-days spent by pathway 3 patients waiting for a care-home "
        "place (after assessment, CHC and choice)",
        public_row="S5",
    ),
    Kpi(
        "unmet_need_waiting_mean",
        "People at home with unmet need",
        "people",
        "Midnight census of people at home waiting for home care, reablement or a step-up bed",
    ),
    Kpi(
        "unmet_need_admissions",
        "Admissions from unmet need",
        "count",
        "Emergency admissions in the period generated by people waiting at home for home "
        "care, reablement or a step-up bed",
    ),
    Kpi(
        "delayed_share_awaiting_p2_bed_pct",
        "Delays awaiting a rehab bed",
        "%",
        "Share of acute delayed bed-days spent by pathway 2 patients waiting for a D2A or "
        "community hospital bed",
        public_row="S5",
    ),
)

#: The table by name.
BY_NAME: dict[str, Kpi] = {k.name: k for k in KPIS}
#: KPI names in the order tables show them.
KPI_NAMES: tuple[str, ...] = tuple(BY_NAME)
#: ``name -> (unit, definition)``, the shape older code reads.
KPI_INFO: dict[str, tuple[str, str]] = {k.name: (k.unit, k.definition) for k in KPIS}
#: KPIs where a larger value is better (all others: smaller is better).
HIGHER_IS_BETTER: frozenset[str] = frozenset(k.name for k in KPIS if k.higher_is_better)
#: The KPIs shown first in summaries and reports, in table order.
HEADLINE_KPIS: tuple[str, ...] = tuple(k.name for k in KPIS if k.headline)


def kpi(name: str) -> Kpi:
    """The table entry of one KPI.

    Parameters
    ----------
    name : str
        A KPI name such as ``"ed_pct_within_4h"``.

    Returns
    -------
    Kpi
        Its label, unit, definition and flags.

    Raises
    ------
    KeyError
        If ``name`` is not a KPI; the message lists every valid name.
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a KPI; KPIs: {', '.join(KPI_NAMES)}") from None


def kpi_table() -> pd.DataFrame:
    """The KPI table as a tidy DataFrame, one row per KPI in table order.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, label, unit, definition, higher_is_better, headline,
        public_row``.

    Examples
    --------
    >>> import flowsim
    >>> flowsim.kpi_table().set_index("name").loc["ed_pct_within_4h", "unit"]
    '%'
    """
    import pandas as pd

    cols = [f.name for f in fields(Kpi)]
    return pd.DataFrame([[getattr(k, c) for c in cols] for k in KPIS], columns=cols)


__all__ = [
    "BY_NAME",
    "HEADLINE_KPIS",
    "HIGHER_IS_BETTER",
    "KPIS",
    "KPI_INFO",
    "KPI_NAMES",
    "Kpi",
    "kpi",
    "kpi_table",
]
