"""Dotted-key overrides and deep merging of plain scenario mappings.

An override names a dotted key and a value: ``acute.beds=900`` on the command
line, or ``{"acute.beds": 900}`` from Python. Values given as text are read as
strict YAML data (never code; see :mod:`flowsim.yamlsafe`).

A value that is a mapping and names a section (``acute={beds: 900}``) is
**merged** into that section key by key, so the calibrated values it does not
mention are kept; only a distribution (a mapping with a ``kind``) replaces the
old value whole, since its parameters belong together.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from flowsim.errors import ConfigError, Problem
from flowsim.yamlsafe import parse_value

MAX_OVERRIDES = 10_000


def deep_merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Child values override base values; nested mappings merge key by key.

    Parameters
    ----------
    base, child : mapping
        Plain data; neither is modified.

    Returns
    -------
    dict
        A new mapping.
    """
    out = copy.deepcopy(base)
    for k, v in child.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def parse_override(item: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value``; the value is read as strict YAML data (never code).

    Parameters
    ----------
    item : str
        For example ``"acute.beds=900"`` or ``"ed.clinicians_by_hour=[8, 8, ...]"``.

    Returns
    -------
    tuple
        ``(key, value)``; text that is not valid YAML is kept as a string.

    Raises
    ------
    ConfigError
        When ``item`` has no ``=``, no key, or a value that YAML 1.1 would read in a
        surprising way (``yes``, ``1_000``, ``1:30``, a date).
    """
    if not isinstance(item, str) or "=" not in item:
        raise ConfigError([Problem(str(item), item, "an override must look like dotted.key=value")])
    key, _, text = item.partition("=")
    key = key.strip()
    if not key:
        raise ConfigError([Problem(item, item, "an override needs a dotted key before '='")])
    value = parse_value(text, key) if text.strip() else ""
    return key, value


def _is_distribution(v: Any) -> bool:
    return isinstance(v, Mapping) and "kind" in v


def apply_overrides(
    raw: dict[str, Any],
    overrides: Mapping[str, Any] | Iterable[str] | None,
    reserved: Iterable[str] = (),
) -> None:
    """Apply dotted-key overrides in place; unknown keys are caught by validation.

    Parameters
    ----------
    raw : dict
        A plain scenario mapping, changed in place.
    overrides : mapping or iterable of str, optional
        ``{"acute.beds": 900}`` or ``["acute.beds=900"]``.
    reserved : iterable of str
        Top-level keys no override may set (the derived fields of a Scenario).

    Raises
    ------
    ConfigError
        Listing every override that cannot be applied.
    """
    if not overrides:
        return
    if isinstance(overrides, str):
        overrides = [overrides]
    problems: list[Problem] = []
    if isinstance(overrides, Mapping):
        items = list(overrides.items())
    else:
        items = []
        for it in overrides:
            try:
                items.append(parse_override(it))
            except ConfigError as exc:
                problems += exc.problems
    if len(items) > MAX_OVERRIDES:
        raise ConfigError(
            [Problem("overrides", len(items), f"at most {MAX_OVERRIDES:,} overrides at once")]
        )
    reserved = set(reserved)
    for key, value in items:
        if not isinstance(key, str) or not key:
            problems.append(Problem(str(key), value, "an override key must be a dotted name"))
            continue
        parts = key.split(".")
        if parts[0] in reserved:
            problems.append(
                Problem(
                    key,
                    value,
                    "set only by applying interventions (--intervention, or interventions: "
                    "in an experiment); their costs come from the intervention library",
                )
            )
            continue
        if any(not p for p in parts):
            problems.append(Problem(key, value, "a dotted key has an empty part"))
            continue
        node = raw
        for i, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            if not isinstance(nxt, dict):
                problems.append(
                    Problem(key, value, f"'{'.'.join(parts[: i + 1])}' is a value, not a section")
                )
                break
            node = nxt
        else:
            last = parts[-1]
            old = node.get(last)
            if isinstance(value, Mapping) and isinstance(old, dict) and not _is_distribution(value):
                node[last] = deep_merge(old, value)
            else:
                node[last] = copy.deepcopy(value)
    if problems:
        raise ConfigError(problems)


__all__ = ["apply_overrides", "deep_merge", "parse_override"]
