"""Question posts, answer feedback and the reveal, as embeds and components.

What a post or a reply shows of a question is rendered once per Question object and language
and kept (bot.render.cache): a live-count edit, the reveal and every click reuse it, and the
``*_async`` functions the cogs call build a missing one in a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.bank.model import Question
from bot.i18n import t
from bot.render import ids
from bot.render.cache import RenderCache, cache_key
from bot.render.discord_markdown import preview
from bot.render.dispute import dispute_lines
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    SELECT_DESCRIPTION,
    SELECT_LABEL,
    cut,
    fit,
    shares,
    shrink_to_total,
)
from bot.render.reports import FLAG_ROOM, flag_field, report_button
from bot.render.text import utf16_len

if TYPE_CHECKING:
    from discord.types.embed import Embed as EmbedData  # the JSON object of an embed

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


#: Room kept in a post for its footer (the live count) …
FOOTER_ROOM = 200
#: … and for the reveal's distribution field: its name, and per bar line (see `distribution`).
DISTRIBUTION_NAME = 64
BAR_LINE_ROOM = 60
MAX_BAR_LINES = 8  # choose-N: the most frequent letter sets
TOPICS_MAX = 256


@dataclass(frozen=True)
class PostParts:
    """A question post as rendered for one language, without what changes: footer and reveal."""

    title: str
    description: str
    fields: tuple[tuple[str, str], ...]  # (name, value): the options when long (not inline)
    topics: tuple[str, str] | None  # (name, value), an inline field


_POSTS: RenderCache[PostParts] = RenderCache("posts", 2048)


def post_parts(q: Question, locale: str) -> PostParts:
    """The post's parts, rendered once per Question object and language."""
    return _POSTS.get_or_build(q, cache_key(q, locale), lambda: build_post_parts(q, locale))


async def post_parts_async(q: Question, locale: str) -> PostParts:
    """`post_parts`, rendered in a worker thread when not cached yet."""
    return await _POSTS.get_or_build_off_loop(q, cache_key(q, locale), lambda: build_post_parts(q, locale))


def build_post_parts(q: Question, locale: str) -> PostParts:
    """Render a post (pure: runs in worker threads). Within every Discord limit with room for the
    footer and the distribution field, with all options (up to ten) however long they are."""
    title = cut(t("post.title", locale, id=q.id, difficulty=q.difficulty or "—"), EMBED_TITLE)
    topics = (t("post.topics", locale), cut(", ".join(q.topics), TOPICS_MAX)) if q.topics else None
    budget = EMBED_TOTAL - FOOTER_ROOM - distribution_room(q) - utf16_len(title)
    if topics is not None:
        budget -= utf16_len(topics[0]) + utf16_len(topics[1])
    choose = "\n\n**" + t("post.choose", locale, n=q.choose) + "**" if q.choose > 1 else ""
    stem = preview(q.stem, EMBED_DESCRIPTION)
    options = {letter: preview(text, EMBED_DESCRIPTION) for letter, text in q.options.items()}
    lines = []
    for letter, body in options.items():
        sep = "\n" if body.startswith("```") or "\n" in body else " "
        lines.append(f"**{letter}.**{sep}{body}")
    whole = f"{stem}{choose}\n\n" + "\n".join(lines)
    if utf16_len(whole) <= min(EMBED_DESCRIPTION, budget):
        return PostParts(title, whole, (), topics)
    # long options: the stem in the description, each option in a field of its own, everything
    # cut to an equal share of what is left when it does not all fit
    names = [f"{letter}." for letter in options]
    budget -= sum(utf16_len(name) for name in names) + utf16_len(choose)
    stem_size = min(utf16_len(stem), EMBED_DESCRIPTION - utf16_len(choose))
    option_sizes = [min(max(1, utf16_len(body)), FIELD_VALUE) for body in options.values()]
    # the stem keeps at least a quarter; the options share the rest, and give back what they leave
    stem_room = min(stem_size, max(budget // 4, budget - sum(option_sizes)))
    option_rooms = shares(option_sizes, budget - stem_room)
    stem_room = min(stem_size, budget - sum(option_rooms))
    description = fit(stem, stem_room, t("post.stem_cut", locale)) + choose
    fields = tuple(
        (name, fit(body, room, t("post.option_cut", locale)) or "—")
        for name, body, room in zip(names, options.values(), option_rooms, strict=True)
    )
    return PostParts(title, description.strip(), fields, topics)


def question_embed(
    q: Question,
    *,
    locale: str,
    kind: str,
    answered: int = 0,
    tally: Tally | None = None,
) -> discord.Embed:
    """The public (or private) post: id, difficulty, topics, stem, every option written out."""
    return _post_embed(post_parts(q, locale), q, locale=locale, kind=kind, answered=answered, tally=tally)


async def question_embed_async(
    q: Question,
    *,
    locale: str,
    kind: str,
    answered: int = 0,
    tally: Tally | None = None,
) -> discord.Embed:
    """`question_embed` for the cogs: the Markdown is rendered in a worker thread, once."""
    parts = await post_parts_async(q, locale)
    return _post_embed(parts, q, locale=locale, kind=kind, answered=answered, tally=tally)


def _post_embed(
    parts: PostParts, q: Question, *, locale: str, kind: str, answered: int, tally: Tally | None
) -> discord.Embed:
    """The embed from rendered parts: no Markdown is parsed here."""
    closed = tally is not None
    embed = discord.Embed(
        title=parts.title,
        colour=COLOR_CLOSED if closed else COLOR_OPEN,
        description=parts.description or None,
    )
    for name, value in parts.fields:
        embed.add_field(name=name, value=value, inline=False)
    if parts.topics is not None:
        embed.add_field(name=parts.topics[0], value=parts.topics[1], inline=True)
    if tally is not None:
        embed.add_field(
            name=cut(t("reveal.distribution", locale), DISTRIBUTION_NAME),
            value=distribution(q, tally, locale),
            inline=False,
        )
        embed.set_footer(text=cut(t("post.footer.closed", locale, count=tally.participants), FOOTER_ROOM))
    else:
        embed.set_footer(
            text=cut(
                t("post.footer.open", locale, count=answered, kind=t(f"post.kind.{kind}", locale)),
                FOOTER_ROOM,
            )
        )
    return embed


def distribution_room(q: Question) -> int:
    """The most the reveal's distribution field can take (name and value) for *q*."""
    lines = len(q.options) if q.choose == 1 else MAX_BAR_LINES
    return DISTRIBUTION_NAME + min(FIELD_VALUE, BAR_LINE_ROOM * lines + 220)


def distribution(q: Question, tally: Tally, locale: str) -> str:
    """Bars per letter (per letter set for choose-N), the right one marked, then totals."""
    if not tally.participants:
        return t("reveal.nobody", locale) + "\n" + t("reveal.answer", locale, letters=", ".join(q.answer))
    keys = (
        list(q.options)
        if q.choose == 1
        else sorted(tally.counts, key=lambda k: (-tally.counts[k], k))[:MAX_BAR_LINES]
    )
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
    bars = "```\n" + "\n".join(lines) + "\n```"
    room = min(FIELD_VALUE, BAR_LINE_ROOM * len(lines) + 220)  # within distribution_room(q)
    return cut(bars, room - 191) + "\n" + cut(f"{answer} · {summary}", 190)


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
    """The first line of an option that is not blank or a fence, as plain text for a select menu."""
    first = text
    for line in _lines(text):
        if line.strip() and not line.startswith("```"):
            first = line
            break
    return cut(cut(first, 4 * SELECT_LABEL).replace("`", "").replace("**", "").strip(), SELECT_LABEL)


def _lines(text: str, limit: int = 200) -> list[str]:
    """The first *limit* lines of *text* (without splitting the rest of it)."""
    out: list[str] = []
    pos = 0
    while len(out) < limit:
        end = text.find("\n", pos)
        if end < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:end])
        pos = end + 1
    return out


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
    #: Members reported a problem with the question in this server (bot/cogs/reports_service.py).
    flagged: bool = False


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
    key = (id(q), fb.chosen, fb.correct, locale)  # == cache_key(q, fb.chosen, fb.correct, locale)
    hit = _FEEDBACK_BODIES.get(key)
    if hit is not None and hit[0] is q:
        return _with_score(hit[1], fb, locale)
    body = _FEEDBACK.get_or_build(q, key, lambda: build_feedback_body(q, fb.chosen, fb.correct, locale))
    return _with_score(body, fb, locale)


async def feedback_payload_async(q: Question, fb: Feedback, *, locale: str) -> dict[str, Any]:
    """`feedback_payload` for the answer click: a hit is one dict lookup, as in the synchronous
    one; a miss is rendered in a worker thread (once, however many members click meanwhile)."""
    key = (id(q), fb.chosen, fb.correct, locale)
    hit = _FEEDBACK_BODIES.get(key)
    if hit is not None and hit[0] is q:
        return _with_score(hit[1], fb, locale)
    body = await _FEEDBACK.get_or_build_off_loop(
        q, key, lambda: build_feedback_body(q, fb.chosen, fb.correct, locale)
    )
    return _with_score(body, fb, locale)


def _with_score(body: EmbedData, fb: Feedback, locale: str) -> dict[str, Any]:
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
    # the cached body leaves FOOTER_ROOM for this line and FLAG_ROOM for the flag, so the whole
    # stays within Discord's total
    payload = dict(body)
    payload["footer"] = {"text": cut(footer, FOOTER_ROOM)}
    if fb.flagged:
        payload["fields"] = [*body.get("fields", ()), flag_field(locale)]
    return payload


# Every member who picks the same option of the same question gets the same text: it is
# rendered once per Question object (a reloaded bank renders anew) and language.
_FEEDBACK: RenderCache[EmbedData] = RenderCache("feedback", 4096)
_FEEDBACK_BODIES = _FEEDBACK.entries  # read directly on the click path: a hit is one dict lookup


def build_feedback_body(q: Question, chosen: str, correct: bool, locale: str) -> EmbedData:
    """The reply without its footer, as Discord's dict (pure: runs in worker threads)."""
    embed = _build_feedback_body(q, chosen, correct, locale)
    return shrink_to_total(embed, EMBED_TOTAL - FOOTER_ROOM - FLAG_ROOM).to_dict()


def _build_feedback_body(q: Question, chosen_letters: str, correct: bool, locale: str) -> discord.Embed:
    right = ", ".join(q.answer)
    chosen = ", ".join(chosen_letters)
    if correct:
        embed = discord.Embed(
            title=cut(t("answer.right", locale, letters=right), EMBED_TITLE), colour=COLOR_RIGHT
        )
    else:
        embed = discord.Embed(
            title=cut(t("answer.wrong", locale, chosen=chosen), EMBED_TITLE), colour=COLOR_WRONG
        )
    room = EMBED_DESCRIPTION - 900
    answer_lines = [t("answer.correct_is", locale, letters=right)]
    for letter in q.answer:
        answer_lines.append(f"**{letter}.** {preview(q.options[letter], room)}")
    parts = ["\n".join(answer_lines)]
    if not correct:
        for letter in chosen_letters:
            if letter in q.answer:
                continue
            why = q.rationales.get(letter)
            heading = f"**{t('answer.why_wrong', locale, letter=letter)}**"
            if why:
                parts.append(f"{heading}\n{preview(why, room)}")
            elif q.has_explanation:
                parts.append(f"{heading}\n{t('answer.no_rationale', locale, letter=letter)}")
    if not q.has_explanation:
        parts.append(t("answer.no_explanation", locale))
    embed.description = fit("\n\n".join(parts), room)
    why_right = [q.rationales[x] for x in q.answer if x in q.rationales]
    if why_right and q.has_explanation:
        embed.add_field(
            name=cut(t("answer.why_right", locale, letters=right), FIELD_NAME),
            value=fit(preview("\n\n".join(why_right), FIELD_VALUE), FIELD_VALUE) or "—",
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
    """The Explain and Report buttons under a reply (a stopped view: never stored, see
    ids.dispatched_by_template)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("answer.explain_button", locale),
            emoji="📖",
            style=discord.ButtonStyle.primary,
            custom_id=ids.explain_post(post_id),
        )
    )
    view.add_item(report_button(ids.report_post(post_id), locale))
    return ids.dispatched_by_template(view)
