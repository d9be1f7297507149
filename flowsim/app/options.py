"""From a partner's choices to an experiment: options, packages, costs and YAML.

An *option* is one intervention from :mod:`flowsim.interventions` with its sizes,
written as the library's spec string (``extra_acute_beds:beds=40``). A *package* is a
named scenario made of one or more options (applied in order) and, for uploaded
experiments, dotted-key overrides. The experiment the app runs is the baseline plus
the packages, exactly what an experiment YAML file holds, so the file the page offers
for download reproduces the run from the CLI (``flowsim compare that.yaml``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flowsim.comparison import Experiment
from flowsim.config import Scenario
from flowsim.errors import ConfigError, Problem
from flowsim.interventions import REGISTRY, Param, apply_interventions, parse_spec, resolve

#: Packaged county scenarios a partner can pick.
COUNTIES: tuple[str, ...] = ("worcestershire", "west_norfolk", "leicestershire")

#: Scenario name of the baseline in every experiment the app builds.
BASELINE = "baseline"


@dataclass(frozen=True)
class Slider:
    """A slider for one size parameter of an intervention."""

    name: str
    label: str
    unit: str
    minimum: float
    maximum: float
    step: float
    default: float
    help: str
    whole: bool


def _slider_max(p: Param) -> float:
    if p.maximum is not None:
        return float(p.maximum)
    if p.default > 0:
        return float(p.default) * 4
    return 10.0


def _slider_step(p: Param, maximum: float) -> float:
    if p.integer:
        return 1.0
    if p.unit == "ratio":
        return 0.05
    if p.unit == "days":
        return 0.25
    if p.unit == "%":
        return 1.0
    if p.unit == "GBP":  # money: about a hundred steps, a round number of pounds
        return float(max(1, 10 ** math.floor(math.log10(max(maximum, 1.0) / 100))))
    # Any other continuous size: a power of ten giving at least ten steps over the range.
    span = maximum - p.minimum
    return float(10 ** math.floor(math.log10(span / 10))) if span > 0 else 1.0


def sliders(intervention: str) -> list[Slider]:
    """One slider per settable size parameter of a library intervention.

    The range is the library's own bound where it has one; otherwise up to four
    times the default (the library sets no upper bound, only a minimum). The
    library's cost constants get no slider (they are not settable), and a size the
    library takes in whole units (:attr:`Param.integer`) moves in whole steps.
    """
    out = []
    for p in settable_params(intervention):
        hi = _slider_max(p)
        out.append(
            Slider(
                name=p.name,
                label=f"{p.description} ({p.unit})",
                unit=p.unit,
                minimum=float(p.minimum),
                maximum=hi,
                step=_slider_step(p, hi),
                default=float(p.default),
                help=p.description,
                whole=p.integer,
            )
        )
    return out


def settable_params(intervention: str) -> list[Param]:
    """The size parameters of an intervention a user may set (not its cost constants)."""
    return [p for p in REGISTRY[intervention].params if not p.cost]


def option_spec(intervention: str, sizes: Mapping[str, float] | None = None) -> str:
    """The library spec string for an intervention with its sizes.

    Sizes equal to the library default are left out, so the spec reads as the
    partner changed it (``more_home_care:packages=150``).
    """
    iv = REGISTRY[intervention]
    defaults = iv.defaults()
    parts = [
        f"{k}={float(v):g}"
        for k, v in (sizes or {}).items()
        if k in defaults and float(v) != float(defaults[k])
    ]
    return intervention + (":" + ",".join(parts) if parts else "")


def option_label(spec: str) -> str:
    """Readable text for a spec: ``more home care (packages 150)``."""
    name, params = parse_spec(spec)
    text = name.replace("_", " ").capitalize()
    if params:
        text += " (" + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in params.items()) + ")"
    return text


def option_name(spec: str) -> str:
    """A scenario name for a one-option package: ``more_home_care_packages_150``."""
    name, params = parse_spec(spec)
    return slug("_".join([name, *(f"{k}_{v}" for k, v in params.items())]))


def slug(text: str) -> str:
    """Lower-case letters, digits and underscores, as scenario names are written."""
    s = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return s[:60] or "option"


def annual_cost(scenario: Scenario, options: Sequence[str]) -> float:
    """Annual running cost in pounds of a package of options applied to ``scenario``.

    Options are applied in order (as in an experiment), so a cost that depends on
    the scenario sees the changes of the options before it.
    """
    if not options:
        return 0.0
    changed = apply_interventions(scenario, options)
    return float(changed.intervention_cost_gbp_per_year - scenario.intervention_cost_gbp_per_year)


def check_option(spec: str) -> list[Problem]:
    """Problems with one option spec (unknown intervention, size out of range)."""
    try:
        resolve(spec)
    except ConfigError as exc:
        return list(exc.problems)
    return []


@dataclass(frozen=True)
class Package:
    """A named scenario of options (and overrides) compared against the baseline."""

    name: str
    options: tuple[str, ...]
    description: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """What the package changes, in words."""
        parts = [option_label(s) for s in self.options]
        parts += [f"{k} = {v}" for k, v in self.overrides.items()]
        return "; ".join(parts) or "no change"


def single_option_package(spec: str) -> Package:
    """A package holding one option, named after it."""
    return Package(name=option_name(spec), options=(spec,), description=option_label(spec))


def combine(name: str, packages: Sequence[Package], description: str = "") -> Package:
    """One package applying the options of several, in order (repeats dropped)."""
    options: list[str] = []
    overrides: dict[str, Any] = {}
    for p in packages:
        options += [o for o in p.options if o not in options]
        overrides.update(p.overrides)
    desc = description or " + ".join(p.description or p.name for p in packages)
    return Package(name=slug(name), options=tuple(options), description=desc, overrides=overrides)


def package_problems(packages: Sequence[Package]) -> list[Problem]:
    """Every problem with a list of packages: names, options."""
    out = []
    names = [p.name for p in packages]
    for p in packages:
        key = f"scenarios.{p.name}"
        if p.name == BASELINE:
            out.append(Problem(key, p.name, f"'{BASELINE}' is the name of the baseline"))
        if names.count(p.name) > 1:
            out.append(Problem(key, p.name, "option names must be unique"))
        for spec in p.options:
            out += check_option(spec)
    return out


@dataclass(frozen=True)
class RunChoice:
    """How long and how often to run: replications, horizon, warm-up and seed."""

    replications: int = 5
    days: float | None = None
    warmup_days: float | None = None
    seed: int = 20250401


def build_experiment(
    base: str,
    packages: Sequence[Package],
    run: RunChoice,
    name: str = "summit",
    description: str = "",
) -> Experiment:
    """The experiment for the page's choices: the baseline and each package.

    Raises ConfigError listing every problem (names, options, run settings).
    """
    problems = package_problems(packages)
    if problems:
        raise ConfigError(problems, "options")
    scenarios = [{"name": BASELINE, "description": "Current capacity and ways of working."}]
    for p in packages:
        spec: dict[str, Any] = {"name": p.name, "description": p.description}
        if p.options:
            spec["interventions"] = list(p.options)
        if p.overrides:
            spec["overrides"] = dict(p.overrides)
        scenarios.append(spec)
    raw = {
        "name": slug(name),
        "description": description,
        "base": base,
        "replications": run.replications,
        "seed": run.seed,
        "baseline": BASELINE,
        "scenarios": scenarios,
    }
    if run.days is not None:
        raw["days"] = run.days
    if run.warmup_days is not None:
        raw["warmup_days"] = run.warmup_days
    from pydantic import ValidationError

    try:
        return Experiment.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            [
                Problem(
                    ".".join(str(x) for x in e["loc"]) or "<root>",
                    e.get("input"),
                    e["msg"].removeprefix("Value error, "),
                )
                for e in exc.errors()
            ],
            "options",
        ) from None


def packages_of(exp: Experiment) -> list[Package]:
    """The packages of an experiment (every scenario but its baseline)."""
    return [
        Package(
            name=s.name,
            options=tuple(s.interventions),
            description=s.description,
            overrides=dict(s.overrides),
        )
        for s in exp.scenarios
        if s.name != exp.baseline
    ]


def not_kept(exp: Experiment) -> list[str]:
    """What of an uploaded experiment the page's option set cannot hold (to say so)."""
    notes = []
    base = next(s for s in exp.scenarios if s.name == exp.baseline)
    if base.interventions or base.overrides:
        notes.append(f"the changes made to its baseline '{exp.baseline}'")
    if exp.overrides:
        notes.append("its shared overrides (" + ", ".join(exp.overrides) + ")")
    if exp.thresholds != type(exp.thresholds)():
        notes.append("its own breach thresholds (the page uses 78% and 92%)")
    return notes


def experiment_yaml(exp: Experiment, base_file: str | None = None) -> str:
    """The experiment as a YAML file that ``flowsim compare`` runs as the page did.

    ``base_file`` replaces the base (an uploaded scenario kept in the app's cache
    folder is written as its file name, to be saved beside the experiment file).
    """
    data = exp.model_dump(mode="json", exclude_defaults=False)
    if base_file is not None:
        data["base"] = base_file
    for s in data["scenarios"]:
        for key in ("description", "interventions", "overrides"):
            if not s.get(key):
                s.pop(key, None)
    for key in ("days", "warmup_days"):
        if data.get(key) is None:
            data.pop(key, None)
    if not data.get("overrides"):
        data.pop("overrides", None)
    head = (
        f"# Experiment built in the flowsim summit app. Reproduce it with:\n"
        f"#   flowsim compare {data['name']}.yaml --jobs 2\n"
    )
    if base_file is not None:
        head += f"# Save the scenario file {Path(base_file).name} in the same folder.\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
