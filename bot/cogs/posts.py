"""Question posts on Discord: posting, the open posts' cache, the live answer count, closing and
the reveal. One `QuizService` per bot (`bot.services.quiz`), used by /quiz, the answer buttons,
the daily scheduler and /quizadmin.

A thin adapter: the records are in bot.storage, the looks in bot.render.question.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.bank.model import Question
from bot.cogs.common import NO_MENTIONS
from bot.core import CloseResult, Post
from bot.core.bounded import BoundedMap
from bot.i18n import locale_of
from bot.render.question import Tally, answer_view, question_embed_async

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

COUNT_EDIT_INTERVAL = 5.0  # seconds between edits of a post's live answer count
#: How often due posts are closed (the Quiz cog's sweep), and how long a reveal waits for a daily.
CLOSE_SWEEP_SECONDS = 30.0
#: Bounds of the in-memory caches (entries), and how long a member's recent questions are kept.
POST_CACHE_SIZE = 10_000
MEMBER_CACHE_SIZE = 10_000
RECENT_TTL = 6 * 3600.0
RECENT_KEEP = 20


class PostFailed(Exception):
    """A question could not be posted: the channel is gone (NotFound) or the bot may not post there
    (Forbidden). `error` is discord.py's exception."""

    def __init__(self, error: discord.HTTPException) -> None:
        super().__init__(str(error))
        self.error = error


class QuizService:
    """The question posts of every server: what the cogs and the scheduler call to post, count,
    close and reveal, and the per-post and per-member caches they share."""

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        # Every per-post and per-member cache is bounded (size, and age where it helps) and a post's
        # entries are dropped when it closes (`forget`).
        # post_id -> the post, while it is open (a post changes only when it closes)
        self._posts: BoundedMap[int, Post] = BoundedMap(POST_CACHE_SIZE)
        self._count_tasks: dict[int, asyncio.Task[None]] = {}  # one per post, removed when it ends
        # post_id -> when its count was last edited; older than the interval is the same as none.
        self._last_edit: BoundedMap[int, float] = BoundedMap(POST_CACHE_SIZE, ttl=COUNT_EDIT_INTERVAL)
        # (guild, user) -> the member's recent question keys (not asked again soon)
        self._recent: BoundedMap[tuple[int, int], list[str]] = BoundedMap(MEMBER_CACHE_SIZE, ttl=RECENT_TTL)
        self._post_locales: dict[int, str] = {}  # guild -> language of public posts (/quizadmin settings)

    async def load(self) -> None:
        """Read what is kept across restarts (the servers' post languages)."""
        self._post_locales = await self.bot.storage.post_locales()

    def stop(self) -> None:
        """Cancel the pending count edits (the bot is closing)."""
        for task in self._count_tasks.values():
            task.cancel()
        self._count_tasks.clear()

    # ------------------------------------------------------------------ languages, members

    def set_post_locale(self, guild_id: int, locale: str | None) -> None:
        """The language of the server's public posts from now on (None: its Discord language).
        The caller stores it (`Store.set_guild_extra`)."""
        if locale is None:
            self._post_locales.pop(guild_id, None)
        else:
            self._post_locales[guild_id] = locale

    def public_locale(self, interaction: discord.Interaction) -> str:
        """The language of a public post made in answer to `interaction`."""
        return self._post_locales.get(interaction.guild_id or 0) or locale_of(interaction.guild_locale)

    def post_locale(self, post: Post) -> str:
        """The language of a post's public message (its count edits and reveal)."""
        if post.guild_id in self._post_locales:
            return self._post_locales[post.guild_id]
        guild = self.bot.get_guild(post.guild_id)
        return locale_of(guild.preferred_locale) if guild is not None else "en"

    def remember_asked(self, guild_id: int, user_id: int, key: str) -> None:
        """Keep the member's last questions (RECENT_KEEP, for RECENT_TTL) so they are not asked again soon."""
        recent = self._recent.get((guild_id, user_id)) or []
        self._recent[(guild_id, user_id)] = [*recent, key][-RECENT_KEEP:]

    def recent(self, guild_id: int, user_id: int) -> list[str]:
        """The member's recent question keys, oldest first."""
        return self._recent.get((guild_id, user_id)) or []

    # ------------------------------------------------------------------ open posts

    async def get_post(self, post_id: int) -> Post | None:
        """The post (cached while it is open: a closed post is read again, never kept)."""
        post = self._posts.get(post_id)
        if post is None:
            post = await self.bot.storage.get_post(post_id)
            if post is not None and not post.is_closed:
                self._posts[post_id] = post
        return post

    def keep(self, post: Post) -> None:
        """Cache an open post (just created, or its message id just recorded)."""
        self._posts[post.post_id] = post

    # ------------------------------------------------------------------ live count

    def bump_count(self, post: Post, question: Question) -> None:
        """A member answered `post`: its public message's count is edited (at most every
        COUNT_EDIT_INTERVAL seconds, in a task of its own). Only by the process owning its server."""
        if not self.bot.owns(post.guild_id):
            return
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
            locale = self.post_locale(post)
            embed = await question_embed_async(question, locale=locale, kind=post.kind, answered=count)
            await self._message(post).edit(embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not update the answer count of post %s: %s", post.post_id, exc)
        finally:
            self._count_tasks.pop(post.post_id, None)

    def _message(self, post: Post) -> discord.PartialMessage:
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        return channel.get_partial_message(post.message_id or 0)

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
        locale = self.post_locale(post)
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

    async def close_due(self) -> None:
        """Close posts whose time is up (the Quiz cog's sweep; on start too, so closing survives
        restarts).

        A public practice post whose question is an open daily somewhere keeps its reveal (the
        answer, shown to the whole channel) until that daily has closed: it is looked at again at
        the next sweep.
        """
        storage = self.bot.storage
        # With shards over processes each closes the posts of the servers it owns: the query keeps
        # to them, so however many posts of a stopped process's servers are due, they never fill
        # this batch.
        due = await storage.due_posts(shards=self.bot.shard_filter)
        bank = self.bot.bank
        public_practice = {p.question_key for p in due if p.kind == "practice" and not p.private}
        # (a question is known by its copies' keys too: a reload may have merged files)
        asked = {known for key in public_practice for known in bank.known_keys(key)}
        dailies = {bank.canonical(k) for k in await storage.open_daily_keys(asked)} if asked else set()
        for post in due:
            if post.kind == "daily" and post.message_id is None:
                continue  # recorded but not (known to be) sent: the scheduler settles it, never a reveal
            if post.kind == "practice" and not post.private and bank.canonical(post.question_key) in dailies:
                later = datetime.now(UTC) + timedelta(seconds=CLOSE_SWEEP_SECONDS)
                await storage.postpone_post(post.post_id, later)
                self._posts.pop(post.post_id, None)
                log.info("reveal of post %s postponed: its question is an open daily question", post.post_id)
                continue
            await self.close_post(post.post_id)

    async def close_post(self, post_id: int) -> CloseResult | None:
        """Close a post and reveal it: buttons disabled, the answer marked, the distribution shown."""
        result = await self.bot.storage.close_post(post_id)
        if result is None:
            return None
        post = result.post
        self.forget(post_id)
        question = self.bot.bank.get(post.question_key)
        if question is None or post.message_id is None:
            return result
        counts = result.per_letter if question.choose == 1 else result.per_choice
        tally = Tally(counts, result.participants, result.correct_count)
        locale = self.post_locale(post)
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

    def forget(self, post_id: int) -> None:
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
