"""/review on Discord: the custom_ids of its buttons, the card, the feedback, the ratings, the
summary and the reminder (the review lines of /stats are bot.render.scores'). Pure rendering (no storage, no clock: the
cog passes the figures and instants).

A review session keeps no state in memory: every button's custom_id carries the server, the member
who may click it and the session's counts so far (cards reviewed, answered right); an answer
button names the question by a short hash of its key and the letter clicked, never whether it is
right. So a session survives a restart, and a click by anyone else is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.bank.model import Question
from bot.core.review import Rating, ReviewStats
from bot.i18n import t
from bot.render.ids import LETTERS, dispatched_by_template, question_hash
from bot.render.limits import FOOTER, SELECT_DESCRIPTION, cut
from bot.render.question import Feedback, feedback_payload_async, question_embed_async

COLOR_SUMMARY = discord.Colour.teal()
#: The session's counts stop there (they travel in custom_ids).
MAX_COUNT = 9999

_ID = r"[0-9]{1,20}"
_N = r"[0-9]{1,4}"
# review:ans:<guild>:<question hash>:<letter>:<owner>:<reviewed>:<right>
ANSWER = (
    rf"review:ans:(?P<guild>{_ID}):(?P<q>[0-9a-f]{{10}}):(?P<letter>[{LETTERS[0]}-{LETTERS[-1]}]):"
    rf"(?P<owner>{_ID}):(?P<done>{_N}):(?P<right>{_N})"
)
# review:multi:<guild>:<question hash>:<owner>:<reviewed>:<right> (a "choose N" question's menu)
MULTI = (
    rf"review:multi:(?P<guild>{_ID}):(?P<q>[0-9a-f]{{10}}):(?P<owner>{_ID}):(?P<done>{_N}):(?P<right>{_N})"
)
# review:rate:<guild>:<question hash>:<rating 0-4>:<then n|e>:<owner>:<reviewed>:<right>, after a
# right answer: 1-4 Again/Hard/Good/Easy, 0 "moved on" (Good); then the next card, or the end
RATE = (
    rf"review:rate:(?P<guild>{_ID}):(?P<q>[0-9a-f]{{10}}):(?P<rating>[0-4]):(?P<then>[ne]):"
    rf"(?P<owner>{_ID}):(?P<done>{_N}):(?P<right>{_N})"
)
# review:go:<n|e>:<guild>:<owner>:<reviewed>:<right>: the next card, or the end (nothing to record)
GO = rf"review:go:(?P<then>[ne]):(?P<guild>{_ID}):(?P<owner>{_ID}):(?P<done>{_N}):(?P<right>{_N})"
# review:remindoff:<guild>:<owner>: "stop reminders" under a reminder (in a DM: no guild there)
REMIND_OFF = rf"review:remindoff:(?P<guild>{_ID}):(?P<owner>{_ID})"

RATINGS = (Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY)
_RATING_STYLE = {
    Rating.AGAIN: discord.ButtonStyle.danger,
    Rating.HARD: discord.ButtonStyle.secondary,
    Rating.GOOD: discord.ButtonStyle.success,
    Rating.EASY: discord.ButtonStyle.primary,
}


def _n(value: int) -> int:
    return max(0, min(MAX_COUNT, value))


def answer_id(guild_id: int, key: str, letter: str, owner: int, done: int, right: int) -> str:
    return f"review:ans:{guild_id}:{question_hash(key)}:{letter}:{owner}:{_n(done)}:{_n(right)}"


def multi_id(guild_id: int, key: str, owner: int, done: int, right: int) -> str:
    return f"review:multi:{guild_id}:{question_hash(key)}:{owner}:{_n(done)}:{_n(right)}"


def rate_id(guild_id: int, key: str, rating: int, then: str, owner: int, done: int, right: int) -> str:
    return f"review:rate:{guild_id}:{question_hash(key)}:{rating}:{then}:{owner}:{_n(done)}:{_n(right)}"


def go_id(then: str, guild_id: int, owner: int, done: int, right: int) -> str:
    return f"review:go:{then}:{guild_id}:{owner}:{_n(done)}:{_n(right)}"


def remind_off_id(guild_id: int, owner: int) -> str:
    return f"review:remindoff:{guild_id}:{owner}"


def when(instant: datetime) -> str:
    """An instant as Discord shows it in each reader's own time: "in 3 days (12 March 2030 09:00)"."""
    return f"{discord.utils.format_dt(instant, 'R')} ({discord.utils.format_dt(instant, 'f')})"


# ------------------------------------------------------------------------------ the card


async def card_embed(q: Question, *, locale: str, due: int, done: int) -> discord.Embed:
    """The question as /quiz shows it (every option written out), with the review's footer."""
    embed = await question_embed_async(q, locale=locale, kind="practice")
    shown = f"{due}+" if due >= 100 else str(due)
    embed.set_footer(text=cut(t("review.card_footer", locale, n=done + 1, due=shown), FOOTER))
    return embed


def card_view(
    q: Question, key: str, guild_id: int, owner: int, done: int, right: int, *, locale: str
) -> discord.ui.View:
    """A button per letter (a menu for "choose N"), and Stop. `key` is the card's question key (the
    question's own, or a copy's the card was stored under)."""
    view = discord.ui.View(timeout=None)
    if q.choose == 1:
        for letter in q.options:
            view.add_item(
                discord.ui.Button(
                    label=letter,
                    style=discord.ButtonStyle.secondary,
                    custom_id=answer_id(guild_id, key, letter, owner, done, right),
                )
            )
    else:
        view.add_item(
            discord.ui.Select(
                custom_id=multi_id(guild_id, key, owner, done, right),
                placeholder=t("post.pick_placeholder", locale, n=q.choose),
                min_values=q.choose,
                max_values=q.choose,
                options=[
                    discord.SelectOption(label=letter, value=letter, description=_option_line(text))
                    for letter, text in q.options.items()
                ],
            )
        )
    view.add_item(_go_button("e", guild_id, owner, done, right, locale=locale, row=4))
    return dispatched_by_template(view)


def _option_line(text: str) -> str | None:
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("```")), "")
    return cut(first.replace("`", "").replace("**", "").strip(), SELECT_DESCRIPTION) or None


def _go_button(
    then: str, guild_id: int, owner: int, done: int, right: int, *, locale: str, row: int | None = None
) -> discord.ui.Button[Any]:
    label = t("review.next" if then == "n" else "review.stop", locale)
    style = discord.ButtonStyle.primary if then == "n" else discord.ButtonStyle.secondary
    return discord.ui.Button(
        label=label, style=style, custom_id=go_id(then, guild_id, owner, done, right), row=row
    )


# ------------------------------------------------------------------------------ the feedback


async def feedback_embed(
    q: Question, chosen: str, *, correct: bool, locale: str, next_due: datetime | None
) -> discord.Embed:
    """/quiz's feedback (the right option, why the chosen one is wrong, traps) with the review's
    footer: no points, no streak; after a wrong answer, when the card comes back."""
    feedback = Feedback(
        chosen=chosen, correct=correct, points=0, total_points=0, streak=0, best_streak=0, kind="review"
    )
    payload = dict(await feedback_payload_async(q, feedback, locale=locale))
    if correct:
        footer = t("review.rate_prompt", locale)
    elif next_due is not None:
        footer = t("review.again_footer", locale, when=discord.utils.format_dt(next_due, "d"))
    else:
        footer = t("review.no_points", locale)
    payload["footer"] = {"text": cut(footer, FOOTER)}
    return discord.Embed.from_dict(payload)


def rated_line(rating: Rating, next_due: datetime, locale: str) -> str:
    """What the last rating did, shown above the next card."""
    return t(
        "review.rated", locale, rating=t(f"review.rating.{rating.name.lower()}", locale), when=when(next_due)
    )


def after_right_view(
    key: str, guild_id: int, owner: int, done: int, right: int, *, locale: str
) -> discord.ui.View:
    """Again / Hard / Good / Easy, then Next (Good) and Stop (Good, then the summary). `done` and
    `right` already count this card."""
    view = discord.ui.View(timeout=None)
    for rating in RATINGS:
        view.add_item(
            discord.ui.Button(
                label=t(f"review.rating.{rating.name.lower()}", locale),
                style=_RATING_STYLE[rating],
                custom_id=rate_id(guild_id, key, int(rating), "n", owner, done, right),
                row=0,
            )
        )
    for then in ("n", "e"):
        view.add_item(
            discord.ui.Button(
                label=t("review.next" if then == "n" else "review.stop", locale),
                style=discord.ButtonStyle.secondary,
                custom_id=rate_id(guild_id, key, 0, then, owner, done, right),
                row=1,
            )
        )
    return dispatched_by_template(view)


def after_wrong_view(guild_id: int, owner: int, done: int, right: int, *, locale: str) -> discord.ui.View:
    """Next and Stop (the wrong answer is recorded already, as Again)."""
    view = discord.ui.View(timeout=None)
    view.add_item(_go_button("n", guild_id, owner, done, right, locale=locale))
    view.add_item(_go_button("e", guild_id, owner, done, right, locale=locale))
    return dispatched_by_template(view)


# ------------------------------------------------------------------------------ the end


def summary_embed(done: int, right: int, stats: ReviewStats, *, locale: str) -> discord.Embed:
    """The session's end: reviewed, right, what is still due and when the next card is."""
    title = t("review.summary_title", locale) if done else t("review.nothing_due_title", locale)
    lines = []
    if done:
        lines.append(t("review.summary_counts", locale, done=done, right=right))
    if stats.due_now:
        lines.append(t("review.summary_left", locale, n=stats.due_now))
    elif stats.next_due is not None:
        lines.append(t("review.summary_next", locale, when=when(stats.next_due)))
    elif not stats.cards:
        lines.append(t("review.no_cards", locale))
    lines.append(t("review.summary_week", locale, today=stats.due_today, week=stats.due_week))
    embed = discord.Embed(title=title, colour=COLOR_SUMMARY, description="\n".join(lines))
    embed.set_footer(text=t("review.no_points", locale))
    return embed


# ------------------------------------------------------------------------------ reminders


def reminder_text(count: int, guild_name: str, *, locale: str, mention: int | None = None) -> str:
    """The daily reminder (a DM; or in the server's channel with a mention of the member)."""
    name = discord.utils.escape_markdown(discord.utils.escape_mentions(cut(guild_name, 100)))
    text = t("review.reminder", locale, n=count, guild=name)
    return f"<@{mention}> {text}" if mention is not None else text


def reminder_view(guild_id: int, owner: int, *, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("review.remind_stop", locale),
            style=discord.ButtonStyle.secondary,
            custom_id=remind_off_id(guild_id, owner),
        )
    )
    return dispatched_by_template(view)
