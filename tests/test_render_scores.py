"""bot.render.scores and bot.render.chart: Discord limits, escaping, the PNG chart and its font fallback."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.core.models import (
    DayParticipation,
    LeaderboardEntry,
    LeaderboardPage,
    QuestionStat,
    ServerStats,
    TagStat,
    UserStats,
)
from bot.i18n import EN, ZH
from bot.render.chart import MAX_BARS, Bar, accuracy_chart, chart_size
from bot.render.ids import LB_NAV, lb_nav
from bot.render.limits import CUSTOM_ID, embed_problems
from bot.render.scores import (
    leaderboard_embed,
    leaderboard_view,
    member_name,
    pct,
    server_stats_embed,
    sparkline,
    stats_chart,
    stats_embed,
)
from bot.render.text import utf16_len

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_dejavu = pytest.mark.skipif(not Path(DEJAVU).is_file(), reason="DejaVu Sans is not installed")
LONG = "Ｗｉｄｅ名前" * 20 + "🎉" * 30 + "**bold** `code` <@123> @everyone"


def entry(rank: int, uid: int, name: str | None, value: float = 10, answers: int = 12) -> LeaderboardEntry:
    return LeaderboardEntry(rank, uid, name, value, int(value), answers, answers // 2)


def page(
    entries: list[LeaderboardEntry],
    *,
    me: LeaderboardEntry | None,
    metric: str = "points",
    total: int = 25,
    n: int = 1,
) -> LeaderboardPage:
    return LeaderboardPage(1, metric, "week:2026-11-23", n, 10, total, entries, me)  # type: ignore[arg-type]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.verify()
    return image.size


# ------------------------------------------------------------------------------ names


def test_names_are_escaped_cut_and_never_a_raw_id() -> None:
    assert member_name("bob", EN) == "bob"
    assert member_name("**x** _y_", EN) == "\\*\\*x\\*\\* \\_y\\_"
    assert "@\u200beveryone" in member_name("@everyone", EN)
    assert member_name(None, EN) == "(former member)"
    assert member_name("   ", ZH) == "（已離開的成員）"
    assert utf16_len(member_name("x" * 300, EN)) <= 32
    assert member_name("a\nb\tc", EN) == "a b c"


def test_percentages_round_half_up() -> None:
    assert (pct(None), pct(0.0), pct(0.125), pct(2 / 3), pct(1.0)) == ("—", "0%", "13%", "67%", "100%")


# ------------------------------------------------------------------------------ leaderboard


@pytest.mark.parametrize("locale", [EN, ZH])
@pytest.mark.parametrize("metric", ["points", "accuracy", "current_streak", "best_streak"])
def test_leaderboard_embed_fits_with_long_names(locale: str, metric: str) -> None:
    entries = [entry(i + 1, 10**17 + i, LONG, 0.5 if metric == "accuracy" else 100 - i) for i in range(10)]
    me = entry(27, 5, LONG, 0.25 if metric == "accuracy" else 3)
    embed = leaderboard_embed(page(entries, me=me, metric=metric), viewer_id=5, locale=locale)
    assert embed_problems(embed) == []
    assert len(embed.description.splitlines()) == 10
    assert "27" in embed.fields[0].value
    assert str(10**17) not in embed.description


def test_leaderboard_embed_marks_the_viewer_and_explains_an_unranked_viewer() -> None:
    entries = [entry(1, 1, "ann", 30), entry(2, 2, None, 20), entry(2, 3, "cy", 20)]
    embed = leaderboard_embed(page(entries, me=entries[2], total=3), viewer_id=3, locale=EN)
    lines = embed.description.splitlines()
    assert lines[0] == "🥇 ann · 30 pts"
    assert lines[1] == "🥈 (former member) · 20 pts"
    assert lines[2] == "**🥈 cy · 20 pts** ◀"
    assert embed.fields[0].value == "#2 of 3 · 20 pts"
    assert embed.footer.text == "Page 1/1 · 3 ranked"

    acc = leaderboard_embed(page(entries, me=None, metric="accuracy"), viewer_id=9, locale=EN)
    assert "at least 10 answers" in acc.fields[0].value and "at least 10" in (acc.footer.text or "")
    streak = leaderboard_embed(page(entries, me=None, metric="best_streak"), viewer_id=9, locale=ZH)
    assert "每日一題" in streak.fields[0].value


def test_leaderboard_buttons_carry_the_board_and_the_owner() -> None:
    owner = 2**63  # the longest snowflakes still fit
    many = page([entry(1, 1, "a")], me=None, total=25, n=2)
    view = leaderboard_view(many, period="month", owner=owner, locale=ZH)
    prev, nxt = view.children
    assert (
        prev.custom_id == f"lb:prev:month:points:2:{owner}"
        and nxt.custom_id == f"lb:next:month:points:2:{owner}"
    )
    assert not prev.disabled and not nxt.disabled
    assert prev.label == "上一頁"
    longest = lb_nav("next", "month", "current_streak", 999_999, 10**20 - 1)
    assert len(longest) <= CUSTOM_ID and re.fullmatch(LB_NAV, longest)
    one = leaderboard_view(page([entry(1, 1, "a")], me=None, total=3), period="all", owner=1, locale=EN)
    assert one.children == []
    last = leaderboard_view(page([], me=None, total=30, n=3), period="all", owner=1, locale=EN)
    assert [b.disabled for b in last.children] == [False, True]


# ------------------------------------------------------------------------------ member stats


def user_stats(
    topics: list[TagStat], traps: list[TagStat], weakest: list[TagStat] | None = None
) -> UserStats:
    return UserStats(
        guild_id=1,
        user_id=2,
        display_name="bob",
        answers=40,
        correct=30,
        accuracy=0.75,
        points=120,
        week_points=10,
        month_points=40,
        current_streak=2,
        best_streak=5,
        rank=3,
        topics=topics,
        traps=traps,
        weakest_topics=weakest or [],
    )


@pytest.mark.parametrize("locale", [EN, ZH])
def test_stats_embed_fits_with_hundreds_of_long_tags(locale: str) -> None:
    topics = [TagStat("topic", f"{LONG}-{i}", 5, i % 6) for i in range(200)]
    traps = [TagStat("trap", f"{LONG}-trap-{i}", 4, i % 5) for i in range(200)]
    embed = stats_embed(user_stats(topics, traps, topics[:3]), name=LONG, is_self=True, locale=locale)
    assert embed_problems(embed) == []
    text = "\n".join(f.value or "" for f in embed.fields)
    assert ("more" in text) if locale == EN else ("還有" in text)


def test_stats_embed_lines() -> None:
    topics = [
        TagStat("topic", "Delta-Lake", 4, 1),
        TagStat("topic", "資料治理", 3, 3),
        TagStat("topic", "Unused", 0, 0),
    ]
    traps = [TagStat("trap", "Scope-Misunderstanding", 5, 2), TagStat("trap", "Default-Value", 2, 2)]
    stats = user_stats(topics, traps, [topics[0]])
    embed = stats_embed(stats, name="bob", is_self=True, locale=EN)
    assert embed_problems(embed) == []
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Accuracy by topic"] == "`Delta-Lake` 25% (1/4)\n`資料治理` 100% (3/3)"
    assert fields["Traps"].splitlines() == [
        "You fall for **Scope-Misunderstanding** 60% of the time (3/5)",
        "You fall for **Default-Value** 0% of the time (0/2)",
    ]
    assert fields["Review next"] == "`Delta-Lake` 25% (1/4)"
    assert "**40** answers · **30** correct · accuracy **75%**" in (embed.description or "")
    assert "Rank **#3**" in (embed.description or "")
    assert embed.image.url is None

    other = stats_embed(user_stats(topics, traps), name="bob", is_self=False, locale=ZH)
    zh = {f.name: f.value for f in other.fields}
    assert zh["陷阱類型"].startswith("在 **Scope-Misunderstanding** 陷阱上失誤的比例是 60%")
    assert zh["建議複習"] == "作答數還不夠：每個主題至少要 3 題。"


@needs_dejavu
def test_stats_embed_with_a_chart_uses_the_attachment_and_keys_numbered_bars() -> None:
    topics = [TagStat("topic", "CLI", 4, 1), TagStat("topic", "資料治理", 3, 2)]
    chart = stats_chart(user_stats(topics, []), fonts=[DEJAVU])
    assert chart is not None and chart.numbered == [(2, "資料治理")]
    embed = stats_embed(user_stats(topics, []), name="bob", is_self=True, locale=EN, chart=chart)
    assert embed.image.url == "attachment://stats.png"
    assert embed.footer.text == "Chart: #2 = 資料治理"
    assert stats_chart(user_stats([TagStat("topic", "x", 0, 0)], [])) is None


# ------------------------------------------------------------------------------ server stats


@pytest.mark.parametrize("locale", [EN, ZH])
def test_server_stats_embed_fits_and_lists_weak_spots(locale: str) -> None:
    since = date(2026, 10, 28)
    stats = ServerStats(
        guild_id=1,
        since=since,
        answers=900,
        correct=450,
        participants=40,
        weakest_topics=[TagStat("topic", f"{LONG}{i}", 30, i) for i in range(5)],
        weakest_traps=[TagStat("trap", f"{LONG}{i}", 30, i) for i in range(5)],
        hardest_questions=[QuestionStat(f"collection/{'x' * 200}/Q-{i}", 9, 1) for i in range(5)],
        per_day=[DayParticipation(since + timedelta(days=i), 30 + i, 30, 15) for i in range(30)],
    )
    embed = server_stats_embed(
        stats, guild_name=LONG, days=30, locale=locale, question_label=lambda k: f"`{k}` {LONG}"
    )
    assert embed_problems(embed) == []
    assert len(embed.fields) == 4


def test_server_stats_participation_and_sparkline() -> None:
    since = date(2026, 11, 1)
    stats = ServerStats(
        guild_id=1,
        since=since,
        answers=12,
        correct=3,
        participants=4,
        weakest_topics=[TagStat("topic", "Delta-Lake", 6, 1)],
        weakest_traps=[TagStat("trap", "Scope-Misunderstanding", 5, 1)],
        hardest_questions=[],
        per_day=[DayParticipation(since, 1, 2, 1), DayParticipation(since + timedelta(days=29), 4, 10, 2)],
    )
    embed = server_stats_embed(stats, guild_name="Study Group", days=30, locale=EN)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Weakest topics"] == "`Delta-Lake` 17% (1/6)"
    assert (
        fields["Traps the group falls for"] == "**Scope-Misunderstanding**: 80% of answers fell for it (4/5)"
    )
    assert fields["Hardest questions (at least 5 answers)"] == "No question has 5 answers yet."
    days = fields["Participation"].splitlines()
    assert days[0] == "Members per day, 11-01 → 11-30 (most: 4)"
    assert days[1] == "`" + "▃" + "▁" * 28 + "█" + "`"
    assert days[2] == "2026-11-30 · 4 members · 10 answers · 20%"
    assert sparkline([]) == "" and sparkline([0, 0]) == "▁▁"


# ------------------------------------------------------------------------------ chart


def test_chart_is_a_png_of_the_announced_size() -> None:
    bars = [Bar(f"Topic-{i}", i, 10) for i in range(5)]
    chart = accuracy_chart(bars)
    assert (chart.width, chart.height) == chart_size(5)
    assert png_size(chart.png) == chart_size(5)
    assert chart_size(5)[1] < chart_size(6)[1]


def test_chart_caps_the_bars_and_draws_zero_and_empty() -> None:
    many = accuracy_chart([Bar(f"T{i}", 0, 3) for i in range(40)])
    assert png_size(many.png) == chart_size(MAX_BARS) == chart_size(40)
    assert png_size(accuracy_chart([]).png) == chart_size(0) == chart_size(1)
    wide = accuracy_chart([Bar("x" * 500, 3, 3)], width=600)
    assert png_size(wide.png) == (600, chart_size(1)[1])


def test_chart_labels_with_line_breaks_or_of_any_length_are_drawn() -> None:
    # Pillow's text layout fails on a line break: a tag "a\nb" used to cost the member the chart
    bars = [Bar("Delta\nLake", 1, 2), Bar("\t", 1, 1), Bar("word " * 20_000, 2, 3)]
    chart = accuracy_chart(bars)
    assert png_size(chart.png) == chart_size(3)


@needs_dejavu
def test_chart_draws_each_label_with_a_font_that_has_it_or_numbers_it() -> None:
    bars = [Bar("Scope-Misunderstanding", 2, 5), Bar("資料治理", 1, 4), Bar("Ünïcödé-Ωmega", 1, 1)]
    latin = accuracy_chart(bars, fonts=[DEJAVU])
    assert latin.numbered == [(2, "資料治理")]  # DejaVu has no CJK: "#2" on the chart, the key in text
    assert png_size(latin.png) == chart_size(3)
    builtin = accuracy_chart(bars, fonts=[])  # only Pillow's own font
    assert (2, "資料治理") in builtin.numbered and png_size(builtin.png) == chart_size(3)
    cjk = [p for p in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",) if Path(p).is_file()]
    if cjk:  # on a machine with a CJK font the label is drawn
        assert accuracy_chart(bars, fonts=[*cjk, DEJAVU]).numbered == []
