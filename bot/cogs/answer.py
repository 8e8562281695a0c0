"""The answer path: a click on a letter button (or a "choose N" menu) of any question post,
stored, then answered with the feedback. The hottest path of the bot (bench/clicks.py): one
storage call, a cached feedback body, `send_prepared`.

A thin adapter: the rules are in bot.core (scoring) and bot.storage (recording); the post cache
and the live count in bot.cogs.posts (`bot.services.quiz`); the looks in bot.render.question.
The Quiz cog registers these items.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.cogs.common import reply
from bot.discord_internals import send_prepared
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.question import Feedback, feedback_components, feedback_payload_async

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.ANSWER):
    """A letter button on any question post, also on posts made before a restart."""

    def __init__(self, post_id: int, letter: str) -> None:
        super().__init__(discord.ui.Button(label=letter, custom_id=ids.answer(post_id, letter)))
        self.post_id = post_id
        self.letter = letter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> AnswerButton:
        return cls(int(match["post"]), match["letter"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_click(interaction, self.post_id, self.letter)


class MultiSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=ids.MULTI):
    """The select menu of a "choose N" question."""

    def __init__(self, post_id: int) -> None:
        super().__init__(discord.ui.Select(custom_id=ids.multi(post_id)))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> MultiSelect:
        self = cls(int(match["post"]))
        self.item = cast("discord.ui.Select[Any]", item)  # keeps the values the member picked
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_click(interaction, self.post_id, "".join(self.item.values))


async def answer_click(interaction: discord.Interaction, post_id: int, letters: str) -> None:
    """An answer button or menu: `handle_answer`, and an unexpected error still gets a reply."""
    try:
        await handle_answer(interaction, post_id, letters)
    except Exception:
        log.exception("answer of %s to post %s failed", interaction.user.id, post_id)
        await reply(interaction, t("error.generic", locale_of(interaction.locale)))


async def handle_answer(interaction: discord.Interaction, post_id: int, letters: str) -> None:
    bot = cast("QuizBot", interaction.client)
    quiz = bot.services.quiz
    locale = locale_of(interaction.locale)
    post = await quiz.get_post(post_id)
    if post is None or interaction.guild_id is None or post.guild_id != interaction.guild_id:
        await reply(interaction, t("answer.unknown_post", locale))
        return
    question = bot.bank.get(post.question_key)
    if question is None:
        await reply(interaction, t("answer.gone", locale))
        return
    if len(letters) != question.choose:
        await reply(interaction, t("answer.wrong_count", locale, n=question.choose))
        return
    if post.kind == "practice" and not post.is_closed:
        # A practice post asking what is an open daily for this member (in a server of theirs
        # they have not answered it in) would give the answer away in the feedback.
        exp = await bot.spoilers.check(interaction.user.id, interaction.guild_id, question.key)
        if question.key in exp.hidden(assume_member=False):
            key = "answer.daily_here" if exp.hidden_here(question.key) else "answer.daily_elsewhere"
            await reply(interaction, t(key, locale))
            return
    try:
        outcome = await bot.storage.record_answer(
            post.guild_id,
            post_id,
            interaction.user.id,
            letters,
            display_name=interaction.user.display_name,
        )
    except Exception:  # the database is locked past its timeout, the disk is full, ...: not stored
        log.exception(
            "could not save the answer %s of member %s to post %s (guild %s)",
            letters,
            interaction.user.id,
            post_id,
            post.guild_id,
        )
        await reply(interaction, t("answer.not_saved", locale))
        return
    if outcome.status == "duplicate":
        await reply(interaction, t("answer.already", locale, chosen=", ".join(outcome.letters or "?")))
        return
    if outcome.status == "closed":
        await reply(interaction, t("answer.closed", locale))
        return
    if outcome.status != "stored":
        await reply(interaction, t("answer.unknown_post", locale))
        return
    feedback = Feedback(
        chosen=outcome.letters or letters,
        correct=bool(outcome.correct),
        points=outcome.points_awarded,
        total_points=outcome.total_points,
        streak=outcome.current_streak,
        best_streak=outcome.best_streak,
        kind=post.kind,
        flagged=bot.services.reports.is_flagged(post.guild_id, question.key),
    )
    quiz.bump_count(post, question)
    try:
        await send_prepared(
            interaction,
            embeds=[await feedback_payload_async(question, feedback, locale=locale)],
            components=feedback_components(post_id, locale=locale),
        )
    except discord.HTTPException as exc:  # e.g. the interaction expired: the answer is stored
        log.warning(
            "answer of %s to post %s stored, but its feedback could not be sent: %s",
            interaction.user.id,
            post_id,
            exc,
        )
    if post.private:  # its only reader has answered: nothing more can happen to it
        try:
            await quiz.close_post(post_id)
        except Exception:  # the close sweep closes it at its time
            log.exception("could not close the private post %s after its answer", post_id)
