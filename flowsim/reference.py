"""The configuration reference, generated from the schema (``flowsim schema``).

``schema_json()`` is the JSON Schema of a scenario file (pydantic's
``model_json_schema``); ``schema_markdown()`` is one table row per dotted key with
its type, default, limits and description, for people.
"""

from __future__ import annotations

import json
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from flowsim.schema import DERIVED_FIELDS, Scenario, field_model


def schema_json() -> str:
    """The JSON Schema of a scenario file, indented."""
    return json.dumps(Scenario.model_json_schema(), indent=2)


def _limits(info: FieldInfo) -> str:
    out = []
    for m in info.metadata:
        for attr, sym in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            v = getattr(m, attr, None)
            if v is not None:
                out.append(f"{sym} {v:,}" if isinstance(v, int) else f"{sym} {v:g}")
    return ", ".join(out)


def _type_text(ann: Any) -> str:
    """A readable type: ``int``, ``list of float``, ``float or null``, ``Dist``."""
    origin, args = get_origin(ann), get_args(ann)
    if origin is Annotated:
        return _type_text(args[0])
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (Union, UnionType):
        inner = [a for a in args if a is not type(None)]
        text = " or ".join(_type_text(a) for a in inner)
        return text + (" or null" if len(inner) < len(args) else "")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"list of {_type_text(args[0])}"
        return f"list of {len(args)} {_type_text(args[0])}"
    if origin is dict:
        return f"mapping of {_type_text(args[0])} to {_type_text(args[1])}"
    return getattr(ann, "__name__", str(ann))


def _type_name(info: FieldInfo) -> str:
    return _type_text(info.rebuild_annotation())


def _default(info: FieldInfo) -> str:
    d = info.get_default(call_default_factory=True)
    if isinstance(d, BaseModel):
        return ""
    if isinstance(d, tuple) and d and isinstance(d[0], BaseModel):
        return "; ".join(
            ", ".join(f"{k}={v}" for k, v in x.model_dump(exclude_none=True).items()) for x in d
        )
    if isinstance(d, tuple) and len(set(d)) == 1 and len(d) > 3:
        return f"{d[0]} x {len(d)}"
    return json.dumps(d) if not isinstance(d, str) else repr(d)


def rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[dict[str, Any]]:
    """One row per leaf key: ``key, type, default, limits, description``."""
    out = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        sub = field_model(info)
        if sub is not None and sub.__name__ != "Dist" and not prefix and name not in DERIVED_FIELDS:
            out += rows(sub, f"{key}.")
            continue
        desc = info.description or ""
        if sub is not None and sub.__name__ == "Dist":
            desc += " (a distribution: kind, mean, cv / values, probs)"
        d = info.get_default(call_default_factory=True)
        if isinstance(d, BaseModel):
            d = ", ".join(f"{k}={v}" for k, v in d.model_dump(exclude_none=True).items())
            default = d
        else:
            default = _default(info)
        out.append(
            {
                "key": key,
                "type": _type_name(info),
                "default": default,
                "limits": _limits(info),
                "description": desc,
            }
        )
    return out


def schema_markdown() -> str:
    """The configuration reference as a Markdown table."""
    lines = [
        "# Scenario configuration reference",
        "",
        "Every key of a scenario file, as a dotted key (`--set acute.beds=900`). Units are "
        "in the names. `intervention_cost_gbp_per_year` and `interventions` are set only "
        "by applying interventions.",
        "",
        "| key | type | default | limits | description |",
        "|---|---|---|---|---|",
    ]
    for r in rows():
        cells = [str(r[c]).replace("|", "\\|") for c in ("key", "type", "default", "limits")]
        lines.append(
            f"| `{cells[0]}` | {cells[1]} | {cells[2]} | {cells[3]} | {r['description']} |"
        )
    return "\n".join(lines)


__all__ = ["rows", "schema_json", "schema_markdown"]
