"""The elective waiting list as a data structure: specialty group x setting heaps.

One heap per (specialty group, day case or ordinary), keyed by the scheduling
policy; no process per waiting patient. Entries leave by treatment (popped by a
theatre session) or by a clock stop other than treatment (validation, removal),
which marks the entry off the list; marked entries are skipped when popped (lazy
deletion), so a removal costs O(log n) and no heap search.

Policies (``elective.policy``):

- ``priority``: planned (non-RTT) cases first, then P2, P3, P4, each in turn by
  clock start ("priority then treat in turn");
- ``longest_wait``: planned cases first, then clock start alone;
- ``due_date``: planned cases first, then clock start + the priority's target
  wait (earliest due date first).
"""

from __future__ import annotations

import heapq
import math

#: Status of a referral (indexed by its row in the referral cohort).
NOT_YET, WAITING, BOOKED, TREATED, REMOVED = 0, 1, 2, 3, 4
#: Priority codes: 0 planned (non-RTT, booked for its due date), 2-4 = P2-P4.
PLANNED = 0

POLICIES = ("priority", "longest_wait", "due_date")


class WaitingList:
    """Heaps of waiting pathways by (group, day case) with lazy removal.

    An entry is ``(rank, clock start, row)``; entries pop in the order of the
    tuples, so the policy is all in ``rank``:

    - ``priority``: the priority code itself (0 planned, then 2, 3, 4), each in
      turn by clock start;
    - ``longest_wait``: 0 for planned cases, 1 for every RTT pathway;
    - ``due_date``: the due date, clock start + the priority's target wait
      (``-inf`` for planned cases, which sorts them first).

    Two entries compare exactly as the policies' ``(tier, key, clock start, row)``
    (tier 0 planned, key the clock start; tier 1 RTT, key the priority, 0 or the due
    date) would, with one item fewer: a planned rank is below every RTT rank (0 below
    1 to 4; ``-inf`` below every due date, clock starts being finite); two planned
    entries tie on rank and go on to clock start then row, as their tier-0 key was
    the clock start; two RTT entries compare by key, clock start, row in both. So the
    heaps are the very heaps the four-item entries made and pop in the same order.
    A rank that is a small int is the same object in every entry of its priority, so
    a tie on it is found by identity, with no float comparison.

    Parameters
    ----------
    n_groups : int
        Number of specialty groups.
    n_referrals : int
        Rows of the referral cohort (status is kept per row).
    policy : str
        One of :data:`POLICIES`.
    target_min : tuple of float
        Target waits of P2, P3, P4 in minutes (the ``due_date`` policy).
    """

    def __init__(
        self, n_groups: int, n_referrals: int, policy: str, target_min: tuple[float, ...]
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy {policy!r} is not one of {POLICIES}")
        self.policy = policy
        self.target_min = target_min
        #: rank by priority code 0-4 (1 is unused) for priority and longest_wait, or None
        self.rank: tuple[int, ...] | None = None
        #: due-date offset by priority code (due_date: -inf for planned), or None
        self.due_offset: tuple[float, ...] | None = None
        if policy == "due_date":
            self.due_offset = (-math.inf, math.nan, *target_min)
            self.planned_rank: float = self.due_offset[PLANNED]
        else:
            self.rank = (0, 1, 2, 3, 4) if policy == "priority" else (0, 1, 1, 1, 1)
            self.planned_rank = self.rank[PLANNED]
        #: heaps[2 * group + (0 day case, 1 ordinary)] of (rank, clock start, row)
        self.heaps: list[list] = [[] for _ in range(2 * n_groups)]
        self.status = bytearray(n_referrals)
        self.n_waiting = 0  # RTT and planned entries with status WAITING

    def push(self, heap: int, priority: int, clock: float, row: int) -> None:
        """Put pathway ``row`` on heap ``heap`` (joining or relisted)."""
        rank = self.rank  # a table lookup, or the due date
        k = rank[priority] if rank is not None else clock + self.due_offset[priority]
        heapq.heappush(self.heaps[heap], (k, clock, row))
        self.status[row] = WAITING
        self.n_waiting += 1

    def pop(self, heap: int) -> tuple | None:
        """The next entry ``(rank, clock start, row)`` of heap ``heap`` (its pathway
        marked BOOKED), or None if the heap holds no pathway still waiting."""
        h, status = self.heaps[heap], self.status
        while h:
            item = heapq.heappop(h)
            if status[item[2]] == WAITING:
                status[item[2]] = BOOKED
                self.n_waiting -= 1
                return item
        return None

    def has_waiting(self, heap: int) -> bool:
        """True if heap ``heap`` holds a pathway still waiting (drops removed tops)."""
        h, status = self.heaps[heap], self.status
        while h and status[h[0][2]] != WAITING:
            heapq.heappop(h)
        return bool(h)

    def remove(self, row: int) -> bool:
        """Clock stop other than treatment: True if ``row`` was waiting (now removed)."""
        if self.status[row] != WAITING:
            return False
        self.status[row] = REMOVED
        self.n_waiting -= 1
        return True

    def waiting_items(self, planned: bool = True) -> list[tuple]:
        """Every entry still waiting, ``(rank, clock start, row)``, heap by heap in heap
        order; without the planned (non-RTT) cases if ``planned`` is False."""
        status, skip = self.status, None if planned else self.planned_rank
        return [it for h in self.heaps for it in h if status[it[2]] == WAITING and it[0] != skip]
