"""Question posts, answer feedback and the reveal, as embeds and components."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.bank.model import Question
from bot.i18n import t
from bot.render import ids
from bot.render.dispute import dispute_lines
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_TOTAL,
    FIELD_VALUE,
    SELECT_DESCRIPTION,
    SELECT_LABEL,
    cut,
    fit,
    shrink_to_total,
)
from bot.render.markdown import to_discord
from bot.render.text import utf16_len

COLOR_OPEN = discord.Colour.blurple()
COLOR_CLOSED = discord.Colour.dark_grey()
COLOR_RIGHT = discord.Colour.green()
COLOR_WRONG = discord.Colour.red()
BAR_WIDTH = 12


@dataclass(frozen=True)
class Tally:
    """What the reveal shows: answers per letter choice ("A", or "AD" for choose-2)."""

    counts: Mapping[str, int]
    participants: int
    correct: int

    @property
    def accuracy(self) -> int:
        return round(100 * self.correct / self.participants) if self.participants else 0


def _options_text(q: Question, per_option: int | None = None) -> str:
    lines = []
    for letter, text in q.options.items():
        body = to_discord(text)
        if per_option is not None:
            body = fit(body, per_option)
        sep = "\n" if body.startswith("```") or "\n" in body else " "
        lines.append(f"**{letter}.**{sep}{body}")
    return "\n".join(lines)


def question_embed(
    q: Question,
    *,
    locale: str,
    kind: str,
    answered: int = 0,
    tally: Tally | None = None,
) -> discord.Embed:
    """The public (or private) post: id, difficulty, topics, stem, every option written out."""
    closed = tally is not None
    title = cut(t("post.title", locale, id=q.id, difficulty=q.difficulty or "—"), 256)
    stem = to_discord(q.stem)
    if q.choose > 1:
        stem += "\n\n**" + t("post.choose", locale, n=q.choose) + "**"
    options = _options_text(q)
    embed = discord.Embed(title=title, colour=COLOR_CLOSED if closed else COLOR_OPEN)
    if utf16_len(stem) + utf16_len(options) + 2 <= EMBED_DESCRIPTION:
        embed.description = f"{stem}\n\n{options}"
    else:
        # long options: the stem in the description, each option in a field of its own
        embed.description = fit(stem, EMBED_DESCRIPTION - 200, t("post.stem_cut", locale))
        for letter, text in q.options.items():
            embed.add_field(
                name=f"{letter}.",
                value=fit(to_discord(text), FIELD_VALUE, t("post.option_cut", locale)),
                inline=False,
            )
    if q.topics:
        embed.add_field(
            name=t("post.topics", locale), value=cut(", ".join(q.topics), FIELD_VALUE), inline=True
        )
    if tally is not None:
        embed.add_field(
            name=t("reveal.distribution", locale), value=distribution(q, tally, locale), inline=False
        )
        embed.set_footer(text=t("post.footer.closed", locale, count=tally.participants))
    else:
        embed.set_footer(
            text=t("post.footer.open", locale, count=answered, kind=t(f"post.kind.{kind}", locale))
        )
    return shrink_to_total(embed)


def distribution(q: Question, tally: Tally, locale: str) -> str:
    """Bars per letter (per letter set for choose-N), the right one marked, then totals."""
    if not tally.participants:
        return t("reveal.nobody", locale) + "\n" + t("reveal.answer", locale, letters=", ".join(q.answer))
    keys = list(q.options) if q.choose == 1 else sorted(tally.counts, key=lambda k: (-tally.counts[k], k))[:8]
    right = "".join(q.answer)
    lines = []
    for key in keys:
        n = tally.counts.get(key, 0)
        pct = round(100 * n / tally.participants)
        filled = round(BAR_WIDTH * n / tally.participants)
        mark = "✅" if key == right else "  "
        label = key if q.choose == 1 else ",".join(key)
        lines.append(f"{label:<5}{'█' * filled}{'░' * (BAR_WIDTH - filled)} {n:>4} {pct:>3}% {mark}")
    summary = t("reveal.summary", locale, participants=tally.participants, accuracy=tally.accuracy)
    answer = t("reveal.answer", locale, letters=", ".join(q.answer))
    return cut("```\n" + "\n".join(lines) + "\n```", FIELD_VALUE - 200) + f"\n{answer} · {summary}"


def answer_view(q: Question, post_id: int, *, locale: str, closed: bool = False) -> discord.ui.View:
    """One button per letter (or a select for choose-N). Handlers are DynamicItems in bot/cogs."""
    view = discord.ui.View(timeout=None)
    if q.choose == 1:
        for letter in q.options:
            style = discord.ButtonStyle.secondary
            if closed and letter in q.answer:
                style = discord.ButtonStyle.success
            view.add_item(
                discord.ui.Button(
                    label=letter, style=style, custom_id=ids.answer(post_id, letter), disabled=closed
                )
            )
    else:
        select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id=ids.multi(post_id),
            placeholder=t("post.pick_placeholder", locale, n=q.choose),
            min_values=q.choose,
            max_values=q.choose,
            disabled=closed,
            options=[
                discord.SelectOption(
                    label=letter, value=letter, description=cut(_plain_line(text), SELECT_DESCRIPTION) or None
                )
                for letter, text in q.options.items()
            ],
        )
        view.add_item(select)
    return ids.dispatched_by_template(view)


def _plain_line(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("```")), text)
    return cut(first.replace("`", "").replace("**", "").strip(), SELECT_LABEL)


@dataclass(frozen=True)
class Feedback:
    """What the member who answered learns (built by the cog from the storage outcome)."""

    chosen: str  # letters, e.g. "A" or "AD"
    correct: bool
    points: int
    total_points: int
    streak: int
    best_streak: int
    kind: str  # "daily" | "practice"


def feedback_embed(q: Question, fb: Feedback, *, locale: str) -> discord.Embed:
    """The ephemeral reply: right or wrong, the right option, why the chosen one is wrong, traps, score."""
    return discord.Embed.from_dict(feedback_payload(q, fb, locale=locale))


class PreparedEmbed(discord.Embed):
    """An embed whose payload is already built: sent as is, without a round trip through
    Embed's attributes. Only `to_dict` is meaningful."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._payload = payload

    def to_dict(self) -> Any:
        return self._payload


class PreparedView(discord.ui.View):
    """A view whose components are already built, every one handled by a DynamicItem: stopped,
    so discord.py neither stores nor dispatches it (see ids.dispatched_by_template)."""

    def __init__(self, components: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        self._components = components
        self.stop()

    def to_components(self) -> list[dict[str, Any]]:
        return self._components


def feedback_payload(q: Question, fb: Feedback, *, locale: str) -> dict[str, Any]:
    """`feedback_embed` as the dict Discord receives (the cached body plus this member's score)."""
    if fb.kind == "practice" and fb.correct and fb.points == 0:
        footer = t("answer.score_practice_repeat", locale, total=fb.total_points)
    else:
        footer = t(
            "answer.score",
            locale,
            points=fb.points,
            total=fb.total_points,
            streak=fb.streak,
            best=fb.best_streak,
        )
    # the cached body leaves FOOTER_ROOM for this line, so the whole stays within Discord's total
    payload = dict(_feedback_body(q, fb.chosen, fb.correct, locale))
    payload["footer"] = {"text": cut(footer, FOOTER_ROOM)}
    return payload


FOOTER_ROOM = 200


# Rendering an explanation costs milliseconds (Markdown parsing); every member who picks the
# same option of the same question gets the same text, so it is rendered once. Keyed by the
# Question object's identity (checked, as ids can be reused) so a reloaded bank renders anew.
_BODY_CACHE: dict[tuple[int, str, bool, str], tuple[Question, dict[str, object]]] = {}
_BODY_CACHE_MAX = 4096


def _feedback_body(q: Question, chosen: str, correct: bool, locale: str) -> dict[str, object]:
    key = (id(q), chosen, correct, locale)
    hit = _BODY_CACHE.get(key)
    if hit is not None and hit[0] is q:
        return hit[1]
    body = shrink_to_total(
        _build_feedback_body(q, chosen, correct, locale), EMBED_TOTAL - FOOTER_ROOM
    ).to_dict()
    if len(_BODY_CACHE) >= _BODY_CACHE_MAX:
        _BODY_CACHE.pop(next(iter(_BODY_CACHE)))
    _BODY_CACHE[key] = (q, body)
    return body


def _build_feedback_body(q: Question, chosen_letters: str, correct: bool, locale: str) -> discord.Embed:
    right = ", ".join(q.answer)
    chosen = ", ".join(chosen_letters)
    if correct:
        embed = discord.Embed(title=t("answer.right", locale, letters=right), colour=COLOR_RIGHT)
    else:
        embed = discord.Embed(title=t("answer.wrong", locale, chosen=chosen), colour=COLOR_WRONG)
    answer_lines = [t("answer.correct_is", locale, letters=right)]
    for letter in q.answer:
        answer_lines.append(f"**{letter}.** {to_discord(q.options[letter])}")
    parts = ["\n".join(answer_lines)]
    if not correct:
        for letter in chosen_letters:
            if letter in q.answer:
                continue
            why = q.rationales.get(letter)
            heading = f"**{t('answer.why_wrong', locale, letter=letter)}**"
            if why:
                parts.append(f"{heading}\n{to_discord(why)}")
            elif q.has_explanation:
                parts.append(f"{heading}\n{t('answer.no_rationale', locale, letter=letter)}")
    if not q.has_explanation:
        parts.append(t("answer.no_explanation", locale))
    embed.description = fit("\n\n".join(parts), EMBED_DESCRIPTION - 900)
    why_right = [q.rationales[x] for x in q.answer if x in q.rationales]
    if why_right and q.has_explanation:
        embed.add_field(
            name=t("answer.why_right", locale, letters=right),
            value=fit(to_discord("\n\n".join(why_right)), FIELD_VALUE),
            inline=False,
        )
    if q.traps:
        embed.add_field(
            name=t("answer.traps", locale),
            value=cut(", ".join(f"`{x}`" for x in q.traps), FIELD_VALUE),
            inline=False,
        )
    if q.disputed:
        embed.add_field(
            name="⚠️",
            value=cut("\n".join(dispute_lines(q, locale)), FIELD_VALUE),
            inline=False,
        )
    return embed


_COMPONENTS_CACHE: dict[tuple[int, str], list[dict[str, Any]]] = {}


def feedback_components(post_id: int, *, locale: str) -> list[dict[str, Any]]:
    """`feedback_view` as the components Discord receives; built once per post and language
    (shared between replies: not to be modified)."""
    key = (post_id, locale)
    cached = _COMPONENTS_CACHE.get(key)
    if cached is None:
        if len(_COMPONENTS_CACHE) >= 2048:
            _COMPONENTS_CACHE.pop(next(iter(_COMPONENTS_CACHE)))
        cached = _COMPONENTS_CACHE[key] = feedback_view(post_id, locale=locale).to_components()
    return cached


def feedback_view(post_id: int, *, locale: str) -> discord.ui.View:
    """The Explain button under a reply (a stopped view: never stored, see ids.dispatched_by_template)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("answer.explain_button", locale),
            emoji="📖",
            style=discord.ButtonStyle.primary,
            custom_id=ids.explain_post(post_id),
        )
    )
    return ids.dispatched_by_template(view)
