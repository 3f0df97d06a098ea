"""The build report: warnings from every stage, and the one error type a build may raise."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

__all__ = ["PublishError", "Report", "Warning"]

log = logging.getLogger("publish")


class PublishError(Exception):
    """A build cannot go on; the message is the one line the user sees."""


@dataclass(frozen=True)
class Warning:  # noqa: A001 - a build warning, not Python's
    """Represents one thing repaired or dropped, like an unknown template."""
    code: str
    message: str
    source: str = ""


@dataclass
class Report:
    """Collects the warnings of one source's build, in the order they happened."""
    source: str = ""
    warnings: list[Warning] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    error: str = ""

    def warn(self, code: str, message: str) -> None:
        if any(w.code == code and w.message == message for w in self.warnings):
            return
        self.warnings.append(Warning(code, message, self.source))
        log.debug("%s: %s", code, message)

    def codes(self) -> list[str]:
        return [w.code for w in self.warnings]

    def to_json(self) -> str:
        data = {
            "source": self.source,
            "outputs": self.outputs,
            "error": self.error,
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
        }
        return json.dumps(data, ensure_ascii=False, indent=1)
