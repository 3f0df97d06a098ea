"""The build report: warnings from every stage, and the one error type a build may raise."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

__all__ = ["PublishError", "Report", "Warning", "Dropped"]

log = logging.getLogger("publish")


class PublishError(Exception):
    """A build cannot go on; the message is the one line the user sees."""


@dataclass(frozen=True)
class Warning:  # noqa: A001 - a build warning, not Python's
    """Represents one thing repaired or dropped, like an unknown template."""
    code: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class Dropped:
    """Represents one template the reader had no rule for, like ``{{某模板|x}}``: its name, the
    characters of text its parameters held, and the section it stood in ("" for the lead)."""
    name: str
    chars: int
    section: str = ""


@dataclass
class Report:
    """Collects the warnings of one source's build, in the order they happened."""
    source: str = ""
    warnings: list[Warning] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    error: str = ""
    #: Unknown templates dropped while reading, in reading order.
    dropped_templates: list[Dropped] = field(default_factory=list)
    #: Characters of text that reached the document (notes and sources included).
    text_chars: int = 0

    def dropped(self, name: str, chars: int, section: str = "") -> None:
        self.dropped_templates.append(Dropped(name, chars, section))

    def dropped_ranking(self) -> list[dict]:
        """Unknown templates by name, the most text held first: how often, how many
        characters in all, and the sections they stood in."""
        by_name: dict[str, dict] = {}
        for item in self.dropped_templates:
            entry = by_name.setdefault(item.name, {"template": item.name, "count": 0,
                                                   "chars": 0, "sections": []})
            entry["count"] += 1
            entry["chars"] += item.chars
            where = item.section or "(lead)"
            if where not in entry["sections"]:
                entry["sections"].append(where)
        return sorted(by_name.values(), key=lambda e: (-e["chars"], -e["count"], e["template"]))

    def dropped_summary(self) -> str:
        """One line: how much of the article's text unknown templates took with them."""
        chars = sum(item.chars for item in self.dropped_templates)
        names = len({item.name for item in self.dropped_templates})
        if not names:
            return ""
        total = chars + self.text_chars
        share = f" ({100 * chars / total:.1f}% of the text)" if total else ""
        return (f"{names} unknown template(s) dropped, holding {chars} characters of "
                f"text{share}")

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
            "dropped_templates": self.dropped_ranking(),
            "text_chars": self.text_chars,
        }
        return json.dumps(data, ensure_ascii=False, indent=1)
