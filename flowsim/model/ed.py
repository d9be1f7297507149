"""Ambulance handover and the emergency department (A&E).

Majors patients (every ambulance arrival and a share of walk-ins) need a majors
space; an ambulance crew cannot hand over until one is free (handover delay).
Ambulance and walk-in majors patients take spaces in arrival order (one FIFO
queue): with strict priority for ambulances, walk-in majors starved for weeks in
busy months whenever the handover queue never emptied, which no department allows.
With ``ed.corridor_care_after_min`` set, a majors patient who has waited that long
for a space is treated in a corridor instead (the crew hands over then: the
45-minute maximum handover policy) and takes no space; without it, the space
queue is pure blocking, as in the queueing-theory reductions.
Every patient then queues for a rostered clinician (majors first), is assessed,
has treatment/diagnostics, and gets a decision: discharge, or admit. An admitted
patient keeps their A&E space until an acute bed is free (exit block, the
"trolley wait" from decision to admit).
"""

from __future__ import annotations

from flowsim.config import Scenario
from flowsim.model.engine import Clock, Pool
from flowsim.patients import Cohort
from flowsim.records import KIND_ED, NAN, Recorder

MAJORS, MINORS = 0, 1  # clinician queue levels


class EmergencyDepartment:
    def __init__(self, clock: Clock, rec: Recorder, scn: Scenario, acute) -> None:
        self.clock = clock
        self.rec = rec
        self.acute = acute
        self.roster = tuple(int(x) for x in scn.ed.clinicians_by_hour)
        self.spaces = Pool("ed_spaces", scn.ed.spaces)
        self.clinicians = Pool("ed_clinicians", self.roster[0], levels=2)
        self.handover_min = float(scn.ambulance.handover_process_min)
        self.corridor_after = scn.ed.corridor_care_after_min
        self.corridor: set[int] = set()  # attendances being treated in the corridor
        self._watching = False  # a corridor watch event is pending
        self.in_department = 0
        self.awaiting_bed = 0
        self.ambulances_waiting = 0

    # ------------------------------------------------------------ set-up
    def start(self, ambulance: Cohort, walkin: Cohort) -> None:
        # Records are sized up front (arrival order, filled as patients arrive): cheaper
        # than growing seven lists per attendance.
        n = len(ambulance) + len(walkin)
        r = self.rec
        r.ed_arrival, r.ed_ambulance, r.ed_majors = [NAN] * n, [False] * n, [False] * n
        r.ed_handover, r.ed_seen, r.ed_dta, r.ed_depart = ([NAN] * n for _ in range(4))
        r.ed_corridor = [False] * n
        self.n_arrived = 0
        self.clock.chain(ambulance.t, self._arrive, ambulance, True)
        self.clock.chain(walkin.t, self._arrive, walkin, False)
        self._roster_tick(0)

    def trim_records(self) -> None:
        """Drop the unused tail of the pre-sized records (arrivals after the run end)."""
        r, n = self.rec, self.n_arrived
        for name in (
            "ed_arrival",
            "ed_ambulance",
            "ed_majors",
            "ed_handover",
            "ed_seen",
            "ed_dta",
            "ed_depart",
            "ed_corridor",
        ):
            del getattr(r, name)[n:]

    def _roster_tick(self, hour: int) -> None:
        self.clinicians.set_capacity(self.roster[hour % 24])
        self.clock.at(60.0, self._roster_tick, hour + 1)

    # ------------------------------------------------------------ journey
    def _arrive(self, c: Cohort, ambulance: bool, i: int) -> None:
        r = self.rec
        k = self.n_arrived
        self.n_arrived = k + 1
        majors = ambulance or c.a["majors"][i]
        r.ed_arrival[k] = self.clock.now
        r.ed_ambulance[k] = ambulance
        r.ed_majors[k] = majors
        self.in_department += 1
        if ambulance:
            self.ambulances_waiting += 1
            self._request_space(self._space_for_crew, c, i, k)
        elif majors:
            self._request_space(self._space_for_walkin, c, i, k)
        else:
            self._to_clinician(c, i, k, MINORS)

    def _request_space(self, grant, c: Cohort, i: int, k: int) -> None:
        self.spaces.request(grant, 0, c, i, k)
        if self.corridor_after is not None and self.spaces.n_waiting and not self._watching:
            # This request queued and heads the queue (no watch pending means none
            # was waiting): the next corridor move is due at its limit.
            self._watching = True
            self.clock.at(self.corridor_after, self._corridor_watch)

    def _corridor_watch(self) -> None:
        """Move every queued majors patient whose wait has reached the corridor-care
        limit out of the space queue, then watch for the next one.

        The queue is in arrival order, so limits fall due in queue order and one
        pending event watches the whole queue: a timer per queued patient (most of
        whom get a space in time) cost an event and a queue scan each.
        """
        self._watching = False
        arrival = self.rec.ed_arrival
        now = self.clock.now
        while (head := self.spaces.first_waiting()) is not None:
            c, i, k = head
            wait_left = arrival[k] + self.corridor_after - now
            if wait_left > 1e-9:  # minutes; tolerance for float round-off of the due time
                self._watching = True
                self.clock.at(wait_left, self._corridor_watch)
                return
            self.spaces.withdraw_first()
            self.corridor.add(k)
            self.rec.ed_corridor[k] = True
            if self.rec.ed_ambulance[k]:
                self._space_for_crew(c, i, k)
            else:
                self._to_clinician(c, i, k, MAJORS)

    def _space_for_walkin(self, c: Cohort, i: int, k: int) -> None:
        self._to_clinician(c, i, k, MAJORS)

    def _space_for_crew(self, c: Cohort, i: int, k: int) -> None:
        self.clock.at(self.handover_min, self._handed_over, c, i, k)

    def _handed_over(self, c: Cohort, i: int, k: int) -> None:
        self.ambulances_waiting -= 1
        self.rec.ed_handover[k] = self.clock.now
        self._to_clinician(c, i, k, MAJORS)

    def _to_clinician(self, c: Cohort, i: int, k: int, level: int) -> None:
        self.clinicians.request(self._seen, level, c, i, k, level)

    def _seen(self, c: Cohort, i: int, k: int, level: int) -> None:
        self.rec.ed_seen[k] = self.clock.now
        self.clock.at(c.a["ed_assess"][i], self._assessed, c, i, k, level)

    def _assessed(self, c: Cohort, i: int, k: int, level: int) -> None:
        self.clinicians.release()
        self.clock.at(c.a["ed_treat"][i], self._decided, c, i, k, level)

    def _decided(self, c: Cohort, i: int, k: int, level: int) -> None:
        if c.a["admit"][i]:
            self.rec.ed_dta[k] = self.clock.now
            self.awaiting_bed += 1
            self.acute.request_emergency(
                c.acute, c.a["acute_row"][i], KIND_ED, lambda: self._admitted(k, level)
            )
        else:
            self._depart(k, level)

    def _admitted(self, k: int, level: int) -> None:
        self.awaiting_bed -= 1
        self._depart(k, level)

    def _depart(self, k: int, level: int) -> None:
        self.rec.ed_depart[k] = self.clock.now
        self.in_department -= 1
        if level == MAJORS:
            if self.corridor and k in self.corridor:
                self.corridor.remove(k)
            else:
                self.spaces.release()
