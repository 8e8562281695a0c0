"""The spoiler rule on Discord: which servers a member belongs to, and what that hides from them.

The rule itself is pure (bot/core/spoiler.py); this module gathers its facts for one reply:

- storage: the open daily posts, which of them the member answered, and the servers where the
  member is known (they answered there) — one query (`Store.spoiler_facts`);
- membership of the other servers with an open daily. The bot has only the `guilds` intent (no
  member list), so a member M counts as a member of server G when storage knows M in G, or
  discord.py's cache has them (`guild.get_member`), or Discord says so (`GET
  /guilds/{G}/members/{M}`). Discord's yes/no answers are cached (a size and an age bound); on a
  Discord error M is taken as a member (the safe side: the question stays hidden).

Discord is asked only about the servers that would change the reply (`Exposure.undecided(key)`
for the question about to be shown), and at most `rest_budget` of them per call; the rest count
as the member's. So a click or a /quiz costs no REST call in the common case (the question is not
an open daily anywhere). Autocompletes never ask Discord: an undecided server counts as theirs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.core.bounded import BoundedMap
from bot.core.spoiler import (
    SpoilerFacts,
    hidden_keys,
    is_open_daily,
    public_hidden_keys,
    undecided_guilds,
)

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank

log = logging.getLogger(__name__)

#: Discord's error code for "this user is not a member of this server".
UNKNOWN_MEMBER = 10007


class Exposure:
    """One member's standing towards the open dailies, for one reply.

    `members`: servers the member is known to belong to (the current one included); `non_members`:
    servers Discord said they are not in; every other server with an open daily is undecided.
    """

    __slots__ = ("facts", "guild_id", "members", "non_members", "user_id")

    def __init__(self, user_id: int, guild_id: int | None, facts: SpoilerFacts) -> None:
        self.user_id = user_id
        self.guild_id = guild_id
        self.facts = facts
        self.members: set[int] = set(facts.known_guilds)
        if guild_id is not None:
            self.members.add(guild_id)
        self.non_members: set[int] = set()

    @property
    def undecided_all(self) -> set[int]:
        decided = self.members | self.non_members
        return {d.guild_id for d in self.facts.open_dailies} - decided

    def _guilds(self, assume_member: bool) -> set[int]:
        return self.members | self.undecided_all if assume_member else self.members

    def hidden(self, *, assume_member: bool = True) -> frozenset[str]:
        """The question keys hidden from this member. `assume_member`: count every undecided
        server as theirs (the safe side, when Discord is not asked)."""
        facts = self.facts
        return hidden_keys(facts.open_dailies, self._guilds(assume_member), facts.answered_posts)

    def public_hidden(self, *, assume_member: bool = True) -> frozenset[str]:
        """What a public post in the current server must not ask (bot/core/spoiler.py)."""
        facts = self.facts
        assert self.guild_id is not None
        return public_hidden_keys(
            facts.open_dailies, self.guild_id, self._guilds(assume_member), facts.answered_posts
        )

    def undecided(self, key: str) -> frozenset[int]:
        """The servers whose membership would decide whether `key` is hidden from this member."""
        facts = self.facts
        return undecided_guilds(
            facts.open_dailies, key, self.members | self.non_members, facts.answered_posts
        )

    def is_open_daily(self, key: str) -> bool:
        return is_open_daily(self.facts.open_dailies, key)

    def hidden_here(self, key: str) -> bool:
        """Whether `key` is hidden because it is the open daily of the current server itself."""
        return key in self.hidden(assume_member=False) and any(
            d.question_key == key and d.guild_id == self.guild_id for d in self.facts.open_dailies
        )


def canonical_facts(facts: SpoilerFacts, bank: Bank) -> SpoilerFacts:
    """`facts` with each open daily's stored key replaced by the key the bank serves its question
    under now (a reload can merge the daily's file with a copy elsewhere that becomes primary)."""
    dailies = tuple(
        d if (key := bank.canonical(d.question_key)) == d.question_key else replace(d, question_key=key)
        for d in facts.open_dailies
    )
    return replace(facts, open_dailies=dailies)


class SpoilerGuard:
    """Gathers the spoiler rule's facts for a member (one per bot: `bot.spoilers`)."""

    def __init__(
        self,
        bot: QuizBot,
        *,
        ttl: float = 600.0,
        max_entries: int = 50_000,
        rest_budget: int = 5,
    ) -> None:
        self.bot = bot
        #: (guild_id, user_id) -> whether Discord (or discord.py's cache) says they are a member.
        self.membership: BoundedMap[tuple[int, int], bool] = BoundedMap(max_entries, ttl=ttl)
        self.rest_budget = rest_budget
        #: REST membership look-ups made (tests and logs).
        self.lookups = 0

    async def exposure(
        self, user_id: int, guild_id: int | None, keys: Iterable[str] | None = None
    ) -> Exposure:
        """The member's standing towards the open dailies (of `keys` only, if given), from storage
        and the caches; nothing is asked of Discord here."""
        bank = self.bot.bank
        if keys is not None:  # a post may have stored the key of a copy the bank now merges
            keys = {known for key in keys for known in bank.known_keys(key)}
        facts = canonical_facts(await self.bot.storage.spoiler_facts(user_id, keys), bank)
        exp = Exposure(user_id, guild_id, facts)
        for gid in exp.undecided_all:
            cached = self.membership.get((gid, user_id))
            if cached is None:
                guild = self.bot.get_guild(gid)
                if guild is not None and guild.get_member(user_id) is not None:
                    cached = True
            if cached is True:
                exp.members.add(gid)
            elif cached is False:
                exp.non_members.add(gid)
        return exp

    async def settle(self, exp: Exposure, guilds: Iterable[int]) -> None:
        """Ask Discord whether the member belongs to `guilds` (at most `rest_budget` of them; the
        others, and any Discord error, count as "member")."""
        todo = sorted(set(guilds) - exp.members - exp.non_members)
        if not todo:
            return
        asked, assumed = todo[: self.rest_budget], todo[self.rest_budget :]
        if assumed:
            log.info(
                "spoiler guard: %d server(s) with an open daily not looked up for %s (counted as theirs)",
                len(assumed),
                exp.user_id,
            )
        exp.members.update(assumed)
        answers = await asyncio.gather(*(self.is_member(gid, exp.user_id) for gid in asked))
        for gid, member in zip(asked, answers, strict=True):
            (exp.members if member else exp.non_members).add(gid)

    async def check(self, user_id: int, guild_id: int | None, key: str) -> Exposure:
        """The exposure for one question, with the servers that decide it settled."""
        exp = await self.exposure(user_id, guild_id, [key])
        await self.settle(exp, exp.undecided(key))
        return exp

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Whether `user_id` is in server `guild_id`: the cache, discord.py's cache, then Discord."""
        cached = self.membership.get((guild_id, user_id))
        if cached is not None:
            return cached
        guild = self.bot.get_guild(guild_id)
        if guild is None:  # the bot is not (or no longer) there: it cannot ask; the safe side
            return True
        if guild.get_member(user_id) is not None:
            self.membership[(guild_id, user_id)] = True
            return True
        self.lookups += 1
        try:
            await self.bot.http.get_member(guild_id, user_id)
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MEMBER:
                log.warning("membership of %s in %s: %s; counted as a member", user_id, guild_id, exc)
                return True
            self.membership[(guild_id, user_id)] = False
            return False
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            log.warning("membership of %s in %s: %r; counted as a member", user_id, guild_id, exc)
            return True
        self.membership[(guild_id, user_id)] = True
        return True
