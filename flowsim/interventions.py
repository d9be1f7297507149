"""Interventions (placeholder registry; the library lands with the experiments work)."""

from __future__ import annotations

from collections.abc import Iterable

from flowsim.config import Scenario
from flowsim.errors import ConfigError, Problem

REGISTRY: dict = {}


def apply_interventions(scenario: Scenario, specs: Iterable[str]) -> Scenario:
    problems = [Problem("interventions", s, "unknown intervention") for s in specs]
    if problems:
        raise ConfigError(problems)
    return scenario
