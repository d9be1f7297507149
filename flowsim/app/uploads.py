"""Uploaded experiment or scenario files: read, recognised and validated.

Nothing here raises for bad input: every problem (not YAML, not a mapping, an
unknown key, a size out of range, a base that cannot be found) comes back as a
:class:`flowsim.errors.Problem` for the page to list, never a traceback.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from flowsim.comparison import Experiment, build_scenarios, is_experiment
from flowsim.config import Scenario, load_scenario
from flowsim.errors import ConfigError, Problem

#: Largest upload accepted, bytes (scenario files are a few kilobytes).
MAX_UPLOAD_BYTES = 1_000_000


@dataclass
class Upload:
    """What an uploaded file turned out to be.

    ``kind`` is ``experiment``, ``scenario`` or ``unknown``; ``problems`` is empty
    when the file can be used; ``warnings`` are stability warnings to show.
    """

    name: str
    kind: str
    raw: dict[str, Any] = field(default_factory=dict)
    experiment: Experiment | None = None
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file validated."""
        return not self.problems


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    return [
        Problem(
            ".".join(str(x) for x in e["loc"]) or "<root>",
            e.get("input"),
            e["msg"].removeprefix("Value error, "),
        )
        for e in exc.errors()
    ]


def _parse(name: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    if len(data) > MAX_UPLOAD_BYTES:
        return None, [Problem("<file>", name, f"is larger than {MAX_UPLOAD_BYTES:,} bytes")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem("<file>", name, "must be a UTF-8 text (YAML) file")]
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [Problem("<file>", name, f"not valid YAML: {exc}")]
    if not isinstance(raw, dict):
        return None, [
            Problem("<root>", raw, "an experiment or scenario file must be a mapping of keys")
        ]
    return raw, []


def read_upload(name: str, data: bytes) -> Upload:
    """Read and validate an uploaded YAML file (experiment or scenario).

    Parameters
    ----------
    name
        File name as uploaded (shown in messages).
    data
        File content.

    Returns
    -------
    Upload
        With ``problems`` listing everything wrong, or the validated object.
    """
    raw, problems = _parse(name, data)
    if raw is None:
        return Upload(name, "unknown", problems=problems)
    kind = "experiment" if is_experiment(raw) else "scenario"
    up = Upload(name, kind, raw=raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "experiment":
                up.experiment = Experiment.model_validate(raw)
                build_scenarios(up.experiment)
            else:
                up.scenario = load_scenario(raw)
        except ValidationError as exc:
            up.problems = _pydantic_problems(exc)
        except ConfigError as exc:
            up.problems = list(exc.problems)
        except Exception as exc:  # never a traceback in the page
            up.problems = [Problem("<file>", name, f"could not be read: {exc}")]
    up.warnings = [str(w.message) for w in caught]
    if up.problems:
        up.experiment = up.scenario = None
    return up
