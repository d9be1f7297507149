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

#: Status of a referral (indexed by its row in the referral cohort).
NOT_YET, WAITING, BOOKED, TREATED, REMOVED = 0, 1, 2, 3, 4
#: Priority codes: 0 planned (non-RTT, booked for its due date), 2-4 = P2-P4.
PLANNED = 0

POLICIES = ("priority", "longest_wait", "due_date")


class WaitingList:
    """Heaps of waiting pathways by (group, day case) with lazy removal.

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
        #: heaps[2 * group + (0 day case, 1 ordinary)] of (tier, key, clock start, row)
        self.heaps: list[list] = [[] for _ in range(2 * n_groups)]
        self.status = bytearray(n_referrals)
        self.n_waiting = 0  # RTT and planned entries with status WAITING

    def key(self, priority: int, clock: float) -> tuple[int, float]:
        """The (tier, key) a pathway is ordered by under the policy."""
        if priority == PLANNED:
            return 0, clock
        if self.policy == "priority":
            return 1, float(priority)
        if self.policy == "longest_wait":
            return 1, 0.0
        return 1, clock + self.target_min[priority - 2]

    def push(self, heap: int, priority: int, clock: float, row: int) -> None:
        """Put pathway ``row`` on heap ``heap`` (joining or relisted)."""
        tier, k = self.key(priority, clock)
        heapq.heappush(self.heaps[heap], (tier, k, clock, row))
        self.status[row] = WAITING
        self.n_waiting += 1

    def pop(self, heap: int) -> tuple | None:
        """The next pathway of heap ``heap`` (marked BOOKED), or None if it is empty."""
        h, status = self.heaps[heap], self.status
        while h:
            item = heapq.heappop(h)
            if status[item[3]] == WAITING:
                status[item[3]] = BOOKED
                self.n_waiting -= 1
                return item
        return None

    def has_waiting(self, heap: int) -> bool:
        """True if heap ``heap`` holds a pathway still waiting (drops removed tops)."""
        h, status = self.heaps[heap], self.status
        while h and status[h[0][3]] != WAITING:
            heapq.heappop(h)
        return bool(h)

    def remove(self, row: int) -> bool:
        """Clock stop other than treatment: True if ``row`` was waiting (now removed)."""
        if self.status[row] != WAITING:
            return False
        self.status[row] = REMOVED
        self.n_waiting -= 1
        return True

    def waiting_items(self) -> list[tuple]:
        """Every entry still waiting (any order)."""
        status = self.status
        return [it for h in self.heaps for it in h if status[it[3]] == WAITING]
