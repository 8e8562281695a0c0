"""Members report a broken question (docs/reports.md): the Report button under an answer reply and
on /explain pages opens a modal — what is wrong (a menu) and a note — and the report is stored,
then posted in the server's reports channel. The rules (one open report per member and question, the
rate limit, the note's length) are bot.core.reports' and storage's; the rest is
`bot.services.reports` (bot/cogs/reports_service.py). /quizadmin reports is bot/cogs/admin/reports.py.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.bank.model import Question
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.core.reports import NOTE_MAX, RATE_LIMIT, REPORT_KINDS, check_kind, check_note
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.limits import cut
from bot.render.reports import kind_label, when

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

MODAL_TITLE = 45  # Discord's limits in a modal: its title, a label's text
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
#: How long an unsent report form is kept (then its submission would be refused).
MODAL_TIMEOUT = 30 * 60


class ReportPostButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.REPORT_POST):
    """Report, under an answer reply: the post names the question."""

    def __init__(self, post_id: int) -> None:
        super().__init__(discord.ui.Button(custom_id=ids.report_post(post_id)))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReportPostButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = client_of(interaction)
        post = await bot.services.quiz.get_post(self.post_id)
        question = bot.bank.get(post.question_key) if post is not None else None
        await open_form(interaction, question)


class ReportQuestionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.REPORT_QUESTION):
    """Report, on an /explain page: the question's short hash names it."""

    def __init__(self, qhash: str) -> None:
        super().__init__(discord.ui.Button(custom_id=f"rep:q:{qhash}"))
        self.qhash = qhash

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReportQuestionButton:
        return cls(match["q"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await open_form(interaction, client_of(interaction).bank.by_hash.get(self.qhash))


async def open_form(interaction: discord.Interaction, question: Question | None) -> None:
    """The report modal, unless the question is gone or the member's report on it is still open."""
    locale = locale_of(interaction.locale)
    guild_id = interaction.guild_id
    if guild_id is None:
        await reply(interaction, t("error.guild_only", locale))
        return
    if question is None:
        await reply(interaction, t("answer.gone", locale))
        return
    mine = [
        r
        for r in await client_of(interaction).storage.open_reports(guild_id, question.key)
        if r.user_id == interaction.user.id
    ]
    if mine:
        await reply(interaction, t("report.duplicate", locale, id=question.id, when=when(mine[0].created_at)))
        return
    await interaction.response.send_modal(ReportForm(question, locale))


class ReportForm(discord.ui.Modal):
    """What is wrong (a menu: every kind; no "explanation wrong" for a question without one), a
    note of at most NOTE_MAX characters, and how to hear back."""

    def __init__(self, question: Question, locale: str) -> None:
        super().__init__(
            title=cut(t("report.modal_title", locale, id=question.id), MODAL_TITLE),
            timeout=MODAL_TIMEOUT,
            custom_id=f"report:{ids.question_hash(question.key)}:{os.urandom(6).hex()}",
        )
        self.question = question
        kinds = [k for k in REPORT_KINDS if k != "explanation" or question.has_explanation]
        self.kind: discord.ui.Select[ReportForm] = discord.ui.Select(
            custom_id="report:kind",
            placeholder=t("report.kind_placeholder", locale),
            options=[discord.SelectOption(label=kind_label(k, locale), value=k) for k in kinds],
            min_values=1,
            max_values=1,
            required=True,
        )
        self.note: discord.ui.TextInput[ReportForm] = discord.ui.TextInput(
            custom_id="report:note",
            style=discord.TextStyle.paragraph,
            placeholder=cut(t("report.note_placeholder", locale), 100),
            max_length=NOTE_MAX,
            required=True,
        )
        self.notify: discord.ui.Select[ReportForm] = discord.ui.Select(
            custom_id="report:notify",
            options=[
                discord.SelectOption(label=t("report.notify_here", locale), value="here", default=True),
                discord.SelectOption(label=t("report.notify_dm", locale), value="dm"),
            ],
            min_values=0,
            max_values=1,
            required=False,
        )
        description = cut(t("report.note_description", locale, max=f"{NOTE_MAX:,}"), LABEL_DESCRIPTION)
        self.add_item(
            discord.ui.Label(text=cut(t("report.kind_label", locale), LABEL_TEXT), component=self.kind)
        )
        self.add_item(
            discord.ui.Label(
                text=cut(t("report.note_label", locale), LABEL_TEXT),
                description=description,
                component=self.note,
            )
        )
        self.add_item(
            discord.ui.Label(text=cut(t("report.notify_label", locale), LABEL_TEXT), component=self.notify)
        )

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await submit(interaction, self.question, self.kind.values, self.note.value, self.notify.values)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]  # (Modal narrows BaseView's)
        log.error("a report on %s failed", self.question.key, exc_info=error)
        await reply(interaction, t("error.generic", locale_of(interaction.locale)))


async def submit(
    interaction: discord.Interaction, question: Question, kinds: list[str], text: str, notify: list[str]
) -> None:
    """Check the form (a clear message for a bad one, and nothing stored), store the report, thank
    the member (or say kindly why not), then tell the reports channel."""
    locale = locale_of(interaction.locale)
    bot = client_of(interaction)
    guild_id = interaction.guild_id
    assert guild_id is not None  # (the button is only on server messages)
    kind = check_kind(kinds[0] if kinds else None)
    if kind is None:
        await reply(interaction, t("report.bad_kind", locale))
        return
    note, problem = check_note(text)
    if problem == "empty":
        await reply(interaction, t("report.note_empty", locale))
        return
    if problem == "too_long":
        await reply(
            interaction, t("report.note_too_long", locale, length=f"{len(note):,}", max=f"{NOTE_MAX:,}")
        )
        return
    reports = bot.services.reports
    try:
        outcome = await reports.file(
            guild_id, question, interaction.user, kind, note, notify_dm="dm" in notify, locale=locale
        )
    except Exception:  # the database is locked past its timeout, the disk is full, ...
        log.exception("could not store the report of %s on %s", interaction.user.id, question.key)
        await reply(interaction, t("report.not_saved", locale))
        return
    if outcome.status == "duplicate" and outcome.report is not None:
        await reply(
            interaction, t("report.duplicate", locale, id=question.id, when=when(outcome.report.created_at))
        )
        return
    if outcome.status == "rate_limited" and outcome.retry_at is not None:
        await reply(interaction, t("report.rate_limited", locale, n=RATE_LIMIT, when=when(outcome.retry_at)))
        return
    assert outcome.report is not None
    how = "report.thanks_dm" if outcome.report.notify_dm else "report.thanks_here"
    thanks = t("report.thanks", locale, id=question.id, kind=kind_label(kind, locale)) + "\n" + t(how, locale)
    await interaction.response.send_message(thanks, ephemeral=True, allowed_mentions=NO_MENTIONS)
    await reports.tell_channel(outcome.report, question, bot.services.quiz.public_locale(interaction))


class Reports(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReportPostButton, ReportQuestionButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReportPostButton, ReportQuestionButton)
        self.bot.services.reports.stop()


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Reports(bot))
