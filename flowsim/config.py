"""The scenario configuration, in one import (kept for code written against it).

The configuration is split by concept:

- :mod:`flowsim.schema` - the frozen pydantic schema (every field described);
- :mod:`flowsim.loading` - names and paths, strict YAML, ``base:``, ``load_scenario``;
- :mod:`flowsim.overrides` - dotted-key overrides and deep merging;
- :mod:`flowsim.capacity` - expected flows, offered loads, stability checks;
- :mod:`flowsim.yamlsafe` - strict, bounded YAML reading.

This module only re-exports them.
"""

from __future__ import annotations

from flowsim.loading import (
    SCENARIO_PACKAGE,
    config_search_dirs,
    load_model_file,
    load_raw,
    load_scenario,
    packaged_dir,
    packaged_names,
    resolve_config_path,
)
from flowsim.overrides import apply_overrides, deep_merge, parse_override
from flowsim.schema import (
    DERIVED_FIELDS,
    PROB_TOL,
    AcuteCfg,
    AmbulanceCfg,
    CommunityCfg,
    CostCfg,
    DemandCfg,
    DischargeCfg,
    Dist,
    EdCfg,
    ElectiveCfg,
    InterventionRef,
    RunCfg,
    Scenario,
    SocialCareCfg,
    validate,
)

__all__ = [
    "DERIVED_FIELDS",
    "PROB_TOL",
    "SCENARIO_PACKAGE",
    "AcuteCfg",
    "AmbulanceCfg",
    "CommunityCfg",
    "CostCfg",
    "DemandCfg",
    "DischargeCfg",
    "Dist",
    "EdCfg",
    "ElectiveCfg",
    "InterventionRef",
    "RunCfg",
    "Scenario",
    "SocialCareCfg",
    "apply_overrides",
    "config_search_dirs",
    "deep_merge",
    "load_model_file",
    "load_raw",
    "load_scenario",
    "packaged_dir",
    "packaged_names",
    "parse_override",
    "resolve_config_path",
    "validate",
]
