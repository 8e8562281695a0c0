"""A /review session: the member's due cards one after another in one ephemeral message, most
overdue first, then a summary. Its buttons (DynamicItems) carry all its state (bot/render/review.py),
so nothing is kept in memory and a session survives a restart.

Recording: a wrong answer is recorded at once, rated Again. A right answer is recorded when the
member rates it (Again / Hard / Good / Easy) or moves on (Next or Stop: Good), as in Anki, where a
card counts once it is rated. A card is recorded only while it is due, so a second click (or an old
message) never reviews it twice. Reviews change no points and no streak (`Store.record_review`).
Open dailies are never served (storage leaves them out) nor answered here, and neither are the
questions the server paused (bot/cogs/reports_service.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.bank.bank import key_hash
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.core.bounded import BoundedMap
from bot.core.review import CardView, Rating
from bot.i18n import locale_of, t
from bot.render import review as view
from bot.render.limits import MESSAGE, cut

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank
    from bot.bank.model import Question

log = logging.getLogger(__name__)

#: Due cards read per step (the first servable one is shown; the count shows as "100+").
DUE_READ = 100
#: Reads per step when whole batches are gone from the bank.
READ_TRIES = 3


class ReviewAnswer(discord.ui.DynamicItem[discord.ui.Button[Any]], template=view.ANSWER):
    def __init__(self, guild: int, qhash: str, letter: str, owner: int, done: int, right: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=letter, custom_id=f"review:ans:{guild}:{qhash}:{letter}:{owner}:{done}:{right}"
            )
        )
        self.args = (guild, qhash, letter, owner, done, right)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewAnswer:
        return cls(
            int(match["guild"]),
            match["q"],
            match["letter"],
            int(match["owner"]),
            int(match["done"]),
            int(match["right"]),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        guild, qhash, letter, owner, done, right = self.args
        await guarded(interaction, answer(interaction, guild, qhash, letter, owner, done, right))


class ReviewMulti(discord.ui.DynamicItem[discord.ui.Select[Any]], template=view.MULTI):
    """The menu of a "choose N" card."""

    def __init__(self, guild: int, qhash: str, owner: int, done: int, right: int) -> None:
        super().__init__(discord.ui.Select(custom_id=f"review:multi:{guild}:{qhash}:{owner}:{done}:{right}"))
        self.args = (guild, qhash, owner, done, right)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewMulti:
        self = cls(
            int(match["guild"]), match["q"], int(match["owner"]), int(match["done"]), int(match["right"])
        )
        self.item = cast("discord.ui.Select[Any]", item)  # keeps the values the member picked
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        guild, qhash, owner, done, right = self.args
        letters = "".join(self.item.values)
        await guarded(interaction, answer(interaction, guild, qhash, letters, owner, done, right))


class ReviewRate(discord.ui.DynamicItem[discord.ui.Button[Any]], template=view.RATE):
    """Again / Hard / Good / Easy after a right answer, and Next / Stop (Good)."""

    def __init__(
        self, guild: int, qhash: str, rating: int, then: str, owner: int, done: int, right: int
    ) -> None:
        custom_id = f"review:rate:{guild}:{qhash}:{rating}:{then}:{owner}:{done}:{right}"
        super().__init__(discord.ui.Button(custom_id=custom_id))
        self.args = (guild, qhash, rating, then, owner, done, right)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewRate:
        return cls(
            int(match["guild"]),
            match["q"],
            int(match["rating"]),
            match["then"],
            int(match["owner"]),
            int(match["done"]),
            int(match["right"]),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, rate(interaction, *self.args))


class ReviewGo(discord.ui.DynamicItem[discord.ui.Button[Any]], template=view.GO):
    """Next (after a wrong answer) or Stop: nothing to record."""

    def __init__(self, then: str, guild: int, owner: int, done: int, right: int) -> None:
        super().__init__(discord.ui.Button(custom_id=f"review:go:{then}:{guild}:{owner}:{done}:{right}"))
        self.args = (then, guild, owner, done, right)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewGo:
        return cls(
            match["then"], int(match["guild"]), int(match["owner"]), int(match["done"]), int(match["right"])
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        then, guild, owner, done, right = self.args
        if await refused(interaction, guild, owner):
            return
        if then == "e":
            await guarded(interaction, finish(interaction, guild, owner, done, right))
        else:
            await guarded(interaction, serve(interaction, guild, owner, done, right, edit=True))


ITEMS = (ReviewAnswer, ReviewMulti, ReviewRate, ReviewGo)


# ---------------------------------------------------------------- shared steps


async def guarded(interaction: discord.Interaction, step: Any) -> None:
    """Run a step; an unexpected error still gets a reply (and is logged)."""
    try:
        await step
    except Exception:
        log.exception("a /review step of %s failed", interaction.user.id)
        await reply(interaction, t("error.generic", locale_of(interaction.locale)))


async def refused(interaction: discord.Interaction, guild_id: int, owner: int) -> bool:
    """True (after saying why) when the clicker is not the session's member, or not in its server."""
    locale = locale_of(interaction.locale)
    if interaction.user.id != owner:
        await reply(
            interaction, t("error.not_yours", locale, user=f"<@{owner}>"), allowed_mentions=NO_MENTIONS
        )
        return True
    if interaction.guild_id != guild_id:
        await reply(interaction, t("review.not_your_server", locale))
        return True
    return False


_COPIES: BoundedMap[int, tuple[Bank, dict[str, tuple[Question, str]]]] = BoundedMap(4)


def resolve(bank: Bank, qhash: str) -> tuple[Question, str] | None:
    """The question a custom_id's hash names and the card key it was hashed from (the question's
    key, or the key of a copy a card was stored under before a reload merged it)."""
    q = bank.by_hash.get(qhash)
    if q is not None:
        return q, q.key
    cached = _COPIES.get(id(bank))
    if cached is None or cached[0] is not bank:
        cached = (bank, {key_hash(c): (q, c) for q in bank.questions for c in q.copy_keys})
        _COPIES[id(bank)] = cached
    return cached[1].get(qhash)


async def next_card(bot: QuizBot, guild_id: int, user_id: int) -> tuple[CardView, Question, int] | None:
    """The most overdue card whose question is in the bank (and not paused by the server: reports),
    its question, and how many are due."""
    # the server's paused questions, and those of the member's exam in progress (docs/exam.md)
    paused = bot.services.reports.paused(guild_id) | await bot.services.exam.held_keys(guild_id, user_id)
    gone: set[str] = set(paused)
    for _ in range(READ_TRIES):
        cards = await bot.storage.due_cards(
            guild_id, user_id, now=bot.services.review.now(), limit=DUE_READ, exclude=frozenset(gone)
        )
        for i, card in enumerate(cards):
            q = bot.bank.get(card.question_key)
            if q is not None and q.key not in paused:
                due = len(cards) - i
                return card, q, due if len(cards) < DUE_READ else max(due, DUE_READ)
            gone.add(card.question_key)
        if len(cards) < DUE_READ:
            return None
    return None


async def serve(
    interaction: discord.Interaction,
    guild_id: int,
    owner: int,
    done: int,
    right: int,
    *,
    edit: bool,
    note: str | None = None,
) -> None:
    """Show the next due card (or the summary when none is left)."""
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    found = await next_card(bot, guild_id, owner)
    if found is None:
        await finish(interaction, guild_id, owner, done, right, note=note, edit=edit)
        return
    card, q, due = found
    message: dict[str, Any] = {
        "content": cut(note, MESSAGE) if note else None,
        "embed": await view.card_embed(q, locale=locale, due=due, done=done),
        "view": view.card_view(q, card.question_key, guild_id, owner, done, right, locale=locale),
        "allowed_mentions": NO_MENTIONS,
    }
    if edit:
        await interaction.response.edit_message(**message)
    else:
        await interaction.response.send_message(ephemeral=True, **message)


async def finish(
    interaction: discord.Interaction,
    guild_id: int,
    owner: int,
    done: int,
    right: int,
    *,
    note: str | None = None,
    edit: bool = True,
) -> None:
    """The summary: reviewed, right, what is still due and when the next card is."""
    bot = client_of(interaction)
    stats = await bot.storage.review_stats(
        guild_id, owner, now=bot.services.review.now(), exclude=bot.services.reports.paused(guild_id)
    )
    embed = view.summary_embed(done, right, stats, locale=locale_of(interaction.locale))
    content = cut(note, MESSAGE) if note else None
    if edit:
        await interaction.response.edit_message(
            content=content, embed=embed, view=None, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            content=content, embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def _due_card(interaction: discord.Interaction, guild_id: int, owner: int, key: str) -> bool:
    """Whether the card is still due (else it was reviewed already: say so and serve the next)."""
    bot = client_of(interaction)
    card = await bot.storage.get_card(guild_id, owner, key)
    return card is not None and card.is_due(bot.services.review.now())


# ---------------------------------------------------------------- the clicks


async def answer(
    interaction: discord.Interaction,
    guild_id: int,
    qhash: str,
    letters: str,
    owner: int,
    done: int,
    right: int,
) -> None:
    """An answer to a card: wrong is recorded (Again) and shown with Next; right is shown with the
    ratings (recorded when rated)."""
    if await refused(interaction, guild_id, owner):
        return
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    found = resolve(bot.bank, qhash)
    if found is None:
        await serve(interaction, guild_id, owner, done, right, edit=True, note=t("review.gone", locale))
        return
    q, key = found
    chosen = "".join(sorted(set(letters)))
    if len(chosen) != q.choose or any(x not in q.options for x in chosen):
        await reply(interaction, t("answer.wrong_count", locale, n=q.choose))
        return
    if bot.bank.known_keys(key) & await bot.storage.open_daily_key_set():
        await serve(interaction, guild_id, owner, done, right, edit=True, note=t("review.daily_open", locale))
        return
    service = bot.services.review
    if not service.claim_click(guild_id, owner, key):
        await reply(interaction, t("review.already", locale))
        return
    try:
        if not await _due_card(interaction, guild_id, owner, key):
            await serve(
                interaction, guild_id, owner, done, right, edit=True, note=t("review.already", locale)
            )
            return
        correct = chosen == "".join(sorted(q.answer))
        if correct:
            embed = await view.feedback_embed(q, chosen, correct=True, locale=locale, next_due=None)
            buttons = view.after_right_view(key, guild_id, owner, done + 1, right + 1, locale=locale)
        else:
            outcome = await _record(interaction, guild_id, owner, key, correct=False, rating=None)
            if outcome is None:
                return
            embed = await view.feedback_embed(
                q, chosen, correct=False, locale=locale, next_due=outcome.card.due
            )
            buttons = view.after_wrong_view(guild_id, owner, done + 1, right, locale=locale)
        await interaction.response.edit_message(
            content=None, embed=embed, view=buttons, allowed_mentions=NO_MENTIONS
        )
    finally:
        service.release_click(guild_id, owner, key)


async def rate(
    interaction: discord.Interaction,
    guild_id: int,
    qhash: str,
    rating: int,
    then: str,
    owner: int,
    done: int,
    right: int,
) -> None:
    """A rating after a right answer (0: moved on, Good): record it, then the next card or the end."""
    if await refused(interaction, guild_id, owner):
        return
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    found = resolve(bot.bank, qhash)
    note = t("review.gone", locale)
    if found is not None:
        _q, key = found
        service = bot.services.review
        if not service.claim_click(guild_id, owner, key):
            await reply(interaction, t("review.already", locale))
            return
        try:
            if await _due_card(interaction, guild_id, owner, key):
                outcome = await _record(
                    interaction, guild_id, owner, key, correct=True, rating=Rating(rating) if rating else None
                )
                if outcome is None:
                    return
                note = view.rated_line(outcome.rating, outcome.card.due, locale)
            else:
                note = t("review.already", locale)
        finally:
            service.release_click(guild_id, owner, key)
    if then == "e":
        await finish(interaction, guild_id, owner, done, right, note=note)
    else:
        await serve(interaction, guild_id, owner, done, right, edit=True, note=note)


async def _record(
    interaction: discord.Interaction,
    guild_id: int,
    owner: int,
    key: str,
    *,
    correct: bool,
    rating: Rating | None,
) -> Any:
    """`Store.record_review`; None (after saying so) when storage failed."""
    bot = client_of(interaction)
    try:
        return await bot.storage.record_review(
            guild_id,
            owner,
            key,
            correct=correct,
            rating=rating,
            reviewed_at=bot.services.review.now(),
            display_name=interaction.user.display_name,
        )
    except Exception:
        log.exception("could not record the review of %s by %s in %s", key, owner, guild_id)
        await reply(interaction, t("review.not_saved", locale_of(interaction.locale)))
        return None
