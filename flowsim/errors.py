"""Error types raised for bad user input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration.

    ``key`` is the dotted path (``acute.beds``), ``value`` the offending value as
    given, and ``rule`` the rule it breaks, written for an analyst.
    """

    key: str
    value: object
    rule: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{self.key or '<root>'} = {shown}: {self.rule}"


#: Keys of run arguments rather than configuration (``jobs=`` in the API, ``--jobs`` on
#: the command line); an error made only of these is headed "invalid arguments".
ARGUMENT_KEYS = frozenset(
    {"jobs", "executor", "scheduler", "scheduler_timeout_s", "progress", "options", "out"}
)


def _kind_of(problems: list[Problem]) -> str:
    keys = [p.key for p in problems]
    if keys and all(k.startswith("--") or k in ARGUMENT_KEYS for k in keys):
        return "arguments"
    return "configuration"


class ConfigError(ValueError):
    """A configuration (or other user input) is malformed or nonsensical.

    Carries every problem found, not just the first, so that an analyst can fix a
    hand-written file in one pass. The message is headed by what was wrong:
    ``invalid configuration``, ``invalid arguments`` (command-line options and run
    arguments only) or a subclass's :attr:`kind` (e.g. ``output folder``).

    Parameters
    ----------
    problems : list of Problem
        Everything found wrong.
    source : str, optional
        Where the input came from (a file name), shown in the header.
    kind : str, optional
        What the input was; by default :attr:`kind`, or worked out from the keys.
    """

    #: What the input was, for the header; None works it out from the problems' keys.
    kind: str | None = None

    def __init__(
        self, problems: list[Problem], source: str | None = None, kind: str | None = None
    ) -> None:
        self.problems = list(problems)
        self.source = source
        self.kind = kind or type(self).kind or _kind_of(self.problems)
        head = f"invalid {self.kind}{f' {source}' if source else ''}"
        n = len(self.problems)
        lines = [f"{head}: {n} problem{'' if n == 1 else 's'}"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self):
        # Rebuilt from its problems, so the error crosses a process boundary intact
        # (the default would pass the message as ``problems``, one per character).
        return (type(self), (self.problems, self.source, self.kind))

    @property
    def keys(self) -> list[str]:
        """Dotted keys of every problem, in order."""
        return [p.key for p in self.problems]
