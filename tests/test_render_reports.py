"""What reports look like (bot/render/reports.py) stays within Discord's limits however long the
notes, names and questions are; the flag costs a click no render; the admin's list pages put each
question on one page with its menu entry."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.core.reports import NOTE_MAX, REPORT_KINDS, PausedQuestion, Report, group_reports
from bot.i18n import EN, ZH
from bot.render import ids
from bot.render.explain import OVERVIEW, explain_embed
from bot.render.limits import CUSTOM_ID, MESSAGE, SELECT_OPTIONS, embed_problems
from bot.render.question import Feedback, feedback_embed, feedback_payload
from bot.render.reports import (
    FLAG_ROOM,
    channel_message,
    detail_embed,
    detail_view,
    entries,
    flag_field,
    list_embed,
    list_pages,
    list_view,
    notice,
    with_flag,
)
from bot.render.text import utf16_len
from tests.helpers import ten_options

T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
HOSTILE_NAME = "@everyone **bold** <@123> " + "名" * 200
HOSTILE_NOTE = ("@here `code` **x** <@&5> ||spoiler|| 答案應該是 B。\n" * 40)[:NOTE_MAX]


def report(n: int, key: str, *, note: str = HOSTILE_NOTE, user: int | None = None) -> Report:
    return Report(
        report_id=n,
        guild_id=1,
        question_key=key,
        user_id=user if user is not None else 1000 + n,
        display_name=HOSTILE_NAME,
        kind=REPORT_KINDS[n % len(REPORT_KINDS)],
        note=note,
        created_at=T0 + timedelta(minutes=n),
        bank_commit="0123456789abcdef" * 2 + "01234567",
        notify_dm=n % 2 == 0,
    )


@pytest.mark.parametrize("locale", [EN, ZH])
def test_the_flag_fits_its_room_and_a_flagged_feedback_stays_within_limits(locale: str) -> None:
    field = flag_field(locale)
    assert utf16_len(field["name"]) + utf16_len(field["value"]) < FLAG_ROOM
    q = ten_options()  # everything at its longest
    for chosen in ("A", "J"):
        fb = Feedback(chosen, chosen == "J", 1, 10**9, 10**6, 10**6, "daily", flagged=True)
        embed = feedback_embed(q, fb, locale=locale)
        assert embed_problems(embed) == [], chosen
        assert embed.fields[-1].value == field["value"]
        plain = feedback_payload(q, replace(fb, flagged=False), locale=locale)
        flagged = feedback_payload(q, fb, locale=locale)
        assert flagged["fields"][:-1] == plain["fields"]  # the same cached body, one field more
        assert plain["fields"] is not flagged["fields"]  # (the cache is never changed)
    overview = with_flag(explain_embed(q, OVERVIEW, 0, locale=locale), locale)
    assert embed_problems(overview) == [] and overview.fields[-1].name == "⚠️"


@pytest.mark.parametrize("locale", [EN, ZH])
def test_messages_to_the_channel_and_to_reporters_fit_and_ping_nobody(locale: str) -> None:
    q = ten_options()
    text = channel_message(report(1, q.key), q, 99, locale)
    assert utf16_len(text) <= MESSAGE
    assert "@everyone" not in text.replace("@\u200beveryone", "")  # escaped (mentions are off too)
    assert "`/explain question:ten/Q-10`" in text and "ten/Q-10.md" in text
    gone = channel_message(report(2, "gone/Q-1"), None, 1, locale)
    assert "**gone/Q-1**" in gone
    many = [(replace(report(n, q.key), resolution="R" * NOTE_MAX), q) for n in range(30)]
    told = notice(many, HOSTILE_NAME, locale)
    assert utf16_len(told) <= MESSAGE and "Q-10" in told


@pytest.mark.parametrize("locale", [EN, ZH])
def test_list_pages_hold_each_question_once_within_limits(locale: str) -> None:
    keys = [f"c/Q-{n:03d}" for n in range(60)]
    reports = [report(n * 3 + i, key, user=i) for n, key in enumerate(keys) for i in range(1 + n % 3)]
    paused = {"c/Q-001": PausedQuestion(1, "c/Q-001", 5, T0), "c/Q-999": PausedQuestion(1, "c/Q-999", 5, T0)}
    items = entries(group_reports(reports), paused, {})
    assert [e.key for e in items][-1] == "c/Q-999"  # paused, no open report: last
    assert items[0].group is not None and items[0].group.members == 3
    pages = list_pages(items, locale)
    assert len(pages) > 3
    shown = [e.key for p in pages for e in p.entries]
    assert sorted(shown) == sorted(e.key for e in items)  # every question on exactly one page
    for i, page in enumerate(pages):
        embed = list_embed(pages, i, totals=(60, len(reports)), threshold=3, locale=locale)
        assert embed_problems(embed) == []
        view = list_view(pages, i, locale=locale)
        menu = view.children[0]
        assert isinstance(menu, discord.ui.Select)
        assert 1 <= len(menu.options) <= SELECT_OPTIONS
        assert [o.value for o in menu.options] == [ids.question_hash(e.key) for e in page.entries]
        buttons = [c for c in view.children if isinstance(c, discord.ui.Button)]
        assert [b.disabled for b in buttons] == [i == 0, i == len(pages) - 1]
        cids = [c.custom_id for c in view.children]  # type: ignore[attr-defined]
        assert len(set(cids)) == len(cids) and all(len(c) <= CUSTOM_ID for c in cids)
        assert all(re.fullmatch(ids.REPORTS_PAGE, c) or re.fullmatch(ids.REPORTS_PICK, c) for c in cids)
    empty = list_embed([], 0, totals=(0, 0), threshold=3, locale=locale)
    assert embed_problems(empty) == [] and list_view([], 0, locale=locale).children == []


@pytest.mark.parametrize("locale", [EN, ZH])
def test_a_questions_page_fits_and_its_buttons_name_it(locale: str) -> None:
    q = ten_options()
    reports = [report(n, q.key) for n in range(40)]
    (entry,) = entries(group_reports(reports), {q.key: PausedQuestion(1, q.key, 5, T0)}, {q.key: q})
    embed = detail_embed(entry, locale=locale)
    assert embed_problems(embed) == []
    assert "0123456789" in (embed.description or "")  # the commit it was reported at
    cids = [c.custom_id for c in detail_view(entry, 2, locale=locale).children]  # type: ignore[attr-defined]
    h = ids.question_hash(q.key)
    assert cids == [f"rep:resolve:{h}:2", f"rep:unpause:{h}:2", "rep:page:2"]
    assert all(re.fullmatch(ids.REPORTS_ACT, c) for c in cids[:2])
    (only_paused,) = entries([], {"gone/Q": PausedQuestion(1, "gone/Q", None, T0)}, {})
    view = detail_view(only_paused, 0, locale=locale)
    resolve = view.children[0]
    assert isinstance(resolve, discord.ui.Button) and resolve.disabled  # nothing open to resolve
    assert embed_problems(detail_embed(only_paused, locale=locale)) == []
