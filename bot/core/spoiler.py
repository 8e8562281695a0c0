"""The spoiler rule: what an open daily question hides, and from whom. Pure: no I/O, no Discord.

A daily question is a race for points and streaks, so while it is open its question must not be
reachable through another door (a practice question, an explanation, an autocomplete list) by a
member who could still answer it. The rule, in one sentence (docs/daily.md):

    A question that is an open daily in any server the member belongs to is hidden from that
    member until they have answered it (in any server where it is open) or it closes.

Every door (bot/cogs: /quiz, the answer buttons, /explain and its menus and autocompletes;
bot/practice.py: the terminal) collects the plain facts below and asks these functions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OpenDaily:
    """A daily post that is not closed yet: in server `guild_id`, asking `question_key`."""

    guild_id: int
    question_key: str
    post_id: int


@dataclass(frozen=True, slots=True)
class SpoilerFacts:
    """What storage knows for one member (bot.storage `spoiler_facts`).

    open_dailies: the open daily posts (of every server, or of the questions asked about);
    answered_posts: which of those posts the member answered;
    known_guilds: the servers among those where storage knows the member (they answered there).
    """

    open_dailies: tuple[OpenDaily, ...] = ()
    answered_posts: frozenset[int] = frozenset()
    known_guilds: frozenset[int] = frozenset()


def revealed_keys(open_dailies: Iterable[OpenDaily], answered_posts: Collection[int]) -> frozenset[str]:
    """Questions the member has answered as an open daily somewhere: no secret for them any more."""
    return frozenset(d.question_key for d in open_dailies if d.post_id in answered_posts)


def hidden_keys(
    open_dailies: Iterable[OpenDaily],
    member_guilds: Collection[int] | None,
    answered_posts: Collection[int],
) -> frozenset[str]:
    """The question keys hidden from a member.

    `member_guilds`: the servers the member belongs to, or None for "every server" (the terminal
    player of `quizbot practice`, whose servers are unknown). `answered_posts`: the open daily
    posts the member answered.
    """
    dailies = tuple(open_dailies)
    revealed = revealed_keys(dailies, answered_posts)
    return frozenset(
        d.question_key
        for d in dailies
        if (member_guilds is None or d.guild_id in member_guilds) and d.question_key not in revealed
    )


def public_hidden_keys(
    open_dailies: Iterable[OpenDaily],
    guild_id: int,
    member_guilds: Collection[int] | None,
    answered_posts: Collection[int],
) -> frozenset[str]:
    """What a public practice post in server `guild_id` must not ask: the whole channel sees it, so
    every open daily of that server (answered by the asker or not), and what is hidden from the
    member who asked for it."""
    dailies = tuple(open_dailies)
    here = frozenset(d.question_key for d in dailies if d.guild_id == guild_id)
    return here | hidden_keys(dailies, member_guilds, answered_posts)


def is_open_daily(open_dailies: Iterable[OpenDaily], question_key: str) -> bool:
    """Whether `question_key` is an open daily in some server: then it is explained to nobody in
    public (`/explain public:true`), whoever asks."""
    return any(d.question_key == question_key for d in open_dailies)


def undecided_guilds(
    open_dailies: Iterable[OpenDaily],
    question_key: str,
    decided: Collection[int],
    answered_posts: Collection[int],
) -> frozenset[int]:
    """The servers whose membership would decide whether `question_key` is hidden from a member:
    those where it is an open daily and whose membership is not `decided` yet. Empty when the
    member answered it already (then no server matters)."""
    dailies = tuple(open_dailies)
    if question_key in revealed_keys(dailies, answered_posts):
        return frozenset()
    return frozenset(
        d.guild_id for d in dailies if d.question_key == question_key and d.guild_id not in decided
    )
