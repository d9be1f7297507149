"""The SimPy model: one module per care setting, wired together in :mod:`system`."""

from flowsim.model.system import simulate_replication

__all__ = ["simulate_replication"]
