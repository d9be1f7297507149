"""flowsim: discrete-event simulation of patient flow across an English county
health and care system.

    import flowsim
    scn = flowsim.load_scenario("worcestershire", overrides={"acute.beds": 860})
    one = flowsim.simulate(scn, seed=1)          # one replication, with records
    res = flowsim.run(scn, replications=10, jobs=2)
    res.summary                                  # mean and 95% CI per KPI
    flowsim.kpi_table()                          # every KPI: label, unit, definition

Names are imported on first use (PEP 562), so ``import flowsim`` and the command
line's ``--help`` stay fast; ``dir(flowsim)`` lists them all.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_LAZY: dict[str, str] = {
    "ComparisonResult": "flowsim.comparison",
    "compare": "flowsim.comparison",
    "ConfigError": "flowsim.errors",
    "KPI_INFO": "flowsim.kpis",
    "KPI_NAMES": "flowsim.kpis",
    "HEADLINE_KPIS": "flowsim.kpis",
    "HIGHER_IS_BETTER": "flowsim.kpis",
    "kpi_table": "flowsim.kpis",
    "RunOptions": "flowsim.executors",
    "RunResult": "flowsim.experiment",
    "SimulationResult": "flowsim.experiment",
    "run": "flowsim.experiment",
    "simulate": "flowsim.experiment",
    "Scenario": "flowsim.schema",
    "journeys": "flowsim.records",
    "load_scenario": "flowsim.loading",
    "packaged_names": "flowsim.loading",
    "sensitivity": "flowsim.sensitivity",
    "sweep": "flowsim.sweep",
}

__all__ = [
    "ComparisonResult",
    "ConfigError",
    "HEADLINE_KPIS",
    "HIGHER_IS_BETTER",
    "KPI_INFO",
    "KPI_NAMES",
    "RunOptions",
    "RunResult",
    "Scenario",
    "SimulationResult",
    "compare",
    "journeys",
    "kpi_table",
    "load_scenario",
    "packaged_names",
    "run",
    "sensitivity",
    "simulate",
    "sweep",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from flowsim.comparison import ComparisonResult, compare
    from flowsim.errors import ConfigError
    from flowsim.executors import RunOptions
    from flowsim.experiment import RunResult, SimulationResult, run, simulate
    from flowsim.kpis import HEADLINE_KPIS, HIGHER_IS_BETTER, KPI_INFO, KPI_NAMES, kpi_table
    from flowsim.loading import load_scenario, packaged_names
    from flowsim.records import journeys
    from flowsim.schema import Scenario
    from flowsim.sensitivity import sensitivity
    from flowsim.sweep import sweep


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        # a submodule used as an attribute (``flowsim.metrics``), as before names were lazy
        try:
            return importlib.import_module(f"flowsim.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"flowsim.{name}":
                raise
            raise AttributeError(f"module 'flowsim' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``flowsim.sweep`` and ``flowsim.sensitivity`` the functions.

    Importing a submodule binds it on its package, which would hide the lazily
    loaded function of the same name; such a binding is skipped, so the name still
    resolves through :func:`__getattr__` (the module stays in ``sys.modules``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            isinstance(value, types.ModuleType)
            and _LAZY.get(name) == value.__name__ == f"flowsim.{name}"
        ):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
