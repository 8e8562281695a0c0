"""Question posts and answering: /quiz, the answer buttons, live counts, closing and the reveal.

A thin adapter: the rules are in bot.core (scoring), bot.storage (recording) and
bot.bank.select (choosing); the looks are in bot.render.question.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.bank.model import Question
from bot.bank.select import Filter, close_tags, match_tags, pick, resolve_tag, tag_counts
from bot.cogs.common import public_refusal, reply
from bot.core import CloseResult, Post
from bot.core.bounded import BoundedMap
from bot.discord_internals import send_prepared
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.question import (
    Feedback,
    Tally,
    answer_view,
    feedback_components,
    feedback_payload_async,
    question_embed_async,
)
from bot.render.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
COUNT_EDIT_INTERVAL = 5.0  # seconds between edits of a post's live answer count
CLOSE_SWEEP_SECONDS = 30.0
#: At most this many private (ephemeral) /quiz posts open per member and server.
MAX_OPEN_PRIVATE = 3
#: Bounds of the in-memory caches (entries), and how long a member's recent questions are kept.
POST_CACHE_SIZE = 10_000
MEMBER_CACHE_SIZE = 10_000
RECENT_TTL = 6 * 3600.0
RECENT_KEEP = 20
#: /quiz picks at most this many times while it asks Discord which servers a member is in.
PICK_TRIES = 4
PRIVATE_CLOSE = r"quiz:privclose:(?P<owner>[0-9]{1,20})"
DIFFICULTIES = [
    app_commands.Choice(name="L1 · Basic", value="L1"),
    app_commands.Choice(name="L2 · Intermediate", value="L2"),
    app_commands.Choice(name="L3 · Advanced", value="L3"),
]


def _bot(interaction: discord.Interaction) -> QuizBot:
    return interaction.client  # type: ignore[return-value]


def _quiz(interaction: discord.Interaction) -> Quiz:
    cog = _bot(interaction).get_cog("Quiz")
    if cog is None:
        raise RuntimeError("the Quiz cog is not loaded")
    return cog  # type: ignore[return-value]


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.ANSWER):
    """A letter button on any question post, also on posts made before a restart."""

    def __init__(self, post_id: int, letter: str) -> None:
        super().__init__(discord.ui.Button(label=letter, custom_id=ids.answer(post_id, letter)))
        self.post_id = post_id
        self.letter = letter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> AnswerButton:
        return cls(int(match["post"]), match["letter"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await _quiz(interaction).answer_click(interaction, self.post_id, self.letter)


class MultiSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=ids.MULTI):
    """The select menu of a "choose N" question."""

    def __init__(self, post_id: int) -> None:
        super().__init__(discord.ui.Select(custom_id=ids.multi(post_id)))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: Any, /
    ) -> MultiSelect:
        self = cls(int(match["post"]))
        self.item = item  # keeps the values the member picked
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        await _quiz(interaction).answer_click(interaction, self.post_id, "".join(self.item.values))


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
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> ClosePrivateButton:
        return cls(int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _quiz(interaction).close_private_click(interaction, self.owner)


class PostFailed(Exception):
    """A question could not be posted: the channel is gone (NotFound) or the bot may not post there
    (Forbidden). `error` is discord.py's exception."""

    def __init__(self, error: discord.HTTPException) -> None:
        super().__init__(str(error))
        self.error = error


class Quiz(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        # Every per-post and per-member cache is bounded (size, and age where it helps) and a post's
        # entries are dropped when it closes (`_forget`).
        # post_id -> the post, while it is open (a post changes only when it closes)
        self._posts: BoundedMap[int, Post] = BoundedMap(POST_CACHE_SIZE)
        self._count_tasks: dict[int, asyncio.Task[None]] = {}  # one per post, removed when it ends
        # post_id -> when its count was last edited; older than the interval is the same as none.
        self._last_edit: BoundedMap[int, float] = BoundedMap(POST_CACHE_SIZE, ttl=COUNT_EDIT_INTERVAL)
        # (guild, user) -> the member's recent question keys (not asked again soon)
        self._recent: BoundedMap[tuple[int, int], list[str]] = BoundedMap(MEMBER_CACHE_SIZE, ttl=RECENT_TTL)
        self._rng = random.Random()
        self.post_locales: dict[int, str] = {}  # guild -> language of public posts (/quizadmin settings)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton, MultiSelect, ClosePrivateButton)
        self.post_locales = await self.bot.storage.post_locales()
        self.close_due.start()

    async def cog_unload(self) -> None:
        self.close_due.cancel()
        for task in self._count_tasks.values():
            task.cancel()

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
        storage = self.bot.storage
        guild_id, user_id = interaction.guild_id, interaction.user.id
        # A public post speaks in the channel: the member must be allowed to send there and the bot
        # to post there; otherwise the question is served privately, saying why.
        note = None if private else public_refusal(interaction)
        private = private or note is not None
        if private:
            waiting = await storage.open_private_posts(guild_id, user_id)
            if len(waiting) >= MAX_OPEN_PRIVATE:
                await self._private_limit(interaction, waiting[0], locale)
                return
        else:
            settings = await storage.get_guild_settings(guild_id)
            if settings.practice_cooldown_s > 0:
                last = await storage.last_practice_post(guild_id, user_id)
                if last is not None:
                    ready = last.created_at + timedelta(seconds=settings.practice_cooldown_s)
                    if ready > datetime.now(UTC):
                        when = discord.utils.format_dt(ready, "R")
                        await reply(interaction, t("quiz.cooldown", locale, when=when))
                        return
        solved = await storage.answered_questions(guild_id, user_id)
        recent = self._recent.get((guild_id, user_id)) or []
        question = await self._pick(interaction, flt, solved, recent, public=not private)
        if question is None:
            matching = pick(bank.questions, flt, rng=self._rng) is not None
            key = "quiz.all_hidden" if matching else "quiz.no_match"
            await reply(interaction, t(key, locale, what=self._describe(flt)))
            return
        self.remember_asked(guild_id, user_id, question.key)
        post = await storage.create_post(
            guild_id,
            interaction.channel_id,
            question.key,
            "practice",
            question.answer,
            option_letters="".join(question.options),
            requested_by=user_id,
            private=private,
        )
        self._posts[post.post_id] = post
        post_locale = locale if private else self.public_locale(interaction)
        embed = await question_embed_async(question, locale=post_locale, kind="practice")
        view = answer_view(question, post.post_id, locale=post_locale)
        try:
            sent = await interaction.response.send_message(
                content=note, embed=embed, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException:  # nobody saw it: closed, so it holds no private slot
            await self.close_post(post.post_id)
            raise
        message = sent.resource if sent is not None else None
        if not private and isinstance(message, discord.InteractionMessage):
            posted = await storage.set_message_id(post.post_id, message.id) or post
            if not posted.is_closed:
                self._posts[post.post_id] = posted

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

    async def close_private_click(self, interaction: discord.Interaction, owner: int) -> None:
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
        waiting = await self.bot.storage.open_private_posts(interaction.guild_id, owner)
        for post in waiting:
            await self.close_post(post.post_id)
        await interaction.response.edit_message(
            content=t("quiz.private_closed", locale, n=len(waiting)), view=None, allowed_mentions=NO_MENTIONS
        )

    def remember_asked(self, guild_id: int, user_id: int, key: str) -> None:
        """Keep the member's last questions (RECENT_KEEP, for RECENT_TTL) so they are not asked again soon."""
        recent = self._recent.get((guild_id, user_id)) or []
        self._recent[(guild_id, user_id)] = [*recent, key][-RECENT_KEEP:]

    def public_locale(self, interaction: discord.Interaction) -> str:
        return self.post_locales.get(interaction.guild_id or 0) or locale_of(interaction.guild_locale)

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

    # ------------------------------------------------------------------ answering

    async def get_post(self, post_id: int) -> Post | None:
        """The post (cached while it is open: a closed post is read again, never kept)."""
        post = self._posts.get(post_id)
        if post is None:
            post = await self.bot.storage.get_post(post_id)
            if post is not None and not post.is_closed:
                self._posts[post_id] = post
        return post

    async def answer_click(self, interaction: discord.Interaction, post_id: int, letters: str) -> None:
        """An answer button or menu: `handle_answer`, and an unexpected error still gets a reply."""
        try:
            await self.handle_answer(interaction, post_id, letters)
        except Exception:
            log.exception("answer of %s to post %s failed", interaction.user.id, post_id)
            await reply(interaction, t("error.generic", locale_of(interaction.locale)))

    async def handle_answer(self, interaction: discord.Interaction, post_id: int, letters: str) -> None:
        locale = locale_of(interaction.locale)
        post = await self.get_post(post_id)
        if post is None or interaction.guild_id is None or post.guild_id != interaction.guild_id:
            await reply(interaction, t("answer.unknown_post", locale))
            return
        question = self.bot.bank.get(post.question_key)
        if question is None:
            await reply(interaction, t("answer.gone", locale))
            return
        if len(letters) != question.choose:
            await reply(interaction, t("answer.wrong_count", locale, n=question.choose))
            return
        if post.kind == "practice" and not post.is_closed:
            # A practice post asking what is an open daily for this member (in a server of theirs
            # they have not answered it in) would give the answer away in the feedback.
            exp = await self.bot.spoilers.check(interaction.user.id, interaction.guild_id, post.question_key)
            if post.question_key in exp.hidden(assume_member=False):
                key = "answer.daily_here" if exp.hidden_here(post.question_key) else "answer.daily_elsewhere"
                await reply(interaction, t(key, locale))
                return
        try:
            outcome = await self.bot.storage.record_answer(
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
        )
        self._bump_count(post, question)
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
                await self.close_post(post_id)
            except Exception:  # the close sweep closes it at its time
                log.exception("could not close the private post %s after its answer", post_id)

    # ------------------------------------------------------------------ live count

    def _bump_count(self, post: Post, question: Question) -> None:
        if post.private:  # ephemeral: no public message to keep up to date
            return
        task = self._count_tasks.get(post.post_id)
        if task is None or task.done():
            self._count_tasks[post.post_id] = asyncio.create_task(self._edit_count(post, question))

    async def _edit_count(self, post: Post, question: Question) -> None:
        """Edit the post's answer count, at most once every COUNT_EDIT_INTERVAL seconds."""
        wait = self._last_edit.get(post.post_id, 0.0) + COUNT_EDIT_INTERVAL - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_edit[post.post_id] = time.monotonic()
        try:
            await self.bot.storage.flush()
            count = await self.bot.storage.count_answers(post.post_id)
            current = self._posts.get(post.post_id)
            if current is None or current.message_id is None:  # the message id may have arrived since
                current = await self.bot.storage.get_post(post.post_id)
            if current is None or current.is_closed or current.message_id is None:
                return
            self._posts[post.post_id] = current
            post = current
            locale = self._post_locale(post)
            embed = await question_embed_async(question, locale=locale, kind=post.kind, answered=count)
            await self._message(post).edit(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not update the answer count of post %s: %s", post.post_id, exc)
        finally:
            self._count_tasks.pop(post.post_id, None)

    def _message(self, post: Post) -> discord.PartialMessage:
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        return channel.get_partial_message(post.message_id or 0)

    def _post_locale(self, post: Post) -> str:
        if post.guild_id in self.post_locales:
            return self.post_locales[post.guild_id]
        guild = self.bot.get_guild(post.guild_id)
        return locale_of(guild.preferred_locale) if guild is not None else "en"

    # ------------------------------------------------------------------ posting (the daily question)

    async def post_question(
        self,
        channel_id: int,
        guild_id: int,
        question: Question,
        *,
        kind: str,
        mention_role_id: int | None,
        closes_at: datetime | None,
        post: Post | None = None,
    ) -> Post:
        """Post `question` in a channel: the post is recorded BEFORE the message is sent (pass `post`
        when it was recorded already), then the message id. The only mention allowed is the role's.

        PostFailed (logged) when the channel is gone or the bot may not post there; other
        discord.HTTPException errors (5xx, timeouts) propagate: the message may or may not be out.
        """
        storage = self.bot.storage
        created = post is None
        if post is None:
            post = await storage.create_post(
                guild_id,
                channel_id,
                question.key,
                kind,
                question.answer,
                option_letters="".join(question.options),
                closes_at=closes_at,
            )
        self._posts[post.post_id] = post
        locale = self._post_locale(post)
        mentions = (
            discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(mention_role_id)])
            if mention_role_id
            else NO_MENTIONS
        )
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        embed = await question_embed_async(question, locale=locale, kind=post.kind)
        try:
            message = await channel.send(
                content=f"<@&{mention_role_id}>" if mention_role_id else None,
                embed=embed,
                view=answer_view(question, post.post_id, locale=locale),
                allowed_mentions=mentions,
                nonce=f"quiz{post.post_id}"[:25],  # Discord drops a re-send with the same nonce
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning(
                "could not post %s in channel %s (guild %s): %s", question.key, channel_id, guild_id, exc
            )
            if created:  # nobody saw it: it must not close (and end streaks) later
                await storage.delete_unsent_post(post.post_id)
            raise PostFailed(exc) from exc
        post = await storage.set_message_id(post.post_id, message.id) or post
        self._posts[post.post_id] = post
        return post

    # ------------------------------------------------------------------ closing and reveal

    @tasks.loop(seconds=CLOSE_SWEEP_SECONDS)
    async def close_due(self) -> None:
        """Close posts whose time is up; runs on start too, so closing survives restarts.

        A public practice post whose question is an open daily somewhere keeps its reveal (the
        answer, shown to the whole channel) until that daily has closed: it is looked at again at
        the next sweep.
        """
        storage = self.bot.storage
        due = await storage.due_posts()
        public_practice = {p.question_key for p in due if p.kind == "practice" and not p.private}
        dailies = await storage.open_daily_keys(public_practice) if public_practice else set()
        for post in due:
            if post.kind == "daily" and post.message_id is None:
                continue  # recorded but not (known to be) sent: the Daily cog settles it, never a reveal
            if post.kind == "practice" and not post.private and post.question_key in dailies:
                later = datetime.now(UTC) + timedelta(seconds=CLOSE_SWEEP_SECONDS)
                await storage.postpone_post(post.post_id, later)
                self._posts.pop(post.post_id, None)
                log.info("reveal of post %s postponed: its question is an open daily question", post.post_id)
                continue
            await self.close_post(post.post_id)

    @close_due.before_loop
    async def _before_close_due(self) -> None:
        await self.bot.wait_until_ready()

    @close_due.error
    async def _close_due_error(self, error: BaseException) -> None:
        log.exception("closing due posts failed; retrying at the next sweep", exc_info=error)
        self.close_due.restart()

    async def close_post(self, post_id: int) -> CloseResult | None:
        """Close a post and reveal it: buttons disabled, the answer marked, the distribution shown."""
        result = await self.bot.storage.close_post(post_id)
        if result is None:
            return None
        post = result.post
        self._forget(post_id)
        question = self.bot.bank.get(post.question_key)
        if question is None or post.message_id is None:
            return result
        counts = result.per_letter if question.choose == 1 else result.per_choice
        tally = Tally(counts, result.participants, result.correct_count)
        locale = self._post_locale(post)
        embed = await question_embed_async(question, locale=locale, kind=post.kind, tally=tally)
        try:
            await self._message(post).edit(
                embed=embed,
                view=answer_view(question, post_id, locale=locale, closed=True),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.NotFound:
            log.info("post %s was deleted before its reveal", post_id)
        except discord.HTTPException as exc:
            log.warning("could not reveal post %s: %s", post_id, exc)
        return result

    def _forget(self, post_id: int) -> None:
        """Drop what is kept in memory about a post (it closed)."""
        self._posts.pop(post_id, None)
        self._last_edit.pop(post_id, None)
        task = self._count_tasks.pop(post_id, None)
        if task is not None:
            task.cancel()

    def cache_sizes(self) -> dict[str, int]:
        """How many entries each in-memory cache holds (tests, logs)."""
        return {
            "posts": len(self._posts),
            "last_edit": len(self._last_edit),
            "recent": len(self._recent),
            "count_tasks": len(self._count_tasks),
        }


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Quiz(bot))
