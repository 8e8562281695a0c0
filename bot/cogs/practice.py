"""Serving a practice question, public or private: what /quiz and the /plan day buttons share.

The question is chosen by bot.bank.select (minus what the spoiler rule hides, bot/cogs/guard.py);
posting, the cache of open posts and the reveal are the QuizService's (bot/cogs/posts.py,
`bot.services.quiz`); answering is bot/cogs/answer.py.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.bank.model import Question
from bot.bank.select import Filter, pick
from bot.cogs.common import NO_MENTIONS, client_of, public_refusal, reply
from bot.core import Post
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.question import answer_view, question_embed_async

#: At most this many private (ephemeral) /quiz posts open per member and server.
MAX_OPEN_PRIVATE = 3
#: /quiz picks at most this many times while it asks Discord which servers a member is in.
PICK_TRIES = 4
PRIVATE_CLOSE = r"quiz:privclose:(?P<owner>[0-9]{1,20})"

_RNG = random.Random()


class ClosePrivateButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PRIVATE_CLOSE):
    """Under the "too many private questions" reply: closes the member's open private posts here."""

    def __init__(self, owner: int, label: str = "close") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"quiz:privclose:{owner}"
            )
        )
        self.owner = owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ClosePrivateButton:
        return cls(int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await close_private_click(interaction, self.owner)


async def close_private_click(interaction: discord.Interaction, owner: int) -> None:
    """ "Close them": the member's open private posts in this server are closed (nobody else
    sees them, so closing reveals nothing and ends no streak)."""
    locale = locale_of(interaction.locale)
    if interaction.user.id != owner:
        await reply(
            interaction, t("error.not_yours", locale, user=f"<@{owner}>"), allowed_mentions=NO_MENTIONS
        )
        return
    if interaction.guild_id is None:
        await reply(interaction, t("quiz.guild_only", locale))
        return
    bot = client_of(interaction)
    waiting = await bot.storage.open_private_posts(interaction.guild_id, owner)
    for post in waiting:
        await bot.services.quiz.close_post(post.post_id)
    await interaction.response.edit_message(
        content=t("quiz.private_closed", locale, n=len(waiting)), view=None, allowed_mentions=NO_MENTIONS
    )


async def ask(
    interaction: discord.Interaction,
    flt: Filter,
    *,
    private: bool,
    what: str,
    questions: Sequence[Question] | None = None,
) -> None:
    """Serve a practice question matching `flt`, among `questions` (default: the whole bank);
    `what` names the selection in "nothing matches" replies. A public post speaks in the channel:
    the member must be allowed to send there and the bot to post there; otherwise the question is
    served privately, saying why."""
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    assert interaction.guild_id is not None
    guild_id, user_id = interaction.guild_id, interaction.user.id
    note = None if private else public_refusal(interaction)
    private = private or note is not None
    if not await _may_ask(interaction, private, locale):
        return
    pool = bot.bank.questions if questions is None else questions
    solved = await bot.storage.answered_questions(guild_id, user_id)
    recent = bot.services.quiz.recent(guild_id, user_id)
    question = await _pick(interaction, pool, flt, solved, recent, public=not private)
    if question is None:
        if pick(pool, flt, rng=_RNG) is None:
            key = "quiz.no_match"
        elif pick(pool, flt, exclude=bot.services.reports.paused(guild_id), rng=_RNG) is None:
            key = "report.all_paused"  # the server paused every one of them (docs/reports.md)
        else:
            key = "quiz.all_hidden"
        await reply(interaction, t(key, locale, what=what))
        return
    bot.services.quiz.remember_asked(guild_id, user_id, question.key)
    await _post(interaction, question, private=private, note=note, locale=locale)


async def _may_ask(interaction: discord.Interaction, private: bool, locale: str) -> bool:
    """A private question needs a free private slot; a public one, the server's cooldown to be
    over. False after saying why."""
    assert interaction.guild_id is not None
    storage = client_of(interaction).storage
    guild_id, user_id = interaction.guild_id, interaction.user.id
    if private:
        waiting = await storage.open_private_posts(guild_id, user_id)
        if len(waiting) >= MAX_OPEN_PRIVATE:
            await _private_limit(interaction, waiting[0], locale)
            return False
        return True
    settings = await storage.get_guild_settings(guild_id)
    if settings.practice_cooldown_s > 0:
        last = await storage.last_practice_post(guild_id, user_id)
        if last is not None:
            ready = last.created_at + timedelta(seconds=settings.practice_cooldown_s)
            if ready > datetime.now(UTC):
                when = discord.utils.format_dt(ready, "R")
                await reply(interaction, t("quiz.cooldown", locale, when=when))
                return False
    return True


async def _post(
    interaction: discord.Interaction,
    question: Question,
    *,
    private: bool,
    note: str | None,
    locale: str,
) -> None:
    """Record the practice post, then send it as the interaction's answer."""
    assert interaction.guild_id is not None
    assert interaction.channel_id is not None
    bot = client_of(interaction)
    storage, posts = bot.storage, bot.services.quiz
    post = await storage.create_post(
        interaction.guild_id,
        interaction.channel_id,
        question.key,
        "practice",
        question.answer,
        option_letters="".join(question.options),
        requested_by=interaction.user.id,
        private=private,
    )
    posts.keep(post)
    post_locale = locale if private else posts.public_locale(interaction)
    embed = await question_embed_async(question, locale=post_locale, kind="practice")
    view = answer_view(question, post.post_id, locale=post_locale)
    try:
        sent = await interaction.response.send_message(
            content=note, embed=embed, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS
        )
    except discord.HTTPException:  # nobody saw it: closed, so it holds no private slot
        await posts.close_post(post.post_id)
        raise
    message = sent.resource if sent is not None else None
    if not private and isinstance(message, discord.InteractionMessage):
        posted = await storage.set_message_id(post.post_id, message.id) or post
        if not posted.is_closed:
            posts.keep(posted)


async def _pick(
    interaction: discord.Interaction,
    questions: Sequence[Question],
    flt: Filter,
    solved: set[str],
    recent: list[str],
    *,
    public: bool,
) -> Question | None:
    """`pick`, minus the questions this server paused (docs/reports.md), those of the member's exam
    in progress (docs/exam.md) and what the spoiler rule
    hides (bot/core/spoiler.py): from a private post, the open dailies of the member's servers they
    have not answered; from a public one, also every open daily of this server (the whole channel
    sees it).

    Discord is asked about the member's other servers only when the question picked is an open
    daily there; if it turns out to be theirs, another question is picked (PICK_TRIES times at
    most, then every server not looked up counts as theirs).
    """
    assert interaction.guild_id is not None
    bot = client_of(interaction)
    guard = bot.spoilers
    exp = await guard.exposure(interaction.user.id, interaction.guild_id)
    # the server's paused questions, and those of the member's exam in progress (no answer before submit)
    paused = bot.services.reports.paused(interaction.guild_id) | await bot.services.exam.held_keys(
        interaction.guild_id, interaction.user.id
    )

    def excluded(assume_member: bool) -> frozenset[str]:
        if public:
            hidden = exp.public_hidden(assume_member=assume_member)
        else:
            hidden = exp.hidden(assume_member=assume_member)
        return hidden | paused if paused else hidden

    for _ in range(PICK_TRIES):
        question = pick(questions, flt, solved=solved, recent=recent, exclude=excluded(False), rng=_RNG)
        if question is None:
            return None
        undecided = exp.undecided(question.key)
        if not undecided:
            return question
        await guard.settle(exp, undecided)
        if question.key not in excluded(False):
            return question
    return pick(questions, flt, solved=solved, recent=recent, exclude=excluded(True), rng=_RNG)


async def _private_limit(interaction: discord.Interaction, oldest: Post, locale: str) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(ClosePrivateButton(interaction.user.id, t("quiz.private_close", locale)))
    when = discord.utils.format_dt(oldest.closes_at, "R")
    await interaction.response.send_message(
        t("quiz.private_limit", locale, n=MAX_OPEN_PRIVATE, when=when),
        view=ids.dispatched_by_template(view),
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )
