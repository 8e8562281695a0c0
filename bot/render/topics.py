"""Topic autocomplete entries (`bot.bank.topics.Suggestion`) as Discord choice names and values."""

from __future__ import annotations

from bot.bank.topics import Suggestion, topic_key
from bot.i18n import t
from bot.render.limits import cut
from bot.render.text import utf16_len

CHOICE_LIMIT = 100  # Discord: an autocomplete choice's name and value, 1-100 characters
CHOICES = 25  # Discord: at most 25 choices


def choice_name(suggestion: Suggestion, locale: str, *, prefix: str = "") -> str:
    """`CLI — 4 questions`, `CLI — only this tag, 1 question` (`CLI — 4 題` in zh-TW)."""
    key = "topics.choice_tag" if suggestion.only_tag else "topics.choice"
    if suggestion.count == 1:
        key += "_one"
    return cut(t(key, locale, name=prefix + suggestion.name, n=suggestion.count), CHOICE_LIMIT)


def topic_choices(
    suggestions: list[Suggestion], locale: str, *, prefix: str = "", skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(name, value) pairs for Discord: values that do not fit (a tag name over 100 characters,
    or a long list typed before it) are left out rather than cut, since a cut value selects
    something else; `skip` holds the `topic_key`s of values already chosen."""
    out = []
    for s in suggestions:
        value = prefix + s.value
        if topic_key(s.value) in skip or utf16_len(value) > CHOICE_LIMIT:
            continue
        out.append((choice_name(s, locale, prefix=prefix), value))
        if len(out) == CHOICES:
            break
    return out
