"""Discord's documented limits, checked the way Discord checks them.

A payload that real Discord would reject gets the same 400 answer here
(code 50035 "Invalid Form Body" with nested `errors`, or 50006 for an empty
message), so a bot bug that would only show in production fails the test.
"""

from __future__ import annotations

from typing import Any

from tests.fakediscord.messages import (
    ACTION_ROW,
    BUTTON,
    IS_COMPONENTS_V2,
    LABEL,
    SELECT_TYPES,
    STRING_SELECT,
    TEXT_INPUT,
    walk_components,
)
from tests.fakediscord.models import JSON

LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


class Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append((path, code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def errors(self) -> JSON:
        """Discord's nested error object: {"content": {"_errors": [{"code", "message"}]}}."""
        root: JSON = {}
        for path, code, message in self.items:
            node = root
            for part in path.split("."):
                node = node.setdefault(part, {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return root

    def summary(self) -> str:
        return "; ".join(f"{p}: {m}" for p, _, m in self.items)


def _max_len(problems: Problems, path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required_str(problems: Problems, path: str, value: Any, lo: int, hi: int) -> None:
    if not isinstance(value, str) or not (lo <= len(value) <= hi):
        problems.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {lo} and {hi} in length.")


def check_embeds(problems: Problems, embeds: Any, prefix: str = "embeds") -> None:
    if not isinstance(embeds, list):
        return
    if len(embeds) > 10:
        problems.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, e in enumerate(embeds):
        p = f"{prefix}.{i}"
        _max_len(problems, f"{p}.title", e.get("title"), 256)
        _max_len(problems, f"{p}.description", e.get("description"), 4096)
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.add(f"{p}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            _required_str(problems, f"{p}.fields.{j}.name", f.get("name"), 1, 256)
            _required_str(problems, f"{p}.fields.{j}.value", f.get("value"), 1, 1024)
            total += len(f.get("name") or "") + len(f.get("value") or "")
        footer = e.get("footer") or {}
        author = e.get("author") or {}
        _max_len(problems, f"{p}.footer.text", footer.get("text"), 2048)
        _max_len(problems, f"{p}.author.name", author.get("name"), 256)
        for s in (e.get("title"), e.get("description"), footer.get("text"), author.get("name")):
            total += len(s or "")
    if total > 6000:
        problems.add(prefix, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def check_components(problems: Problems, components: Any, *, v2: bool, prefix: str = "components") -> None:
    if not isinstance(components, list):
        return
    seen: set[str] = set()
    if not v2:
        if len(components) > 5:
            problems.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if row.get("type") != ACTION_ROW:
                problems.add(
                    f"{prefix}.{i}.type",
                    "COMPONENT_LAYOUT_INVALID",
                    "Top-level components must be action rows.",
                )
                continue
            children = row.get("components") or []
            selects = [c for c in children if c.get("type") in SELECT_TYPES]
            if not children or len(children) > 5 or (selects and len(children) > 1):
                problems.add(
                    f"{prefix}.{i}.components",
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "An action row holds 1-5 buttons or exactly one select.",
                )
    else:
        total = sum(1 for _ in walk_components(components))
        if total > 40:
            problems.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer components in total.")
        text = sum(len(c.get("content") or "") for c in walk_components(components) if c.get("type") == 10)
        if text > 4000:
            problems.add(prefix, "BASE_TYPE_MAX_LENGTH", "Text displays must be 4000 or fewer characters.")
    for n, c in enumerate(walk_components(components)):
        p = f"{prefix}.{n}"
        ctype = c.get("type")
        cid = c.get("custom_id")
        if cid is not None:
            _required_str(problems, f"{p}.custom_id", cid, 1, 100)
            if cid in seen:
                problems.add(
                    f"{p}.custom_id",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(cid)
        if ctype == BUTTON:
            style = c.get("style")
            if style == 5:
                if not c.get("url"):
                    problems.add(f"{p}.url", "BASE_TYPE_REQUIRED", "This field is required")
            elif style != 6 and cid is None:
                problems.add(f"{p}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
            _max_len(problems, f"{p}.label", c.get("label"), 80)
        elif ctype in SELECT_TYPES:
            _max_len(problems, f"{p}.placeholder", c.get("placeholder"), 150)
            if ctype == STRING_SELECT:
                options = c.get("options") or []
                if not 1 <= len(options) <= 25:
                    problems.add(
                        f"{p}.options", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."
                    )
                for j, o in enumerate(options):
                    _required_str(problems, f"{p}.options.{j}.label", o.get("label"), 1, 100)
                    _required_str(problems, f"{p}.options.{j}.value", o.get("value"), 1, 100)
                    _max_len(problems, f"{p}.options.{j}.description", o.get("description"), 100)
        elif ctype == TEXT_INPUT:
            _max_len(problems, f"{p}.label", c.get("label"), 45)
            _max_len(problems, f"{p}.placeholder", c.get("placeholder"), 100)
            _max_len(problems, f"{p}.value", c.get("value"), 4000)
        elif ctype == LABEL:
            _required_str(problems, f"{p}.label", c.get("label"), 1, 45)
            _max_len(problems, f"{p}.description", c.get("description"), 100)


def check_message(body: JSON, *, n_files: int, edit: bool) -> Problems:
    """A message create/edit body (channel message, interaction response data, follow-up)."""
    problems = Problems()
    content = body.get("content")
    flags = int(body.get("flags") or 0)
    v2 = bool(flags & IS_COMPONENTS_V2)
    _max_len(problems, "content", content, 2000)
    check_embeds(problems, body.get("embeds"))
    check_components(problems, body.get("components"), v2=v2)
    if v2 and (content or body.get("embeds")):
        problems.add(
            "content",
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    return problems


def is_empty_message(body: JSON, n_files: int) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or n_files
    )


def _check_name(problems: Problems, path: str, name: Any, *, lowercase: bool) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        problems.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        return
    if lowercase and (any(not (ch.isalnum() or ch in "-_'") for ch in name) or name != name.lower()):
        problems.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_localizations(problems: Problems, path: str, value: Any, *, name: bool, lowercase: bool) -> None:
    if not value:
        return
    for loc, text in dict(value).items():
        if loc not in LOCALES:
            problems.add(f"{path}.{loc}", "ENUM_TYPE_COERCE", f"Value {loc!r} is not a valid enum value.")
        elif name:
            _check_name(problems, f"{path}.{loc}", text, lowercase=lowercase)
        else:
            _required_str(problems, f"{path}.{loc}", text, 1, 100)


def _check_options(problems: Problems, path: str, options: Any) -> None:
    options = options or []
    if len(options) > 25:
        problems.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    names: set[str] = set()
    for i, o in enumerate(options):
        p = f"{path}.{i}"
        _check_name(problems, f"{p}.name", o.get("name"), lowercase=True)
        if o.get("name") in names:
            problems.add(
                f"{p}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"
            )
        names.add(o.get("name"))
        _required_str(problems, f"{p}.description", o.get("description"), 1, 100)
        _check_localizations(
            problems, f"{p}.name_localizations", o.get("name_localizations"), name=True, lowercase=True
        )
        _check_localizations(
            problems,
            f"{p}.description_localizations",
            o.get("description_localizations"),
            name=False,
            lowercase=False,
        )
        otype = o.get("type")
        if otype in (1, 2):
            _check_options(problems, f"{p}.options", o.get("options"))
            continue
        if o.get("required"):
            if seen_optional:
                problems.add(
                    f"{p}.required",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = o.get("choices") or []
        if len(choices) > 25:
            problems.add(f"{p}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if choices and o.get("autocomplete"):
            problems.add(
                f"{p}.autocomplete",
                "AUTOCOMPLETE_CHOICES_EXCLUSIVE",
                "Autocomplete and choices are exclusive",
            )
        for j, ch in enumerate(choices):
            _required_str(problems, f"{p}.choices.{j}.name", ch.get("name"), 1, 100)
            _max_len(problems, f"{p}.choices.{j}.value", ch.get("value"), 100)
    kinds = {o.get("type") in (1, 2) for o in options}
    if len(kinds) > 1:
        problems.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-commands cannot be mixed with other options",
        )


def check_command(problems: Problems, path: str, cmd: JSON) -> None:
    ctype = cmd.get("type", 1)
    _check_name(problems, f"{path}.name", cmd.get("name"), lowercase=ctype == 1)
    if ctype == 1:
        _required_str(problems, f"{path}.description", cmd.get("description"), 1, 100)
        _check_options(problems, f"{path}.options", cmd.get("options"))
    _check_localizations(
        problems, f"{path}.name_localizations", cmd.get("name_localizations"), name=True, lowercase=ctype == 1
    )
    _check_localizations(
        problems,
        f"{path}.description_localizations",
        cmd.get("description_localizations"),
        name=False,
        lowercase=False,
    )


def check_commands(commands: Any) -> Problems:
    problems = Problems()
    if not isinstance(commands, list):
        problems.add("_", "BASE_TYPE_ARRAY", "Must be an array.")
        return problems
    per_type: dict[int, set[str]] = {}
    for i, cmd in enumerate(commands):
        check_command(problems, str(i), cmd)
        names = per_type.setdefault(int(cmd.get("type", 1)), set())
        if cmd.get("name") in names:
            problems.add(
                f"{i}.name",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Duplicate command name {cmd.get('name')!r}",
            )
        names.add(cmd.get("name"))
    for ctype, limit in ((1, 100), (2, 15), (3, 15)):
        if len(per_type.get(ctype, ())) > limit:
            problems.add("_", "BASE_TYPE_MAX_LENGTH", f"Too many commands of type {ctype} (max {limit}).")
    return problems


def check_choices(choices: Any) -> Problems:
    problems = Problems()
    choices = choices or []
    if len(choices) > 25:
        problems.add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, ch in enumerate(choices):
        _required_str(problems, f"data.choices.{i}.name", ch.get("name"), 1, 100)
        _max_len(problems, f"data.choices.{i}.value", ch.get("value"), 100)
    return problems


def check_modal(data: JSON) -> Problems:
    problems = Problems()
    _required_str(problems, "data.title", data.get("title"), 1, 45)
    _required_str(problems, "data.custom_id", data.get("custom_id"), 1, 100)
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        problems.add("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    check_components(problems, comps, v2=True, prefix="data.components")
    return problems
