"""The web dashboard's reads (bot/web): a guild's weeks and its weak spots. Like boards.py they
read the kept aggregates (`question_day`, `points_hist`, `question_tags`); only the answer
distributions of the few most missed questions read `answers`, through `answers_question`."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from bot.core.dashboard import MissedQuestion, TeamWeakness, WeekActivity, weakest_first
from bot.core.periods import local_date, local_midnight_utc, period_key, week_start
from bot.storage.sqlite.boards import _tag_stats
from bot.storage.sqlite.common import chunks, from_ms, guild_timezones, marks, named, snapshot, to_ms


def activity_by_week(conn: sqlite3.Connection, guild_id: int, weeks: int, at_ms: int) -> list[WeekActivity]:
    """The last `weeks` local weeks up to the one holding `at_ms`, oldest first, empty ones included."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    tz = guild_timezones(conn, [guild_id])[guild_id]
    current = week_start(local_date(from_ms(at_ms), tz))
    starts = [current - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    with snapshot(conn):
        days = conn.execute(
            "SELECT day, sum(answers), sum(correct) FROM question_day WHERE guild_id = ? AND day >= ? "
            "GROUP BY day",
            (guild_id, starts[0].isoformat()),
        ).fetchall()
        members = {
            start: int(
                conn.execute(
                    "SELECT coalesce(sum(n), 0) FROM points_hist WHERE guild_id = ? AND bucket = ? AND n > 0",
                    (guild_id, period_key("week", start)),
                ).fetchone()[0]
            )
            for start in starts
        }
    answers: Counter[date] = Counter()
    correct: Counter[date] = Counter()
    for day, n, c in days:
        start = week_start(date.fromisoformat(day))
        answers[start] += int(n)
        correct[start] += int(c)
    return [WeekActivity(s, answers[s], correct[s], members[s]) for s in starts]


def team_weakness(
    conn: sqlite3.Connection,
    guild_id: int,
    days: int,
    at_ms: int,
    questions: int,
    min_answers: int,
    hide: Iterable[str],
) -> TeamWeakness:
    if days < 1 or questions < 0 or min_answers < 1:
        raise ValueError("days and min_answers must be at least 1, questions at least 0")
    tz = guild_timezones(conn, [guild_id])[guild_id]
    since = local_date(from_ms(at_ms), tz) - timedelta(days=days - 1)
    window = (guild_id, since.isoformat())
    with snapshot(conn):
        tag_rows = named(
            conn,
            "SELECT t.kind, t.tag, sum(q.answers) AS answers, sum(q.correct) AS correct FROM "
            "(SELECT question_key, sum(answers) AS answers, sum(correct) AS correct FROM question_day "
            " WHERE guild_id = ? AND day >= ? GROUP BY question_key) AS q "
            "JOIN question_tags AS t ON t.question_key = q.question_key GROUP BY t.kind, t.tag",
            window,
        ).fetchall()
        per_question = {
            key: (int(n), int(c))
            for key, n, c in conn.execute(
                "SELECT question_key, sum(answers), sum(correct) FROM question_day "
                "WHERE guild_id = ? AND day >= ? GROUP BY question_key",
                window,
            )
        }
        hidden = set(hide)
        ranked = sorted(
            (-(n - c), -n, key, n, c)
            for key, (n, c) in per_question.items()
            if n >= min_answers and c < n and key not in hidden
        )
        shown = [(key, n, c) for _, _, key, n, c in ranked[:questions]]
        start_ms = to_ms(local_midnight_utc(since, tz))
        choices = _choices(conn, guild_id, [key for key, _, _ in shown], start_ms)
    topics, traps = _tag_stats(tag_rows)
    missed = []
    for key, n, c in shown:
        per_choice = choices.get(key, Counter())
        per_letter: Counter[str] = Counter()
        for choice, count in per_choice.items():
            for letter in choice:
                per_letter[letter] += count
        missed.append(MissedQuestion(key, n, c, dict(sorted(per_letter.items())), dict(per_choice)))
    return TeamWeakness(since, weakest_first(topics), weakest_first(traps), missed, per_question)


def _choices(
    conn: sqlite3.Connection, guild_id: int, keys: list[str], start_ms: int
) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for chunk in chunks(keys):
        for key, letters, n in conn.execute(
            "SELECT question_key, letters, count(*) FROM answers INDEXED BY answers_question "
            f"WHERE guild_id = ? AND question_key IN ({marks(len(chunk))}) AND answered_at >= ? "
            "GROUP BY question_key, letters",
            (guild_id, *chunk, start_ms),
        ):
            out.setdefault(key, Counter())[letters] = int(n)
    return out
