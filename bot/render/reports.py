"""What reports look like (docs/reports.md): the flag members see on a reported question, the
message in the server's reports channel, the reply a reporter gets, and the pages of
`/quizadmin reports` (open reports grouped by question, paged with bot.render.paginate) with a
question's own page and its buttons. Handlers are DynamicItems in bot/cogs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from bot.bank.model import Question
from bot.core.reports import PausedQuestion, Report, ReportGroup, ReportKind
from bot.i18n import t
from bot.render import ids
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    FIELD_VALUE,
    FOOTER,
    MESSAGE,
    SELECT_DESCRIPTION,
    SELECT_LABEL,
    SELECT_OPTIONS,
    cut,
    fit,
    shrink_to_total,
)
from bot.render.paginate import paginate
from bot.render.scores import member_name

COLOR = discord.Colour.orange()
#: The room a feedback body keeps for the flag field (bot/render/question.py).
FLAG_ROOM = 200
#: A page of /quizadmin reports holds this much text (so its question menu stays short).
PAGE_TEXT = 1800
NOTES_PER_BLOCK = 2
NOTE_PREVIEW = 120
_BLOCK_START = re.compile(r"^\*\*(\d+)\.", re.MULTILINE)


def kind_label(kind: ReportKind, locale: str) -> str:
    return t(f"report.kind.{kind}", locale)


def when(instant: datetime) -> str:
    return discord.utils.format_dt(instant, "R")


def where(q: Question | None) -> str:
    """`path:line` of a question in the bank (line 1 is the file alone)."""
    if q is None:
        return "?"
    return f"{q.path}:{q.line}" if q.line > 1 else q.path


def quoted(text: str, limit: int) -> str:
    """A member's text as a quote, without Markdown or mentions of its own, on one line each."""
    clean = discord.utils.escape_mentions(discord.utils.escape_markdown(cut(text, limit)))
    return "\n".join("> " + line for line in clean.splitlines() or [""])


def question_name(key: str, q: Question | None) -> str:
    return q.id if q is not None else key


# --- what members see -------------------------------------------------------------------------


def flag_field(locale: str) -> dict[str, Any]:
    """The embed field a flagged question's feedback and /explain carry (fits in FLAG_ROOM)."""
    return {"name": "⚠️", "value": cut(t("report.flagged", locale), FIELD_VALUE), "inline": False}


def with_flag(embed: discord.Embed, locale: str) -> discord.Embed:
    """`embed` with the flag field added (and cut to Discord's total when it must)."""
    field = flag_field(locale)
    embed.add_field(name=field["name"], value=field["value"], inline=False)
    return shrink_to_total(embed)


def report_button(custom_id: str, locale: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=t("report.button", locale),
        emoji="🚩",
        style=discord.ButtonStyle.secondary,
        custom_id=custom_id,
    )


def notice(replies: Sequence[tuple[Report, Question | None]], server: str, locale: str) -> str:
    """What a reporter is told once their reports are resolved (one message, within 2,000)."""
    name = discord.utils.escape_markdown(discord.utils.escape_mentions(cut(server, 80)))
    room = max(200, (MESSAGE - 40) // max(1, len(replies)))
    parts = [
        cut(
            t("report.notice", locale, id=question_name(r.question_key, q), server=name)
            + "\n"
            + quoted(r.resolution or "—", room - 120),
            room,
        )
        for r, q in replies
    ]
    return cut("\n\n".join(parts), MESSAGE)


def channel_message(report: Report, q: Question | None, open_count: int, locale: str) -> str:
    """The message in the reports channel (sent with mentions off): who, which question, where in
    the bank, what is wrong, and the commands to read it and act."""
    who = f"{member_name(report.display_name, locale)} (<@{report.user_id}>)"
    head = t(
        "report.channel_head",
        locale,
        member=who,
        id=question_name(report.question_key, q),
        where=where(q),
        kind=kind_label(report.kind, locale),
    )
    tail = t("report.channel_tail", locale, count=open_count, key=report.question_key)
    room = MESSAGE - len(head) - len(tail) - 8
    return f"{head}\n{quoted(report.note, max(100, room))}\n{tail}"


# --- /quizadmin reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A line of the list: a question with open reports, or a paused one without."""

    key: str
    question: Question | None
    group: ReportGroup | None
    paused: PausedQuestion | None


@dataclass(frozen=True)
class ListPage:
    text: str
    entries: tuple[Entry, ...]  # the questions whose block starts on this page


def entries(
    groups: Sequence[ReportGroup], paused: Mapping[str, PausedQuestion], bank: Mapping[str, Question | None]
) -> list[Entry]:
    """The most reported questions first, then the paused questions with no open report."""
    out = [Entry(g.question_key, bank.get(g.question_key), g, paused.get(g.question_key)) for g in groups]
    reported = {g.question_key for g in groups}
    out += [Entry(k, bank.get(k), None, p) for k, p in paused.items() if k not in reported]
    return out


def _block(n: int, e: Entry, locale: str) -> str:
    name = discord.utils.escape_markdown(question_name(e.key, e.question))
    head = t("report.block_head", locale, n=n, id=name, where=where(e.question) if e.question else e.key)
    if e.question is None:
        head += " · " + t("report.gone", locale)
    if e.paused is not None:
        head += " · " + t("report.block_paused", locale)
    lines = [head]
    if e.group is None:
        lines.append(
            t("report.block_paused_only", locale, when=when(e.paused.paused_at) if e.paused else "—")
        )
        return "\n".join(lines)
    g = e.group
    kinds = ", ".join(f"{kind_label(k, locale)} ×{c}" for k, c in g.kinds())
    lines.append(
        t(
            "report.block_counts",
            locale,
            members=g.members,
            reports=len(g.reports),
            kinds=kinds,
            when=when(g.latest),
        )
    )
    for r in g.reports[:NOTES_PER_BLOCK]:
        lines.append(f"> **{member_name(r.display_name, locale)}**: " + quoted(r.note, NOTE_PREVIEW)[2:])
    return "\n".join(lines)


def list_pages(items: Sequence[Entry], locale: str) -> list[ListPage]:
    """The list as pages of Markdown (bot.render.paginate breaks between questions), each with the
    questions it shows."""
    if not items:
        return []
    text = "\n\n".join(_block(n, e, locale) for n, e in enumerate(items, start=1))
    pages = []
    for page in paginate(text, PAGE_TEXT):
        numbers = [int(m.group(1)) for m in _BLOCK_START.finditer(page)]
        pages.append(ListPage(page, tuple(items[n - 1] for n in numbers if 0 < n <= len(items))))
    return pages


def list_embed(
    pages: Sequence[ListPage], index: int, *, totals: tuple[int, int], threshold: int, locale: str
) -> discord.Embed:
    """Page `index` (clamped) of the list; `totals` = (questions, open reports)."""
    if not pages:
        return discord.Embed(
            title=t("report.list_title_empty", locale),
            description=t("report.list_empty", locale),
            colour=COLOR,
        )
    index = max(0, min(index, len(pages) - 1))
    embed = discord.Embed(
        title=cut(t("report.list_title", locale, page=index + 1, pages=len(pages)), EMBED_TITLE),
        description=fit(pages[index].text, EMBED_DESCRIPTION),
        colour=COLOR,
    )
    questions, reports = totals
    embed.set_footer(
        text=cut(
            t("report.list_footer", locale, questions=questions, reports=reports, threshold=threshold), FOOTER
        )
    )
    return embed


def list_view(pages: Sequence[ListPage], index: int, *, locale: str) -> discord.ui.View:
    """The question menu of the page and Previous/Next."""
    view = discord.ui.View(timeout=None)
    if not pages:
        return ids.dispatched_by_template(view)
    index = max(0, min(index, len(pages) - 1))
    options = [
        discord.SelectOption(
            label=cut(question_name(e.key, e.question), SELECT_LABEL),
            value=ids.question_hash(e.key),
            description=cut(_option_line(e, locale), SELECT_DESCRIPTION) or None,
        )
        for e in pages[index].entries[:SELECT_OPTIONS]
    ]
    if options:
        view.add_item(
            discord.ui.Select(
                custom_id=ids.reports_pick(index),
                placeholder=t("report.pick_placeholder", locale),
                options=options,
                row=0,
            )
        )
    for step, key, emoji in ((-1, "report.prev", "◀️"), (1, "report.next", "▶️")):
        target = index + step
        view.add_item(
            discord.ui.Button(
                label=t(key, locale),
                emoji=emoji,
                custom_id=ids.reports_page(max(0, target)),
                disabled=not 0 <= target < len(pages),
                row=1,
            )
        )
    return ids.dispatched_by_template(view)


def _option_line(e: Entry, locale: str) -> str:
    if e.group is None:
        return t("report.block_paused", locale)
    kinds = ", ".join(kind_label(k, locale) for k, _ in e.group.kinds())
    return t("report.option_line", locale, members=e.group.members, kinds=kinds)


def detail_embed(e: Entry, *, locale: str) -> discord.Embed:
    """A question's page: where it is, its open reports (who, what, when, the note), paused or not."""
    name = question_name(e.key, e.question)
    members = e.group.members if e.group else 0
    embed = discord.Embed(
        title=cut(t("report.detail_title", locale, id=name, members=members), EMBED_TITLE), colour=COLOR
    )
    lines = []
    if e.question is not None:
        lines.append(cut(e.question.stem.strip().splitlines()[0] if e.question.stem.strip() else "", 200))
    commits = sorted({r.bank_commit[:10] for r in e.group.reports if r.bank_commit}) if e.group else []
    lines.append(
        t(
            "report.detail_where",
            locale,
            where=where(e.question) if e.question else t("report.gone", locale),
            key=e.key,
        )
        + (" · " + t("report.detail_commits", locale, commits=", ".join(commits)) if commits else "")
    )
    if e.paused is not None:
        lines.append(t("report.detail_paused", locale, when=when(e.paused.paused_at)))
    lines.append("")
    if e.group is None:
        lines.append(t("report.detail_none", locale))
    else:
        for r in e.group.reports:
            dm = " · ✉️" if r.notify_dm else ""
            lines.append(
                t(
                    "report.detail_line",
                    locale,
                    member=member_name(r.display_name, locale),
                    kind=kind_label(r.kind, locale),
                    when=when(r.created_at),
                )
                + dm
            )
            lines.append(quoted(r.note, 400))
    embed.description = fit("\n".join(lines), EMBED_DESCRIPTION)
    return embed


def detail_view(e: Entry, page: int, *, locale: str) -> discord.ui.View:
    """Resolve (with a reply), Pause or Unpause in this server, Back to the list."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("report.resolve_button", locale),
            emoji="✅",
            style=discord.ButtonStyle.success,
            custom_id=ids.reports_act("resolve", e.key, page),
            disabled=e.group is None,
        )
    )
    paused = e.paused is not None
    view.add_item(
        discord.ui.Button(
            label=t("report.unpause_button" if paused else "report.pause_button", locale),
            emoji="▶️" if paused else "⏸️",
            style=discord.ButtonStyle.secondary,
            custom_id=ids.reports_act("unpause" if paused else "pause", e.key, page),
        )
    )
    view.add_item(
        discord.ui.Button(label=t("report.back", locale), emoji="↩️", custom_id=ids.reports_page(page))
    )
    return ids.dispatched_by_template(view)
