"""Named random-number streams for common random numbers.

Every random activity (ambulance arrivals, A&E admit decision, acute length of
stay, ...) has its own numpy Generator derived from ``(seed, replication, name)``.
Adding a stream, or drawing more from one, never shifts another, so two scenarios
run with the same seed and replication see the same patients and the same
per-patient uniforms; an intervention that changes a parameter re-maps those
uniforms rather than drawing new ones.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 64-bit integer for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def make_generator(seed: int, replication: int, name: str) -> np.random.Generator:
    """The Generator for one named activity in one replication."""
    ss = np.random.SeedSequence([int(seed), int(replication), stream_key(name)])
    return np.random.Generator(np.random.PCG64(ss))


class Streams:
    """Factory of named streams for one replication. Each name yields a fresh
    Generator in the same state whenever it is asked for."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)

    def __call__(self, name: str) -> np.random.Generator:
        return make_generator(self.seed, self.replication, name)

    def uniforms(self, name: str, n: int) -> np.ndarray:
        """``n`` U(0,1) draws from the named stream (the first ``n`` of that stream)."""
        return self(name).random(n)
