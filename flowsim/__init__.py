"""flowsim: discrete-event simulation of patient flow across an English county
health and care system.

    import flowsim
    scn = flowsim.load_scenario("worcestershire", overrides={"acute.beds": 860})
    one = flowsim.simulate(scn, seed=1)          # one replication, with records
    res = flowsim.run(scn, replications=10, jobs=2)
    res.summary                                  # mean and 95% CI per KPI
"""

from flowsim.comparison import ComparisonResult, compare
from flowsim.config import Scenario, load_scenario
from flowsim.errors import ConfigError
from flowsim.experiment import RunResult, SimulationResult, run, simulate
from flowsim.metrics import KPI_INFO, KPI_NAMES
from flowsim.sensitivity import sensitivity
from flowsim.sweep import sweep

__version__ = "0.1.0"

__all__ = [
    "ComparisonResult",
    "compare",
    "ConfigError",
    "KPI_INFO",
    "KPI_NAMES",
    "RunResult",
    "Scenario",
    "SimulationResult",
    "load_scenario",
    "run",
    "sensitivity",
    "simulate",
    "sweep",
]
