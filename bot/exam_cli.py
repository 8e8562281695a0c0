"""`quizbot exam`: a mock exam in the terminal, without Discord or a token.

The exam is drawn as /exam draws it: `bot.core.exam.draw` over the blueprint's sections
(`Bank.sections`), preferring questions this terminal user has not answered yet (`quizbot practice`
keeps their answers in the bot's SQLite file, under the local server); nothing is excluded. The
member answers, goes next, back or to a number, flags and changes answers, then submits: nothing says
right or wrong before that. The time left is shown at every question; past the limit the exam is
submitted with the answers given before it (in a terminal an alarm ends the wait for input). It is
graded by `bot.core.exam.grade` and the result shown per section (`bot.exam_result`); it is not
stored.

Input, one line at a time: option letters (`b`, or `ad` for a choose-2 question) answer and go on;
Enter or `n` next; `p` back; a number goes to that question; `m` flags or unflags it; `x` clears
the answer; `l` lists every question; `s` submits; `q` quits without a result; `?` helps.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.exam_result import clock_text, result_text, section_label
from bot.practice_views import PlainScreen, screen_for

if TYPE_CHECKING:
    from bot.bank import Bank, Question
    from bot.bank.blueprint import Blueprint
    from bot.core.exam import ExamItem

NEXT = {"", "n", "next"}
BACK = {"p", "prev", "previous", "back"}
FLAG = {"m", "mark", "flag", "unflag"}
CLEAR = {"x", "clear"}
LIST = {"l", "list"}
SUBMIT = {"s", "submit"}
QUIT = {"q", "quit", "exit"}
HELP = {"?", "help"}
YES = {"y", "yes"}
HELP_TEXT = (
    "Type the letter(s) of your answer (b, or ad when you choose 2): it is kept and the next question shown.\n"
    "Enter or n: next · p: back · a number: go to that question · m: flag / unflag · x: clear the answer\n"
    "l: list every question · s: submit · q: quit without a result.\n"
    "You can change any answer until you submit; nothing says right or wrong before that."
)

Clock = Callable[[], datetime]
Outcome = tuple[list["ExamItem"], datetime, bool]  # the items, when submitted, by the time limit


class TimeUp(Exception):
    """The time limit passed (while waiting for input, or before it was read)."""


def add_exam_arguments(parser: argparse.ArgumentParser) -> None:
    from bot.bank.blueprint import MAX_MINUTES, MAX_QUESTIONS
    from bot.i18n import LOCALES

    parser.add_argument(
        "--blueprint", help="which exam, by key or name (default: the bank's own, else professional)"
    )
    parser.add_argument(
        "--questions",
        type=_bounded(1, MAX_QUESTIONS),
        help="how many questions (default: as many as the real exam)",
    )
    parser.add_argument(
        "--minutes",
        type=_bounded(1, MAX_MINUTES),
        help="the time limit (default: the real exam's, in proportion to --questions)",
    )
    parser.add_argument("--user", help="whose answers count as seen (default: your login name)")
    parser.add_argument("--lang", choices=LOCALES, default="en", help="section names and labels")
    parser.add_argument("--dir", help="bank folder (default: QUESTIONS_DIR)")


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            n = low - 1
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {value!r}")
        return n

    return parse


# ----------------------------------------------------------------------------- the session


class ExamSession:
    """One exam in progress: `items` answered through `inp`, shown on `screen`, timed by `clock`."""

    def __init__(
        self,
        blueprint: Blueprint,
        items: Sequence[ExamItem],
        questions: Mapping[str, Question],
        *,
        deadline: datetime,
        clock: Clock,
        inp: TextIO,
        screen: PlainScreen,
        locale: str = "en",
    ) -> None:
        self.blueprint = blueprint
        self.items = list(items)
        self.questions = questions
        self.deadline = deadline
        self.clock = clock
        self.inp = inp
        self.screen = screen
        self.locale = locale
        self.pos = 0

    def say(self, text: str = "") -> None:
        self.screen.write(text + "\n")

    def ask(self, prompt: str) -> str | None:
        """One line of input, stripped; None at the end of input. TimeUp when the limit has passed
        before it is asked or by the time it is read (what was typed late does not count)."""
        if self.clock() >= self.deadline:
            raise TimeUp
        self.screen.write(prompt)
        line = self.inp.readline()
        if self.clock() >= self.deadline:
            raise TimeUp
        if not line:
            self.say()
            return None
        return line.strip()

    def run(self) -> Outcome | None:
        """Until submitted (by the member, the time limit or the end of input); None when the
        member quits."""
        try:
            self.show()
            while True:
                line = self.ask(self.prompt())
                if line is None:
                    self.say("Input ended: the exam is submitted.")
                    return self.items, min(self.clock(), self.deadline), False
                if line.casefold() in SUBMIT | QUIT:
                    done, outcome = self.finish(line.casefold() in SUBMIT)
                    if done:
                        return outcome
                    continue
                self.handle(line)
        except TimeUp:
            self.say("\nTime is up: the exam is submitted with the answers given in time.")
            return self.items, self.deadline, True

    def handle(self, line: str) -> None:
        word = line.casefold()
        if word in NEXT:
            self.move(self.pos + 1)
        elif word in BACK:
            self.move(self.pos - 1)
        elif word.lstrip("#").isdigit():
            self.move(int(word.lstrip("#")) - 1, jump=True)
        elif word in FLAG:
            item = self.items[self.pos]
            self.items[self.pos] = replace(item, flagged=not item.flagged)
            self.say(self.status())
        elif word in CLEAR:
            self.items[self.pos] = replace(self.items[self.pos], chosen="")
            self.say(self.status())
        elif word in LIST:
            self.say(self.overview())
        elif word in HELP:
            self.say(HELP_TEXT)
        else:
            self.answer(line)

    def answer(self, line: str) -> None:
        from bot.practice import parse_letters

        q = self.questions.get(self.items[self.pos].question_key)
        if q is None:
            self.say("This question is gone from the bank: it cannot be answered. n for the next one.")
            return
        chosen, problem = parse_letters(line, q)
        if problem:
            self.say(f"{problem} (? for help)")
            return
        self.items[self.pos] = replace(self.items[self.pos], chosen=chosen)
        if self.pos + 1 < len(self.items):
            self.move(self.pos + 1)
        else:
            self.say(self.status())
            self.say("That was the last question: s to submit, l to list them, or a number to go back.")

    def finish(self, submit: bool) -> tuple[bool, Outcome | None]:
        """Confirm submitting (or quitting): (done, the outcome)."""
        if submit:
            answered = sum(i.answered for i in self.items)
            flagged = sum(i.flagged for i in self.items)
            question = f"{answered} of {len(self.items)} answered, {flagged} flagged. Submit now? (y/n) > "
        else:
            question = "Quit without a result? Your answers are not kept. (y/n) > "
        line = self.ask(question)
        if line is None or line.casefold() not in YES:
            if line is None and submit:
                return True, (self.items, min(self.clock(), self.deadline), False)
            self.say("Not submitted: go on." if submit else "Go on.")
            return False, None
        if submit:
            return True, (self.items, min(self.clock(), self.deadline), False)
        return True, None

    def move(self, target: int, *, jump: bool = False) -> None:
        total = len(self.items)
        if not 0 <= target < total:
            if jump:
                self.say(f"There is no question {target + 1}: type 1–{total}.")
            elif target < 0:
                self.say("This is the first question.")
            else:
                self.say("This is the last question: s to submit, l to list them.")
            return
        self.pos = target
        self.show()

    def show(self) -> None:
        item = self.items[self.pos]
        name = section_label(self.blueprint, item.section, self.locale)
        head = f"Question {self.pos + 1} of {len(self.items)} · {name}"
        q = self.questions.get(item.question_key)
        self.say()
        if q is None:
            self.say(f"{head}\n(question {item.question_key} is gone from the bank)")
        else:
            self.screen.question(q, self.pos + 1, len(self.items), self.locale, head=head)
        self.say(self.status())

    def status(self) -> str:
        item = self.items[self.pos]
        mine = f"Your answer: {', '.join(item.chosen)}" if item.chosen else "Not answered"
        if item.flagged:
            mine += " · ⚑ flagged"
        answered = sum(i.answered for i in self.items)
        flagged = sum(i.flagged for i in self.items)
        left = clock_text(max(self.deadline - self.clock(), timedelta(0)))
        return f"\n{mine}\n{answered}/{len(self.items)} answered · {flagged} flagged · {left} left"

    def prompt(self) -> str:
        item = self.items[self.pos]
        q = self.questions.get(item.question_key)
        letters = item.options or "A"
        choose = f" (choose {q.choose})" if q is not None and q.choose > 1 else ""
        return (
            f"\nAnswer {letters[0]}–{letters[-1]}{choose} · Enter next · p back · 1–{len(self.items)} "
            "go to · m flag · l list · s submit · ? help > "
        )

    def overview(self) -> str:
        """Every position: ✓ answered, · not, ⚑ flagged, > the current one."""
        cells = []
        for item in self.items:
            mark = ("✓" if item.answered else "·") + ("⚑" if item.flagged else " ")
            here = ">" if item.position == self.pos else " "
            cells.append(f"{here}{item.position + 1:>3} {mark}")
        rows = [" ".join(cells[i : i + 10]) for i in range(0, len(cells), 10)]
        return "\n".join([*rows, "✓ answered · · not answered · ⚑ flagged · > this one"])


# ----------------------------------------------------------------------------- entry point


def _fail(message: str) -> int:
    print(f"quizbot: {message}", file=sys.stderr)
    return 2


def _seen(bank: Bank, database: Path, user_id: int) -> frozenset[str]:
    """The questions this terminal user has answered in `quizbot practice` (canonical keys); none
    when there is no database yet (it is not made just to be read)."""
    if not database.is_file():
        return frozenset()
    import asyncio

    from bot.practice import LOCAL_GUILD_ID
    from bot.storage import open_store

    async def read() -> set[str]:
        store = await open_store(database)
        try:
            return await store.answered_questions(LOCAL_GUILD_ID, user_id, correct_only=False)
        finally:
            await store.close()

    try:
        keys = asyncio.run(read())
    except Exception as exc:  # sqlite3.Error, OSError, a newer schema: draw without the preference
        print(
            f"quizbot: cannot read {database} ({exc}); questions already seen are not set aside",
            file=sys.stderr,
        )
        return frozenset()
    return frozenset(bank.canonical(k) for k in keys)


@contextlib.contextmanager
def alarm_at(deadline: datetime, clock: Clock) -> Iterator[None]:
    """Raise TimeUp in this (main) thread at `deadline`, even while it waits for input."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    seconds = (deadline - clock()).total_seconds()
    if not usable or seconds <= 0:
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise TimeUp

    before = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def run_exam(
    args: argparse.Namespace,
    *,
    inp: TextIO | None = None,
    out: TextIO | None = None,
    screen: PlainScreen | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> int:
    """`quizbot exam`. Input from `inp` (stdin: then an alarm ends the wait at the time limit),
    output to `out` (stdout; rich in a terminal, `screen` overrides), time from `clock`."""
    from bot.core.exam import ExamItem, draw, grade
    from bot.practice import default_user, load_for_terminal, local_user_id

    alarm = inp is None
    inp = sys.stdin if inp is None else inp
    out = sys.stdout if out is None else out
    clock = clock or (lambda: datetime.now(UTC))
    loaded = load_for_terminal(args.dir)
    if isinstance(loaded, int):
        return loaded
    settings, bank = loaded
    bp = bank.blueprint(args.blueprint) if args.blueprint else bank.default_blueprint
    if bp is None:
        known = ", ".join(b.key for b in bank.blueprints) or "none"
        return _fail(f"there is no exam blueprint {args.blueprint!r}; this bank has: {known}")
    n = args.questions or bp.questions
    minutes = args.minutes or max(1, math.ceil(bp.minutes * n / bp.questions))
    user = (args.user or "").strip() or default_user()
    seen = _seen(bank, settings.database_path, local_user_id(user))
    drawn = draw(bp.weights, bank.sections(bp.key).pools, n, rng=rng or random.Random(), seen=seen)
    if not drawn:
        return _fail(
            f"no question of {args.dir or settings.questions_dir} falls in a section of {bp.key}; `quizbot bank check --exam {bp.key}` says why"
        )
    questions = {q.key: q for q in bank.questions}
    items = [
        ExamItem(i, key, section, "".join(questions[key].answer), "".join(questions[key].options))
        for i, (key, section) in enumerate(drawn)
    ]
    screen = screen or screen_for(out)
    started = clock()
    deadline = started + timedelta(minutes=minutes)
    screen.write(_intro(bp, len(items), n, minutes, user, args.lang))
    session = ExamSession(
        bp, items, questions, deadline=deadline, clock=clock, inp=inp, screen=screen, locale=args.lang
    )
    try:
        with alarm_at(deadline, clock) if alarm else contextlib.nullcontext():
            outcome = session.run()
    except KeyboardInterrupt:
        screen.write("\nInterrupted: no result.\n")
        return 130
    if outcome is None:
        screen.write("No result: the exam was left.\n")
        return 0
    answered, submitted_at, auto = outcome
    result = grade(
        answered, bp.weights, pass_mark=bp.pass_mark, started_at=started, submitted_at=submitted_at
    )
    screen.write(
        result_text(bp, result, answered, questions, locale=args.lang, limit=deadline - started, auto=auto)
    )
    return 0


def _intro(bp: Blueprint, count: int, wanted: int, minutes: int, user: str, locale: str) -> str:
    name = bp.name_zh if locale == "zh-TW" and bp.name_zh else bp.name
    lines = [f"Mock exam: {name} · {count} questions · {minutes} minutes (as {user!r})."]
    if count < wanted:
        lines.append(f"The bank has only {count} questions in this blueprint's sections.")
    lines.append("No feedback until you submit. ? for help.")
    return "\n".join(lines) + "\n"
