"""/review export through the fake Discord (the .apkg read back from the attachment itself: notes,
GUIDs, tags, the fixed ids; filters; the upload limit), and a "choose 2" card answered from its
menu. The bank is our test bank (nine questions, two of them "choose 2")."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import QuizBot
from bot.bank.anki import DECK_ID, MODEL_ID, AnkiLabels, apkg_bytes, note_fields, note_guid, note_tags
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.fakediscord.messages import StoredMessage
from tests.helpers import TEST_BANK, Clock, clocked_bot, embed_text, utc

WRONG = ("by-order_a/Q-201", "by-order_b/Q-204")  # bob missed these two


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest.fixture
def bot_questions() -> Path:
    return TEST_BANK


@pytest.fixture(autouse=True)
def storage_clock(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.storage.sqlite.store.utcnow", clock)


async def cards(quizbot: BotHarness[Any], w: World) -> list[str]:
    """Bob has a card for every question of the bank, two of them missed; their keys."""
    storage = quizbot.running.storage
    keys = sorted(q.key for q in quizbot.running.bank.questions)
    for key in keys:
        await storage.record_review(
            w.guild.id, w.member.id, key, correct=key not in WRONG, reviewed_at=utc(2030, 1, 1)
        )
    return keys


def read_apkg(
    data: bytes, tmp_path: Path
) -> tuple[list[tuple[str, list[str], list[str], int]], dict[str, Any]]:
    """(guid, fields, tags, model id) per note, and the decks, of an .apkg's collection."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = [
            (guid, flds.split("\x1f"), tags.split(), mid)
            for guid, flds, tags, mid in conn.execute("SELECT guid, flds, tags, mid FROM notes ORDER BY id")
        ]
        (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    finally:
        conn.close()
    (tmp_path / "collection.anki2").unlink()
    return notes, json.loads(decks)


async def export(fake: FakeDiscord, w: World, member: Any = None, **options: Any) -> list[StoredMessage]:
    """/review export; the messages it answered with (the first replaces "thinking…")."""
    h = await fake.invoke(w.guild, w.quiz, member or w.member, "review export", options)
    if h.callback.type == Callback.CHANNEL_MESSAGE:  # refused at once
        assert h.ephemeral
        assert h.message is not None
        return [h.message]
    first = await h.wait_original()
    more = re.search(r"card\(s\) in (\d+) files", first.content or "")  # the other parts follow it
    return [first, *[await h.wait_followup(i) for i in range(int(more[1]) - 1 if more else 0)]]


def guids(messages: list[StoredMessage], fake: FakeDiscord, tmp_path: Path) -> list[str]:
    found = []
    for m in messages:
        for att in m.attachments:
            notes, _ = read_apkg(fake.attachment_bytes(att), tmp_path)
            found += [n[0] for n in notes]
    return found


async def test_export_returns_a_valid_apkg_with_stable_guids_and_its_filters(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock, tmp_path: Path
) -> None:
    w, fake = discord_world, fake_discord
    bank = quizbot.running.bank
    clock.set(utc(2030, 3, 1))
    keys = await cards(quizbot, w)

    (msg,) = await export(fake, w)
    assert msg.ephemeral and "9 card(s) as an Anki deck" in msg.content
    (att,) = msg.attachments
    assert att["filename"] == "quizbot-review.apkg"
    notes, decks = read_apkg(fake.attachment_bytes(att), tmp_path)
    assert sorted(n[0] for n in notes) == sorted(note_guid(k) for k in keys)
    assert {n[3] for n in notes} == {MODEL_ID} and str(DECK_ID) in decks
    for guid, fields, tags, _ in notes:
        q = next(bank.get(k) for k in keys if note_guid(k) == guid)
        assert q is not None and sorted(tags) == sorted(note_tags(q))
        assert fields[:2] == list(note_fields(q, AnkiLabels())) and "Answer" in fields[1]
    again = await export(fake, w)  # exported again: the same notes (Anki updates, not duplicates)
    assert sorted(guids(again, fake, tmp_path)) == sorted(n[0] for n in notes)

    missed = await export(fake, w, missed=True)
    assert sorted(guids(missed, fake, tmp_path)) == sorted(note_guid(k) for k in WRONG)
    topic = await export(fake, w, topic="Unity-Catalog")
    assert sorted(guids(topic, fake, tmp_path)) == sorted(
        note_guid(k) for k in ("by-order_a/Q-203", "by-order_b/Q-204")
    )
    both = await export(fake, w, topic="Unity-Catalog", missed=True)
    assert guids(both, fake, tmp_path) == [note_guid("by-order_b/Q-204")]
    section = await export(fake, w, section="professional:governance")
    assert sorted(guids(section, fake, tmp_path)) == sorted(guids(topic, fake, tmp_path))

    (none,) = await export(fake, w, section="professional:monitoring-alerting")
    assert "None of your cards matches" in none.content and not none.attachments
    (unknown,) = await export(fake, w, topic="no-such-topic")
    assert "no-such-topic" in unknown.content and not unknown.attachments
    (empty,) = await export(fake, w, w.member_zh)
    assert "還沒有卡片" in empty.content


async def test_a_deck_over_the_upload_limit_is_split_or_refused_clearly(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock, tmp_path: Path
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1))
    keys = await cards(quizbot, w)
    questions = list(quizbot.running.bank.questions)
    whole = len(apkg_bytes(questions, labels=AnkiLabels()))
    smallest = min(len(apkg_bytes([q], labels=AnkiLabels())) for q in questions)

    fake.attachment_size_limit = whole - 1  # the limit Discord states in the interaction
    parts = await export(fake, w)
    assert len(parts) >= 2 and f"in {len(parts)} files" in parts[0].content
    sizes = [att["size"] for m in parts for att in m.attachments]
    assert len(sizes) == len(parts) and max(sizes) <= whole - 1
    names = [att["filename"] for m in parts for att in m.attachments]
    assert names[0] == f"quizbot-review-1-of-{len(parts)}.apkg"
    found = guids(parts, fake, tmp_path)
    assert sorted(found) == sorted(note_guid(k) for k in keys)  # every note once

    fake.attachment_size_limit = smallest - 1  # not even one note fits: refused, saying why
    (refused,) = await export(fake, w)
    assert "over this server's upload limit" in refused.content and "missed:" in refused.content
    assert not refused.attachments


async def test_a_choose_two_card_is_answered_from_its_menu(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    q = quizbot.running.bank.get("by-order_b/Q-204")
    assert q is not None and q.choose == 2
    await storage.record_review(w.guild.id, w.member.id, q.key, correct=False, reviewed_at=utc(2030, 1, 1))
    clock.set(utc(2030, 3, 1))
    h = await fake.invoke(w.guild, w.quiz, w.member, "review start")
    assert h.message is not None
    (menu,) = [c for c in h.message.custom_ids() if c.startswith("review:multi:")]
    assert "".join(q.answer) not in menu
    click = await fake.select(h.message, menu, list(q.answer), w.member)
    assert click.callback.type == Callback.UPDATE_MESSAGE
    msg = fake.message(h.message.id)
    assert "✅ Right" in embed_text(msg)
    msg_id = msg.id
    await fake.click(msg, str(msg.component(label="Hard")["custom_id"]), w.member)
    assert "Rated **Hard**" in fake.message(msg_id).content
    card = await storage.get_card(w.guild.id, w.member.id, q.key)
    assert card is not None and card.last_rating == 2 and card.due > clock()
