"""/quiz: a practice question, public or private; the close sweep of every due post.

A thin adapter: the question is chosen by bot.bank.select (minus what the spoiler rule hides,
bot/cogs/guard.py); posting, the cache of open posts and the reveal are the QuizService's
(bot/cogs/posts.py, `bot.services.quiz`); answering is bot/cogs/answer.py.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.bank.model import Question
from bot.bank.select import Filter, close_tags, match_tags, pick, resolve_tag, tag_counts
from bot.cogs.answer import AnswerButton, MultiSelect
from bot.cogs.choices import DIFFICULTIES
from bot.cogs.common import NO_MENTIONS, client_of, public_refusal, reply
from bot.cogs.posts import CLOSE_SWEEP_SECONDS, QuizService
from bot.core import Post
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.question import answer_view, question_embed_async
from bot.render.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

#: At most this many private (ephemeral) /quiz posts open per member and server.
MAX_OPEN_PRIVATE = 3
#: /quiz picks at most this many times while it asks Discord which servers a member is in.
PICK_TRIES = 4
PRIVATE_CLOSE = r"quiz:privclose:(?P<owner>[0-9]{1,20})"


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


class Quiz(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.posts: QuizService = bot.services.quiz
        self._rng = random.Random()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton, MultiSelect, ClosePrivateButton)
        self.close_due.start()

    async def cog_unload(self) -> None:
        self.close_due.cancel()
        self.posts.stop()
        self.bot.remove_dynamic_items(AnswerButton, MultiSelect, ClosePrivateButton)

    # ------------------------------------------------------------------ /quiz

    @app_commands.command(name="quiz", description="Get a practice question")
    @app_commands.describe(
        topic="Only questions on this topic",
        difficulty="Only questions of this level",
        trap="Only questions with this trap tag",
        private="Only you see the question (default: post it in the channel)",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    @app_commands.guild_only()
    async def quiz(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        trap: str | None = None,
        private: bool = False,
    ) -> None:
        locale = locale_of(interaction.locale)
        bank = self.bot.bank
        if interaction.guild_id is None or interaction.channel_id is None:
            await reply(interaction, t("quiz.guild_only", locale))
            return
        if not bank.questions:
            await reply(interaction, t("quiz.empty_bank", locale))
            return
        flt, problem = self._filter(topic, difficulty.value if difficulty else None, trap, locale)
        if problem:
            await reply(interaction, problem)
            return
        guild_id, user_id = interaction.guild_id, interaction.user.id
        # A public post speaks in the channel: the member must be allowed to send there and the bot
        # to post there; otherwise the question is served privately, saying why.
        note = None if private else public_refusal(interaction)
        private = private or note is not None
        if not await self._may_ask(interaction, private, locale):
            return
        solved = await self.bot.storage.answered_questions(guild_id, user_id)
        recent = self.posts.recent(guild_id, user_id)
        question = await self._pick(interaction, flt, solved, recent, public=not private)
        if question is None:
            matching = pick(bank.questions, flt, rng=self._rng) is not None
            key = "quiz.all_hidden" if matching else "quiz.no_match"
            await reply(interaction, t(key, locale, what=self._describe(flt)))
            return
        self.posts.remember_asked(guild_id, user_id, question.key)
        await self._post(interaction, question, private=private, note=note, locale=locale)

    async def _may_ask(self, interaction: discord.Interaction, private: bool, locale: str) -> bool:
        """A private question needs a free private slot; a public one, the server's cooldown to be
        over. False after saying why."""
        assert interaction.guild_id is not None
        storage = self.bot.storage
        guild_id, user_id = interaction.guild_id, interaction.user.id
        if private:
            waiting = await storage.open_private_posts(guild_id, user_id)
            if len(waiting) >= MAX_OPEN_PRIVATE:
                await self._private_limit(interaction, waiting[0], locale)
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
        self,
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
        storage = self.bot.storage
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
        self.posts.keep(post)
        post_locale = locale if private else self.posts.public_locale(interaction)
        embed = await question_embed_async(question, locale=post_locale, kind="practice")
        view = answer_view(question, post.post_id, locale=post_locale)
        try:
            sent = await interaction.response.send_message(
                content=note, embed=embed, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException:  # nobody saw it: closed, so it holds no private slot
            await self.posts.close_post(post.post_id)
            raise
        message = sent.resource if sent is not None else None
        if not private and isinstance(message, discord.InteractionMessage):
            posted = await storage.set_message_id(post.post_id, message.id) or post
            if not posted.is_closed:
                self.posts.keep(posted)

    async def _pick(
        self,
        interaction: discord.Interaction,
        flt: Filter,
        solved: set[str],
        recent: list[str],
        *,
        public: bool,
    ) -> Question | None:
        """`pick`, minus what the spoiler rule hides (bot/core/spoiler.py): from a private post, the
        open dailies of the member's servers they have not answered; from a public one, also every
        open daily of this server (the whole channel sees it).

        Discord is asked about the member's other servers only when the question picked is an open
        daily there; if it turns out to be theirs, another question is picked (PICK_TRIES times at
        most, then every server not looked up counts as theirs).
        """
        assert interaction.guild_id is not None
        guard = self.bot.spoilers
        exp = await guard.exposure(interaction.user.id, interaction.guild_id)

        def excluded(assume_member: bool) -> frozenset[str]:
            if public:
                return exp.public_hidden(assume_member=assume_member)
            return exp.hidden(assume_member=assume_member)

        questions = self.bot.bank.questions
        for _ in range(PICK_TRIES):
            question = pick(
                questions, flt, solved=solved, recent=recent, exclude=excluded(False), rng=self._rng
            )
            if question is None:
                return None
            undecided = exp.undecided(question.key)
            if not undecided:
                return question
            await guard.settle(exp, undecided)
            if question.key not in excluded(False):
                return question
        return pick(questions, flt, solved=solved, recent=recent, exclude=excluded(True), rng=self._rng)

    async def _private_limit(self, interaction: discord.Interaction, oldest: Post, locale: str) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(ClosePrivateButton(interaction.user.id, t("quiz.private_close", locale)))
        when = discord.utils.format_dt(oldest.closes_at, "R")
        await interaction.response.send_message(
            t("quiz.private_limit", locale, n=MAX_OPEN_PRIVATE, when=when),
            view=ids.dispatched_by_template(view),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    def _filter(
        self, topic: str | None, difficulty: str | None, trap: str | None, locale: str
    ) -> tuple[Filter, str | None]:
        bank = self.bot.bank
        selection = None
        if topic:  # its family and topics.yaml groups (bot.bank.topics)
            selection = bank.topics.resolve(topic)
            if selection is None or not selection.count:  # (None: nothing but dashes and spaces)
                close = bank.topics.close(topic) or bank.topics.popular()
                message = t("quiz.unknown_topic", locale, topic=topic)
                message += "\n" + t("quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close))
                return Filter(), message
        if trap:
            counts = tag_counts(bank.questions, "traps")
            resolved = resolve_tag(counts, trap)
            if resolved is None:
                close = close_tags(counts, trap)
                message = t("quiz.no_match", locale, what=f"`{trap}`")
                if close:
                    message += "\n" + t(
                        "quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close)
                    )
                return Filter(), message
            trap = resolved
        return Filter.of(selection, difficulty=difficulty, trap=trap), None

    @staticmethod
    def _describe(flt: Filter) -> str:
        parts = [f"`{x}`" for x in (flt.topic, flt.difficulty, flt.trap) if x]
        return " + ".join(parts) or "—"

    @quiz.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The family (or topics.yaml group) of what is typed first, with its total, then the tags."""
        suggestions = self.bot.bank.topics.complete(current or "")
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in topic_choices(suggestions, locale_of(interaction.locale))
        ]

    @quiz.autocomplete("trap")
    async def _trap_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        counts = tag_counts(self.bot.bank.questions, "traps")
        return [
            app_commands.Choice(name=f"{tag} ({n})"[:100], value=tag[:100])
            for tag, n in match_tags(counts, current)
        ]

    # ------------------------------------------------------------------ closing

    @tasks.loop(seconds=CLOSE_SWEEP_SECONDS)
    async def close_due(self) -> None:
        """Close posts whose time is up (`QuizService.close_due`); runs on start too."""
        await self.posts.close_due()

    @close_due.before_loop
    async def _before_close_due(self) -> None:
        await self.bot.wait_until_ready()

    @close_due.error
    async def _close_due_error(self, error: BaseException) -> None:
        log.exception("closing due posts failed; retrying at the next sweep", exc_info=error)
        self.close_due.restart()


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Quiz(bot))
