"""Every string of the command tree has a 繁體中文 version, and the synced commands carry it."""

from __future__ import annotations

import re
from typing import Any

from bot.i18n import COMMANDS_ZH
from tests.fakediscord import BotHarness, FakeDiscord, World

NAME = re.compile(r"^[-_\w]{1,32}$")


def _strings(node: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    out = [("name", node, node["name"])]
    if node.get("description"):
        out.append(("description", node, node["description"]))
    for choice in node.get("choices") or []:
        out.append(("name", choice, choice["name"]))
    for option in node.get("options") or []:
        out += _strings(option)
    return out


async def test_commands_are_synced_with_zh_tw_names_and_descriptions(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    put = await fake_discord.wait_call(
        "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", guild_id=discord_world.guild.id
    )
    assert put.ok
    missing = []
    for command in put.json:
        for field, node, english in _strings(command):
            localized = (node.get(f"{field}_localizations") or {}).get("zh-TW")
            if localized is None:
                missing.append(english)
                continue
            assert localized == COMMANDS_ZH[english]
            if field == "name" and node is not None and "value" not in node:
                assert NAME.match(localized) and localized == localized.lower(), localized
    assert missing == []
    names = {c["name"]: c["name_localizations"]["zh-TW"] for c in put.json}
    assert names["quiz"] == "測驗" and names["explain"] == "解析"
