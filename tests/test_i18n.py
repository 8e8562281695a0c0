from __future__ import annotations

from bot.i18n import EN, ZH, check_catalog, locale_of, t


def test_catalog_is_complete_in_both_languages() -> None:
    assert check_catalog() == []


def test_check_catalog_finds_problems() -> None:
    bad = {"a": {EN: "x {n}", ZH: "y"}, "b": {EN: "only english"}}
    assert check_catalog(bad) == ["a: placeholders differ between languages", "b: no zh-TW text"]


def test_locale_mapping_and_formatting() -> None:
    assert locale_of("zh-TW") == ZH
    assert locale_of("zh-CN") == ZH
    assert locale_of("en-US") == EN
    assert locale_of(None) == EN
    assert locale_of("fr") == EN
    assert t("answer.already", ZH, chosen="B") == "你已經回答過 **B**，以第一次作答為準。"
    assert t("answer.already", "fr", chosen="B").startswith("You already answered **B**")
