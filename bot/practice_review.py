"""`quizbot practice --review`: the member's due cards (spaced repetition, FSRS) in a terminal.

The cards are the terminal user's in the local pseudo-server (`bot.practice.LOCAL_GUILD_ID`), most
overdue first, open dailies never (storage leaves them out). Each card is asked as in `quizbot
practice`; after a right answer the member rates it (1 Again, 2 Hard, 3 or Enter Good, 4 Easy),
a wrong one is Again. `Store.record_review` schedules it: no points, no streak. See docs/review.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from bot.core.models import AnswerOutcome
from bot.core.review import CardView, Rating
from bot.i18n import t
from bot.practice import EXPLAIN, LOCAL_GUILD_ID, QUIT, local_user_id, read_answer
from bot.practice_views import PlainScreen, screen_for

if TYPE_CHECKING:
    from bot.bank import Question
    from bot.storage import Store

T = TypeVar("T")
_RATINGS = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "": Rating.GOOD, "4": Rating.EASY}
_BATCH = 50  # due cards read at a time


def when(instant: datetime | None, locale: str) -> str:
    """An instant as the terminal's local date and time."""
    if instant is None:
        return t("practice.review_never", locale)
    return instant.astimezone().strftime("%Y-%m-%d %H:%M")


class ReviewSession:
    """One review run of `user_name`'s due cards; `questions` maps every key a card may carry
    (copies' keys too) to the question served, and holds only those the filters allow."""

    def __init__(
        self,
        questions: Mapping[str, Question],
        storage: Store,
        runner: asyncio.Runner,
        *,
        user_name: str,
        locale: str,
        inp: TextIO,
        screen: PlainScreen,
        clock: Any = None,
    ) -> None:
        self.questions = questions
        self.storage = storage
        self.runner = runner
        self.user_name = user_name
        self.user_id = local_user_id(user_name)
        self.locale = locale
        self.inp = inp
        self.screen = screen
        self.now = clock or (lambda: datetime.now(UTC))
        self.done: set[str] = set()  # served (or skipped) in this run
        self.missing: set[str] = set()  # due, but not in the bank or outside the filters
        self.reviewed = 0
        self.right = 0

    def _await(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def say(self, text: str = "") -> None:
        self.screen.write(text + "\n")

    def ask(self, prompt: str) -> str | None:
        self.screen.write(prompt)
        line = self.inp.readline()
        if not line:
            self.say()
            return None
        return line.strip()

    def next_card(self) -> tuple[CardView, Question] | None:
        """The most overdue card not served yet whose question is here."""
        while True:
            cards = self._await(
                self.storage.due_cards(
                    LOCAL_GUILD_ID,
                    self.user_id,
                    now=self.now(),
                    limit=_BATCH,
                    exclude=self.done | self.missing,
                )
            )
            if not cards:
                return None
            for card in cards:
                q = self.questions.get(card.question_key)
                if q is not None:
                    return card, q
                self.missing.add(card.question_key)

    def due_count(self) -> int:
        return self._await(self.storage.review_stats(LOCAL_GUILD_ID, self.user_id, now=self.now())).due_now

    def run(self, count: int | None) -> None:
        total = self.due_count()
        if total == 0:
            self._nothing_due()
            return
        self.say(t("practice.review_start", self.locale, user=self.user_name, n=total))
        number = 0
        while count is None or number < count:
            found = self.next_card()
            if found is None:
                break
            card, q = found
            number += 1
            self.done.add(card.question_key)
            if not self.card(card, q, number, min(total, count or total)):
                break
        if self.missing:
            self.say(t("practice.review_missing", self.locale, n=len(self.missing)))
        self._summary()

    def _nothing_due(self) -> None:
        stats = self._await(self.storage.review_stats(LOCAL_GUILD_ID, self.user_id, now=self.now()))
        if stats.cards == 0:
            self.say(t("practice.review_no_cards", self.locale, user=self.user_name))
        else:
            self.say(
                t(
                    "practice.review_nothing_due",
                    self.locale,
                    user=self.user_name,
                    when=when(stats.next_due, self.locale),
                )
            )

    def _summary(self) -> None:
        stats = self._await(self.storage.review_stats(LOCAL_GUILD_ID, self.user_id, now=self.now()))
        self.say(
            t(
                "practice.review_summary",
                self.locale,
                reviewed=self.reviewed,
                right=self.right,
                due=stats.due_now,
                when=when(stats.next_due, self.locale),
            )
        )

    def card(self, card: CardView, q: Question, number: int, total: int) -> bool:
        """Ask one card; False when the member wants to stop."""
        head = t(
            "practice.review_head",
            self.locale,
            number=number,
            total=total,
            id=q.id,
            due=when(card.due, self.locale),
        )
        self.say()
        self.screen.question(q, number, total, self.locale, head=head)
        chosen = read_answer(q, self)
        if not chosen:
            return chosen == ""  # skipped: the next card; quit: stop
        return self._answered(card, q, chosen)

    def _answered(self, card: CardView, q: Question, chosen: str) -> bool:
        correct = chosen == "".join(q.answer)
        shown = AnswerOutcome("stored", None, chosen, correct, 0, 0, 0, 0)
        self.say()
        self.screen.feedback(q, chosen, shown, self.locale, score=False)
        go_on, rating = self._rating(q) if correct else (None, Rating.AGAIN)
        outcome = self._await(
            self.storage.record_review(
                LOCAL_GUILD_ID,
                self.user_id,
                card.question_key,
                correct=correct,
                rating=rating,
                reviewed_at=self.now(),
                display_name=self.user_name,
            )
        )
        self.reviewed += 1
        self.right += correct
        name = t(f"practice.rating_{int(outcome.rating)}", self.locale)
        self.say(
            t("practice.review_next", self.locale, rating=name, when=when(outcome.card.due, self.locale))
        )
        return self._pause(q) if go_on is None else go_on

    def _pause(self, q: Question) -> bool:
        """After a wrong answer: Enter for the next card, e for the explanation, q to quit."""
        while True:
            line = self.ask("\nEnter next card · e explanation · q quit > ")
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

    def _rating(self, q: Question) -> tuple[bool | None, Rating]:
        """(go on?, the rating) after a right answer; quitting here rates it Good."""
        while True:
            line = self.ask(t("practice.review_rate", self.locale))
            if line is None:
                return False, Rating.GOOD
            word = line.casefold()
            if word in QUIT:
                return False, Rating.GOOD
            if word in _RATINGS:
                return True, _RATINGS[word]
            if word in EXPLAIN:
                self.screen.explanation(q, self.locale)
                continue
            self.say(t("practice.review_rate_help", self.locale))


def run_review(
    pool: Sequence[Question],
    database_path: Path,
    user: str,
    args: argparse.Namespace,
    *,
    inp: TextIO,
    out: TextIO,
    screen: PlainScreen | None = None,
) -> int:
    """`quizbot practice --review`: `args.count` cards at most (None: every due card) of `pool`."""
    from bot.storage import open_store

    questions = {key: q for q in pool for key in (q.key, *q.copy_keys)}
    with asyncio.Runner() as runner:
        try:
            storage = runner.run(open_store(database_path))
        except Exception as exc:  # sqlite3.Error, OSError, a newer schema
            print(f"quizbot: cannot open the database {database_path}: {exc}", file=sys.stderr)
            return 2
        session = ReviewSession(
            questions,
            storage,
            runner,
            user_name=user,
            locale=args.lang,
            inp=inp,
            screen=screen or screen_for(out),
        )
        try:
            session.run(args.count)
        except KeyboardInterrupt:
            return 130
        finally:
            runner.run(storage.close())
    return 0
