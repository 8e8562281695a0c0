"""`quizbot practice`: the quiz in a terminal, without Discord or a token.

The same engine as /quiz: questions are chosen by `bot.bank.select.pick` (preferring questions not
yet answered right), answers are scored and stored by `bot.storage` (a `Store`) in the bot's SQLite
file, under a local pseudo-server (guild id 0) and a user id derived from the name. The feedback
says why the chosen option is wrong (`Question.rationales`), and `e` shows the explanation. In a
terminal, rich draws the bank's Markdown (bold, tables, highlighted code); when stdout is not a
terminal (a pipe, a file), the output is the Markdown `bot.render.discord_markdown.to_discord`
makes for Discord, as plain text.

Input, one line at a time: option letters (`b`, or `ad` for a choose-2 question); `e` (or `?`,
`explain`) for the explanation; `s` to skip; `q` to quit. When a question has an option E, `e`
is that answer and `?` shows the explanation.

No Discord import here: it starts fast and works where discord.py is not configured; rich is
imported only for a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import hashlib
import os
import random
import sys
import unicodedata
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

if TYPE_CHECKING:
    from bot.bank import Bank, Question
    from bot.settings import Settings
    from bot.storage import Store

from bot.practice_views import PlainScreen, screen_for

T = TypeVar("T")

#: The pseudo-server the terminal's answers are stored under (Discord ids are never 0).
LOCAL_GUILD_ID = 0
LOCAL_CHANNEL_ID = 0
QUIT = {"q", "quit", "exit"}
SKIP = {"s", "skip"}
DEFAULT_COUNT = 10
EXPLAIN = {"e", "?", "explain", "explanation"}


def add_practice_arguments(parser: argparse.ArgumentParser) -> None:
    from bot.core.rules import DIFFICULTY_LEVELS
    from bot.i18n import LOCALES

    parser.add_argument(
        "--topic", help="only questions on this topic: CLI also means Databricks-CLI, =CLI only the tag"
    )
    parser.add_argument("--difficulty", choices=DIFFICULTY_LEVELS, help="only questions of this level")
    parser.add_argument("--trap", help="only questions with this trap tag")
    parser.add_argument(
        "--section",
        help="only questions of this exam section: professional:monitoring-alerting, or a section "
        "of the default blueprint by key or name",
    )
    parser.add_argument(
        "--count",
        type=_positive,
        default=None,
        help="how many questions (default 10; with --review, every due card)",
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help="review your due cards (spaced repetition: the questions you answered, FSRS schedule; no points)",
    )
    parser.add_argument("--user", help="whose scores (default: your login name); any name works")
    parser.add_argument("--lang", choices=LOCALES, default="en", help="feedback language")
    parser.add_argument("--dir", help="bank folder (default: QUESTIONS_DIR)")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return n


def local_user_id(name: str) -> int:
    """A stable id for a terminal user name (case- and width-insensitive), 1 .. 2**62."""
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    digest = hashlib.sha256(f"quizbot-practice:{folded}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") & ((1 << 62) - 1)) or 1


def default_user() -> str:
    try:
        return getpass.getuser() or "me"
    except (OSError, KeyError):  # no login name (some containers)
        return "me"


# ----------------------------------------------------------------------------- the session


@dataclass
class Tally:
    asked: int = 0
    answered: int = 0
    right: int = 0
    points: int = 0


class Session:
    """One practice run: questions from `pool`, answers in `storage` (driven through `runner`)."""

    def __init__(
        self,
        pool: list[Question],
        storage: Store,
        runner: asyncio.Runner,
        *,
        user_name: str,
        locale: str,
        inp: TextIO,
        out: TextIO,
        rng: random.Random | None = None,
        screen: PlainScreen | None = None,
    ) -> None:
        self.pool = pool
        self.storage = storage
        self.runner = runner
        self.user_name = user_name
        self.user_id = local_user_id(user_name)
        self.locale = locale
        self.inp = inp
        self.screen = screen or PlainScreen(out)
        self.rng = rng or random.Random()
        self.recent: list[str] = []
        self.tally = Tally()

    def _await(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def say(self, text: str = "") -> None:
        self.screen.write(text + "\n")

    def ask(self, prompt: str) -> str | None:
        """One line of input, stripped; None at the end of input."""
        self.screen.write(prompt)
        line = self.inp.readline()
        if not line:
            self.say()
            return None
        return line.strip()

    def hidden(self) -> frozenset[str]:
        """The open daily questions (of every server: the terminal player's servers are unknown)
        that this user id has not answered: the spoiler rule, bot/core/spoiler.py."""
        from bot.core.spoiler import hidden_keys

        facts = self._await(self.storage.spoiler_facts(self.user_id))
        keys = hidden_keys(facts.open_dailies, None, facts.answered_posts)
        # a daily stored under a copy's key hides the question the pool serves under its own key
        by_key = {key: q.key for q in self.pool for key in (q.key, *q.copy_keys)}
        return frozenset(by_key.get(key, key) for key in keys)

    def run(self, count: int) -> Tally:
        from bot.bank.select import Filter, pick
        from bot.i18n import t

        told = False
        for number in range(1, count + 1):
            solved = self._await(self.storage.answered_questions(LOCAL_GUILD_ID, self.user_id))
            hidden = self.hidden()
            if hidden and not told and any(q.key in hidden for q in self.pool):
                n = sum(q.key in hidden for q in self.pool)
                self.say(t("practice.held_back_one" if n == 1 else "practice.held_back", self.locale, n=n))
                told = True
            q = pick(self.pool, Filter(), solved=solved, recent=self.recent, exclude=hidden, rng=self.rng)
            if q is None:
                break
            self.recent.append(q.key)
            if not self.question(q, number, count):
                break
        return self.tally

    def question(self, q: Question, number: int, total: int) -> bool:
        """Ask one question; False when the member wants to stop."""
        post = self._await(
            self.storage.create_post(
                LOCAL_GUILD_ID,
                LOCAL_CHANNEL_ID,
                q.key,
                "practice",
                q.answer,
                option_letters="".join(q.options),
                requested_by=self.user_id,
            )
        )
        self.tally.asked += 1
        try:
            self.say()
            self.screen.question(q, number, total, self.locale)
            return self._answer_loop(q, post.post_id, last=number == total)
        finally:
            self._await(self.storage.close_post(post.post_id))

    def _answer_loop(self, q: Question, post_id: int, *, last: bool) -> bool:
        chosen = read_answer(q, self)
        if not chosen:
            return chosen == ""  # skipped: go on; quit: stop
        self._record(q, post_id, chosen)
        return self._after_answer(q, last=last)

    def _record(self, q: Question, post_id: int, chosen: str) -> None:
        outcome = self._await(
            self.storage.record_answer(
                LOCAL_GUILD_ID, post_id, self.user_id, chosen, display_name=self.user_name
            )
        )
        if outcome.status != "stored":  # cannot happen for a fresh post; say so rather than guess
            self.say(f"The answer was not stored ({outcome.status}).")
            return
        self.tally.answered += 1
        self.tally.right += int(bool(outcome.correct))
        self.tally.points += outcome.points_awarded
        self.say()
        self.screen.feedback(q, outcome.letters or chosen, outcome, self.locale)

    def _after_answer(self, q: Question, *, last: bool) -> bool:
        nxt = "finish" if last else "next question"
        while True:
            line = self.ask(f"\nEnter {nxt} · e explanation · q quit > ")
            if line is None:
                return False
            word = line.casefold()
            if not word:
                return True
            if word in QUIT:
                return False
            if word in EXPLAIN:
                self.screen.explanation(q, self.locale)
                continue
            self.say("Press Enter to go on, e for the explanation, q to quit.")


class Prompter(Protocol):
    """What `read_answer` needs of a terminal session."""

    locale: str
    screen: PlainScreen

    def ask(self, prompt: str) -> str | None: ...
    def say(self, text: str = "") -> None: ...


def read_answer(q: Question, io: Prompter) -> str | None:
    """The letters the member picks for `q` (the explanation shown on request): "" when they skip
    it, None when they quit or the input ends."""
    letters = "".join(q.options)
    explain_key = "?" if "E" in q.options else "e"
    prompt = f"\nYour answer ({letters[0]}–{letters[-1]}) · {explain_key} explanation · s skip · q quit > "
    while True:
        line = io.ask(prompt)
        if line is None:
            return None
        word = line.casefold()
        if not word:
            continue
        if word in QUIT:
            return None
        if word in SKIP:
            return ""
        if word in EXPLAIN and not (word == "e" and "E" in q.options):
            io.screen.explanation(q, io.locale)
            continue
        chosen, problem = parse_letters(line, q)
        if problem:
            io.say(problem)
            continue
        return chosen


def parse_letters(line: str, q: Question) -> tuple[str, str | None]:
    """Option letters from what was typed ("b", "A D", "a,d"); or a one-line reason to ask again."""
    from bot.core.rules import normalize_letters

    raw = [c for c in unicodedata.normalize("NFKC", line).upper() if not c.isspace() and c not in ",;/+"]
    letters = "".join(q.options)
    if not raw:
        return "", f"Type a letter {letters[0]}–{letters[-1]}."
    unknown = sorted({c for c in raw if c not in q.options})
    if unknown:
        return "", f"{', '.join(unknown)}: not an option; type a letter {letters[0]}–{letters[-1]}."
    chosen = normalize_letters("".join(raw))
    if len(chosen) != q.choose:
        return "", f"Choose {q.choose} different letter{'s' if q.choose > 1 else ''}."
    return chosen, None


# ----------------------------------------------------------------------------- entry point


def _fail(message: str) -> int:
    print(f"quizbot: {message}", file=sys.stderr)
    return 2


def load_for_terminal(folder: str | None) -> tuple[Settings, Bank] | int:
    """Settings and the bank for a terminal command (`--dir` or QUESTIONS_DIR), or the exit code
    after saying in one line why there are none."""
    from bot.bank import load_bank
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    root = Path(folder) if folder else settings.questions_dir
    if not root.is_dir():
        return _fail(f"questions folder not found: {root} (QUESTIONS_DIR or --dir)")
    bank = load_bank(root)
    if not bank.questions:
        return _fail(f"no questions in {root}; `quizbot bank check {root}` says why")
    return settings, bank


def _section_keys(bank: Bank, ref: str) -> frozenset[str] | None:
    """The keys of the questions in the section `ref` names (None when it names none)."""
    from bot.bank.blueprint import parse_section_ref

    found = parse_section_ref(ref, bank)
    if found is None:
        return None
    blueprint, section = found
    return frozenset(bank.sections(blueprint.key).pools[section.key])


def _section_refs(bank: Bank) -> str:
    """The sections of the default blueprint, as `--section` takes them."""
    bp = bank.default_blueprint
    if bp is None:
        return "(no exam blueprint)"
    return ", ".join(f"{bp.key}:{s.key}" for s in bp.sections)


def _pool(args: argparse.Namespace, bank: Bank) -> list[Question] | str:
    """The questions the filters allow, or why there are none."""
    from bot.bank.select import Filter, close_tags, resolve_tag, tag_counts

    selection, trap = None, args.trap
    if args.topic:  # the family and topics.yaml groups, as /quiz topic: (bot.bank.topics)
        selection = bank.topics.resolve(args.topic)
        if selection is None or not selection.count:
            close = bank.topics.close(args.topic) or bank.topics.popular()
            return f"there is no topic {args.topic!r}; try one of: {', '.join(close)}"
    if trap:
        counts = tag_counts(bank.questions, "traps")
        resolved = resolve_tag(counts, trap)
        if resolved is None:
            close = close_tags(counts, trap) or [tag for tag, _ in counts.most_common(5)]
            return f"there is no trap tag {trap!r}; try one of: {', '.join(close)}"
        trap = resolved
    flt = Filter.of(selection, difficulty=args.difficulty, trap=trap)
    pool = [q for q in bank.questions if flt.matches(q)]
    if args.section:  # the section's questions (bot.bank.blueprint), as /quiz section:
        in_section = _section_keys(bank, args.section)
        if in_section is None:
            return f"there is no exam section {args.section!r}; try one of: {_section_refs(bank)}"
        pool = [q for q in pool if q.key in in_section]
    if not pool:
        return "no question matches these filters"
    return pool


def run_practice(
    args: argparse.Namespace,
    *,
    inp: TextIO | None = None,
    out: TextIO | None = None,
    screen: PlainScreen | None = None,
) -> int:
    """`quizbot practice`. Output goes to `out` (stdout), drawn by rich when it is a terminal
    (`screen_for`); `screen` overrides that choice."""
    from bot.storage import open_store

    inp = sys.stdin if inp is None else inp
    out = sys.stdout if out is None else out
    loaded = load_for_terminal(args.dir)
    if isinstance(loaded, int):
        return loaded
    settings, bank = loaded

    pool = _pool(args, bank)
    if isinstance(pool, str):
        return _fail(pool)
    user = (args.user or "").strip() or os.environ.get("QUIZBOT_USER") or default_user()
    if args.review:
        from bot.practice_review import run_review

        return run_review(pool, settings.database_path, user, args, inp=inp, out=out, screen=screen)
    count = min(args.count or DEFAULT_COUNT, len(pool))

    with asyncio.Runner() as runner:
        try:
            storage = runner.run(open_store(settings.database_path))
        except Exception as exc:  # sqlite3.Error, OSError, a newer schema
            return _fail(f"cannot open the database {settings.database_path}: {exc}")
        screen = screen or screen_for(out)
        session = Session(
            pool, storage, runner, user_name=user, locale=args.lang, inp=inp, out=out, screen=screen
        )
        code = 0
        try:
            screen.write(
                f"Practice as {user!r}: {count} question{'s' if count > 1 else ''} of {len(pool)} "
                f"(scores kept in {settings.database_path}, local server).\n"
            )
            session.run(count)
            total = runner.run(storage.user_stats(LOCAL_GUILD_ID, session.user_id)).points
        except KeyboardInterrupt:
            code, total = 130, None
        finally:
            runner.run(storage.close())
        s = session.tally
        summary = f"\n{s.answered} answered, {s.right} right, +{s.points} points"
        if total is not None:
            summary += f" · {user}'s total: {total}"
        screen.write(summary + "\n")
        return code
