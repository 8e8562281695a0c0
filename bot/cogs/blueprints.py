"""Exam blueprints on Discord, shared by /exam, /stats readiness, /plan and /quiz section: finding
the one a member named, the autocomplete choices, and the "unknown" messages.

The blueprints and their sections are bot.bank's (bot/bank/blueprint.py); names in 繁體中文 come
from the blueprint files (`name_zh`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from bot.bank.blueprint import Blueprint, BlueprintSection, parse_section_ref
from bot.i18n import t
from bot.render.exam import blueprint_name, section_name
from bot.render.limits import cut

if TYPE_CHECKING:
    from bot.bank import Bank
    from bot.bank.model import Question

CHOICES = 25  # Discord's autocomplete limit


def find_blueprint(bank: Bank, name: str | None) -> Blueprint | None:
    """The blueprint named (key or name, any case), or the bank's default one when `name` is empty."""
    if name is None or not name.strip():
        return bank.default_blueprint
    return bank.blueprint(name.strip())


def unknown_blueprint(bank: Bank, name: str | None, locale: str) -> str:
    """Why no blueprint was found, listing those there are."""
    names = ", ".join(f"`{b.key}`" for b in bank.blueprints)
    if not names:
        return t("examcmd.no_blueprints", locale)
    if not name or not name.strip():
        return t("examcmd.no_default_blueprint", locale, names=names)
    return cut(t("examcmd.unknown_blueprint", locale, name=name, names=names), 2000)


def blueprint_choices(bank: Bank, current: str, locale: str) -> list[app_commands.Choice[str]]:
    """Blueprints whose key or name holds what is typed: "<name> · 60 questions · 120 min"."""
    needle = current.strip().casefold()
    out = []
    for bp in bank.blueprints:
        names = (bp.key, bp.name, bp.name_zh or "")
        if needle and not any(needle in n.casefold() for n in names):
            continue
        label = t(
            "examcmd.blueprint_choice",
            locale,
            name=blueprint_name(bp, locale),
            n=bp.questions,
            minutes=bp.minutes,
        )
        out.append(app_commands.Choice(name=cut(label, 100), value=bp.key[:100]))
    return out[:CHOICES]


def section_ref(blueprint: Blueprint, section: BlueprintSection) -> str:
    return f"{blueprint.key}:{section.key}"


def section_choices(bank: Bank, current: str, locale: str) -> list[app_commands.Choice[str]]:
    """Sections of every blueprint matching what is typed: "Blueprint › Section — n questions",
    the default blueprint's first; the value is "<blueprint>:<section>"."""
    needle = current.strip().casefold()
    default = bank.default_blueprint
    ordered = sorted(bank.blueprints, key=lambda b: default is None or b.key != default.key)
    out = []
    for bp in ordered:
        pools = bank.sections(bp.key).pools
        for sec in bp.sections:
            ref = section_ref(bp, sec)
            names = (ref, sec.name, sec.name_zh or "", bp.name, bp.name_zh or "")
            if needle and not any(needle in n.casefold() for n in names):
                continue
            label = t(
                "examcmd.section_choice",
                locale,
                blueprint=blueprint_name(bp, locale),
                section=section_name(bp, sec.key, locale),
                n=len(pools.get(sec.key, ())),
            )
            out.append(app_commands.Choice(name=cut(label, 100), value=ref[:100]))
            if len(out) >= CHOICES:
                return out
    return out


def section_pool(bank: Bank, blueprint: str, section: str) -> list[Question]:
    """The bank's questions in a blueprint section (`Bank.sections(..).pools`), each once."""
    found = (bank.get(key) for key in bank.sections(blueprint).pools.get(section, ()))
    return list({q.key: q for q in found if q is not None}.values())


def find_section(bank: Bank, ref: str) -> tuple[Blueprint, BlueprintSection] | None:
    return parse_section_ref(ref.strip(), bank)


def unknown_section(bank: Bank, ref: str, locale: str) -> str:
    """Why `ref` names no section, with the sections of the default blueprint as examples."""
    default = bank.default_blueprint
    examples = ", ".join(f"`{section_ref(default, s)}`" for s in default.sections) if default else "—"
    return cut(t("examcmd.unknown_section", locale, ref=ref, examples=examples), 2000)
