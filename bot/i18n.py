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
    "answer.copies_disagree": {
        EN: "Copies of this question in the bank disagree: {copies}. Scored with the first.",
        ZH: "題庫中這一題的副本答案不一致：{copies}。計分以第一份為準。",
    },
    "answer.copy_says": {EN: "{where} says {letters}", ZH: "{where} 為 {letters}"},
    "list.sep": {EN: ", ", ZH: "、"},
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
    "answer.daily_here": {
        EN: "This question is today's open daily question in this server: answer the daily post "
        "first; this copy works once the daily is answered or closed.",
        ZH: "這一題是本伺服器今天尚未結束的每日一題：請先回答每日一題的貼文；作答或結束後，這裡也能作答。",
    },
    "answer.daily_elsewhere": {
        EN: "This is the daily question in another of your servers — answer it there first.",
        ZH: "這一題是你所在的另一個伺服器的每日一題——請先到那裡作答。",
    },
    "answer.not_saved": {
        EN: "I could not save your answer (a storage problem on my side; it has been logged). "
        "Please try again in a moment.",
        ZH: "我無法儲存你的答案（我這邊的儲存問題，已記錄下來）。請稍後再試一次。",
    },
    # --- /quiz
    "quiz.no_match": {EN: "No question matches {what}.", ZH: "沒有符合 {what} 的題目。"},
    "quiz.did_you_mean": {EN: "Did you mean: {options}?", ZH: "你是不是要找：{options}？"},
    "quiz.unknown_topic": {EN: "There is no topic “{topic}”.", ZH: "沒有「{topic}」這個主題。"},
    # topic autocomplete (bot/render/topics.py): a family or group with its total, or one tag
    "topics.choice": {EN: "{name} — {n} questions", ZH: "{name} — {n} 題"},
    "topics.choice_one": {EN: "{name} — 1 question", ZH: "{name} — 1 題"},
    "topics.choice_tag": {EN: "{name} — only this tag, {n} questions", ZH: "{name} — 僅此標籤，{n} 題"},
    "topics.choice_tag_one": {EN: "{name} — only this tag, 1 question", ZH: "{name} — 僅此標籤，1 題"},
    "practice.held_back": {
        EN: "({n} questions are held back: open daily questions on Discord, hidden until they close.)",
        ZH: "（{n} 題暫不出題：它們是 Discord 上仍在進行的每日一題，結束後才會出現。）",
    },
    "practice.held_back_one": {
        EN: "(1 question is held back: an open daily question on Discord, hidden until it closes.)",
        ZH: "（1 題暫不出題：它是 Discord 上仍在進行的每日一題，結束後才會出現。）",
    },
    # --- quizbot practice --review (bot/practice_review.py): due cards in a terminal
    "practice.review_start": {
        EN: "Review as '{user}': {n} due (spaced repetition, FSRS; reviews add no points).",
        ZH: "以「{user}」的身分複習：{n} 張到期（間隔重複，FSRS；複習不加分）。",
    },
    "practice.review_nothing_due": {
        EN: "Nothing is due for '{user}'. Next card due: {when}.",
        ZH: "「{user}」目前沒有到期的卡片。下一張到期：{when}。",
    },
    "practice.review_no_cards": {
        EN: "'{user}' has no cards yet: every question answered (quizbot practice) becomes one.",
        ZH: "「{user}」還沒有卡片：每一題作答過的題目（quizbot practice）都會成為一張卡片。",
    },
    "practice.review_head": {
        EN: "Review {number}/{total} · {id} · due since {due}",
        ZH: "複習 {number}/{total} · {id} · {due} 起到期",
    },
    "practice.review_rate": {
        EN: "\nHow well did you know it? 1 again · 2 hard · 3 or Enter good · 4 easy · e explanation · q quit > ",
        ZH: "\n你記得多清楚？1 重來 · 2 困難 · 3 或 Enter 良好 · 4 簡單 · e 解析 · q 離開 > ",
    },
    "practice.review_rate_help": {
        EN: "Type 1, 2, 3 or 4 (Enter is 3, good), e for the explanation, q to quit.",
        ZH: "請輸入 1、2、3 或 4（Enter 等於 3，良好），e 看解析，q 離開。",
    },
    "practice.review_next": {
        EN: "Rated {rating}: next review {when}.",
        ZH: "評分「{rating}」：下次複習 {when}。",
    },
    "practice.review_missing": {
        EN: "({n} due cards are of questions no longer in this bank or outside the filters: skipped.)",
        ZH: "（{n} 張到期卡片的題目已不在題庫中或不符合篩選條件：略過。）",
    },
    "practice.review_summary": {
        EN: "\n{reviewed} reviewed, {right} right · still due: {due} · next due: {when}",
        ZH: "\n複習 {reviewed} 張，答對 {right} 張 · 仍到期：{due} · 下一張到期：{when}",
    },
    "practice.review_never": {EN: "none", ZH: "無"},
    "practice.rating_1": {EN: "Again", ZH: "重來"},
    "practice.rating_2": {EN: "Hard", ZH: "困難"},
    "practice.rating_3": {EN: "Good", ZH: "良好"},
    "practice.rating_4": {EN: "Easy", ZH: "簡單"},
    "quiz.empty_bank": {
        EN: "The question bank is empty; an admin can check it with /quizadmin bank.",
        ZH: "題庫是空的；管理員可以用 /quizadmin bank 檢查。",
    },
    "quiz.cooldown": {
        EN: "Slow down a little: you can ask for another question {when}.",
        ZH: "休息一下：你可以在 {when} 再出下一題。",
    },
    "quiz.posted": {EN: "Question {id} posted.", ZH: "已出題 {id}。"},
    "quiz.guild_only": {
        EN: "Quizzes run in servers, not in DMs.",
        ZH: "測驗只能在伺服器中使用，不能在私訊中使用。",
    },
    "quiz.all_hidden": {
        EN: "Every question that matches {what} is an open daily question in one of your servers "
        "(or in this one): answer it there first, or try another topic.",
        ZH: "符合 {what} 的題目都是你所在伺服器（或本伺服器）尚未結束的每日一題：請先去作答，或換個主題。",
    },
    "quiz.private_limit": {
        EN: "You already have {n} private questions open here: answer one of them first. "
        "The oldest closes {when}. If you dismissed them, close them with the button below.",
        ZH: "你在這裡已經有 {n} 題僅自己可見的題目還沒作答：請先回答其中一題。最早的一題在 {when} 結束。"
        "如果你已經關掉那些訊息，可以用下面的按鈕把它們結束。",
    },
    "quiz.private_close": {EN: "Close them", ZH: "全部結束"},
    "quiz.private_closed": {
        EN: "Closed {n} private question(s). Ask for a new one with /quiz private:True.",
        ZH: "已結束 {n} 題僅自己可見的題目。用 /quiz private:True 再來一題。",
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
    "explain.spoiler_elsewhere": {
        EN: "This is the open daily question in another of your servers: answer it there first, "
        "then /explain it.",
        ZH: "這是你所在的另一個伺服器尚未結束的每日一題：請先到那裡作答，再使用 /explain。",
    },
    "explain.spoiler_public": {
        EN: "This question is an open daily question, so its explanation is not posted in public "
        "until the daily closes. Leave `public` off to read it yourself.",
        ZH: "這一題是尚未結束的每日一題，所以在每日一題結束前不會公開發布解析。不要開啟 `public` 就能自己閱讀。",
    },
    "explain.hidden_stem": {EN: "(an open daily question)", ZH: "（尚未結束的每日一題）"},
    "explain.disputed": {EN: "Disputed", ZH: "答案有爭議"},
    # --- scores (leaderboard, stats)
    "lb.title": {EN: "🏆 Leaderboard · {metric} · {period}", ZH: "🏆 排行榜 · {metric} · {period}"},
    "lb.metric.points": {EN: "Points", ZH: "積分"},
    "lb.metric.accuracy": {EN: "Accuracy", ZH: "正確率"},
    "lb.metric.current_streak": {EN: "Current streak", ZH: "目前連續答對"},
    "lb.metric.best_streak": {EN: "Best streak", ZH: "最佳連續答對"},
    "lb.period.week": {EN: "This week (from {start})", ZH: "本週（{start} 起）"},
    "lb.period.month": {EN: "This month ({month})", ZH: "本月（{month}）"},
    "lb.period.all": {EN: "All time", ZH: "全部期間"},
    "lb.value.points": {EN: "{n} pts", ZH: "{n} 分"},
    "lb.value.accuracy": {EN: "{accuracy} · {correct}/{answers}", ZH: "{accuracy} · {correct}/{answers}"},
    "lb.value.streak": {EN: "{n} in a row", ZH: "連續 {n} 題"},
    "lb.you": {EN: "Your rank", ZH: "你的排名"},
    "lb.you_line": {EN: "#{rank} of {total} · {value}", ZH: "第 {rank} 名（共 {total} 人）· {value}"},
    "lb.you_unranked": {
        EN: "You are not on this board yet: answer a question to join it.",
        ZH: "你還沒有上榜：答一題就能加入。",
    },
    "lb.you_unranked_accuracy": {
        EN: "Not ranked: the accuracy board counts members with at least {n} answers in this period.",
        ZH: "尚未上榜：正確率排行只列入本期間作答至少 {n} 題的成員。",
    },
    "lb.you_unranked_streak": {
        EN: "No streak yet: answer the daily question correctly to start one.",
        ZH: "目前沒有連續紀錄：答對每日一題就能開始累積。",
    },
    "lb.footer": {EN: "Page {page}/{pages} · {total} ranked", ZH: "第 {page}/{pages} 頁 · 共 {total} 人上榜"},
    "lb.min_answers_note": {EN: "at least {n} answers to be ranked", ZH: "至少作答 {n} 題才列入"},
    "lb.streak_note": {
        EN: "streaks count daily questions and ignore the period",
        ZH: "連續答對只計每日一題，不分期間",
    },
    "lb.empty": {
        EN: "Nobody is on this leaderboard yet. Answer a question with /quiz to be the first!",
        ZH: "排行榜上還沒有人。用 /quiz 答一題，成為第一名吧！",
    },
    "lb.empty_accuracy": {
        EN: "Nobody has {n} answers in this period yet, so there is no accuracy ranking so far.",
        ZH: "本期間還沒有人作答滿 {n} 題，所以目前還沒有正確率排行。",
    },
    "lb.empty_streak": {
        EN: "Nobody has a streak right now. Answer the daily question to start one!",
        ZH: "目前沒有人有連續答對紀錄。回答每日一題開始累積吧！",
    },
    "lb.prev": {EN: "Previous", ZH: "上一頁"},
    "lb.next": {EN: "Next", ZH: "下一頁"},
    "lb.not_yours": {
        EN: "This leaderboard was opened by {user}, so only they can page it. Run /leaderboard to get your own.",
        ZH: "這個排行榜是 {user} 開啟的，只有他可以翻頁。請自己使用 /leaderboard。",
    },
    "lb.former_member": {EN: "(former member)", ZH: "（已離開的成員）"},
    "lb.guild_only": {
        EN: "Scores are kept per server: use this command in a server.",
        ZH: "分數以伺服器為單位：請在伺服器中使用這個指令。",
    },
    "stats.title": {EN: "📊 Stats · {name}", ZH: "📊 統計 · {name}"},
    "stats.summary": {
        EN: "**{answers}** answers · **{correct}** correct · accuracy **{accuracy}**",
        ZH: "作答 **{answers}** 題 · 答對 **{correct}** 題 · 正確率 **{accuracy}**",
    },
    "stats.points": {
        EN: "**{points}** points · this week {week} · this month {month}",
        ZH: "**{points}** 分 · 本週 {week} 分 · 本月 {month} 分",
    },
    "stats.rank": {EN: "Rank **#{rank}** in this server", ZH: "本伺服器排名 **第 {rank} 名**"},
    "stats.streak": {
        EN: "🔥 Streak **{current}** (best {best})",
        ZH: "🔥 連續答對 **{current}**（最佳 {best}）",
    },
    "stats.topics": {EN: "Accuracy by topic", ZH: "各主題正確率"},
    "stats.traps": {EN: "Traps", ZH: "陷阱類型"},
    "stats.trap_you": {
        EN: "You fall for **{tag}** {pct} of the time ({wrong}/{answers})",
        ZH: "你在 **{tag}** 陷阱上失誤的比例是 {pct}（{wrong}/{answers}）",
    },
    "stats.trap_member": {
        EN: "Falls for **{tag}** {pct} of the time ({wrong}/{answers})",
        ZH: "在 **{tag}** 陷阱上失誤的比例是 {pct}（{wrong}/{answers}）",
    },
    "stats.weakest": {EN: "Review next", ZH: "建議複習"},
    "stats.weakest_none": {
        EN: "Not enough answers yet: a topic needs at least {n} answers.",
        ZH: "作答數還不夠：每個主題至少要 {n} 題。",
    },
    "stats.no_tags": {EN: "No tagged question answered yet.", ZH: "還沒有回答過有標籤的題目。"},
    "stats.chart_key": {EN: "Chart: {pairs}", ZH: "圖表：{pairs}"},
    "stats.more": {EN: "… and {n} more", ZH: "…還有 {n} 項"},
    "stats.no_answers_you": {
        EN: "You have not answered any question in this server yet. Try /quiz!",
        ZH: "你在這個伺服器還沒有作答紀錄。試試 /quiz！",
    },
    "stats.no_answers_member": {
        EN: "{name} has not answered any question in this server yet.",
        ZH: "{name} 在這個伺服器還沒有作答紀錄。",
    },
    "stats.server_title": {EN: "📈 {guild} · last {days} days", ZH: "📈 {guild} · 最近 {days} 天"},
    "stats.server_summary": {
        EN: "**{answers}** answers from **{participants}** members since {since} · accuracy **{accuracy}**",
        ZH: "自 {since} 起共 **{participants}** 位成員作答 **{answers}** 題 · 正確率 **{accuracy}**",
    },
    "stats.server_topics": {EN: "Weakest topics", ZH: "最弱的主題"},
    "stats.server_traps": {EN: "Traps the group falls for", ZH: "大家最常掉進的陷阱"},
    "stats.server_trap_line": {
        EN: "**{tag}**: {pct} of answers fell for it ({wrong}/{answers})",
        ZH: "**{tag}**：{pct} 的作答中了陷阱（{wrong}/{answers}）",
    },
    "stats.server_hardest": {
        EN: "Hardest questions (at least {n} answers)",
        ZH: "最難的題目（至少 {n} 次作答）",
    },
    "stats.server_question_line": {
        EN: "{question} · {accuracy} correct of {answers}",
        ZH: "{question} · {answers} 次作答，正確率 {accuracy}",
    },
    "stats.server_hardest_none": {
        EN: "No question has {n} answers yet.",
        ZH: "還沒有題目達到 {n} 次作答。",
    },
    "stats.server_days": {EN: "Participation", ZH: "每日參與"},
    "stats.server_sparkline": {
        EN: "Members per day, {since} → {until} (most: {max})",
        ZH: "每日參與人數，{since} → {until}（最多 {max} 人）",
    },
    "stats.server_day_line": {
        EN: "{day} · {participants} members · {answers} answers · {accuracy}",
        ZH: "{day} · {participants} 人 · {answers} 題 · {accuracy}",
    },
    "stats.server_empty": {
        EN: "Nobody answered in this server in the last {days} days. Start with /quiz!",
        ZH: "這個伺服器最近 {days} 天沒有人作答。從 /quiz 開始吧！",
    },
    # --- daily and admin
    "daily.bad_time": {
        EN: "“{value}” is not a time of day: use 24-hour HH:MM, like 09:00 or 21:30. Nothing was changed.",
        ZH: "「{value}」不是有效的時間：請用 24 小時制 HH:MM，例如 09:00 或 21:30。設定未變更。",
    },
    "daily.bad_timezone": {
        EN: "“{value}” is not a time zone: use an IANA name like Asia/Taipei, Europe/London or "
        "America/New_York (the list suggests them as you type). Nothing was changed.",
        ZH: "「{value}」不是有效的時區：請用 IANA 名稱，例如 Asia/Taipei、Europe/London 或 "
        "America/New_York（輸入時會有建議）。設定未變更。",
    },
    "daily.role_everyone": {
        EN: "Pick a role to mention, not @everyone. Nothing was changed.",
        ZH: "請選擇要提及的身分組，不能是 @everyone。設定未變更。",
    },
    "daily.cannot_post": {
        EN: "I can't post in {channel}: I need {perms} there. Nothing was changed.",
        ZH: "我無法在 {channel} 發文：我在那裡需要「{perms}」權限。設定未變更。",
    },
    "daily.no_match": {
        EN: "No question in the bank matches these topics and level. Nothing was changed.",
        ZH: "題庫中沒有符合這些主題與難度的題目。設定未變更。",
    },
    "daily.set_done": {
        EN: "✅ Daily question: {channel} every day at **{time}** ({zone}) · questions: {questions} ({n}).",
        ZH: "✅ 每日一題：每天 **{time}**（{zone}）在 {channel} 出題 · 題目：{questions}（{n} 題）。",
    },
    "daily.next": {EN: "Next post: {when} ({relative}).", ZH: "下一次出題：{when}（{relative}）。"},
    "daily.mentions": {EN: "Each post mentions {role}.", ZH: "每次出題都會提及 {role}。"},
    "daily.role_not_mentionable": {
        EN: "⚠️ {role} is not mentionable and I lack Mention Everyone: members will see it but get no "
        "notification. Make the role mentionable in Server Settings › Roles.",
        ZH: "⚠️ {role} 未開放提及，而我沒有「提及所有人」權限：成員看得到但不會收到通知。"
        "請到 伺服器設定 › 身分組 開啟「允許任何人提及此身分組」。",
    },
    "daily.advise_history": {
        EN: "Tip: also give me {perms} in that channel, so that after a restart I can check whether a "
        "daily already went out instead of posting it again.",
        ZH: "建議：也給我該頻道的「{perms}」權限，這樣重新啟動後我能確認每日一題是否已發出，而不會重發。",
    },
    "daily.filter_all": {EN: "the whole bank", ZH: "整個題庫"},
    "daily.none": {
        EN: "There is no daily question here yet: set one with /quizadmin daily set.",
        ZH: "這裡還沒有設定每日一題：請用 /quizadmin daily set 設定。",
    },
    "daily.already_off": {
        EN: "The daily question is not on here. /quizadmin daily set turns it on.",
        ZH: "這裡的每日一題沒有開啟。用 /quizadmin daily set 開啟。",
    },
    "daily.off_done": {
        EN: "⏸️ The daily question is paused. The open one is still revealed at its usual time. "
        "/quizadmin daily set turns it back on.",
        ZH: "⏸️ 每日一題已暫停。目前的題目仍會在原定時間公布答案。用 /quizadmin daily set 重新開啟。",
    },
    "daily.state_on": {EN: "on", ZH: "開啟"},
    "daily.state_off": {EN: "paused", ZH: "已暫停"},
    "daily.show_title": {EN: "**Daily question** · {state}", ZH: "**每日一題** · {state}"},
    "daily.show_where": {
        EN: "{channel} at **{time}** {zone} (today {utc} UTC)",
        ZH: "{channel}，每天 **{time}** {zone}（今天為 UTC {utc}）",
    },
    "daily.show_questions": {
        EN: "Questions: {questions} · {used}/{n} asked in this round",
        ZH: "題目：{questions} · 本輪已出 {used}/{n} 題",
    },
    "daily.show_role": {EN: "Mention: {role}", ZH: "提及：{role}"},
    "daily.no_role": {EN: "nobody", ZH: "無"},
    "daily.show_skipped": {EN: "Skipped: {days}", ZH: "跳過：{days}"},
    "daily.show_recent": {EN: "Latest:", ZH: "最近："},
    "daily.show_error": {EN: "⚠️ Last problem ({when}): {error}", ZH: "⚠️ 最近的問題（{when}）：{error}"},
    "daily.channel_gone": {
        EN: "⚠️ The daily's channel no longer exists: choose another with /quizadmin daily set.",
        ZH: "⚠️ 每日一題的頻道已不存在：請用 /quizadmin daily set 選擇其他頻道。",
    },
    "daily.status.claimed": {EN: "being posted", ZH: "發送中"},
    "daily.status.sent": {EN: "posted", ZH: "已發出"},
    "daily.status.failed": {EN: "not posted", ZH: "未發出"},
    "daily.status.missed": {EN: "missed (the bot was down all day)", ZH: "錯過（機器人當天未運作）"},
    "daily.status.skipped": {EN: "skipped", ZH: "跳過"},
    "daily.err.forbidden": {
        EN: "I may not post in the daily's channel (missing permission)",
        ZH: "我沒有在每日一題頻道發文的權限",
    },
    "daily.err.no_access": {EN: "I can't see the daily's channel", ZH: "我看不到每日一題的頻道"},
    "daily.err.not_found": {EN: "the daily's channel was deleted", ZH: "每日一題的頻道已被刪除"},
    "daily.err.no_question": {
        EN: "no question in the bank matches the daily's topics and level",
        ZH: "題庫中沒有符合每日一題主題與難度的題目",
    },
    "daily.err.gone": {EN: "the question left the bank", ZH: "題目已不在題庫中"},
    "daily.err.http": {EN: "Discord did not answer; trying again", ZH: "Discord 沒有回應，稍後重試"},
    "daily.err.unconfirmed": {
        EN: "sending failed several times; given up so as not to post it twice",
        ZH: "多次發送失敗；為避免重複發文已放棄",
    },
    "daily.err.missed": {
        EN: "the bot was down until the day was over",
        ZH: "機器人停機到當天結束",
    },
    "admin.guild_only": {EN: "/quizadmin works in servers only.", ZH: "/quizadmin 只能在伺服器中使用。"},
    "admin.not_allowed": {
        EN: "Only members with the Manage Server permission can use /quizadmin.",
        ZH: "只有具備「管理伺服器」權限的成員可以使用 /quizadmin。",
    },
    "admin.perm.view_channel": {EN: "View Channel", ZH: "檢視頻道"},
    "admin.perm.send_messages": {EN: "Send Messages", ZH: "傳送訊息"},
    "admin.perm.embed_links": {EN: "Embed Links", ZH: "嵌入連結"},
    "admin.perm.read_message_history": {EN: "Read Message History", ZH: "讀取訊息歷史"},
    "admin.perm.send_messages_in_threads": {EN: "Send Messages in Threads", ZH: "在討論串中傳送訊息"},
    "admin.perm.attach_files": {EN: "Attach Files", ZH: "附加檔案"},
    "admin.owner_only": {
        EN: "`/quizadmin reload` changes the question bank of every server this bot is in, so only the "
        "bot's owners can run it: {owners}. (The host sets them with `OWNER_IDS`; the application's "
        "owner or team counts too.)",
        ZH: "`/quizadmin reload` 會改變這個機器人所在的每個伺服器的題庫，所以只有機器人的擁有者可以執行：{owners}。"
        "（由架設者以 `OWNER_IDS` 設定；應用程式的擁有者或團隊也算。）",
    },
    "admin.post_busy": {
        EN: "A daily is being posted here right now; try again in a moment.",
        ZH: "這裡正在發送每日一題，請稍後再試。",
    },
    "admin.posted_today": {
        EN: "✅ Posted {question} as today's daily: {link}. No other daily is posted today.",
        ZH: "✅ 已發出 {question} 作為今天的每日一題：{link}。今天不會再發每日一題。",
    },
    "admin.posted_extra": {
        EN: "✅ Posted {question}: {link}. It replaced the open daily, which is now revealed.",
        ZH: "✅ 已發出 {question}：{link}。它取代了原本的每日一題，舊題已公布答案。",
    },
    "admin.post_failed": {EN: "❌ Not posted: {error}.", ZH: "❌ 未發出：{error}。"},
    "admin.skipped": {
        EN: "⏭️ No daily question on {day} ({when}). The open one is revealed then as usual. "
        "`/quizadmin skip undo:True` cancels this.",
        ZH: "⏭️ {day}（{when}）不出每日一題。目前的題目仍會在那時公布答案。"
        "用 `/quizadmin skip undo:True` 取消。",
    },
    "admin.unskipped": {
        EN: "↩️ The daily of {day} is back on.",
        ZH: "↩️ {day} 的每日一題恢復了。",
    },
    "admin.nothing_skipped": {EN: "No upcoming daily is skipped.", ZH: "沒有被跳過的每日一題。"},
    "admin.reload_git": {EN: "Git: {result}.", ZH: "Git：{result}。"},
    "admin.reload_git_failed": {
        EN: "❌ Updating the bank from Git failed: {reason}. The bank loaded before stays in use ({n} questions).",
        ZH: "❌ 從 Git 更新題庫失敗：{reason}。繼續使用原本的題庫（{n} 題）。",
    },
    "admin.reload_empty": {
        EN: "❌ The bank reads as empty now (see the files below); the bank loaded before stays in use "
        "({n} questions).",
        ZH: "❌ 題庫讀取後是空的（見下方檔案）；繼續使用原本的題庫（{n} 題）。",
    },
    "admin.reload_done": {
        EN: "✅ Bank reloaded: {n} questions · {added} added · {changed} changed · {removed} removed.",
        ZH: "✅ 題庫已重新載入：{n} 題 · 新增 {added} · 修改 {changed} · 移除 {removed}。",
    },
    "admin.reload_added": {EN: "Added:", ZH: "新增："},
    "admin.reload_changed": {EN: "Changed:", ZH: "修改："},
    "admin.reload_removed": {EN: "Removed:", ZH: "移除："},
    "admin.reload_failed_files": {EN: "Files that failed ({n}):", ZH: "讀取失敗的檔案（{n}）："},
    "admin.reload_kept": {
        EN: "♻️ Kept the last good version of {files}: broken now, their questions from before stay in use "
        "until they are fixed.",
        ZH: "♻️ 保留了 {files} 上一個正常的版本：這些檔案現在有錯誤，修好之前繼續使用先前載入的題目。",
    },
    "admin.more": {EN: " … and {n} more", ZH: " …還有 {n} 項"},
    "admin.bank_summary": {
        EN: "**Question bank**: {n} questions from {files} files · {copies} copies merged · "
        "{skipped} files skipped · {errors} errors · {warnings} warnings",
        ZH: "**題庫**：{n} 題，來自 {files} 個檔案 · 合併 {copies} 份副本 · 略過 {skipped} 個檔案 · "
        "{errors} 個錯誤 · {warnings} 個警告",
    },
    "admin.bank_collections": {EN: "By collection:", ZH: "依集合："},
    "admin.bank_difficulty": {EN: "By difficulty:", ZH: "依難度："},
    "admin.bank_topics": {EN: "Topics:", ZH: "主題："},
    "admin.bank_git": {EN: "From Git: {source}", ZH: "來源 Git：{source}"},
    "admin.bank_git_synced": {EN: "Last update: {result} ({when})", ZH: "上次更新：{result}（{when}）"},
    "admin.bank_git_error": {
        EN: "⚠️ Last Git update failed ({when}): {reason}",
        ZH: "⚠️ 上次 Git 更新失敗（{when}）：{reason}",
    },
    "admin.bank_problems": {EN: "Problems:", ZH: "問題："},
    "admin.bank_skipped": {EN: "Skipped:", ZH: "略過："},
    "admin.bank_empty": {
        EN: "⚠️ No question is loaded: every question file failed or was skipped (see below). Members are "
        "told the bank is empty until a file is fixed and the bank reloaded.",
        ZH: "⚠️ 沒有載入任何題目：所有題目檔都讀取失敗或被略過（見下方）。修好檔案並重新載入之前，成員會看到題庫是空的。",
    },
    "admin.reset_confirm_all": {
        EN: "Reset **everyone's** scores in this server: points, answers and streaks? This cannot be undone.",
        ZH: "要重設本伺服器**所有人**的分數（積分、作答紀錄與連續答對）嗎？此動作無法復原。",
    },
    "admin.reset_confirm_member": {
        EN: "Reset {member}'s scores in this server: points, answers and streak? This cannot be undone.",
        ZH: "要重設 {member} 在本伺服器的分數（積分、作答紀錄與連續答對）嗎？此動作無法復原。",
    },
    "admin.reset_yes": {EN: "Reset", ZH: "重設"},
    "admin.reset_no": {EN: "Cancel", ZH: "取消"},
    "admin.reset_cancelled": {EN: "Cancelled: nothing was reset.", ZH: "已取消：沒有重設任何資料。"},
    "admin.reset_done_all": {
        EN: "🧹 Scores reset for everyone ({n} answers removed).",
        ZH: "🧹 已重設所有人的分數（移除 {n} 筆作答）。",
    },
    "admin.reset_done_member": {
        EN: "🧹 Scores of {member} reset ({n} answers removed).",
        ZH: "🧹 已重設 {member} 的分數（移除 {n} 筆作答）。",
    },
    "admin.exported": {EN: "Scores of {n} members, as CSV.", ZH: "{n} 位成員的分數（CSV）。"},
    "admin.language_auto": {EN: "auto (the server's Discord language)", ZH: "自動（伺服器的 Discord 語言）"},
    "admin.settings": {
        EN: "Practice cooldown: **{cooldown} s** · practice posts open for **{lifetime} min** · "
        "language of public posts: **{language}** · time zone: **{zone}** (set with /quizadmin daily set)",
        ZH: "練習冷卻：**{cooldown} 秒** · 練習題開放 **{lifetime} 分鐘** · 公開貼文語言：**{language}** · "
        "時區：**{zone}**（用 /quizadmin daily set 設定）",
    },
    "admin.settings_saved": {EN: "✅ Saved.", ZH: "✅ 已儲存。"},
    # --- issue 17 on Discord: /exam (examcmd.), /stats readiness (readinesscmd.), /plan (plancmd.)
    "examcmd.started": {
        EN: "📝 **{name}**: {n} questions, {minutes} min. No answer is shown until you submit; "
        "the exam is submitted by itself when the time is up. Lost this message? `/exam resume`.",
        ZH: "📝 **{name}**：{n} 題，{minutes} 分鐘。交卷前不會顯示任何答案；時間到會自動交卷。"
        "訊息不見了？用 `/exam resume`。",
    },
    "examcmd.fewer": {
        EN: "⚠️ The bank holds only {n} questions for this exam (you asked for {asked}): the exam has {n}.",
        ZH: "⚠️ 題庫中這份考試只有 {n} 題可用（你要求 {asked} 題）：本次考試共 {n} 題。",
    },
    "examcmd.too_many": {
        EN: "At most {max} questions for **{name}** (you asked for {n}).",
        ZH: "**{name}** 最多 {max} 題（你要求 {n} 題）。",
    },
    "examcmd.no_questions": {
        EN: "No question of the bank falls in a section of **{name}** (or all of them are open daily "
        "questions now). `quizbot bank check --exam` shows why.",
        ZH: "題庫中沒有題目屬於 **{name}** 的任何章節（或都是進行中的每日一題）。`quizbot bank check --exam` 可以看原因。",
    },
    "examcmd.already_open": {
        EN: "You already have an exam in progress (it ends {when}): `/exam resume` brings it back, "
        "and its Submit button ends it. One exam at a time.",
        ZH: "你已經有一份進行中的考試（{when}結束）：用 `/exam resume` 叫回來，或按「交卷」結束它。一次只能考一份。",
    },
    "examcmd.previous_submitted": {
        EN: "Your previous exam ran out of time and was submitted: see `/exam history`.",
        ZH: "你上一份考試時間已到，已自動交卷：請看 `/exam history`。",
    },
    "examcmd.none_open": {
        EN: "You have no exam in progress. Start one with `/exam start`.",
        ZH: "你沒有進行中的考試。用 `/exam start` 開始一份。",
    },
    "examcmd.resumed": {
        EN: "⏱️ {minutes} min left (until {when}).",
        ZH: "⏱️ 剩下 {minutes} 分鐘（到 {when}）。",
    },
    "examcmd.no_history": {
        EN: "You have not submitted a mock exam here yet. Start one with `/exam start`.",
        ZH: "你在這裡還沒有交過模擬考。用 `/exam start` 開始一份。",
    },
    "examcmd.time_up": {
        EN: "⏰ Time is up: your exam was submitted.",
        ZH: "⏰ 時間到：你的考試已交卷。",
    },
    "examcmd.was_submitted": {
        EN: "This exam has been submitted already.",
        ZH: "這份考試已經交卷了。",
    },
    "examcmd.dm_auto": {
        EN: "⏰ Time was up for your mock exam in **{guild}**: it was submitted with the answers you had picked.",
        ZH: "⏰ 你在 **{guild}** 的模擬考時間到了：已用你選好的答案自動交卷。",
    },
    "examcmd.failed": {
        EN: "Something went wrong with your exam (it has been logged). Nothing is lost: try again, or `/exam resume`.",
        ZH: "你的考試出了點問題（已記錄）。沒有遺失任何東西：請再試一次，或用 `/exam resume`。",
    },
    "examcmd.unknown_exam": {
        EN: "I don't know this exam any more.",
        ZH: "找不到這份考試了。",
    },
    "examcmd.choose_full": {
        EN: "This question takes {n} answers: unpick one before picking another.",
        ZH: "這題要選 {n} 個答案：請先取消一個再選另一個。",
    },
    "examcmd.explain_after": {
        EN: "Explanations come after you submit.",
        ZH: "交卷後才能看解析。",
    },
    "examcmd.prev": {EN: "Previous", ZH: "上一題"},
    "examcmd.next": {EN: "Next", ZH: "下一題"},
    "examcmd.flag": {EN: "Flag", ZH: "標記"},
    "examcmd.unflag": {EN: "Unflag", ZH: "取消標記"},
    "examcmd.submit": {EN: "Submit", ZH: "交卷"},
    "examcmd.jump": {EN: "Go to question…", ZH: "跳到第幾題…"},
    "examcmd.jump_option": {EN: "Question {n} · {mark}", ZH: "第 {n} 題 · {mark}"},
    "examcmd.mark.answered": {EN: "answered", ZH: "已作答"},
    "examcmd.mark.partial": {EN: "too few letters", ZH: "選項不足"},
    "examcmd.mark.empty": {EN: "not answered", ZH: "未作答"},
    "examcmd.confirm": {EN: "Submit now", ZH: "確定交卷"},
    "examcmd.back": {EN: "Back to the exam", ZH: "回到考試"},
    "examcmd.confirm_question": {
        EN: "**Submit your exam of {n} questions?** You cannot change answers afterwards.",
        ZH: "**確定要交出這份 {n} 題的考試嗎？** 交卷後就不能再改答案。",
    },
    "examcmd.confirm_counts": {
        EN: "⚠️ {unanswered} not answered · {short} with too few letters · {flagged} flagged for review.",
        ZH: "⚠️ {unanswered} 題未作答 · {short} 題選項不足 · {flagged} 題標記待檢查。",
    },
    "examcmd.confirm_all": {
        EN: "✅ Every question is answered and none is flagged.",
        ZH: "✅ 每題都已作答，也沒有標記待檢查的題目。",
    },
    "examcmd.explain_menu": {
        EN: "Explain a missed question ({first}–{last})",
        ZH: "看答錯題目的解析（第 {first}–{last} 題）",
    },
    "examcmd.blueprint_choice": {
        EN: "{name} · {n} questions · {minutes} min",
        ZH: "{name} · {n} 題 · {minutes} 分鐘",
    },
    "examcmd.section_choice": {
        EN: "{blueprint} › {section} — {n} questions",
        ZH: "{blueprint} › {section} — {n} 題",
    },
    "examcmd.no_blueprints": {
        EN: "No exam blueprint is loaded (see `/quizadmin bank`).",
        ZH: "沒有載入任何考試藍圖（請看 `/quizadmin bank`）。",
    },
    "examcmd.no_default_blueprint": {
        EN: "Which exam? Name one of: {names}.",
        ZH: "要考哪一份？請從這些選一個：{names}。",
    },
    "examcmd.unknown_blueprint": {
        EN: "I don't know the exam `{name}`. There are: {names}.",
        ZH: "找不到考試 `{name}`。現有：{names}。",
    },
    "examcmd.unknown_section": {
        EN: "I don't know the section `{ref}`. Pick one from the list, e.g. {examples}.",
        ZH: "找不到章節 `{ref}`。請從清單中選一個，例如：{examples}。",
    },
    "readinesscmd.no_answers": {
        EN: "None of your answers here falls in a section of **{name}** yet. Try `/quiz section:` or `/exam start`.",
        ZH: "你在這裡的作答還沒有落在 **{name}** 的任何章節。試試 `/quiz section:` 或 `/exam start`。",
    },
    "readinesscmd.server_empty": {
        EN: "Nobody's answers here fall in a section of **{name}** yet.",
        ZH: "這裡還沒有人的作答落在 **{name}** 的任何章節。",
    },
    "readinesscmd.failed": {
        EN: "I could not read the answers (the database did not answer); it has been logged. Please try again.",
        ZH: "無法讀取作答紀錄（資料庫沒有回應），已記錄下來。請再試一次。",
    },
    "readinesscmd.radar": {EN: "Accuracy per exam section", ZH: "各考試章節的正確率"},
    "plancmd.day": {EN: "Day {n}", ZH: "第 {n} 天"},
    "plancmd.days": {EN: "Days {first}–{last}", ZH: "第 {first}–{last} 天"},
    "plancmd.section_gone": {
        EN: "This section is not in the bank's blueprints any more: run `/plan` again.",
        ZH: "題庫的考試藍圖中已經沒有這個章節：請重新執行 `/plan`。",
    },
    "plancmd.empty_section": {
        EN: "No question of the bank falls in **{section}** yet.",
        ZH: "題庫中還沒有屬於 **{section}** 的題目。",
    },
    "plancmd.failed": {
        EN: "Something went wrong with the plan (it has been logged). Please try again.",
        ZH: "衝刺計畫出了點問題（已記錄）。請再試一次。",
    },
    # --- exams, readiness, sprint plan (bot/render/exam.py, readiness.py, radar.py)
    "exam.page_title": {
        EN: "Question {n} of {total} · {section}",
        ZH: "第 {n} 題（共 {total} 題）· {section}",
    },
    "exam.your_answer": {EN: "Your answer", ZH: "你的答案"},
    "exam.not_answered": {EN: "Not answered yet", ZH: "尚未作答"},
    "exam.flagged": {EN: "🚩 Flagged for review", ZH: "🚩 已標記待檢查"},
    "exam.time": {EN: "Time", ZH: "時間"},
    "exam.time_left": {EN: "⏱️ Ends {relative} (at {clock})", ZH: "⏱️ {relative}結束（{clock}）"},
    "exam.time_up": {EN: "⏱️ Time is up", ZH: "⏱️ 時間到"},
    "exam.submitted": {EN: "Submitted {when}", ZH: "已於 {when} 交卷"},
    "exam.progress": {
        EN: "{answered}/{total} answered · {flagged} flagged · no feedback until you submit",
        ZH: "已作答 {answered}/{total} · 已標記 {flagged} · 交卷前不顯示對錯",
    },
    "exam.question_gone": {
        EN: "The question `{key}` is no longer in the bank: its text cannot be shown.",
        ZH: "題目 `{key}` 已不在題庫中，無法顯示內容。",
    },
    "exam.overview_legend": {
        EN: "🟩 answered · 🚩 flagged · ⬜ not answered · {answered}/{total} answered, {flagged} flagged",
        ZH: "🟩 已作答 · 🚩 已標記 · ⬜ 未作答 · 已作答 {answered}/{total}，已標記 {flagged}",
    },
    "exam.result_title": {EN: "📝 Mock exam · {blueprint}", ZH: "📝 模擬考 · {blueprint}"},
    "exam.score": {
        EN: "Score: **{correct}/{total} ({percent})**",
        ZH: "得分：**{correct}/{total}（{percent}）**",
    },
    "exam.passed_estimated": {
        EN: "✅ Above the estimated pass mark of {mark}",
        ZH: "✅ 高於估計及格線 {mark}",
    },
    "exam.failed_estimated": {
        EN: "❌ Below the estimated pass mark of {mark}",
        ZH: "❌ 低於估計及格線 {mark}",
    },
    "exam.passed": {EN: "✅ Passed (pass mark {mark})", ZH: "✅ 及格（及格線 {mark}）"},
    "exam.failed": {EN: "❌ Not passed (pass mark {mark})", ZH: "❌ 未及格（及格線 {mark}）"},
    "exam.estimate_note": {
        EN: "Databricks does not publish the pass mark: {mark} is an estimate.",
        ZH: "Databricks 不公布及格線：{mark} 只是估計值。",
    },
    "exam.time_used": {EN: "Time used: {used} of {limit}", ZH: "用時：{used}（限時 {limit}）"},
    "exam.auto_submitted": {EN: "⏰ Submitted when time ran out.", ZH: "⏰ 時間到，已自動交卷。"},
    "exam.sections": {EN: "By section", ZH: "各部分得分"},
    "exam.section_line": {
        EN: "{bar} {percent} ({correct}/{total}) · weight {weight}",
        ZH: "{bar} {percent}（{correct}/{total}）· 權重 {weight}",
    },
    "exam.weakest": {EN: "Weakest sections", ZH: "最弱的部分"},
    "exam.weakest_line": {
        EN: "{n}. {section}: {percent} ({correct}/{total})",
        ZH: "{n}. {section}：{percent}（{correct}/{total}）",
    },
    "exam.missed": {
        EN: "Missed: {n} · your answer → the answer",
        ZH: "答錯或未答：{n} 題 · 你的答案 → 正確答案",
    },
    "exam.missed_continued": {EN: "Missed (continued)", ZH: "答錯或未答（續）"},
    "exam.none_missed": {EN: "None: every answer was right. 🎉", ZH: "沒有：全部答對！🎉"},
    "exam.more": {EN: "… and {n} more", ZH: "…還有 {n} 項"},
    "exam.duration_hm": {EN: "{h} h {m} min", ZH: "{h} 小時 {m} 分"},
    "exam.duration_ms": {EN: "{m} min {s} s", ZH: "{m} 分 {s} 秒"},
    "exam.footer": {EN: "Exam #{id}", ZH: "模擬考 #{id}"},
    "exam.history_title": {EN: "📝 Your mock exams", ZH: "📝 你的模擬考紀錄"},
    "exam.history_line": {
        EN: "{when} · {blueprint} · **{correct}/{total}** ({percent}) {verdict} · {used}",
        ZH: "{when} · {blueprint} · **{correct}/{total}**（{percent}）{verdict} · {used}",
    },
    "exam.history_empty": {
        EN: "No mock exam yet: start one with /exam start.",
        ZH: "還沒有模擬考紀錄：用 /exam start 開始一場。",
    },
    "exam.history_legend": {
        EN: "✅/❌ against the pass mark of the exam · ⏰ submitted when time ran out",
        ZH: "✅/❌ 以該場考試的及格線判定 · ⏰ 時間到自動交卷",
    },
    "exam.history_estimated": {
        EN: "Databricks does not publish the pass mark: the pass marks are estimates.",
        ZH: "Databricks 不公布及格線：這裡的及格線都是估計值。",
    },
    "readiness.title": {EN: "📡 Readiness · {blueprint} · {who}", ZH: "📡 備考狀態 · {blueprint} · {who}"},
    "readiness.title_server": {
        EN: "📡 Team readiness · {blueprint} · {who}",
        ZH: "📡 團隊備考狀態 · {blueprint} · {who}",
    },
    "readiness.predicted": {
        EN: "Predicted score: **{predicted}** · pass mark {mark} · from **{answers}** answers",
        ZH: "預測分數：**{predicted}** · 及格線 {mark} · 根據 **{answers}** 次作答",
    },
    "readiness.no_answers": {
        EN: "No answer falls in this exam's sections yet, so there is no prediction.",
        ZH: "目前還沒有作答落在這份考綱的任何部分，所以無法預測。",
    },
    "readiness.too_few": {
        EN: "⚠️ Only {answers} answers: a prediction needs at least {min} to mean much.",
        ZH: "⚠️ 只有 {answers} 次作答：預測至少需要 {min} 次才有參考價值。",
    },
    "readiness.estimate_note": {
        EN: "Databricks does not publish the pass mark: {mark} is an estimate.",
        ZH: "Databricks 不公布及格線：{mark} 只是估計值。",
    },
    "readiness.sections": {EN: "Accuracy by section", ZH: "各部分正確率"},
    "readiness.section_line": {
        EN: "{bar} {accuracy} ({correct}/{answered}) · weight {weight}",
        ZH: "{bar} {accuracy}（{correct}/{answered}）· 權重 {weight}",
    },
    "readiness.section_unseen": {
        EN: "{bar} not answered yet · weight {weight}",
        ZH: "{bar} 尚未作答 · 權重 {weight}",
    },
    "readiness.weakest": {EN: "Weakest sections", ZH: "最弱的部分"},
    "readiness.weakest_none": {EN: "No section answered yet.", ZH: "還沒有作答任何部分。"},
    "readiness.weakest_line": {
        EN: "{n}. {section}: {accuracy} ({correct}/{answered})",
        ZH: "{n}. {section}：{accuracy}（{correct}/{answered}）",
    },
    "readiness.missed_title": {EN: "Most missed · {section}", ZH: "最常答錯 · {section}"},
    "readiness.missed_line": {
        EN: "{question}: missed {misses} of {answers}",
        ZH: "{question}：{answers} 次中錯 {misses} 次",
    },
    "readiness.more": {EN: "… and {n} more", ZH: "…還有 {n} 項"},
    "readiness.footer": {
        EN: "From your recent answers of every kind. Predicted = Σ weight × accuracy.",
        ZH: "根據你最近的各類作答。預測分數 = Σ 權重 × 正確率。",
    },
    "readiness.footer_server": {
        EN: "From the group's recent answers of every kind. Predicted = Σ weight × accuracy.",
        ZH: "根據全體成員最近的各類作答。預測分數 = Σ 權重 × 正確率。",
    },
    "readiness.radar_value": {EN: "{accuracy} · weight {weight}", ZH: "{accuracy} · 權重 {weight}"},
    "readiness.radar_accuracy": {EN: "accuracy", ZH: "正確率"},
    "readiness.radar_pass": {EN: "pass mark {mark}", ZH: "及格線 {mark}"},
    "readiness.radar_pass_estimated": {EN: "estimated pass mark {mark}", ZH: "估計及格線 {mark}"},
    "plan.title": {EN: "🗓️ {days}-day sprint · {blueprint}", ZH: "🗓️ {days} 天衝刺計畫 · {blueprint}"},
    "plan.intro": {
        EN: "Sections ordered by expected gain, weight × (1 − accuracy); sections you have not tried come first.",
        ZH: "依預期收益（權重 × (1 − 正確率)）排序；還沒練過的部分排在最前面。",
    },
    "plan.now": {
        EN: "Predicted now: **{predicted}** · pass mark {mark} · from {answers} answers",
        ZH: "目前預測：**{predicted}** · 及格線 {mark} · 根據 {answers} 次作答",
    },
    "plan.day": {EN: "Day {day} · {count} questions", ZH: "第 {day} 天 · {count} 題"},
    "plan.item_seen": {
        EN: "**{section}** × {count} · now {accuracy} · weight {weight}",
        ZH: "**{section}** × {count} · 目前 {accuracy} · 權重 {weight}",
    },
    "plan.item_unseen": {
        EN: "**{section}** × {count} · 🆕 not tried yet · weight {weight}",
        ZH: "**{section}** × {count} · 🆕 尚未練習 · 權重 {weight}",
    },
    "plan.empty": {EN: "Nothing to plan.", ZH: "沒有需要安排的內容。"},
    "plan.more_days": {EN: "… and {n} more days", ZH: "…還有 {n} 天"},
    "plan.footer": {EN: "Practise one section with /quiz section:", ZH: "用 /quiz section: 練習單一部分"},
    # --- /review: spaced repetition, reminders, Anki export (bot/cogs/review/, bot/render/review.py)
    "review.card_footer": {
        EN: "🔁 Review · card {n} · {due} due · no points or streaks",
        ZH: "🔁 複習 · 第 {n} 張 · 到期 {due} 張 · 不影響分數與連續答對",
    },
    "review.next": {EN: "Next", ZH: "下一張"},
    "review.stop": {EN: "Stop", ZH: "結束"},
    "review.rating.again": {EN: "Again", ZH: "重來"},
    "review.rating.hard": {EN: "Hard", ZH: "困難"},
    "review.rating.good": {EN: "Good", ZH: "良好"},
    "review.rating.easy": {EN: "Easy", ZH: "簡單"},
    "review.rate_prompt": {
        EN: "How did it go? Again · Hard · Good · Easy — Next counts as Good · no points or streaks",
        ZH: "感覺如何？重來 · 困難 · 良好 · 簡單——按「下一張」算「良好」· 不影響分數與連續答對",
    },
    "review.again_footer": {
        EN: "Rated Again: it comes back on {when} · no points or streaks",
        ZH: "評為「重來」：{when} 會再出現 · 不影響分數與連續答對",
    },
    "review.no_points": {EN: "Reviews change no points or streaks", ZH: "複習不影響分數與連續答對"},
    "review.rated": {
        EN: "Rated **{rating}**: next review {when}.",
        ZH: "評為「{rating}」：下次複習 {when}。",
    },
    "review.summary_title": {EN: "🔁 Review done", ZH: "🔁 複習完成"},
    "review.nothing_due_title": {EN: "🔁 Nothing to review now", ZH: "🔁 目前沒有要複習的卡片"},
    "review.summary_counts": {
        EN: "**{done}** reviewed · **{right}** right",
        ZH: "複習 **{done}** 張 · 答對 **{right}** 張",
    },
    "review.summary_left": {
        EN: "**{n}** more due now: `/review start` goes on.",
        ZH: "現在還有 **{n}** 張到期：用 `/review start` 繼續。",
    },
    "review.summary_next": {EN: "Next card due {when}.", ZH: "下一張卡片 {when} 到期。"},
    "review.no_cards": {
        EN: "No cards yet: every question you answer here (the daily, /quiz, /exam) becomes one, and "
        "the ones you miss come back in /review.",
        ZH: "還沒有卡片：你在這裡回答的每一題（每日一題、/quiz、/exam）都會變成一張卡片，答錯的會在 /review 再出現。",
    },
    "review.summary_week": {
        EN: "Due today: {today} · this week: {week}",
        ZH: "今天到期：{today} · 本週到期：{week}",
    },
    "review.stats_title": {EN: "🔁 Review", ZH: "🔁 複習"},
    "review.stats_due": {
        EN: "Due today **{today}** · this week **{week}**",
        ZH: "今天到期 **{today}** 張 · 本週 **{week}** 張",
    },
    "review.stats_retention": {
        EN: "Retention (30 days): **{retention}** ({right}/{total} recalled)",
        ZH: "記憶保留率（30 天）：**{retention}**（{right}/{total} 記得）",
    },
    "review.stats_next": {EN: "Next card due {when}", ZH: "下一張卡片 {when} 到期"},
    "review.not_your_server": {
        EN: "This review belongs to another server: run `/review start` here.",
        ZH: "這個複習屬於另一個伺服器：請在這裡用 `/review start`。",
    },
    "review.gone": {
        EN: "This question is no longer in the bank: on to the next card.",
        ZH: "題庫中已沒有這一題：換下一張。",
    },
    "review.daily_open": {
        EN: "This question is an open daily question now: it comes back once the daily closes.",
        ZH: "這一題現在是進行中的每日一題：每日一題結束後它會再出現。",
    },
    "review.already": {
        EN: "This card was reviewed already: on to the next.",
        ZH: "這張卡片已經複習過了：換下一張。",
    },
    "review.not_saved": {
        EN: "I could not save your review (a storage problem on my side; it has been logged). Please try again.",
        ZH: "我無法儲存你的複習（我這邊的儲存問題，已記錄下來）。請再試一次。",
    },
    "review.reminder": {
        EN: "🔁 You have **{n}** card(s) due for review in **{guild}**: run `/review start` there.",
        ZH: "🔁 你在 **{guild}** 有 **{n}** 張卡片到期要複習：到那裡用 `/review start`。",
    },
    "review.remind_stop": {EN: "Stop reminders", ZH: "停止提醒"},
    "review.remind_on": {
        EN: "✅ Reminders on: every day at **{time}** ({tz}, this server's time zone) when cards are due, "
        "never when none — by DM, or a mention in the daily question's channel if your DMs are closed. "
        "Next one {when}.",
        ZH: "✅ 已開啟提醒：有卡片到期時，每天 **{time}**（{tz}，本伺服器的時區）提醒你，沒有到期就不提醒——"
        "用私訊，若你關閉了私訊則在每日一題的頻道提及你。下一次 {when}。",
    },
    "review.remind_off": {
        EN: "Reminders off. `/review remind on` turns them back on.",
        ZH: "已關閉提醒。用 `/review remind on` 可以重新開啟。",
    },
    "review.remind_stopped": {
        EN: "Reminders for **{guild}** are off. `/review remind on` there turns them back on.",
        ZH: "已關閉 **{guild}** 的提醒。在那裡用 `/review remind on` 可以重新開啟。",
    },
    "review.bad_time": {
        EN: "`{time}` is not a time of day: use 24-hour HH:MM, e.g. 19:30.",
        ZH: "`{time}` 不是有效的時間：請用 24 小時制 HH:MM，例如 19:30。",
    },
    "review.export_empty": {
        EN: "You have no cards in this server yet: answer some questions first.",
        ZH: "你在本伺服器還沒有卡片：先回答一些題目吧。",
    },
    "review.export_none": {EN: "None of your cards matches {what}.", ZH: "你沒有符合 {what} 的卡片。"},
    "review.export_missed": {EN: "missed", ZH: "答錯過"},
    "review.export_done": {
        EN: "📦 {n} card(s) as an Anki deck: import it in Anki (File › Import). Importing a newer export "
        "updates these notes instead of adding copies.",
        ZH: "📦 {n} 張卡片的 Anki 牌組：在 Anki 中匯入（檔案 › 匯入）。之後匯入較新的匯出檔會更新這些筆記，不會重複新增。",
    },
    "review.export_parts": {
        EN: "📦 {n} card(s) in {parts} files, each under this server's upload limit of {limit}: import "
        "them all; they fill one deck.",
        ZH: "📦 {n} 張卡片分成 {parts} 個檔案，每個都低於本伺服器 {limit} 的上傳上限：全部匯入，會合併成同一個牌組。",
    },
    "review.export_part": {EN: "Part {i} of {parts}", ZH: "第 {i} 部分（共 {parts} 部分）"},
    "review.export_too_big": {
        EN: "The deck is {size}, over this server's upload limit of {limit} even split in {parts} files: "
        "export fewer cards with `topic:`, `section:` or `missed:`.",
        ZH: "牌組大小為 {size}，即使分成 {parts} 個檔案仍超過本伺服器 {limit} 的上傳上限："
        "請用 `topic:`、`section:` 或 `missed:` 匯出較少的卡片。",
    },
    "review.export_failed": {
        EN: "I could not build the deck (it has been logged). Please try again.",
        ZH: "我無法建立牌組（已記錄下來）。請再試一次。",
    },
    "review.anki.answer": {EN: "Answer", ZH: "答案"},
    "review.anki.options": {EN: "Why each option", ZH: "各選項說明"},
    "review.anki.explanation": {EN: "Explanation", ZH: "解析"},
    # --- reports of broken questions (issue 21: bot/cogs/reports.py, bot/cogs/admin/reports.py,
    # bot/render/reports.py, docs/reports.md)
    "report.button": {EN: "Report a problem", ZH: "回報問題"},
    "report.modal_title": {EN: "Report a problem · {id}", ZH: "回報問題 · {id}"},
    "report.kind_label": {EN: "What is wrong?", ZH: "哪裡有問題？"},
    "report.kind_placeholder": {EN: "Choose one", ZH: "請選一項"},
    "report.kind.wrong_answer": {EN: "Wrong answer", ZH: "答案錯誤"},
    "report.kind.unclear": {EN: "Unclear or typo", ZH: "題意不清或錯字"},
    "report.kind.outdated": {EN: "Outdated", ZH: "內容過時"},
    "report.kind.explanation": {EN: "Explanation wrong", ZH: "解析有誤"},
    "report.kind.other": {EN: "Other", ZH: "其他"},
    "report.note_label": {EN: "Your note", ZH: "說明"},
    "report.note_description": {
        EN: "What is wrong, and what it should say (at most {max} characters).",
        ZH: "哪裡有問題、應該怎麼寫（最多 {max} 字）。",
    },
    "report.note_placeholder": {
        EN: "e.g. C is right: the docs say a job cluster ends with its run.",
        ZH: "例如：C 才對，官方文件說 job cluster 會隨執行結束。",
    },
    "report.notify_label": {EN: "Tell me the outcome", ZH: "處理結果通知方式"},
    "report.notify_here": {EN: "Here, the next time I use the bot", ZH: "下次使用機器人時在這裡告訴我"},
    "report.notify_dm": {EN: "By direct message", ZH: "用私訊通知我"},
    "report.thanks": {
        EN: "🙏 Thank you: your report on **{id}** ({kind}) reached this server's admins.",
        ZH: "🙏 謝謝：你對 **{id}** 的回報（{kind}）已送給本伺服器的管理員。",
    },
    "report.thanks_dm": {
        EN: "You'll get their answer by direct message.",
        ZH: "他們的回覆會用私訊通知你。",
    },
    "report.thanks_here": {
        EN: "You'll see their answer here the next time you use the bot.",
        ZH: "下次你使用機器人時，會在這裡看到他們的回覆。",
    },
    "report.duplicate": {
        EN: "You already reported **{id}** ({when}) and the admins have not answered yet: one report "
        "per question is enough. Thank you for looking after the bank!",
        ZH: "你已經回報過 **{id}**（{when}），管理員還沒有回覆：每題回報一次就夠了。謝謝你幫忙照顧題庫！",
    },
    "report.rate_limited": {
        EN: "You have sent {n} reports in the last hour, thank you! You can send the next one {when}.",
        ZH: "你在一小時內已經回報了 {n} 次，謝謝！下一次可以在 {when} 回報。",
    },
    "report.note_empty": {
        EN: "Please write what is wrong: the note can't be empty. Nothing was sent.",
        ZH: "請寫下哪裡有問題：說明不能空白。這次沒有送出。",
    },
    "report.note_too_long": {
        EN: "Your note is {length} characters long; the most is {max}. Please shorten it. Nothing was sent.",
        ZH: "你的說明有 {length} 字，上限是 {max} 字，請縮短。這次沒有送出。",
    },
    "report.bad_kind": {
        EN: "Please choose what is wrong from the list. Nothing was sent.",
        ZH: "請從清單中選擇哪裡有問題。這次沒有送出。",
    },
    "report.not_saved": {
        EN: "Your report could not be saved; please try again in a moment.",
        ZH: "無法儲存你的回報，請稍後再試一次。",
    },
    "report.flagged": {
        EN: "Members reported a problem with this question; the server's admins are looking into it.",
        ZH: "有成員回報這題有問題，伺服器管理員正在處理。",
    },
    "report.channel_head": {
        EN: "🚩 {member} reported **{id}** (`{where}`): {kind}",
        ZH: "🚩 {member} 回報了 **{id}**（`{where}`）：{kind}",
    },
    "report.channel_tail": {
        EN: "Open reports on it: {count} · read it with `/explain question:{key}` · act on it with `/quizadmin reports`",
        ZH: "這題目前的回報：{count} 則 · 用 `/explain question:{key}` 查看 · 用 `/quizadmin reports` 處理",
    },
    "report.notice": {
        EN: "📬 An admin of **{server}** answered your report on **{id}**:",
        ZH: "📬 **{server}** 的管理員回覆了你對 **{id}** 的回報：",
    },
    "report.list_title": {EN: "🚩 Reports · page {page}/{pages}", ZH: "🚩 問題回報 · 第 {page}/{pages} 頁"},
    "report.list_title_empty": {EN: "🚩 Reports", ZH: "🚩 問題回報"},
    "report.list_empty": {
        EN: "No open report and no paused question in this server. 🎉",
        ZH: "本伺服器沒有待處理的回報，也沒有暫停的題目。🎉",
    },
    "report.list_footer": {
        EN: "{questions} question(s) · {reports} open report(s) · flagged from {threshold} members",
        ZH: "{questions} 題 · {reports} 則待處理回報 · {threshold} 位成員回報即標示",
    },
    "report.block_head": {EN: "**{n}. {id}** · `{where}`", ZH: "**{n}. {id}** · `{where}`"},
    "report.block_paused": {EN: "⏸️ paused here", ZH: "⏸️ 本伺服器已暫停"},
    "report.block_paused_only": {
        EN: "No open report · paused {when}",
        ZH: "沒有待處理的回報 · {when}暫停",
    },
    "report.block_counts": {
        EN: "👥 {members} member(s) · {reports} report(s) · {kinds} · latest {when}",
        ZH: "👥 {members} 位成員 · {reports} 則回報 · {kinds} · 最新 {when}",
    },
    "report.gone": {EN: "not in the bank any more", ZH: "已不在題庫中"},
    "report.option_line": {EN: "{members} member(s): {kinds}", ZH: "{members} 位成員：{kinds}"},
    "report.pick_placeholder": {EN: "Open a question's reports…", ZH: "打開某一題的回報…"},
    "report.prev": {EN: "Previous", ZH: "上一頁"},
    "report.next": {EN: "Next", ZH: "下一頁"},
    "report.back": {EN: "Back to the list", ZH: "回到清單"},
    "report.resolve_button": {EN: "Resolve…", ZH: "處理完成…"},
    "report.pause_button": {EN: "Pause here", ZH: "在本伺服器暫停"},
    "report.unpause_button": {EN: "Unpause", ZH: "恢復出題"},
    "report.detail_title": {EN: "🚩 {id} · {members} member(s)", ZH: "🚩 {id} · {members} 位成員"},
    "report.detail_where": {
        EN: "In the bank: `{where}` · key `{key}`",
        ZH: "題庫位置：`{where}` · 鍵值 `{key}`",
    },
    "report.detail_commits": {EN: "reported at commit {commits}", ZH: "回報時的 commit：{commits}"},
    "report.detail_paused": {
        EN: "⏸️ Paused in this server {when}: not in the daily rotation nor in /quiz.",
        ZH: "⏸️ {when}在本伺服器暫停：不會出現在每日一題輪替與 /quiz 中。",
    },
    "report.detail_none": {EN: "No open report on this question.", ZH: "這題沒有待處理的回報。"},
    "report.detail_line": {EN: "**{member}** · {kind} · {when}", ZH: "**{member}** · {kind} · {when}"},
    "report.resolve_title": {EN: "Resolve · {id}", ZH: "處理完成 · {id}"},
    "report.resolve_label": {EN: "Your reply to the members who reported it", ZH: "給回報成員的回覆"},
    "report.resolve_placeholder": {
        EN: "e.g. Fixed in the bank: the answer is C now. Thanks!",
        ZH: "例如：題庫已修正，答案改為 C。謝謝！",
    },
    "report.resolved": {
        EN: "✅ {n} report(s) on **{id}** resolved. Your reply went by direct message to {dm} of the "
        "reporters; the others see it the next time they use the bot here.",
        ZH: "✅ 已處理 **{id}** 的 {n} 則回報。你的回覆已私訊給其中 {dm} 位回報者；其他人下次在這裡使用機器人時會看到。",
    },
    "report.resolved_none": {
        EN: "Nothing to resolve: the reports on **{id}** were resolved meanwhile.",
        ZH: "沒有需要處理的回報：**{id}** 的回報已經處理過了。",
    },
    "report.reply_empty": {
        EN: "The reply can't be empty: the reporters read it. Nothing was resolved.",
        ZH: "回覆不能空白：回報的成員會看到它。這次沒有處理。",
    },
    "report.reply_too_long": {
        EN: "The reply is {length} characters long; the most is {max}. Nothing was resolved.",
        ZH: "回覆有 {length} 字，上限是 {max} 字。這次沒有處理。",
    },
    "report.paused": {
        EN: "⏸️ **{id}** is paused in this server: it leaves the daily rotation and /quiz until you unpause it.",
        ZH: "⏸️ 已在本伺服器暫停 **{id}**：在恢復之前，它不會出現在每日一題輪替與 /quiz 中。",
    },
    "report.all_paused": {
        EN: "Every question that matches {what} is paused in this server (/quizadmin reports).",
        ZH: "符合 {what} 的題目在本伺服器都已暫停（/quizadmin reports）。",
    },
    "report.unpaused": {
        EN: "▶️ **{id}** is back in the daily rotation and /quiz.",
        ZH: "▶️ **{id}** 已回到每日一題輪替與 /quiz 中。",
    },
    "report.unknown": {
        EN: "That question has no report or pause here any more; the list is refreshed.",
        ZH: "這題在這裡已經沒有回報或暫停紀錄；清單已更新。",
    },
    "report.settings": {
        EN: "Reports channel: {channel} · members whose reports flag a question: **{threshold}**",
        ZH: "回報頻道：{channel} · 幾位成員回報就標示題目：**{threshold}**",
    },
    "report.channel_none": {
        EN: "none (see them with /quizadmin reports)",
        ZH: "無（用 /quizadmin reports 查看）",
    },
    "report.channel_missing": {
        EN: "⚠️ I can't post reports in {channel}: I need {perms}.",
        ZH: "⚠️ 我無法在 {channel} 發布回報：需要 {perms}。",
    },
    # --- generic
    "error.generic": {
        EN: "Something went wrong on my side; it has been logged. Please try again.",
        ZH: "我這邊出了點問題，已記錄下來。請再試一次。",
    },
    "error.guild_only": {
        EN: "Use this command in your server: it does not work in DMs.",
        ZH: "請在你的伺服器中使用這個指令：它不能在私訊中使用。",
    },
    "public.member_cannot_send": {
        EN: "You may not send messages in this channel, so only you see this.",
        ZH: "你在這個頻道不能傳送訊息，所以只有你看得到這則回覆。",
    },
    "public.bot_cannot_send": {
        EN: "I can't post in this channel (I need {perms}), so only you see this.",
        ZH: "我無法在這個頻道發文（需要：{perms}），所以只有你看得到這則回覆。",
    },
    "error.not_yours": {EN: "Only {user} can use these controls.", ZH: "只有 {user} 可以操作這些按鈕。"},
    # --- the web dashboard (issue 19, bot/web, docs/dashboard.md)
    "dash.title": {EN: "{guild} · quizbot", ZH: "{guild} · quizbot"},
    "dash.heading": {EN: "Team dashboard", ZH: "團隊儀表板"},
    "dash.tabs": {EN: "Pages", ZH: "頁面"},
    "dash.tab.overview": {EN: "Overview", ZH: "總覽"},
    "dash.tab.leaderboard": {EN: "Leaderboard", ZH: "排行榜"},
    "dash.tab.weakness": {EN: "Team weakness", ZH: "團隊弱點"},
    "dash.tab.me": {EN: "My page", ZH: "我的頁面"},
    "dash.public": {EN: "Public page", ZH: "公開頁面"},
    "dash.footer": {
        EN: "Read-only. Figures from the server's answers in quizbot.",
        ZH: "唯讀頁面。數字來自 quizbot 中本伺服器的作答。",
    },
    "dash.none": {EN: "—", ZH: "—"},
    "dash.pct": {EN: "{pct}%", ZH: "{pct}%"},
    "dash.overview.active": {EN: "Members active this week", ZH: "本週有作答的成員"},
    "dash.overview.answers": {EN: "Answers this week", ZH: "本週作答數"},
    "dash.overview.accuracy": {EN: "Accuracy this week", ZH: "本週正確率"},
    "dash.overview.chart": {EN: "Answers and accuracy per week", ZH: "每週作答數與正確率"},
    "dash.overview.chart_desc": {
        EN: "Last {weeks} weeks, weeks start on Monday in the server's time zone.",
        ZH: "最近 {weeks} 週，每週從伺服器時區的週一開始。",
    },
    "dash.chart.answers": {EN: "Answers", ZH: "作答數"},
    "dash.chart.accuracy": {EN: "Accuracy", ZH: "正確率"},
    "dash.daily.title": {EN: "The daily question", ZH: "每日一題"},
    "dash.daily.count": {EN: "{count} answered so far", ZH: "目前 {count} 人作答"},
    "dash.daily.none": {EN: "No daily question is open right now.", ZH: "目前沒有進行中的每日一題。"},
    "dash.daily.hint": {
        EN: "Answer it in Discord; its answer is revealed when it closes.",
        ZH: "請在 Discord 作答；答案會在結束時公布。",
    },
    "dash.board.period.week": {EN: "This week", ZH: "本週"},
    "dash.board.period.month": {EN: "This month", ZH: "本月"},
    "dash.board.period.all": {EN: "All time", ZH: "全部"},
    "dash.board.metric.points": {EN: "Points", ZH: "分數"},
    "dash.board.metric.accuracy": {EN: "Accuracy", ZH: "正確率"},
    "dash.board.metric.streak": {EN: "Streak", ZH: "連續答對"},
    "dash.board.rank": {EN: "Rank", ZH: "名次"},
    "dash.board.member": {EN: "Member", ZH: "成員"},
    "dash.board.answers": {EN: "Answers", ZH: "作答數"},
    "dash.board.you": {EN: "you", ZH: "你"},
    "dash.board.unknown": {EN: "member {id}", ZH: "成員 {id}"},
    "dash.board.empty": {EN: "Nobody is on this board yet.", ZH: "這個排行榜還沒有人。"},
    "dash.board.page": {EN: "Page {page} of {pages}", ZH: "第 {page} 頁，共 {pages} 頁"},
    "dash.board.prev": {EN: "← Previous", ZH: "← 上一頁"},
    "dash.board.next": {EN: "Next →", ZH: "下一頁 →"},
    "dash.board.your_rank": {EN: "Your rank: {rank} of {total}", ZH: "你的名次：第 {rank} 名，共 {total} 人"},
    "dash.board.accuracy_note": {
        EN: "Accuracy ranks members with at least 10 answers in the period.",
        ZH: "正確率只排名該期間至少作答 10 題的成員。",
    },
    "dash.board.streak_note": {
        EN: "A streak counts daily questions answered right in a row, whatever the period.",
        ZH: "連續答對計算連續答對的每日一題，不分期間。",
    },
    "dash.weak.radar": {EN: "Accuracy per exam section · {name}", ZH: "各考試章節正確率 · {name}"},
    "dash.weak.radar_desc": {
        EN: "{n} answers of the server in the last {days} days; predicted score {score}. Pass mark "
        "{mark}%: Databricks does not publish it, 70% is the usual estimate.",
        ZH: "本伺服器最近 {days} 天的 {n} 次作答；預估分數 {score}。及格線 {mark}%：Databricks 未公布及格線，"
        "70% 是一般的估計。",
    },
    "dash.weak.no_radar": {
        EN: "No answers fall in an exam section yet, so there is no radar.",
        ZH: "還沒有任何作答屬於考試章節，所以沒有雷達圖。",
    },
    "dash.weak.blueprints": {EN: "Exam", ZH: "考試"},
    "dash.weak.topics": {EN: "Topics, weakest first", ZH: "主題（由弱到強）"},
    "dash.weak.traps": {EN: "Traps, weakest first", ZH: "陷阱（由弱到強）"},
    "dash.weak.window": {EN: "Answers of the last {days} days.", ZH: "最近 {days} 天的作答。"},
    "dash.weak.bar": {EN: "{correct} of {answers} right", ZH: "{answers} 題答對 {correct} 題"},
    "dash.weak.missed": {EN: "Most missed questions", ZH: "最常答錯的題目"},
    "dash.weak.missed_line": {
        EN: "{misses} of {answers} answers missed",
        ZH: "{answers} 次作答中錯了 {misses} 次",
    },
    "dash.weak.picked": {EN: "{n} picked {letter}", ZH: "{n} 人選 {letter}"},
    "dash.weak.explain": {EN: "Explanation", ZH: "解析"},
    "dash.weak.none": {EN: "Not enough answers yet.", ZH: "作答還不夠多。"},
    "dash.weak.hidden": {
        EN: "Open daily questions are left out until they close.",
        ZH: "進行中的每日一題在結束前不會列出。",
    },
    "dash.me.title": {EN: "{name}'s page", ZH: "{name} 的頁面"},
    "dash.me.private": {
        EN: "Only your own link opens this page.",
        ZH: "只有你自己的連結能打開這個頁面。",
    },
    "dash.me.stats": {
        EN: "{answers} answers · {accuracy} right · {points} points · streak {streak}",
        ZH: "{answers} 次作答 · 正確率 {accuracy} · {points} 分 · 連續答對 {streak}",
    },
    "dash.me.readiness": {EN: "Readiness · {name}", ZH: "備考狀態 · {name}"},
    "dash.me.readiness_desc": {
        EN: "Predicted score {score} from your last {n} answers. Pass mark {mark}%: Databricks does "
        "not publish it, 70% is the usual estimate.",
        ZH: "依你最近 {n} 次作答預估分數 {score}。及格線 {mark}%：Databricks 未公布及格線，70% 是一般的估計。",
    },
    "dash.me.too_few": {
        EN: "This rests on few answers: practise more for a steadier figure.",
        ZH: "作答還不多，數字僅供參考：多練習會更準。",
    },
    "dash.me.no_answers": {EN: "You have no answers here yet.", ZH: "你在這裡還沒有作答。"},
    "dash.me.reviews": {EN: "Reviews due: {n}", ZH: "待複習：{n} 題"},
    "dash.q.answer": {EN: "Answer: {letters}", ZH: "正解：{letters}"},
    "dash.q.explanation": {EN: "Explanation", ZH: "解析"},
    "dash.q.no_explanation": {EN: "This question has no explanation yet.", ZH: "這題還沒有解析。"},
    "dash.q.back": {EN: "← Team weakness", ZH: "← 團隊弱點"},
    "dash.err.title": {EN: "Not available", ZH: "無法顯示"},
    "dash.err.expired": {
        EN: "This link has expired. Run /dashboard in Discord for a new one.",
        ZH: "這個連結已過期。請在 Discord 執行 /dashboard 取得新連結。",
    },
    "dash.err.invalid": {
        EN: "This link is not valid. Run /dashboard in Discord for a new one.",
        ZH: "這個連結無效。請在 Discord 執行 /dashboard 取得新連結。",
    },
    "dash.err.private": {
        EN: "This server's dashboard is not public. Members open it with /dashboard in Discord.",
        ZH: "這個伺服器的儀表板未公開。成員請在 Discord 用 /dashboard 開啟。",
    },
    "dash.err.hidden": {
        EN: "This question is an open daily question: its explanation is shown once it closes.",
        ZH: "這題是進行中的每日一題：結束後才會顯示解析。",
    },
    "dash.err.not_found": {EN: "There is no such page.", ZH: "沒有這個頁面。"},
    "dash.err.rate": {EN: "Too many requests: wait a moment.", ZH: "請求太多：請稍候再試。"},
    "dash.err.failed": {EN: "Something went wrong; try again later.", ZH: "發生錯誤，請稍後再試。"},
    "dash.index": {
        EN: "quizbot's team dashboard. Members open their server's pages with /dashboard in Discord.",
        ZH: "quizbot 團隊儀表板。成員請在 Discord 用 /dashboard 開啟自己伺服器的頁面。",
    },
    "dash.cmd.link": {
        EN: "Your server's dashboard: {url}\nThis link is yours (it opens your own page too): don't share "
        "it. It works until {expires}.",
        ZH: "本伺服器的儀表板：{url}\n這個連結是你專屬的（也會打開你自己的頁面），請勿分享。有效期限到 {expires}。",
    },
    "dash.cmd.public": {EN: "Public page (no link needed): {url}", ZH: "公開頁面（不需要連結）：{url}"},
    "dash.cmd.off": {
        EN: "The web dashboard is not turned on for this bot (its host sets DASHBOARD_BIND).",
        ZH: "這個機器人沒有開啟網頁儀表板（需由主機設定 DASHBOARD_BIND）。",
    },
    "dash.admin.public_on": {
        EN: "The overview and leaderboard are now public at {url}",
        ZH: "總覽與排行榜現在公開於 {url}",
    },
    "dash.admin.public_off": {
        EN: "The dashboard is private again: only members' /dashboard links open it.",
        ZH: "儀表板已改回不公開：只有成員的 /dashboard 連結能開啟。",
    },
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


# Slash commands as a zh-TW client shows them: English text (name, description, option, choice)
# -> 繁體中文. Discord shows the localized names and descriptions to members whose client is in
# Chinese; `tests/e2e/test_command_localization.py` checks that every string of the command tree has one.
COMMANDS_ZH: dict[str, str] = {
    # names
    "quiz": "測驗",
    "explain": "解析",
    "stats": "統計",
    "leaderboard": "排行榜",
    "quizadmin": "測驗管理",
    "topic": "主題",
    "difficulty": "難度",
    "trap": "陷阱",
    "private": "僅自己可見",
    "question": "題目",
    "section": "章節",
    "option": "選項",
    "public": "公開",
    "me": "我",
    "member": "成員",
    "server": "伺服器",
    "period": "期間",
    "metric": "指標",
    "daily": "每日一題",
    "set": "設定",
    "show": "查看",
    "off": "暫停",
    "channel": "頻道",
    "time": "時間",
    "timezone": "時區",
    "topics": "主題清單",
    "role": "身分組",
    "post-now": "立即出題",
    "skip": "跳過",
    "undo": "取消跳過",
    "reload": "重新載入",
    "bank": "題庫",
    "reset": "重設",
    "export": "匯出",
    "settings": "設定值",
    "cooldown": "冷卻秒數",
    "practice_lifetime": "練習題時限",
    "language": "語言",
    # reports of broken questions (issue 21): names and descriptions
    "reports": "問題回報",
    "page": "頁數",
    "reports_channel": "回報頻道",
    "reports_off": "停用回報頻道",
    "report_threshold": "回報標示門檻",
    "Members' reports of broken questions: resolve or pause them": "成員回報的問題題目：處理或暫停",
    "Open this page of the list": "打開清單的這一頁",
    "Where members' reports of broken questions are posted (mentions off)": "成員回報問題題目時要發到哪個頻道（不會提及任何人）",
    "Stop posting reports in a channel (see them with /quizadmin reports)": "不再把回報發到頻道（用 /quizadmin reports 查看）",
    "How many members' reports flag a question for everyone (default 3)": "幾位成員回報後就對所有人標示這題有問題（預設 3）",
    # descriptions
    "Get a practice question": "來一題練習題",
    "Only questions on this topic": "只出這個主題的題目",
    "Only questions of this level": "只出這個難度的題目",
    "Only questions with this trap tag": "只出有這個陷阱標籤的題目",
    "Only you see the question (default: post it in the channel)": "只有你看得到題目（預設：發在頻道中）",
    "Read a question's explanation": "閱讀題目的解析",
    "Question id (e.g. Q-104) or the start of its text": "題號（例如 Q-104）或題目開頭文字",
    "Open this section first": "先打開這個章節",
    "Only why this option is wrong (or right)": "只看這個選項為什麼錯（或對）",
    "Show it to the channel (default: only you)": "發到頻道讓大家看（預設：只有你看得到）",
    "Answers, accuracy, streaks and weak spots in this server": "你在本伺服器的作答、正確率、連續答對與弱點",
    "Your answers, accuracy, streaks and weak spots in this server": "你在本伺服器的作答、正確率、連續答對與弱點",
    "A member's answers, accuracy, streaks and weak spots here": "某位成員在這裡的作答、正確率、連續答對與弱點",
    "Whose stats": "要看誰的統計",
    "What this server gets wrong: topics, traps, hardest questions": "本伺服器常錯的地方：主題、陷阱、最難的題目",
    "This server's leaderboard": "本伺服器的排行榜",
    "Which period (weeks start on Monday in the server's time zone; default: all time)": (
        "哪個期間（每週從伺服器時區的週一開始；預設：全部）"
    ),
    "Rank by (default: points)": "排名依據（預設：分數）",
    "Only you see it (default: post it in the channel)": "只有你看得到（預設：發在頻道中）",
    "Server admin: the daily question, the question bank, scores and settings": "伺服器管理：每日一題、題庫、分數與設定",
    "The daily question's schedule": "每日一題的排程",
    "Post a daily question every day at a local time": "每天在當地時間發一題每日一題",
    "Where to post it": "要發在哪個頻道",
    "Local time, 24-hour HH:MM (e.g. 09:00)": "當地時間，24 小時制 HH:MM（例如 09:00）",
    "IANA time zone, e.g. Asia/Taipei (default: the server's, UTC at first)": (
        "IANA 時區，例如 Asia/Taipei（預設：伺服器的時區，一開始是 UTC）"
    ),
    "Only questions on these topics (comma-separated)": "只出這些主題的題目（以逗號分隔）",
    "A role to mention in each daily post": "每日一題要提及的身分組",
    "Show the daily question's schedule and how it went": "查看每日一題的排程與執行狀況",
    "Pause the daily question (the schedule is kept)": "暫停每日一題（排程會保留）",
    "Post the next daily question now (it replaces the open one)": "現在就發下一題每日一題（取代目前進行中的那題）",
    "No daily question at the next scheduled time (a holiday)": "下一次排定時間不發每日一題（休息一天）",
    "Cancel the next skip instead": "改為取消下一次的跳過",
    "Re-read the question bank (pulling it first when it comes from Git)": "重新讀取題庫（若來自 Git 會先 pull）",
    "The question bank: counts and problems": "題庫：題數與問題",
    "Reset one member's scores, or everyone's (asks to confirm)": "重設某位成員或所有人的分數（會先確認）",
    "Only this member (default: everyone in this server)": "只重設這位成員（預設：本伺服器所有人）",
    "Download the scores as a CSV file": "下載分數 CSV 檔",
    "Which totals (default: all time)": "哪個期間的總計（預設：全部）",
    "Practice cooldown, practice post lifetime, language of posts": "練習冷卻時間、練習題時限、公開貼文語言",
    "Seconds a member waits between public /quiz posts (0: no wait)": "成員兩次公開 /quiz 之間要等幾秒（0：不用等）",
    "Minutes a /quiz post stays open before its answer is revealed": "/quiz 題目開放幾分鐘後公布答案",
    "Language of public posts (auto: the server's Discord language)": "公開貼文的語言（自動：伺服器的 Discord 語言）",
    # issue 17 on Discord: /exam, /stats readiness, /plan, /quiz section:
    "exam": "模擬考",
    "start": "開始",
    "resume": "繼續",
    "history": "紀錄",
    "blueprint": "考試藍圖",
    "questions": "題數",
    "minutes": "分鐘數",
    "readiness": "準備度",
    "plan": "衝刺計畫",
    "days": "天數",
    "Timed mock exams, private to you, graded per section": "限時模擬考，只有你看得到，依章節計分",
    "Start a timed mock exam (only you see it)": "開始一份限時模擬考（只有你看得到）",
    "Which exam (default: the bank's own, else the Professional one)": "哪一份考試（預設：題庫自己的，否則是 Professional）",
    "How many questions (default: as many as the real exam)": "題數（預設：和正式考試一樣）",
    "Time limit in minutes (default: the real exam's pace for that many questions)": (
        "時間限制，以分鐘計（預設：依正式考試的速度換算題數）"
    ),
    "Bring back your exam in progress, with the time left": "叫回進行中的考試，並顯示剩餘時間",
    "Your submitted mock exams and their scores": "你交過的模擬考與分數",
    "Would you pass? Accuracy per exam section, a predicted score": "你會通過嗎？各考試章節的正確率與預估分數",
    "The whole server's weak sections and most missed questions (default: yours)": (
        "整個伺服器的弱項章節與最常答錯的題目（預設：你自己的）"
    ),
    "A day-by-day study plan for an exam, weakest sections first": "考前逐日衝刺計畫，最弱的章節優先",
    "How many days (default: 7)": "幾天（預設：7）",
    "Only questions of this exam section (e.g. professional:monitoring-alerting)": (
        "只出這個考試章節的題目（例如 professional:monitoring-alerting）"
    ),
    # choices
    "L1 · Basic": "L1 · 基礎",
    "L2 · Intermediate": "L2 · 中階",
    "L3 · Advanced": "L3 · 進階",
    "This week": "本週",
    "This month": "本月",
    "All time": "全部",
    "Points": "分數",
    "Accuracy (at least 10 answers)": "正確率（至少 10 題）",
    "Current streak": "目前連續答對",
    "Best streak": "最佳連續答對",
    "Auto (the server's Discord language)": "自動（伺服器的 Discord 語言）",
    "English": "English",
    "繁體中文": "繁體中文",
    # /review (bot/cogs/review/): names, then descriptions
    "review": "複習",
    "remind": "提醒",
    "on": "開啟",
    "missed": "答錯過",
    "Spaced repetition of the questions you answered here": "間隔複習你在這裡答過的題目",
    "Review your due cards, most overdue first": "複習到期的卡片，最久沒複習的優先",
    "A reminder once a day when cards are due": "有卡片到期時每天提醒一次",
    "Remind me once a day when cards are due (never when none)": "有卡片到期時每天提醒我一次（沒有到期就不提醒）",
    "Local time in this server's time zone, 24-hour HH:MM (default: 19:00)": (
        "本伺服器時區的當地時間，24 小時制 HH:MM（預設：19:00）"
    ),
    "Stop the reminders": "停止提醒",
    "Your cards as an Anki deck (.apkg)": "把你的卡片匯出成 Anki 牌組（.apkg）",
    "Only the cards you got wrong at least once": "只匯出曾經答錯的卡片",
    # issue 19, the web dashboard: /dashboard, /quizadmin dashboard public
    "dashboard": "儀表板",
    "state": "狀態",
    "on (public)": "開啟（公開）",
    "off (private)": "關閉（不公開）",
    "Open your server's team dashboard on the web (a private link)": "在網頁上開啟本伺服器的團隊儀表板（專屬連結）",
    "The web dashboard of this server": "本伺服器的網頁儀表板",
    "Publish the overview and leaderboard at a stable address, or stop": "在固定網址公開總覽與排行榜，或停止公開",
    "on: public; off: only members' links": "on：公開；off：只有成員的連結",
}
