"""Leaderboard pages and stats (member and server) as embeds, views and a chart.

Pure rendering: the figures come from `bot.storage` (`LeaderboardPage`, `UserStats`,
`ServerStats`). Names are members' stored display names, escaped so they cannot format
or mention anything; a member without a stored name is shown as "(former member)", never
as a raw id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import discord

from bot.core.models import (
    LeaderboardEntry,
    LeaderboardMetric,
    LeaderboardPage,
    QuestionStat,
    ServerStats,
    TagStat,
    UserStats,
)
from bot.core.periods import PeriodKind
from bot.core.review import ReviewStats
from bot.core.rules import LEADERBOARD_MIN_ANSWERS, TAG_MIN_ANSWERS
from bot.i18n import t
from bot.render import ids
from bot.render.ids import lb_nav
from bot.render.limits import EMBED_DESCRIPTION, FIELD_NAME, FIELD_VALUE, FOOTER, cut, shrink_to_total
from bot.render.text import utf16_len

if TYPE_CHECKING:
    from bot.render.chart import Chart

COLOR = discord.Colour.gold()
STATS_COLOR = discord.Colour.blurple()
NAME_LENGTH = 32
CHART_FILENAME = "stats.png"
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
SPARKS = "▁▂▃▄▅▆▇█"
RECENT_DAYS = 7  # participation: days listed one per line under the sparkline

# ------------------------------------------------------------------------------ shared bits


def member_name(name: str | None, locale: str) -> str:
    """A stored display name made safe for Markdown (no formatting, no mentions), or a placeholder."""
    if not name or not name.strip():
        return t("lb.former_member", locale)
    clean = " ".join(name.split())
    return discord.utils.escape_markdown(discord.utils.escape_mentions(cut(clean, NAME_LENGTH)))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{int(100 * value + 0.5)}%"  # half up: 12.5 % shows as 13 %


def _lines_within(lines: Sequence[str], limit: int, locale: str) -> str:
    """Join as many whole lines as fit in `limit`, then "… and N more"."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        reserve = utf16_len(t("stats.more", locale, n=rest)) + 1 if rest else 0
        need = utf16_len(line) + (1 if out else 0)
        if used + need + reserve > limit:
            out.append(t("stats.more", locale, n=len(lines) - i))
            break
        out.append(line)
        used += need
    return "\n".join(out) or "—"


def _tag(tag: str) -> str:
    return "`" + cut(tag.replace("`", "'"), 60) + "`"


# ------------------------------------------------------------------------------ leaderboard


def period_label(period_key: str, locale: str) -> str:
    kind, _, start = period_key.partition(":")
    if kind == "week":
        return t("lb.period.week", locale, start=start)
    if kind == "month":
        return t("lb.period.month", locale, month=start[:7])
    return t("lb.period.all", locale)


def metric_label(metric: LeaderboardMetric, locale: str) -> str:
    return t(f"lb.metric.{metric}", locale)


def entry_value(metric: LeaderboardMetric, entry: LeaderboardEntry, locale: str) -> str:
    if metric == "points":
        return t("lb.value.points", locale, n=int(entry.value))
    if metric == "accuracy":
        return t(
            "lb.value.accuracy",
            locale,
            accuracy=pct(entry.value),
            correct=entry.correct,
            answers=entry.answers,
        )
    return t("lb.value.streak", locale, n=int(entry.value))


def _rank_badge(rank: int) -> str:
    return MEDALS.get(rank, f"`#{rank}`")


def leaderboard_embed(page: LeaderboardPage, *, viewer_id: int, locale: str) -> discord.Embed:
    """One page of ten (page.page_size) lines; the viewer's line is marked, and their rank is
    always shown below, even when it is not on this page."""
    metric = page.metric
    embed = discord.Embed(
        title=cut(
            t(
                "lb.title",
                locale,
                metric=metric_label(metric, locale),
                period=period_label(page.period_key, locale),
            ),
            256,
        ),
        colour=COLOR,
    )
    lines = []
    for e in page.entries:
        line = (
            f"{_rank_badge(e.rank)} {member_name(e.display_name, locale)} · {entry_value(metric, e, locale)}"
        )
        if e.user_id == viewer_id:
            line = f"**{line}** ◀"
        lines.append(line)
    embed.description = _lines_within(lines, EMBED_DESCRIPTION, locale)
    me = page.me
    if me is not None:
        you = t("lb.you_line", locale, rank=me.rank, total=page.total, value=entry_value(metric, me, locale))
    elif metric == "accuracy":
        you = t("lb.you_unranked_accuracy", locale, n=LEADERBOARD_MIN_ANSWERS)
    elif metric in ("current_streak", "best_streak"):
        you = t("lb.you_unranked_streak", locale)
    else:
        you = t("lb.you_unranked", locale)
    embed.add_field(name=t("lb.you", locale), value=cut(you, FIELD_VALUE), inline=False)
    footer = t("lb.footer", locale, page=page.page, pages=page.pages, total=page.total)
    if metric == "accuracy":
        footer += " · " + t("lb.min_answers_note", locale, n=LEADERBOARD_MIN_ANSWERS)
    elif metric in ("current_streak", "best_streak"):
        footer += " · " + t("lb.streak_note", locale)
    embed.set_footer(text=cut(footer, FOOTER))
    return shrink_to_total(embed)


def leaderboard_empty(metric: LeaderboardMetric, locale: str) -> str:
    if metric == "accuracy":
        return t("lb.empty_accuracy", locale, n=LEADERBOARD_MIN_ANSWERS)
    if metric in ("current_streak", "best_streak"):
        return t("lb.empty_streak", locale)
    return t("lb.empty", locale)


def leaderboard_view(
    page: LeaderboardPage, *, period: PeriodKind, owner: int, locale: str
) -> discord.ui.View:
    """Previous/Next (handled by a DynamicItem in bot.cogs.scores, owner-checked); none for one page."""
    view = discord.ui.View(timeout=None)
    if page.pages <= 1:
        return ids.dispatched_by_template(view)
    view.add_item(
        discord.ui.Button(
            label=t("lb.prev", locale),
            emoji="◀️",
            custom_id=lb_nav("prev", period, page.metric, page.page, owner),
            disabled=page.page <= 1,
            style=discord.ButtonStyle.secondary,
        )
    )
    view.add_item(
        discord.ui.Button(
            label=t("lb.next", locale),
            emoji="▶️",
            custom_id=lb_nav("next", period, page.metric, page.page, owner),
            disabled=page.page >= page.pages,
            style=discord.ButtonStyle.secondary,
        )
    )
    return ids.dispatched_by_template(view)


# ------------------------------------------------------------------------------ member stats


def weakest_first(topics: Sequence[TagStat]) -> list[TagStat]:
    """Topics with answers, lowest accuracy first (more answers first on ties): field and chart order."""
    shown = [s for s in topics if s.answers > 0]
    shown.sort(key=lambda s: (s.correct / s.answers, -s.answers, s.tag))
    return shown


def stats_chart(stats: UserStats, *, fonts: Sequence[str] | None = None) -> Chart | None:
    """The per-topic accuracy chart (PNG), or None without answered tagged topics or without Pillow."""
    topics = weakest_first(stats.topics)
    if not topics:
        return None
    try:
        from bot.render.chart import Bar, accuracy_chart
    except ImportError:  # Pillow missing: the stats go out without their picture
        return None
    return accuracy_chart([Bar(s.tag, s.correct, s.answers) for s in topics], fonts=fonts)


def _trap_lines(traps: Sequence[TagStat], key: str, locale: str) -> list[str]:
    shown = [s for s in traps if s.answers > 0]
    shown.sort(key=lambda s: (-(s.answers - s.correct) / s.answers, -s.answers, s.tag))
    return [
        t(
            key,
            locale,
            tag=cut(s.tag, 60),
            pct=pct((s.answers - s.correct) / s.answers),
            wrong=s.answers - s.correct,
            answers=s.answers,
        )
        for s in shown
    ]


def _topic_line(s: TagStat) -> str:
    return f"{_tag(s.tag)} {pct(s.accuracy)} ({s.correct}/{s.answers})"


def stats_embed(
    stats: UserStats,
    *,
    name: str | None,
    is_self: bool,
    locale: str,
    chart: Chart | None = None,
    review: ReviewStats | None = None,
) -> discord.Embed:
    """A member's figures in this server; `chart` (attached as CHART_FILENAME) becomes the image;
    `review`: their /review cards (due today, this week, retention) when they have any."""
    shown_name = member_name(name or stats.display_name, locale)
    embed = discord.Embed(title=cut(t("stats.title", locale, name=shown_name), 256), colour=STATS_COLOR)
    lines = [
        t(
            "stats.summary",
            locale,
            answers=stats.answers,
            correct=stats.correct,
            accuracy=pct(stats.accuracy),
        ),
        t("stats.points", locale, points=stats.points, week=stats.week_points, month=stats.month_points),
    ]
    if stats.rank is not None:
        lines.append(t("stats.rank", locale, rank=stats.rank))
    lines.append(t("stats.streak", locale, current=stats.current_streak, best=stats.best_streak))
    embed.description = "\n".join(lines)

    topics = weakest_first(stats.topics)
    if topics:
        embed.add_field(
            name=t("stats.topics", locale),
            value=_lines_within([_topic_line(s) for s in topics], FIELD_VALUE, locale),
            inline=False,
        )
    traps = _trap_lines(stats.traps, "stats.trap_you" if is_self else "stats.trap_member", locale)
    if traps:
        embed.add_field(
            name=t("stats.traps", locale), value=_lines_within(traps, FIELD_VALUE, locale), inline=False
        )
    if not topics and not traps:
        embed.add_field(name=t("stats.topics", locale), value=t("stats.no_tags", locale), inline=False)
    weakest = (
        _lines_within([_topic_line(s) for s in stats.weakest_topics], FIELD_VALUE, locale)
        if stats.weakest_topics
        else t("stats.weakest_none", locale, n=TAG_MIN_ANSWERS)
    )
    embed.add_field(name=t("stats.weakest", locale), value=weakest, inline=False)
    if review is not None and review.cards:
        embed.add_field(
            name=t("review.stats_title", locale), value=review_stats_lines(review, locale), inline=False
        )
    if chart is not None:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
        if chart.numbered:
            pairs = ", ".join(f"#{n} = {label}" for n, label in chart.numbered)
            embed.set_footer(text=cut(t("stats.chart_key", locale, pairs=pairs), FOOTER))
    return shrink_to_total(embed)


def review_stats_lines(stats: ReviewStats, locale: str) -> str:
    """The /review figures of /stats me: due today, due this week, retention (next due when none today)."""
    retention = "—" if stats.retention is None else f"{int(100 * stats.retention + 0.5)}%"
    lines = [
        t("review.stats_due", locale, today=stats.due_today, week=stats.due_week),
        t("review.stats_retention", locale, retention=retention, right=stats.recalled, total=stats.recalls),
    ]
    if stats.next_due is not None and not stats.due_today:
        lines.append(t("review.stats_next", locale, when=discord.utils.format_dt(stats.next_due, "R")))
    return "\n".join(lines)


def no_answers_message(name: str | None, *, is_self: bool, locale: str) -> str:
    if is_self:
        return t("stats.no_answers_you", locale)
    return t("stats.no_answers_member", locale, name=member_name(name, locale))


# ------------------------------------------------------------------------------ server stats


def sparkline(values: Sequence[int]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1)))] for v in values)


def _participation(stats: ServerStats, until: date, locale: str) -> str:
    by_day = {d.day: d for d in stats.per_day}
    days = [stats.since + timedelta(days=i) for i in range((until - stats.since).days + 1)]
    counts = [by_day[d].participants if d in by_day else 0 for d in days]
    head = t(
        "stats.server_sparkline",
        locale,
        since=stats.since.strftime("%m-%d"),
        until=until.strftime("%m-%d"),
        max=max(counts, default=0),
    )
    lines = [head, f"`{sparkline(counts)}`"]
    for d in reversed(days[-RECENT_DAYS:]):
        if d in by_day:
            p = by_day[d]
            lines.append(
                t(
                    "stats.server_day_line",
                    locale,
                    day=d.isoformat(),
                    participants=p.participants,
                    answers=p.answers,
                    accuracy=pct(p.correct / p.answers if p.answers else None),
                )
            )
    return _lines_within(lines, FIELD_VALUE, locale)


def server_stats_embed(
    stats: ServerStats,
    *,
    guild_name: str,
    days: int,
    locale: str,
    question_label: Callable[[str], str] = lambda key: f"`{key}`",
    min_question_answers: int = 5,
    shown: int = 5,
) -> discord.Embed:
    """The server's weak spots over the last `days` local days: what to review together."""
    until = stats.since + timedelta(days=days - 1)
    name = discord.utils.escape_markdown(discord.utils.escape_mentions(cut(guild_name, 80)))
    embed = discord.Embed(
        title=cut(t("stats.server_title", locale, guild=name, days=days), 256), colour=COLOR
    )
    embed.description = t(
        "stats.server_summary",
        locale,
        answers=stats.answers,
        participants=stats.participants,
        since=stats.since.isoformat(),
        accuracy=pct(stats.correct / stats.answers if stats.answers else None),
    )
    if stats.weakest_topics:
        embed.add_field(
            name=t("stats.server_topics", locale),
            value=_lines_within([_topic_line(s) for s in stats.weakest_topics[:shown]], FIELD_VALUE, locale),
            inline=False,
        )
    traps = _trap_lines(stats.weakest_traps[:shown], "stats.server_trap_line", locale)
    if traps:
        embed.add_field(
            name=t("stats.server_traps", locale),
            value=_lines_within(traps, FIELD_VALUE, locale),
            inline=False,
        )
    embed.add_field(
        name=cut(t("stats.server_hardest", locale, n=min_question_answers), FIELD_NAME),
        value=_lines_within(
            [_question_line(q, question_label, locale) for q in stats.hardest_questions[:shown]],
            FIELD_VALUE,
            locale,
        )
        if stats.hardest_questions
        else t("stats.server_hardest_none", locale, n=min_question_answers),
        inline=False,
    )
    embed.add_field(
        name=t("stats.server_days", locale), value=_participation(stats, until, locale), inline=False
    )
    return shrink_to_total(embed)


def _question_line(q: QuestionStat, label: Callable[[str], str], locale: str) -> str:
    return t(
        "stats.server_question_line",
        locale,
        question=label(q.question_key),
        accuracy=pct(q.accuracy),
        answers=q.answers,
    )
