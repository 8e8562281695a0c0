"""The exam's persistent components: DynamicItems matched by custom_id (bot/cogs/exam/layout.py),
so a click works on a message sent before a restart. Each hands the click to bot/cogs/exam/clicks.py.
"""

from __future__ import annotations

from typing import Any, cast

import discord

from bot.cogs.exam.clicks import exam_click
from bot.cogs.exam.layout import EXAM_BUTTON, EXAM_SELECT, exam_id


class ExamButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=EXAM_BUTTON):
    """A letter, Previous, Next, Flag, Submit, Confirm, Back or a result's Explain."""

    def __init__(self, exam: int, action: str, pos: int, letter: str = "") -> None:
        super().__init__(discord.ui.Button(custom_id=exam_id(exam, action, pos, letter)))
        self.exam, self.action, self.pos, self.letter = exam, action, pos, letter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ExamButton:
        return cls(int(match["exam"]), match["action"], int(match["pos"]), match["letter"] or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await exam_click(interaction, self.exam, self.action, self.pos, self.letter)


class ExamSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=EXAM_SELECT):
    """The jump menu (a position) and a result's explain menus (a missed position)."""

    def __init__(self, exam: int, action: str, pos: int) -> None:
        super().__init__(discord.ui.Select(custom_id=exam_id(exam, action, pos)))
        self.exam, self.action, self.pos = exam, action, pos

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ExamSelect:
        self = cls(int(match["exam"]), match["action"], int(match["pos"]))
        self.item = cast("discord.ui.Select[Any]", item)  # keeps the value the member picked
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        if not values or not values[0].isdigit():
            await interaction.response.defer()
            return
        action = "jump" if self.action == "jump" else "explain"
        await exam_click(interaction, self.exam, action, int(values[0]), "")


ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ExamButton, ExamSelect)
