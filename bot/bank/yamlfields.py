"""Typed fields of a small YAML settings file (an exam blueprint), read from the line-aware nodes of
`bot.bank.yamlformat.compose`: every wrong field is a `path:line: reason` Problem naming the field,
collected so that one reading reports them all."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence

from bot.bank.bank import Problem
from bot.bank.topics import topic_key
from bot.bank.yamlformat import YamlMap, YamlNode, YamlScalar, YamlSeq

MAX_ENTRIES = 200  # entries of one list field
MAX_ENTRY = 100  # characters of one entry (a topic is an autocomplete value: Discord allows 100)

#: checks one list entry: (the clean value, "") or (None, why it is refused)
EntryCheck = Callable[[str], tuple[str | None, str]]


class FieldReader:
    """Reads fields of one file's mappings, collecting its problems; each reason ends with `suffix`
    (what becomes of the file)."""

    def __init__(self, path: str, suffix: str = "") -> None:
        self.path = path
        self.suffix = suffix
        self.problems: list[Problem] = []

    def error(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.path, line, reason + self.suffix))

    def fields(self, m: YamlMap, known: Sequence[str], where: str = "") -> None:
        """An error for each field of `m` not in `known` (with the closest known one)."""
        for name in m.items:
            if name not in known:
                close = difflib.get_close_matches(name.casefold(), known, n=1, cutoff=0.6)
                hint = f" (did you mean `{close[0]}`?)" if close else f" (known: {', '.join(known)})"
                self.error(m.line_of(name), f"{where}unknown field `{cut(name)}`{hint}")

    def text(
        self, m: YamlMap, name: str, limit: int, *, required: bool = False, where: str = ""
    ) -> str | None:
        """A text field, stripped (None when absent, empty when optional, or wrong)."""
        node = m.get(name)
        if node is None or (not required and isinstance(node, YamlScalar) and node.value is None):
            if required:
                self.error(m.line, f"{where}no `{name}:`")
            return None
        return self._text_of(node, f"{where}`{name}`", m.line_of(name), limit)

    def _text_of(self, node: YamlNode, what: str, line: int, limit: int) -> str | None:
        if not isinstance(node, YamlScalar) or not isinstance(node.value, str):
            hint = f' (quote it: "{cut(node.text)}")' if isinstance(node, YamlScalar) and node.text else ""
            self.error(line, f"{what} must be text, not {what_is(node)}{hint}")
            return None
        value = node.value.strip()
        if not value:
            self.error(line, f"{what} is empty")
            return None
        if len(value) > limit:
            self.error(line, f"{what} is over {limit} characters: `{cut(value)}`")
            return None
        return value

    def number(
        self, m: YamlMap, name: str, low: float, high: float, *, whole: bool, where: str = ""
    ) -> float | None:
        """A required number in [low, high] (above 0 when `low` is 0), a whole one when `whole`."""
        node = m.get(name)
        if node is None:
            self.error(m.line, f"{where}no `{name}:`")
            return None
        line = m.line_of(name)
        value = node.value if isinstance(node, YamlScalar) else None
        wrong_type = isinstance(value, bool) or not isinstance(value, int | float)
        if wrong_type or (whole and isinstance(value, float)):
            kind = "a whole number" if whole else "a number"
            self.error(line, f"{where}`{name}` must be {kind}, not {what_is(node)}")
            return None
        assert isinstance(value, int | float)
        above = low < value if low == 0 else low <= value
        if value != value or not above or value > high:  # (value != value: NaN)
            lower = "above 0" if low == 0 else f"at least {low:g}"
            self.error(line, f"{where}`{name}` must be {lower} and at most {high:g}, not {value:g}")
            return None
        return float(value)

    def flag(self, m: YamlMap, name: str, *, default: bool) -> bool:
        """An optional true/false field."""
        node = m.get(name)
        if node is None:
            return default
        if not isinstance(node, YamlScalar) or not isinstance(node.value, bool):
            self.error(m.line_of(name), f"`{name}` must be true or false, not {what_is(node)}")
            return default
        return node.value

    def entries(
        self, m: YamlMap, name: str, *, where: str = "", check: EntryCheck | None = None
    ) -> tuple[str, ...] | None:
        """An optional list of text (no duplicates); `()` when absent, None when wrong."""
        node = m.get(name)
        if node is None or (isinstance(node, YamlScalar) and node.value is None):
            return ()
        if not isinstance(node, YamlSeq):
            self.error(m.line_of(name), f"{where}`{name}` must be a list, e.g. `{name}: [A, B]`")
            return None
        if len(node.items) > MAX_ENTRIES:
            self.error(m.line_of(name), f"{where}`{name}` lists over {MAX_ENTRIES} entries")
            return None
        out = []
        for item in node.items:
            value = self._text_of(item, f"{where}an entry of `{name}`", item.line, MAX_ENTRY)
            if value is None:
                return None
            if check is not None:
                checked, why = check(value)
                if checked is None:
                    self.error(item.line, f"{where}`{name}`: `{cut(value)}` {why}")
                    return None
                value = checked
            out.append(value)
        return tuple(dict.fromkeys(out))


def topic_entry(value: str) -> tuple[str | None, str]:
    """A topic entry (`Delta`, `=SQL`): some letters beside `=` and separators."""
    return (value, "") if topic_key(value.removeprefix("=")) else (None, "names no topic")


def folder_entry(value: str) -> tuple[str | None, str]:
    """A folder entry as a clean relative POSIX path (NFC), or why it is not one."""
    if "\\" in value:
        return None, "uses `\\`: write `/` between folder names"
    if value.startswith(("/", "~")) or re.match(r"[A-Za-z]:", value):
        return None, "is not relative to the bank root"
    parts = [p for p in unicodedata.normalize("NFC", value).split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, "holds `..`: a folder lies inside the bank"
    if not parts:
        return None, "names no folder"
    return "/".join(parts), ""


def what_is(node: YamlNode) -> str:
    """What a node holds, for a message."""
    if isinstance(node, YamlMap):
        return "a mapping"
    if isinstance(node, YamlSeq):
        return "a list"
    if node.value is None:
        return "nothing"
    if isinstance(node.value, bool):
        return "true/false"
    return f"`{cut(node.text)}`"


def cut(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
