"""The Anki export (bot/bank/anki.py): a deck of the test bank, read back from the .apkg itself (a
zip holding Anki's SQLite collection): notes, fields, tags, GUIDs, the fixed ids, and the same
GUIDs when exported again."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from bot.bank.anki import (
    DECK_ID,
    MODEL_ID,
    AnkiLabels,
    apkg_bytes,
    deck_id,
    note_fields,
    note_guid,
    note_tags,
    write_apkg,
)
from bot.bank.loader import load_bank
from bot.bank.model import Question
from tests.helpers import TEST_BANK


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return sorted(load_bank(TEST_BANK).questions, key=lambda q: q.key)


def _read(apkg: Path, tmp_path: Path) -> tuple[list[tuple[str, list[str], list[str], int]], dict, dict]:
    """(guid, fields, tags, model id) per note, the models and the decks of an .apkg."""
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = [
            (guid, flds.split("\x1f"), tags.split(), mid)
            for guid, flds, tags, mid in conn.execute("SELECT guid, flds, tags, mid FROM notes ORDER BY id")
        ]
        models, decks = conn.execute("SELECT models, decks FROM col").fetchone()
        assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == len(notes)
    finally:
        conn.close()
    return notes, json.loads(models), json.loads(decks)


def test_the_deck_reads_back(questions: list[Question], tmp_path: Path) -> None:
    path = tmp_path / "bank.apkg"
    assert write_apkg(questions, path) == len(questions) == 9
    notes, models, decks = _read(path, tmp_path)
    assert [n[0] for n in notes] == [note_guid(q.key) for q in questions]
    assert len({n[0] for n in notes}) == 9
    assert {n[3] for n in notes} == {MODEL_ID} and str(MODEL_ID) in models
    assert str(DECK_ID) in decks and decks[str(DECK_ID)]["name"] == "quizbot"
    by_key = {n[1][2]: n for n in notes}
    q201 = by_key["by-order_a/Q-201"]
    assert q201[2] == [
        "topic::Delta-Lake",
        "topic::Time-Travel",
        "trap::Read-vs-Write",
        "trap::Off-By-One",
        "difficulty::L2-Intermediate",
    ]
    raw = by_key["raw/Q-031"]
    assert raw[2] == []  # no topics, traps or difficulty


def test_front_and_back(questions: list[Question]) -> None:
    q = next(q for q in questions if q.key == "by-order_a/Q-201")
    front, back = note_fields(q)
    for letter in q.options:
        assert f"<b>{letter}.</b>" in front
    assert f"Answer: {', '.join(q.answer)}" in back
    assert "Why each option" in back and "Explanation" in back
    for letter in q.rationales:
        assert f"<b>{letter}" in back
    assert back.count("<li><b>") == len(q.rationales)
    labels = AnkiLabels(answer="答案", options="各選項", explanation="解析")
    _, zh = note_fields(q, labels)
    assert "答案: " in zh and "各選項" in zh and "解析" in zh


def test_html_is_escaped_and_code_blocks_kept(questions: list[Question]) -> None:
    base = questions[0]
    q = replace(
        base,
        stem='Which is right? <script>alert("x")</script> & `a<b`\n\n```python\nif a < b:\n    print("<tag>")\n```',
        options={"A": "<b>bold</b>", "B": "x & y"},
        answer=("A",),
        rationales={"A": "because <i>", "B": ""},
        sections=(),
    )
    front, back = note_fields(q)
    assert "<script>" not in front and "&lt;script&gt;" in front
    assert "&amp;" in front and "<code>a&lt;b</code>" in front
    assert (
        '<pre><code class="language-python">if a &lt; b:\n    print(&quot;&lt;tag&gt;&quot;)\n</code></pre>'
        in front
    )
    assert "&lt;b&gt;bold&lt;/b&gt;" in front and "x &amp; y" in front
    assert "because &lt;i&gt;" in back and "<b>B</b>" not in back  # an empty rationale is left out


def test_tags_are_made_safe(questions: list[Question]) -> None:
    q = replace(
        questions[0], topics=("Delta Lake", "  ", "Delta Lake"), traps=('Say "no"',), difficulty="L1 Basic"
    )
    assert note_tags(q) == ["topic::Delta_Lake", "trap::Say_no_", "difficulty::L1_Basic"]


def test_exporting_again_gives_the_same_guids_and_ids(questions: list[Question], tmp_path: Path) -> None:
    first = tmp_path / "one.apkg"
    again = tmp_path / "two.apkg"
    write_apkg(questions, first)
    again.write_bytes(apkg_bytes(list(reversed(questions))))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, m1, d1 = _read(first, tmp_path / "a")
    two, m2, d2 = _read(again, tmp_path / "b")
    assert sorted(n[0] for n in one) == sorted(n[0] for n in two)
    assert {n[0]: n[1] for n in one} == {n[0]: n[1] for n in two}
    assert m1.keys() == m2.keys() and d1.keys() == d2.keys()
    assert note_guid("by-order_a/Q-201") != note_guid("by-order_b/Q-201")  # same id, two folders


def test_other_decks_and_refusals(questions: list[Question], tmp_path: Path) -> None:
    assert deck_id("quizbot") == DECK_ID
    assert deck_id("quizbot · Delta-Lake") == deck_id("quizbot · Delta-Lake") != DECK_ID
    path = tmp_path / "topic.apkg"
    assert (
        write_apkg([questions[0], questions[0]], path, deck_name="quizbot · Delta-Lake") == 1
    )  # one note per key
    _, _, decks = _read(path, tmp_path)
    assert decks[str(deck_id("quizbot · Delta-Lake"))]["name"] == "quizbot · Delta-Lake"
    with pytest.raises(ValueError):
        write_apkg([], tmp_path / "empty.apkg")
    with pytest.raises(ValueError):
        apkg_bytes([])
