"""The bot on a hostile bank (issue 13): it starts, /quizadmin bank names the bad files, a bank where
every file fails still starts, and a reload keeps serving what it can — through the real discord.py
client on the fake Discord."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.bank import hostile
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import structured, yaml_question


async def admin(fake: FakeDiscord, w: World, command: str) -> str:
    h = await fake.invoke(w.guild, w.general, w.admin, f"quizadmin {command}", {})
    if h.message is not None and h.message.loading:
        message = await h.wait_original(lambda m: not m.loading)
        assert message.ephemeral
        return str(message.content)
    assert h.ephemeral, h.content
    return str(h.content)


class TestStartsOnTheHostileFolder:
    @pytest.fixture
    def hostile_bank(self, tmp_path: Path) -> tuple[Path, hostile.Expected]:
        root = tmp_path / "hostile"
        return root, hostile.build(root)

    @pytest.fixture
    def bot_settings(self, hostile_bank: tuple[Path, hostile.Expected]) -> Mapping[str, Any]:
        return {"questions_dir": hostile_bank[0]}

    async def test_it_starts_serves_the_good_and_names_the_bad(
        self,
        quizbot: BotHarness[Any],
        fake_discord: FakeDiscord,
        discord_world: World,
        hostile_bank: tuple[Path, hostile.Expected],
    ) -> None:
        w, fake, bot = discord_world, fake_discord, quizbot.running
        expected = hostile_bank[1]
        assert {q.key for q in bot.bank.questions} == expected.keys
        text = await admin(fake, w, "bank")
        assert len(text) <= 2000
        for path in sorted(expected.errors):
            assert f"`{path}:" in text, path
        for path in sorted(expected.skipped):
            assert f"`{path}`" in text, path
        h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "Jobs"})
        assert h.message is not None and "Q-104" in str(h.message.embeds[0]["title"])
        # the 40,000-space stem is asked and answered within Discord's 3 s (a later callback: 404)
        fake.interaction_deadline = 3.0
        h = await fake.invoke(w.guild, w.quiz, w.member_zh, "quiz", {"topic": "Spaces"})
        assert h.message is not None and "Q-SP" in str(h.message.embeds[0]["title"]), h.content
        click = await fake.click(h.message, h.message.custom_ids()[0], w.member)
        assert click.ephemeral and click.callback.type == Callback.CHANNEL_MESSAGE, click.content


class TestEveryFileFails:
    @pytest.fixture
    def bot_questions(self) -> dict[str, str]:
        return {"a/Q-1.yaml": "stem: [\n", "a/Q-2.yaml": yaml_question("Q-2", "references: 7\n")}

    async def test_it_starts_with_an_empty_bank_and_says_why(
        self, quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
    ) -> None:
        w, fake = discord_world, fake_discord
        assert quizbot.running.bank.questions == []
        h = await fake.invoke(w.guild, w.quiz, w.member_zh, "quiz", {})
        assert h.ephemeral and "題庫是空的" in h.content
        text = await admin(fake, w, "bank")
        assert text.startswith("⚠️ No question is loaded: every question file failed or was skipped")
        assert "`a/Q-1.yaml:2`" in text and "invalid YAML" in text
        assert "`a/Q-2.yaml:7` `references` must be a list of links, got a number" in text


GOOD = {
    "c/Q-1.md": structured("Q-1", "Which option is the first one here?", ["first", "second"], "A"),
    "c/Q-2.md": structured("Q-2", "Which option is the second one here?", ["first", "second"], "B"),
}


class TestReload:
    @pytest.fixture
    def bot_questions(self) -> dict[str, str]:
        return dict(GOOD)

    @pytest.fixture
    def bot_settings(self, discord_world: World) -> Mapping[str, Any]:
        return {"owner_ids": frozenset({discord_world.admin.id})}  # reload is for the bot's owners

    async def test_a_reload_keeps_what_it_can_and_says_what_broke(
        self, quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
    ) -> None:
        w, fake, bot = discord_world, fake_discord, quizbot.running
        root = quizbot.settings.questions_dir
        before = bot.bank.get("c/Q-2")
        assert before is not None
        # a new good file, a new broken file, and a file that loaded before and is broken now
        (root / "c" / "Q-3.yaml").write_text(yaml_question("Q-3"), encoding="utf-8")
        (root / "c" / "Q-4.yaml").write_text(hostile.alias_bomb(), encoding="utf-8")
        (root / "c" / "Q-2.md").write_text(
            GOOD["c/Q-2.md"].replace("- **B.** second\n", ""), encoding="utf-8"
        )
        text = await admin(fake, w, "reload")
        assert "Bank reloaded: 3 questions · 1 added · 0 changed · 0 removed" in text
        assert "Added: `c/Q-3`" in text
        assert "Kept the last good version of `c/Q-2.md`" in text
        assert "Files that failed (2)" in text
        assert "`c/Q-2.md:" in text and "answer B is not among the options A" in text
        assert "`c/Q-4.yaml:6` YAML alias `*a0` refused" in text
        assert bot.bank.get("c/Q-2") is before  # its last good version is still served
        assert bot.bank.get("c/Q-3") is not None and bot.bank.get("c/Q-1") is not None
        bank_text = await admin(fake, w, "bank")
        assert "`c/Q-2.md:1` kept the last good version of this file (c/Q-2) until it is fixed" in bank_text

        # fixed: the new version replaces the kept one
        (root / "c" / "Q-2.md").write_text(
            GOOD["c/Q-2.md"].replace("second one here", "2nd one"), encoding="utf-8"
        )
        text = await admin(fake, w, "reload")
        assert "Changed: `c/Q-2`" in text and "Kept the last good version" not in text
        assert bot.bank.get("c/Q-2").stem == "Which option is the 2nd one?"  # type: ignore[union-attr]
