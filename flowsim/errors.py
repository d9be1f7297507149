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


class ConfigError(ValueError):
    """A configuration is malformed or nonsensical.

    Carries every problem found, not just the first, so that an analyst can fix a
    hand-written file in one pass.
    """

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"invalid configuration{f' {source}' if source else ''}"
        lines = [f"{head}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    @property
    def keys(self) -> list[str]:
        """Dotted keys of every problem, in order."""
        return [p.key for p in self.problems]
