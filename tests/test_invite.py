"""`quizbot invite`: exactly the scopes and permissions the bot needs, and the application id."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.cli import main
from bot.invite import (
    NOT_NEEDED,
    PERMISSIONS,
    SCOPES,
    InviteError,
    client_id_from_token,
    explain,
    invite_url,
    permissions,
    permissions_value,
)

TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
BOT_ID = 1087654321098765432


def test_the_permission_integer() -> None:
    # View Channel 1<<10, Send Messages 1<<11, Embed Links 1<<14, Attach Files 1<<15,
    # Read Message History 1<<16
    assert permissions_value() == 1024 + 2048 + 16384 + 32768 + 65536 == 117760
    expected = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
    )
    assert permissions() == expected


def test_nothing_more_than_needed() -> None:
    perms = permissions()
    for flag in (
        "administrator",
        "mention_everyone",
        "manage_messages",
        "manage_roles",
        "add_reactions",
        "manage_guild",
    ):
        assert not getattr(perms, flag), flag
    assert all(p.why for p in PERMISSIONS)
    names = [p.flag for p in PERMISSIONS]
    assert len(names) == len(set(names))
    assert all(hasattr(discord.Permissions, n) for n in names)
    left_out = {name for name, _ in NOT_NEEDED}
    assert "Mention Everyone" in left_out


def test_url_has_exactly_the_scopes_and_permissions() -> None:
    url = invite_url(BOT_ID)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(parts.query)
    assert query["client_id"] == [str(BOT_ID)]
    assert query["scope"] == ["bot applications.commands"]
    assert SCOPES == ("bot", "applications.commands")
    assert query["permissions"] == ["117760"]
    assert "guild_id" not in query
    assert parse_qs(urlsplit(invite_url(BOT_ID, guild_id=123456789012345678)).query)["guild_id"] == [
        "123456789012345678"
    ]


def test_client_id_from_the_token() -> None:
    assert client_id_from_token(TOKEN) == BOT_ID
    other = base64.b64encode(b"223456789012345678").decode().rstrip("=") + ".abc.def"
    assert client_id_from_token(other) == 223456789012345678
    for bad in ("garbage", "bm90LWFuLWlk.x.y", ""):  # "not-an-id"
        with pytest.raises(InviteError) as info:
            client_id_from_token(bad)
        assert "--client-id" in str(info.value)


def test_explain_has_a_line_per_permission() -> None:
    text = explain()
    for p in PERMISSIONS:
        assert f"+ {p.label}: " in text
    assert "117760" in text and "Mention Everyone" in text


def test_cli_invite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert main(["invite"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == invite_url(BOT_ID)
    assert "View Channel" in out and TOKEN not in out

    assert main(["invite", "--client-id", "123456789012345678", "--url-only"]) == 0
    assert capsys.readouterr().out.strip() == invite_url(123456789012345678)

    monkeypatch.delenv("DISCORD_TOKEN")
    assert main(["invite"]) == 2
    err = capsys.readouterr().err
    assert "--client-id" in err and len(err.strip().splitlines()) == 1
