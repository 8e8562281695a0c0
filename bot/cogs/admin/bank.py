"""`/quizadmin reload` (the bot's owners) and `/quizadmin bank`: the question bank, reloaded and
described. The reload itself is the BankService's (bot/cogs/bank_service.py)."""

from __future__ import annotations

from collections import Counter

import discord

from bot.bank import Bank, Problem
from bot.cogs.admin.base import AdminPart, quizadmin
from bot.cogs.bank_service import BankStatus, ReloadReport
from bot.cogs.common import reply
from bot.i18n import locale_of, t
from bot.render.limits import MESSAGE, cut
from bot.render.text import in_code_span as code
from bot.render.text import one_line as plain


class BankCommands(AdminPart):
    @quizadmin.command(
        name="reload", description="Re-read the question bank (pulling it first when it comes from Git)"
    )
    async def reload(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.services.bank.reload_everywhere()
        await reply(interaction, reload_text(report, locale))

    @quizadmin.command(name="bank", description="The question bank: counts and problems")
    async def bank(self, interaction: discord.Interaction) -> None:
        await reply(
            interaction, bank_text(self.bot.bank, self.services.bank.status, locale_of(interaction.locale))
        )


def _more(shown: int, total: int, locale: str) -> str:
    return t("admin.more", locale, n=total - shown) if total > shown else ""


def reload_text(report: ReloadReport, locale: str) -> str:
    """What a reload did: the Git update, the questions added, changed and removed, the files kept
    at their last good version and the files that failed."""
    lines: list[str] = []
    if report.git is not None:
        lines.append(t("admin.reload_git", locale, result=report.git.describe()))
    if report.git_error is not None:
        lines.append(t("admin.reload_git_failed", locale, reason=report.git_error, n=report.old_count))
        return "\n".join(lines)
    bank = report.bank
    assert bank is not None
    if not report.swapped:
        lines.append(t("admin.reload_empty", locale, n=report.old_count))
    else:
        counts = {"added": len(report.added), "changed": len(report.changed), "removed": len(report.removed)}
        lines.append(t("admin.reload_done", locale, n=len(bank.questions), **counts))
        for label, keys in (
            ("admin.reload_added", report.added),
            ("admin.reload_changed", report.changed),
            ("admin.reload_removed", report.removed),
        ):
            if keys:
                shown = ", ".join(f"`{k}`" for k in keys[:15])
                lines.append(f"{t(label, locale)} {shown}{_more(15, len(keys), locale)}")
    if bank.kept:
        files = ", ".join(f"`{code(path)}`" for path in list(bank.kept)[:8])
        lines.append(t("admin.reload_kept", locale, files=files + _more(8, len(bank.kept), locale)))
    errors = bank.errors
    if errors:
        lines.append(t("admin.reload_failed_files", locale, n=len(errors)))
        lines += [f"- `{code(p.path)}:{p.line}` {plain(cut(p.reason, 160))}" for p in errors[:12]]
        if len(errors) > 12:
            lines.append(t("admin.more", locale, n=len(errors) - 12))
    return cut("\n".join(lines), MESSAGE)


def bank_text(bank: Bank, status: BankStatus, locale: str) -> str:
    """The bank in one message: counts, where it comes from, then as many of its problems and
    skipped files as fit."""
    lines = _bank_summary(bank, locale) + _git_lines(status, locale)
    lines += _problem_lines(bank, MESSAGE - sum(len(x) + 1 for x in lines) - 80, locale)
    lines += _skipped_lines(bank, MESSAGE - sum(len(x) + 1 for x in lines) - 80, locale)
    return cut("\n".join(lines), MESSAGE)


def _bank_summary(bank: Bank, locale: str) -> list[str]:
    qs = bank.questions

    def counts(counter: Counter[str], limit: int) -> str:
        items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        text = ", ".join(f"{k} {v}" for k, v in items[:limit]) or "—"
        return text + (f", … (+{len(items) - limit})" if len(items) > limit else "")

    lines = [t("admin.bank_empty", locale)] if not qs else []
    return [
        *lines,
        t(
            "admin.bank_summary",
            locale,
            n=len(qs),
            files=bank.files_read,
            copies=bank.copies_merged,
            skipped=len(bank.skipped),
            errors=len(bank.errors),
            warnings=len(bank.problems) - len(bank.errors),
        ),
        f"{t('admin.bank_collections', locale)} {counts(Counter(q.collection or '(root)' for q in qs), 8)}",
        f"{t('admin.bank_difficulty', locale)} {counts(Counter(q.difficulty or '—' for q in qs), 6)}",
        f"{t('admin.bank_topics', locale)} {counts(bank.topic_counts(), 12)}",
    ]


def _git_lines(status: BankStatus, locale: str) -> list[str]:
    if status.git is None:
        return []
    lines = [t("admin.bank_git", locale, source=status.git.describe())]
    if status.last_sync is not None and status.last_sync_at is not None:
        when = discord.utils.format_dt(status.last_sync_at, "R")
        lines.append(t("admin.bank_git_synced", locale, result=status.last_sync.describe(), when=when))
    if status.last_error is not None and status.last_error_at is not None:
        when = discord.utils.format_dt(status.last_error_at, "R")
        lines.append(t("admin.bank_git_error", locale, reason=status.last_error, when=when))
    return lines


def _problem_lines(bank: Bank, budget: int, locale: str) -> list[str]:
    """The errors first, then the warnings, as many as `budget` characters hold."""
    problems: list[Problem] = bank.errors + [p for p in bank.problems if p.severity != "error"]
    if not problems:
        return []
    lines = [t("admin.bank_problems", locale)]
    budget -= len(lines[0]) + 1
    shown = 0
    for p in problems:
        mark = "❌" if p.severity == "error" else "⚠️"
        line = f"- {mark} `{code(p.path)}:{p.line}` {plain(cut(p.reason, 150))}"
        if len(line) + 1 > budget:
            break
        lines.append(line)
        budget -= len(line) + 1
        shown += 1
    if shown < len(problems):
        lines.append(t("admin.more", locale, n=len(problems) - shown))
    return lines


def _skipped_lines(bank: Bank, budget: int, locale: str) -> list[str]:
    """The files skipped (and why), as many as `budget` characters hold; nothing if none fits."""
    header = t("admin.bank_skipped", locale)
    shown: list[str] = []
    for s in bank.skipped:
        line = f"- ⏭️ `{code(s.path)}` {plain(cut(s.reason, 100))}"
        if len(line) + len(header) + 2 > budget:
            break
        shown.append(line)
        budget -= len(line) + 1
    if not shown:
        return []
    more = (
        [t("admin.more", locale, n=len(bank.skipped) - len(shown))] if len(shown) < len(bank.skipped) else []
    )
    return [header, *shown, *more]
