"""What each dashboard page shows: figures gathered from the `Store` and the bank, shaped for the
templates (bot/web/templates). No SQL (bot/storage) and no HTML (the templates, bot/web/charts.py).
See docs/dashboard.md for what each page holds and who may see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from bot.bank import Bank
from bot.bank.bank import key_hash
from bot.bank.blueprint import Blueprint
from bot.bank.model import Question
from bot.core.dashboard import DASH_METRICS, DASH_PERIODS, MissedQuestion, RateLimit, weakest_first
from bot.core.models import LeaderboardEntry, LeaderboardMetric, TagStat
from bot.core.periods import PeriodKind
from bot.core.readiness import Readiness, readiness, readiness_from_counts
from bot.core.spoiler import is_open_daily
from bot.i18n import ZH, t
from bot.storage import Store
from bot.web.charts import GREEN, GREY, RED, Bar, Spoke, WeekPoint, bar_chart, line_chart, radar

#: As /stats readiness (bot/cogs/readiness.py): a member's readiness rests on their last answers.
MEMBER_ANSWERS = 1000
WEEKS = 12  # the overview's chart
WINDOW_DAYS = 30  # the weakness page's topics, traps and most missed questions
MISSED = 10
TAG_BARS = 15
PAGE_SIZE = 20
_PERIOD: dict[str, PeriodKind] = {"week": "week", "month": "month", "all": "all"}
_METRIC: dict[str, LeaderboardMetric] = {
    "points": "points",
    "accuracy": "accuracy",
    "streak": "current_streak",
}
_MARKUP = re.compile(r"^\s*(?:[#>]+|[-*+] |\d+\. )\s*|[`*]+", re.MULTILINE)


@dataclass
class Dashboard:
    """What the web app needs from the bot: its store and bank, its servers' names and Discord
    languages (from discord.py's cache), the signing key, the public base URL, and a clock."""

    store: Store
    bank: Callable[[], Bank]
    key: bytes
    base_url: str
    guild_name: Callable[[int], str | None] = lambda _gid: None
    guild_locale: Callable[[int], str | None] = lambda _gid: None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    limiter: RateLimit = field(default_factory=lambda: RateLimit(rate=2.0, burst=40))


def plain(text: str, limit: int = 120) -> str:
    """A stem as one line of plain text (Markdown marks dropped), cut to `limit` characters."""
    one = " ".join(_MARKUP.sub("", text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def section_name(bp: Blueprint, key: str, locale: str) -> str:
    s = bp.section(key)
    if s is None:
        return key
    return s.name_zh if locale == ZH and s.name_zh else s.name


def blueprint_name(bp: Blueprint, locale: str) -> str:
    return bp.name_zh if locale == ZH and bp.name_zh else bp.name


def readiness_of(bank: Bank, bp: Blueprint, results: list[Any]) -> Readiness:
    """Readiness as /stats readiness computes it: bot.core.readiness over the bank's sections."""
    index = bank.sections(bp.key)
    return readiness(((index.section_of(r.question_key), r.correct) for r in results), bp.weights)


def radar_chart(state: Readiness, bp: Blueprint, locale: str, label: str) -> Markup:
    spokes = [Spoke(section_name(bp, s.key, locale), s.accuracy) for s in state.sections]
    return radar(spokes, label, bp.pass_mark)


def tag_bars(stats: list[TagStat], locale: str, label: str) -> Markup | None:
    if not stats:
        return None
    bars = [
        Bar(
            s.tag,
            s.accuracy or 0.0,
            f"{pct(s.accuracy)} · " + t("dash.weak.bar", locale, correct=s.correct, answers=s.answers),
        )
        for s in weakest_first(stats)[:TAG_BARS]
    ]
    return bar_chart(bars, label)


# ------------------------------------------------------------------------------------ overview


async def overview(d: Dashboard, guild_id: int, locale: str) -> dict[str, Any]:
    now = d.now()
    weeks = await d.store.activity_by_week(guild_id, weeks=WEEKS, at=now)
    this_week = weeks[-1]
    points = [WeekPoint(w.week_start.strftime("%m-%d"), w.answers, w.accuracy) for w in weeks]
    chart = line_chart(
        points,
        t("dash.overview.chart", locale),
        t("dash.chart.answers", locale),
        t("dash.chart.accuracy", locale),
    )
    bank = d.bank()
    dailies = []
    for post in await d.store.open_posts(guild_id, kind="daily"):
        q = bank.get(post.question_key)
        dailies.append(
            {
                "id": q.id if q else post.question_key,
                "stem": plain(q.stem, 300) if q else "",
                "topics": list(q.topics) if q else [],
                "count": await d.store.count_answers(post.post_id),
            }
        )
    return {
        "active": this_week.members,
        "answers": this_week.answers,
        "accuracy": pct(this_week.accuracy),
        "chart": chart,
        "weeks": WEEKS,
        "dailies": dailies,
    }


# ------------------------------------------------------------------------------------ leaderboard


def board_choice(period: str | None, metric: str | None, page: str | None) -> tuple[str, str, int]:
    """The leaderboard tab asked for, or the default (all time, points, page 1) for anything else."""
    p = period if period in DASH_PERIODS else "all"
    m = metric if metric in DASH_METRICS else "points"
    n = int(page) if page and page.isdigit() and 0 < len(page) <= 6 else 1
    return p, m, max(n, 1)


def _value(entry: LeaderboardEntry, metric: str) -> str:
    if metric == "accuracy":
        return pct(entry.value)
    return str(int(entry.value))


async def leaderboard(
    d: Dashboard, guild_id: int, viewer: int | None, locale: str, period: str, metric: str, page: int
) -> dict[str, Any]:
    board = await d.store.leaderboard(
        guild_id,
        _PERIOD[period] if metric != "streak" else "all",
        _METRIC[metric],
        page=page,
        page_size=PAGE_SIZE,
        user_id=viewer,
        at=d.now(),
    )

    def row(e: LeaderboardEntry) -> dict[str, Any]:
        name = e.display_name or t("dash.board.unknown", locale, id=e.user_id)
        return {
            "rank": e.rank,
            "name": name,
            "value": _value(e, metric),
            "answers": e.answers,
            "me": e.user_id == viewer,
        }

    me = board.me
    return {
        "period": period,
        "metric": metric,
        "rows": [row(e) for e in board.entries],
        "page": board.page,
        "pages": board.pages,
        "total": board.total,
        "me": row(me) if me is not None else None,
        "me_on_page": me is not None and any(e.user_id == me.user_id for e in board.entries),
        "periods": DASH_PERIODS,
        "metrics": DASH_METRICS,
    }


# ------------------------------------------------------------------------------------ weakness


async def hidden_keys(d: Dashboard, bank: Bank) -> set[str]:
    """Every key naming a question that is an open daily somewhere (copies' keys included)."""
    hidden: set[str] = set()
    for key in await d.store.open_daily_key_set():
        hidden |= bank.known_keys(key) | {key}
    return hidden


def pick_blueprint(bank: Bank, wanted: str | None) -> Blueprint | None:
    found = bank.blueprint(wanted) if wanted else None
    return found or bank.default_blueprint


def _missed_row(m: MissedQuestion, q: Question | None, locale: str) -> dict[str, Any]:
    letters = list(q.options) if q else sorted(m.per_letter)
    right = set(q.answer) if q else set()
    top = max(m.per_letter.values(), default=0) or 1
    bars = [
        Bar(
            letter,
            m.per_letter.get(letter, 0) / top,
            t("dash.weak.picked", locale, n=m.per_letter.get(letter, 0), letter=letter),
            GREEN if letter in right else (RED if m.per_letter.get(letter) else GREY),
        )
        for letter in letters
    ]
    return {
        "id": q.id if q else m.question_key,
        "stem": plain(q.stem) if q else "",
        "hash": key_hash(q.key) if q else None,
        "line": t("dash.weak.missed_line", locale, misses=m.misses, answers=m.answers),
        "chart": bar_chart(bars, t("dash.weak.missed", locale), width=360) if m.per_letter else None,
    }


async def weakness(d: Dashboard, guild_id: int, locale: str, wanted_blueprint: str | None) -> dict[str, Any]:
    bank = d.bank()
    bp = pick_blueprint(bank, wanted_blueprint)
    hidden = await hidden_keys(d, bank)
    team = await d.store.team_weakness(guild_id, days=WINDOW_DAYS, at=d.now(), questions=MISSED, hide=hidden)
    radar_svg, state = None, None
    if bp is not None:
        # the whole server's answers of the window, summed per question (not a sample of them)
        index = bank.sections(bp.key)
        counts = ((index.section_of(key), n, c) for key, (n, c) in team.per_question.items())
        state = readiness_from_counts(counts, bp.weights)
        if state.answers:
            radar_svg = radar_chart(
                state, bp, locale, t("dash.weak.radar", locale, name=blueprint_name(bp, locale))
            )
    return {
        "blueprint": bp
        and {"key": bp.key, "name": blueprint_name(bp, locale), "pass_mark": round(bp.pass_mark)},
        "blueprints": [{"key": b.key, "name": blueprint_name(b, locale)} for b in bank.blueprints],
        "radar": radar_svg,
        "radar_answers": state.answers if state else 0,
        "predicted": pct(state.predicted / 100) if state and state.predicted is not None else "—",
        "days": WINDOW_DAYS,
        "topics": tag_bars(team.topics, locale, t("dash.weak.topics", locale)),
        "traps": tag_bars(team.traps, locale, t("dash.weak.traps", locale)),
        "missed": [_missed_row(m, bank.get(m.question_key), locale) for m in team.missed],
        "hid_dailies": bool(hidden),
    }


# ------------------------------------------------------------------------------------ member


async def member(d: Dashboard, guild_id: int, user_id: int, locale: str) -> dict[str, Any]:
    bank = d.bank()
    stats = await d.store.user_stats(guild_id, user_id, at=d.now())
    bp = bank.default_blueprint
    radar_svg, state = None, None
    if bp is not None:
        results = await d.store.recent_results(guild_id, user_id, limit=MEMBER_ANSWERS)
        state = readiness_of(bank, bp, results)
        if state.answers:
            radar_svg = radar_chart(
                state, bp, locale, t("dash.me.readiness", locale, name=blueprint_name(bp, locale))
            )
    return {
        "name": stats.display_name or t("dash.board.unknown", locale, id=user_id),
        "answers": stats.answers,
        "accuracy": pct(stats.accuracy),
        "points": stats.points,
        "streak": stats.current_streak,
        "blueprint": bp and {"name": blueprint_name(bp, locale), "pass_mark": round(bp.pass_mark)},
        "radar": radar_svg,
        "radar_answers": state.answers if state else 0,
        "enough": bool(state and state.enough),
        "predicted": pct(state.predicted / 100) if state and state.predicted is not None else "—",
        "topics": tag_bars(stats.topics, locale, t("dash.weak.topics", locale)),
        "traps": tag_bars(stats.traps, locale, t("dash.weak.traps", locale)),
        "reviews": (await d.store.review_stats(guild_id, user_id, now=d.now())).due_today,
    }


# ------------------------------------------------------------------------------------ a question


async def question(d: Dashboard, user_id: int, qhash: str) -> Question | bool | None:
    """The question behind `qhash`; None when there is none; False while it is an open daily in any
    server (its explanation would give the answer away: never shown then, to anyone)."""
    bank = d.bank()
    q = bank.by_hash.get(qhash)
    if q is None:
        return None
    keys = bank.known_keys(q.key) | {q.key}
    facts = await d.store.spoiler_facts(user_id, keys)
    if any(is_open_daily(facts.open_dailies, k) for k in keys):
        return False
    return q
