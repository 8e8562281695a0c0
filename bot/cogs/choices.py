"""The fixed choices of the slash commands, each list defined once.

The values come from bot.core (levels, periods, metrics) and bot.i18n (languages); the names are
the English command strings, which `CommandTranslator` turns into 繁體中文 (bot.i18n.COMMANDS_ZH).
"""

from __future__ import annotations

from discord import app_commands

from bot.core.models import LEADERBOARD_METRICS
from bot.core.periods import PERIOD_KINDS
from bot.core.rules import DIFFICULTY_LEVELS
from bot.i18n import EN, LOCALES, ZH

_LEVEL_NAMES = {"L1": "L1 · Basic", "L2": "L2 · Intermediate", "L3": "L3 · Advanced"}
_PERIOD_NAMES = {"week": "This week", "month": "This month", "all": "All time"}
_METRIC_NAMES = {
    "points": "Points",
    "accuracy": "Accuracy (at least 10 answers)",
    "current_streak": "Current streak",
    "best_streak": "Best streak",
}
#: Each language by its own name (also how /quizadmin settings shows the choice made).
LANGUAGE_NAMES = {EN: "English", ZH: "繁體中文"}

DIFFICULTIES = [app_commands.Choice(name=_LEVEL_NAMES[v], value=v) for v in DIFFICULTY_LEVELS]
PERIODS = [app_commands.Choice(name=_PERIOD_NAMES[v], value=v) for v in PERIOD_KINDS]
METRICS = [app_commands.Choice(name=_METRIC_NAMES[v], value=v) for v in LEADERBOARD_METRICS]
#: "auto": the server's Discord language.
LANGUAGES = [
    app_commands.Choice(name="Auto (the server's Discord language)", value="auto"),
    *(app_commands.Choice(name=LANGUAGE_NAMES[v], value=v) for v in LOCALES),
]
