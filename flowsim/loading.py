"""Loading scenarios: names and paths, strict YAML, ``base:`` inheritance, overrides.

A scenario is named by a path (``my/scenario.yaml``) or a bare name
(``worcestershire``). A bare name is looked for, in order, as ``NAME.yaml`` next to
the file that names it (for ``base:``), in the current folder, in ``./configs/``,
and among the scenarios packaged with flowsim (``flowsim.scenarios``, read through
:mod:`importlib.resources`, so an installed wheel finds them from any folder).
When a local file wins over a packaged scenario of the same name, a warning says
which file was used.

A file may inherit from another with ``base: <name or path>``; the child is
deep-merged over the base. Overrides (``acute.beds=900``) are applied to the merged
mapping before validation, so they are checked by the same rules.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import warnings
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from flowsim.errors import ConfigError, Problem
from flowsim.interventions import apply_interventions
from flowsim.overrides import apply_overrides, deep_merge, parse_override
from flowsim.schema import DERIVED_FIELDS, Scenario, validate
from flowsim.yamlsafe import YamlSurpriseError, load_file

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

#: The package holding the scenario files shipped with flowsim (the ``configs/`` folder).
SCENARIO_PACKAGE = "flowsim.scenarios"
SUFFIXES = (".yaml", ".yml")
#: Longest ``base:`` chain followed (a county inherits one or two levels).
MAX_BASE_DEPTH = 16


class ShadowedScenarioWarning(UserWarning):
    """A file in the current folder was used instead of a packaged scenario of that name."""


def packaged_dir() -> Path:
    """The folder of packaged scenarios (inside the installed package)."""
    return Path(str(resources.files(SCENARIO_PACKAGE)))


def packaged_names() -> list[str]:
    """Names of the packaged scenarios (county baselines, then validation reductions)."""
    root = packaged_dir()
    top = sorted(f.stem for f in root.glob("*.yaml"))
    val = sorted(f.stem for f in (root / "validation").glob("*.yaml") if not f.stem.startswith("_"))
    return top + val


def _packaged(name: str) -> Path | None:
    root = packaged_dir()
    for c in (root / f"{name}.yaml", root / "validation" / f"{name}.yaml"):
        if c.is_file():
            return c
    return None


def config_search_dirs() -> list[Path]:
    """Folders searched for a scenario given by a bare name, after the current folder."""
    return [Path.cwd() / "configs", packaged_dir(), packaged_dir() / "validation"]


def resolve_config_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Find a scenario file from a path or a bare name.

    Parameters
    ----------
    name_or_path : str or Path
        ``"worcestershire"``, ``"my.yaml"`` or ``"configs/west_norfolk.yaml"``.
    relative_to : Path, optional
        Folder of the file that names it (for ``base:``); searched first.

    Returns
    -------
    Path
        The file used.

    Raises
    ------
    ConfigError
        No such file, or a path that does not end in ``.yaml``/``.yml`` (so
        ``base: /etc/passwd`` is refused without reading the file).
    """
    text = str(name_or_path)
    p = Path(text)
    if not text.strip() or "\x00" in text:
        raise ConfigError([Problem("config", text, "a scenario name or path must not be empty")])
    if p.suffix in SUFFIXES:
        candidates = [relative_to / p] if relative_to is not None and not p.is_absolute() else []
        candidates.append(p)
        for c in candidates:
            if c.is_file():
                return c
        raise ConfigError([Problem("config", text, "no such scenario file")])
    if p.suffix or len(p.parts) != 1:
        raise ConfigError(
            [
                Problem(
                    "config",
                    text,
                    "a scenario is a .yaml or .yml file, or a packaged name; "
                    f"packaged: {', '.join(packaged_names())}",
                )
            ]
        )
    local = [Path(f"{p}{s}") for s in SUFFIXES] + [Path("configs") / f"{p}.yaml"]
    if relative_to is not None:
        local.insert(0, relative_to / f"{p}.yaml")
    packaged = _packaged(text)
    for c in local:
        if c.is_file():
            if packaged is not None and c.resolve() != packaged.resolve():
                msg = (
                    f"scenario '{text}': using {c.resolve()}, not the packaged scenario of "
                    "the same name (rename the local file to use the packaged one)"
                )
                log.warning(msg)
                warnings.warn(msg, ShadowedScenarioWarning, stacklevel=3)
            return c
    if packaged is not None:
        return packaged
    raise ConfigError(
        [
            Problem(
                "config",
                text,
                f"no such scenario file; packaged names: {', '.join(packaged_names())}",
            )
        ]
    )


def read_scenario_file(path: Path, problems: list[Problem] | None = None) -> dict[str, Any]:
    """Read one scenario file (strict YAML) into a mapping; an empty file is ``{}``.

    With ``problems`` given, a file whose YAML reads despite surprises (a duplicate key,
    ``yes``, ``1_000``) adds them there and returns what it reads as, so the caller can
    check the rest and list every problem at once; without, they raise."""
    try:
        data = load_file(path, "scenario")
    except YamlSurpriseError as exc:
        if problems is None:
            raise
        problems += exc.problems
        data = exc.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        # The type only: never echo the content of a file that is not a scenario.
        raise ConfigError(
            [
                Problem(
                    "<root>",
                    type(data).__name__,
                    "a scenario file must be a mapping of keys (section: values)",
                )
            ],
            str(path),
        )
    return data


def load_raw(
    name_or_path: str | Path,
    _seen: tuple[Path, ...] = (),
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    """Read a scenario file and resolve its ``base:`` chain into one mapping (YAML
    surprises go to ``problems`` when given, see :func:`read_scenario_file`)."""
    path = resolve_config_path(name_or_path, _seen[-1].parent if _seen else None).resolve()
    if path in _seen:
        chain = " -> ".join(str(s.name) for s in (*_seen, path))
        raise ConfigError([Problem("base", str(name_or_path), f"inheritance cycle: {chain}")])
    if len(_seen) >= MAX_BASE_DEPTH:
        raise ConfigError(
            [Problem("base", str(name_or_path), f"more than {MAX_BASE_DEPTH} levels of base:")]
        )
    data = read_scenario_file(path, problems)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ConfigError(
            [Problem("base", base, "base must be a scenario name or path")], str(path)
        )
    return deep_merge(load_raw(base, (*_seen, path), problems), data)


def _derived_problems(raw: Mapping[str, Any]) -> list[Problem]:
    defaults = Scenario.model_fields
    out = []
    for k in DERIVED_FIELDS:
        if k in raw and raw[k] not in (defaults[k].default, [], ()):
            out.append(
                Problem(
                    k,
                    raw[k],
                    "set only by applying interventions (--intervention, or interventions: "
                    "in an experiment); their costs come from the intervention library",
                )
            )
    return out


def _override_keys(overrides: Mapping[str, Any] | Iterable[str] | None) -> set[str]:
    """The dotted keys a set of overrides names (malformed ones left out)."""
    if not overrides:
        return set()
    if isinstance(overrides, Mapping):
        return {str(k) for k in overrides}
    if isinstance(overrides, str):
        overrides = [overrides]
    keys = set()
    for it in overrides:
        with contextlib.suppress(ConfigError):  # a malformed one is reported elsewhere
            keys.add(parse_override(it)[0])
    return keys


def _schema_problems_beside(raw: dict[str, Any], source: str, surprises: set[str]) -> list[Problem]:
    """Every problem at once: the schema's problems with the rest of a scenario that
    already has some (YAML surprises, bad overrides). A key whose YAML surprise is
    already reported, and still holds the value the surprise gave it, is not reported
    again, nor is a non-text key (reported by the reader)."""
    try:
        validate(raw, source)
    except ConfigError as exc:
        return [
            p
            for p in exc.problems
            if p.key not in surprises and "Keys should be strings" not in p.rule
        ]
    return []


def load_scenario(
    path_or_name: str | Path | Mapping[str, Any] = "worcestershire",
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    interventions: Iterable[str] | None = None,
) -> Scenario:
    """Load, inherit, override and validate a scenario.

    Parameters
    ----------
    path_or_name : str, Path or mapping
        A file path, a packaged name (``"west_norfolk"``) or a mapping (which may
        itself have a ``base:``).
    overrides : mapping or iterable of str, optional
        Dotted keys, ``{"acute.beds": 900}`` or ``["acute.beds=900"]``. A mapping
        value naming a section is merged into it (see :mod:`flowsim.overrides`).
    interventions : iterable of str, optional
        Specs such as ``"discharge_to_assess:assessment_days=1"``, applied after the
        overrides.

    Returns
    -------
    Scenario
        Frozen and validated. Offered loads at or above capacity are warned about
        (``warnings.warn``), not refused.

    Raises
    ------
    ConfigError
        Listing every problem found (key, value, rule).

    Examples
    --------
    >>> import flowsim
    >>> flowsim.load_scenario("worcestershire", {"acute.beds": 860}).acute.beds
    860
    """
    problems: list[Problem] = []  # YAML surprises, then derived keys and overrides
    mapping = isinstance(path_or_name, Mapping)
    source = "<mapping>" if mapping else str(path_or_name)
    try:
        if mapping:
            raw = copy.deepcopy(dict(path_or_name))
            base = raw.pop("base", None)
            if base is not None:
                if not isinstance(base, str | Path):
                    raise ConfigError(
                        [Problem("base", base, "base must be a scenario name or path")]
                    )
                raw = deep_merge(load_raw(base, problems=problems), raw)
        else:
            raw = load_raw(path_or_name, problems=problems)
            raw.setdefault("name", Path(str(path_or_name)).stem)
    except ConfigError as exc:  # a file or base that cannot be read: the surprises so far too
        where = exc.source if mapping else exc.source or source
        raise ConfigError([*problems, *exc.problems], where) from None
    surprises = {p.key for p in problems}  # YAML surprises, before any other problem
    problems += _derived_problems(raw)
    try:
        apply_overrides(raw, overrides, reserved=DERIVED_FIELDS)
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        problems += _schema_problems_beside(raw, source, surprises - _override_keys(overrides))
        raise ConfigError(problems, source)
    scenario = validate(raw, source)
    if interventions:
        if isinstance(interventions, str):
            interventions = [interventions]
        scenario = apply_interventions(scenario, interventions)
    for w in scenario.stability_warnings():
        warnings.warn(w, stacklevel=2)
    return scenario


def load_model_file(path: str | Path, model: type[M], what: str) -> M:
    """Read a YAML file (strict, bounded) into a pydantic model.

    Every problem becomes one ConfigError naming its dotted key. Used for
    experiment, sweep and sensitivity files.
    """
    raw = load_file(path, what)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            [Problem("<root>", type(raw).__name__, f"a {what} file must be a mapping of keys")],
            str(path),
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(
                ".".join(str(x) for x in e["loc"]) or "<root>",
                e.get("input"),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise ConfigError(problems, str(path)) from None


__all__ = [
    "SCENARIO_PACKAGE",
    "ShadowedScenarioWarning",
    "config_search_dirs",
    "load_model_file",
    "load_raw",
    "load_scenario",
    "packaged_dir",
    "packaged_names",
    "resolve_config_path",
]
