"""Start the bot process: logging, endpoints, event loop."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.app import QuizBot, point_discord_at
from bot.settings import Settings

log = logging.getLogger("bot")


def run_bot(settings: Settings, token: str) -> int:
    discord.utils.setup_logging(level=getattr(logging, settings.log_level))
    point_discord_at(settings.api_base, settings.gateway_url)

    async def main() -> None:
        async with QuizBot(settings) as bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN); copy it again from the developer portal.")
        return 2
    except KeyboardInterrupt:
        pass
    return 0
