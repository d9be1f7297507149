"""Capacity arithmetic: expected flows, offered loads and stability checks.

These are the back-of-envelope numbers an analyst would work out by hand from a
scenario: emergency admissions a day, discharge inflows to each downstream
setting, and the offered load (mean busy units) against capacity. They use mean
rates and mean durations over flat profiles. :class:`CapacityMixin` gives the
:class:`flowsim.schema.Scenario` these methods; this module imports nothing of
the schema, so the two do not import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowsim.errors import Problem

if TYPE_CHECKING:  # only for type hints: the attributes come from the Scenario
    from flowsim.schema import (
        AcuteCfg,
        AmbulanceCfg,
        CommunityCfg,
        EdCfg,
        ElectiveCfg,
        SocialCareCfg,
    )


class CapacityMixin:
    """Expected flows and loads of a scenario (mixed into ``Scenario``)."""

    if TYPE_CHECKING:
        ed: EdCfg
        ambulance: AmbulanceCfg
        acute: AcuteCfg
        community: CommunityCfg
        social_care: SocialCareCfg
        elective: ElectiveCfg

    def emergency_admissions_per_day(self) -> float:
        """Expected emergency admissions per day (A&E conversions plus direct)."""
        ed, amb = self.ed, self.ambulance
        walk = ed.walkin_arrivals_per_day * (
            ed.walkin_majors_fraction * ed.walkin_majors_admit_prob
            + (1 - ed.walkin_majors_fraction) * ed.minors_admit_prob
        )
        return (
            amb.conveyances_per_day() * amb.admit_prob + walk + self.acute.direct_admissions_per_day
        )

    def ordinary_elective_admissions_per_day(self) -> float:
        """Expected overnight (non-day-case) elective admissions per calendar day."""
        el = self.elective
        if el.groups:  # theatre sessions: inpatient minutes / case minutes, per week
            usable = el.session_minutes * el.session_utilisation
            return (
                sum(g.inpatient_sessions_per_week * usable / g.inpatient_minutes for g in el.groups)
                / 7.0
            )
        week = 1.0 if el.operate_weekends else 5 / 7
        return el.admissions_per_weekday * (1 - el.day_case_fraction) * week

    def discharge_inflows_per_day(self) -> dict[str, float]:
        """Expected requests per day from hospital and community-bed discharges.

        Keys: ``community`` (beds: pathway 2 plus step-up), ``home_care`` and
        ``care_home`` (pathways 1 and 3 from acute beds, plus onward moves from
        community beds). Mean rates over flat profiles.
        """
        ac, cm = self.acute, self.community
        em = self.emergency_admissions_per_day()
        p = ac.pathway_probs
        ordinary = self.ordinary_elective_admissions_per_day()
        comm_in = em * p[2] + ordinary * ac.elective_pathway_probs[2] + cm.step_up_per_day
        return {
            "community": comm_in,
            "home_care": em * p[1]
            + ordinary * ac.elective_pathway_probs[1]
            + comm_in * cm.onward_probs[1],
            "care_home": em * p[3]
            + ordinary * ac.elective_pathway_probs[3]
            + comm_in * cm.onward_probs[2],
        }

    def offered_loads(self) -> dict[str, tuple[float, float]]:
        """Offered load (mean busy units) and capacity for each setting with a queue.

        Loads use mean durations and mean rates (flat profiles), so they ignore the
        extra occupancy caused by blocking: a load below capacity is necessary, not
        sufficient, for a stable system.
        """
        ed, amb, ac, cm, sc = (
            self.ed,
            self.ambulance,
            self.acute,
            self.community,
            self.social_care,
        )
        day = 1440.0
        arrivals = amb.conveyances_per_day() + ed.walkin_arrivals_per_day
        majors = amb.conveyances_per_day() + ed.walkin_arrivals_per_day * ed.walkin_majors_fraction
        majors_time = ed.assessment_min.expected + ed.majors_treatment_min.expected
        em = self.emergency_admissions_per_day()
        p = ac.pathway_probs
        assess = sum(pi * d.expected for pi, d in zip(p, ac.pathway_assessment_days, strict=True))
        ordinary = self.ordinary_elective_admissions_per_day()
        # pathway 1-3 patients stay longer before they are fit (acute.pathway_los_factor)
        em_factor = sum(pi * f for pi, f in zip(p, ac.pathway_los_factor, strict=True))
        el_factor = sum(
            pi * f for pi, f in zip(ac.elective_pathway_probs, ac.pathway_los_factor, strict=True)
        )
        acute_load = em * (ac.emergency_los_days.expected * em_factor + assess) + ordinary * (
            ac.elective_los_days.expected * el_factor
        )
        escal = ac.escalation_beds * len(set(ac.escalation_months)) / 12
        inflow = self.discharge_inflows_per_day()
        comm_in, hc_in, ch_in = inflow["community"], inflow["home_care"], inflow["care_home"]
        comm_stay = cm.los_days.expected + cm.onward_assessment_days.expected
        # D2A beds in care homes take their share of hospital pathway 2 (issue 16)
        d2a_in = (comm_in - cm.step_up_per_day) * cm.d2a_share if cm.d2a_beds > 0 else 0.0
        comm_load = (comm_in - d2a_in) * comm_stay
        return {
            "ed.clinicians_by_hour": (
                arrivals / day * ed.assessment_min.expected,
                sum(ed.clinicians_by_hour) / 24,
            ),
            "ed.spaces": (majors / day * (majors_time + amb.handover_process_min), ed.spaces),
            "ed.type3_practitioners_by_hour": (
                ed.type3_arrivals_per_day / day * ed.type3_treatment_min.expected,
                sum(ed.type3_practitioners_by_hour) / 24,
            ),
            "acute.beds": (acute_load, ac.beds + escal),
            "community.beds": (comm_load, cm.beds),
            "community.d2a_beds": (d2a_in * comm_stay, cm.d2a_beds),
            "social_care.home_care_packages": (
                hc_in * sc.home_care_discharge_days.expected
                + sc.home_care_background_per_day * sc.home_care_background_days.expected,
                sc.home_care_packages,
            ),
            "social_care.care_home_places": (
                (ch_in + sc.care_home_background_per_day) * sc.care_home_stay_days.expected,
                sc.care_home_places,
            ),
        }

    def stability_warnings(self) -> list[str]:
        """Offered load at or above capacity in settings with unbounded queues.

        These configurations are valid, but their queues grow without limit, so
        results depend on the horizon; the analyst is told rather than stopped.
        """
        out = []
        for key, (load, cap) in self.offered_loads().items():
            if load > 0 and load >= cap:
                out.append(
                    f"{key}: offered load {load:,.1f} is at or above capacity {cap:,.1f}; "
                    "its queue will grow without limit (results depend on the horizon)"
                )
        sv = self.ambulance.service
        if sv is not None:
            conveyed = self.ambulance.conveyances_per_day()
            if abs(self.ambulance.arrivals_per_day - conveyed) > 0.05 * max(conveyed, 1.0):
                out.append(
                    f"ambulance.arrivals_per_day: {self.ambulance.arrivals_per_day:g} is not "
                    "used with ambulance.service; conveyances are incidents_per_day x "
                    f"conveyed share = {conveyed:,.1f} a day (change incidents_per_day)"
                )
        el = self.elective
        capacity_week = el.admissions_per_weekday * (7 if el.operate_weekends else 5)
        if not el.groups and el.referrals_per_week > capacity_week:
            out.append(
                f"elective.referrals_per_week: {el.referrals_per_week:g} referrals a week "
                f"exceed {capacity_week:g} theatre slots a week; the waiting list will grow"
            )
        return out

    def semantic_problems(self) -> list[Problem]:
        """Type-valid values that make the model meaningless (errors, not warnings)."""
        out = []
        em = self.emergency_admissions_per_day()
        if self.acute.beds == 0 and em > 0:
            out.append(
                Problem(
                    "acute.beds",
                    0,
                    f"must be > 0 when there are emergency admissions (~{em:.1f} a day)",
                )
            )
        majors = self.ambulance.conveyances_per_day() + (
            self.ed.walkin_arrivals_per_day * self.ed.walkin_majors_fraction
        )
        if self.ed.spaces == 0 and majors > 0:
            out.append(
                Problem(
                    "ed.spaces", 0, f"must be > 0 when majors patients arrive (~{majors:.1f} a day)"
                )
            )
        return out
