"""The message catalog: every user-facing string in English and 繁體中文 (zh-TW).

`t(key, locale, **values)` formats a message; `locale_of(discord_locale)` maps a
Discord locale ("zh-TW", "zh-CN", "en-US", ...) to one of ours. Keys are grouped
by feature. `tests/test_i18n.py` checks that every message exists in both
languages with the same placeholders.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

EN = "en"
ZH = "zh-TW"
LOCALES = (EN, ZH)
DEFAULT = EN

MESSAGES: dict[str, dict[str, str]] = {
    # --- question posts
    "post.title": {EN: "{id} · {difficulty}", ZH: "{id} · {difficulty}"},
    "post.topics": {EN: "Topics", ZH: "主題"},
    "post.choose": {EN: "Choose {n} answers.", ZH: "請選 {n} 個答案。"},
    "post.footer.open": {EN: "{count} answered · {kind}", ZH: "{count} 人已作答 · {kind}"},
    "post.footer.closed": {EN: "Closed · {count} answered", ZH: "已結束 · {count} 人作答"},
    "post.kind.daily": {EN: "daily question", ZH: "每日一題"},
    "post.kind.practice": {EN: "practice", ZH: "練習題"},
    "post.stem_cut": {EN: "… (the full question is in /explain)", ZH: "…（完整題目請用 /explain）"},
    "post.pick_placeholder": {EN: "Pick {n} answers", ZH: "選擇 {n} 個答案"},
    "post.option_cut": {EN: "… (cut)", ZH: "…（略）"},
    # --- reveal
    "reveal.answer": {EN: "Answer: **{letters}**", ZH: "正解：**{letters}**"},
    "reveal.distribution": {EN: "Answers", ZH: "作答分布"},
    "reveal.summary": {
        EN: "{participants} answered · {accuracy}% correct",
        ZH: "{participants} 人作答 · 正確率 {accuracy}%",
    },
    "reveal.nobody": {EN: "Nobody answered this one.", ZH: "這題沒有人作答。"},
    # --- answering (ephemeral)
    "answer.right": {EN: "✅ Right: **{letters}**", ZH: "✅ 答對了：**{letters}**"},
    "answer.wrong": {EN: "❌ Not quite: you chose **{chosen}**", ZH: "❌ 答錯了：你選了 **{chosen}**"},
    "answer.correct_is": {EN: "The answer is **{letters}**", ZH: "正確答案是 **{letters}**"},
    "answer.why_wrong": {EN: "Why {letter} is wrong", ZH: "為什麼 {letter} 不對"},
    "answer.why_right": {EN: "Why {letters} is right", ZH: "為什麼 {letters} 正確"},
    "answer.no_rationale": {
        EN: "The bank has no note on option {letter}; see /explain.",
        ZH: "題庫沒有選項 {letter} 的說明，請看 /explain。",
    },
    "answer.no_explanation": {
        EN: "This question has no explanation in the bank yet.",
        ZH: "這題在題庫中還沒有解析。",
    },
    "answer.traps": {EN: "Traps in this question", ZH: "本題陷阱"},
    "answer.disputed": {
        EN: "⚠️ The answer to this question is disputed: {note}",
        ZH: "⚠️ 這題的答案有爭議：{note}",
    },
    "answer.score": {
        EN: "+{points} points · {total} in this server · streak {streak} (best {best})",
        ZH: "+{points} 分 · 本伺服器共 {total} 分 · 連續答對 {streak}（最佳 {best}）",
    },
    "answer.score_practice_repeat": {
        EN: "No points: you already solved this question in practice · {total} in this server",
        ZH: "沒有加分：你已在練習中答對過這題 · 本伺服器共 {total} 分",
    },
    "answer.already": {
        EN: "You already answered **{chosen}**; the first answer counts.",
        ZH: "你已經回答過 **{chosen}**，以第一次作答為準。",
    },
    "answer.closed": {
        EN: "This question is closed; the answer has been revealed.",
        ZH: "這題已結束，答案已公布。",
    },
    "answer.gone": {EN: "This question is no longer in the bank.", ZH: "題庫中已沒有這一題。"},
    "answer.unknown_post": {EN: "I don't know this question post any more.", ZH: "找不到這則題目。"},
    "answer.explain_button": {EN: "Explain", ZH: "看解析"},
    "answer.wrong_count": {
        EN: "Pick exactly {n} answers.",
        ZH: "請剛好選 {n} 個答案。",
    },
    # --- /quiz
    "quiz.no_match": {EN: "No question matches {what}.", ZH: "沒有符合 {what} 的題目。"},
    "quiz.did_you_mean": {EN: "Did you mean: {options}?", ZH: "你是不是要找：{options}？"},
    "quiz.unknown_topic": {EN: "There is no topic “{topic}”.", ZH: "沒有「{topic}」這個主題。"},
    "quiz.empty_bank": {
        EN: "The question bank is empty; an admin can check it with /quizadmin bank.",
        ZH: "題庫是空的；管理員可以用 /quizadmin bank 檢查。",
    },
    "quiz.cooldown": {
        EN: "Slow down a little: you can ask for another question {when}.",
        ZH: "休息一下：你可以在 {when} 再出下一題。",
    },
    "quiz.cannot_post": {
        EN: "I can't post in this channel (I need View Channel, Send Messages and Embed Links). "
        "Try `private: True`, or ask an admin to fix my permissions.",
        ZH: "我無法在這個頻道發訊息（需要「檢視頻道」、「傳送訊息」和「嵌入連結」權限）。"
        "可以改用 `private: True`，或請管理員調整權限。",
    },
    "quiz.posted": {EN: "Question {id} posted.", ZH: "已出題 {id}。"},
    "quiz.guild_only": {
        EN: "Quizzes run in servers, not in DMs.",
        ZH: "測驗只能在伺服器中使用，不能在私訊中使用。",
    },
    # --- /explain
    "explain.overview": {EN: "Question and answer", ZH: "題目與答案"},
    "explain.key_concept": {EN: "Key concept", ZH: "核心考點"},
    "explain.page": {EN: "{section} · page {page}/{pages}", ZH: "{section} · 第 {page}/{pages} 頁"},
    "explain.pick_section": {EN: "Jump to a section…", ZH: "跳到章節…"},
    "explain.prev": {EN: "Previous", ZH: "上一頁"},
    "explain.next": {EN: "Next", ZH: "下一頁"},
    "explain.unknown": {EN: "There is no question “{ref}”.", ZH: "找不到題目「{ref}」。"},
    "explain.closest": {EN: "Closest: {ids}", ZH: "最接近的題目：{ids}"},
    "explain.ambiguous": {
        EN: "“{ref}” names {n} questions; pick one:",
        ZH: "「{ref}」對應到 {n} 題，請選一題：",
    },
    "explain.no_explanation": {
        EN: "This question has no explanation yet. To add one, edit `{path}` in the question bank.",
        ZH: "這題還沒有解析。要補上解析，請編輯題庫中的 `{path}`。",
    },
    "explain.unknown_section": {
        EN: "This question has no section “{section}”. Sections: {sections}",
        ZH: "這題沒有「{section}」章節。可選章節：{sections}",
    },
    "explain.unknown_option": {
        EN: "This question has no option {letter}; it has {letters}.",
        ZH: "這題沒有選項 {letter}；選項是 {letters}。",
    },
    "explain.option_title": {EN: "{id} · option {letter}", ZH: "{id} · 選項 {letter}"},
    "explain.option_is_right": {EN: "{letter} is the right answer.", ZH: "{letter} 是正確答案。"},
    "explain.option_is_wrong": {EN: "Why {letter} is wrong", ZH: "為什麼 {letter} 不對"},
    "explain.spoiler": {
        EN: "This is today's open daily question here: answer it first, then /explain it.",
        ZH: "這是本伺服器今天尚未結束的每日一題：請先作答，再使用 /explain。",
    },
    "explain.disputed": {EN: "Disputed", ZH: "答案有爭議"},
    # --- generic
    "error.generic": {
        EN: "Something went wrong on my side; it has been logged. Please try again.",
        ZH: "我這邊出了點問題，已記錄下來。請再試一次。",
    },
    "error.not_yours": {EN: "Only {user} can use these controls.", ZH: "只有 {user} 可以操作這些按鈕。"},
}


def locale_of(discord_locale: object | None) -> str:
    """Our locale for a Discord locale value (an enum or a string such as "zh-TW")."""
    value = str(getattr(discord_locale, "value", discord_locale) or "")
    if value.lower().startswith("zh"):
        return ZH
    return EN


def t(key: str, locale: str | None = None, /, **values: object) -> str:
    """The message `key` in `locale` (English when missing), formatted with `values`."""
    entry = MESSAGES[key]
    template = entry.get(locale or DEFAULT) or entry[DEFAULT]
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def check_catalog(messages: Mapping[str, Mapping[str, str]] = MESSAGES) -> list[str]:
    """Problems in the catalog (a missing language, placeholders that differ)."""
    problems = []
    for key, entry in messages.items():
        for loc in LOCALES:
            if not entry.get(loc):
                problems.append(f"{key}: no {loc} text")
        if len({frozenset(placeholders(v)) for v in entry.values()}) > 1:
            problems.append(f"{key}: placeholders differ between languages")
    return problems
