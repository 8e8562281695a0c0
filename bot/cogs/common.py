"""What every cog's replies share: the ephemeral `reply`, the public-post check, no mentions."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

import discord

from bot.i18n import locale_of, t

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

#: Bank text and member names never ping anyone.
NO_MENTIONS = discord.AllowedMentions.none()


def client_of(interaction: discord.Interaction) -> QuizBot:
    """The bot an interaction came to (discord.py types it as any Client)."""
    return cast("QuizBot", interaction.client)


def public_refusal(interaction: discord.Interaction, *, files: bool = False) -> str | None:
    """Why a public reply may not be posted in the interaction's channel, or None when it may.

    A public reply speaks in the channel for the member, so the member must be allowed to send
    there (`interaction.permissions`: their permissions in the channel, overwrites included); and
    the bot must be able to post what it sends (`interaction.app_permissions`): View Channel,
    Send Messages (Send Messages in Threads in a thread), Embed Links, and Attach Files when
    `files`. The caller then answers ephemerally with this reason.
    """
    locale = locale_of(interaction.locale)
    in_thread = isinstance(interaction.channel, discord.Thread)
    member = interaction.permissions
    member_sends = member.send_messages_in_threads if in_thread else member.send_messages
    if not (member.view_channel and member_sends):
        return t("public.member_cannot_send", locale)
    app = interaction.app_permissions
    needed = ["view_channel", "send_messages_in_threads" if in_thread else "send_messages", "embed_links"]
    if files:
        needed.append("attach_files")
    missing = [name for name in needed if not getattr(app, name)]
    if missing:
        names = ", ".join(t(f"admin.perm.{name}", locale) for name in missing)
        return t("public.bot_cannot_send", locale, perms=names)
    return None


async def reply(
    interaction: discord.Interaction,
    message: str,
    *,
    allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
) -> None:
    """An ephemeral text reply that works whether or not the interaction was answered already (no
    mention pings unless `allowed_mentions` says so)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=allowed_mentions)
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=allowed_mentions
            )
    except discord.HTTPException:
        log.warning("could not send a reply to interaction %s", interaction.id, exc_info=True)
