"""Explanation Markdown → Discord pages (bot/render/discord_markdown.py, bot/render/paginate.py)."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.discord_markdown import to_discord
from bot.render.markdown_blocks import MAX_PADDED_CELLS, MD
from bot.render.paginate import paginate
from bot.render.text import display_width, utf16_len
from tests.helpers import TEST_BANK, need_shared

# --- helpers (independent of the module under test) ---------------------------------

# A fence line as Discord and CommonMark see it: after quote markers, indentation and list
# markers, a run of three or more backticks or tildes.
_FENCE_LINE = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+)*(`{3,}|~{3,})(.*)$")


def fences_balanced(page: str) -> bool:
    """Every fence opened on the page is closed on it."""
    opened: str | None = None
    for line in page.split("\n"):
        m = _FENCE_LINE.match(line)
        if not m:
            continue
        marker, rest = m.group(1), m.group(2)
        if opened is None:
            opened = marker
        elif marker[0] == opened[0] and len(marker) >= len(opened) and not rest.strip():
            opened = None
    return opened is None


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(info string, content lines) of each top-level ``` block of *text*."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    info = ""
    for line in text.split("\n"):
        if current is None and line.startswith("```"):
            info, current = line[3:].strip(), []
        elif current is not None and line.strip() == "```":
            blocks.append((info, current))
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "unclosed code block"
    return blocks


def outside_code(text: str) -> str:
    """*text* without the lines of its code blocks."""
    keep: list[str] = []
    inside = False
    for line in text.split("\n"):
        if _FENCE_LINE.match(line):
            inside = not inside
            continue
        if not inside:
            keep.append(line)
    return "\n".join(keep)


def assert_pages_ok(pages: list[str], limit: int) -> None:
    assert pages, "no pages"
    for number, page in enumerate(pages):
        assert page.strip(), f"page {number} is empty"
        assert utf16_len(page) <= limit, f"page {number} has {utf16_len(page)} > {limit} units"
        assert fences_balanced(page), f"page {number} has an unclosed code block:\n{page}"


# --- display width ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("abc", 3),
        ("", 0),
        ("中文", 4),
        ("Ｑ-106", 6),  # a fullwidth letter
        ("（是）", 6),
        ("✅ ok", 5),
        ("⚠️", 2),  # text-default symbol + VS16 shows as an emoji
        ("⚠", 1),
        ("→", 1),  # ambiguous: one column
        ("e\u0301", 1),  # combining acute accent
        ("😀", 2),
        ("👍🏽", 2),  # skin-tone modifier joins the emoji
        ("👨\u200d👩\u200d👧", 2),  # ZWJ sequence
        ("a\u200bb", 2),  # zero-width space
    ],
)
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("中文") == 2
    assert utf16_len("😀") == 2
    assert utf16_len("✅") == 1


# --- to_discord: tables ----------------------------------------------------------------

CJK_TABLE = """\
比較如下：

| 特性 | DEEP | 說明 |
|------|:----:|-----:|
| **資料複製** | ✅ 完整 | `COPY` |
| 獨立性 | ⚠️ 共享 | 否 |
| Time Travel | ❌ | 支援版本 |

後文。"""


def test_cjk_table_becomes_an_aligned_code_block() -> None:
    out = to_discord(CJK_TABLE)
    blocks = code_blocks(out)
    assert len(blocks) == 1
    info, lines = blocks[0]
    assert info == ""
    assert len(lines) == 5  # header, rule, three rows
    widths = {display_width(line) for line in lines}
    assert len(widths) == 1, [(line, display_width(line)) for line in lines]
    assert widths.pop() <= 60
    body = "\n".join(lines)
    assert "**" not in body and "`" not in body  # Markdown does not render in code
    assert "資料複製" in body and "COPY" in body and "⚠️ 共享" in body
    # the column separators line up (same display column on every row)
    columns = {tuple(display_width(line[:i]) for i, ch in enumerate(line) if ch in "|+") for line in lines}
    assert len(columns) == 1
    assert out.startswith("比較如下：") and out.endswith("後文。")


def test_table_alignment_is_kept() -> None:
    out = to_discord("| a | b |\n|:-:|--:|\n| x | y |\n| long cell | longer cell |\n")
    _, lines = code_blocks(out)[0]
    assert lines[2] == "    x     |           y"
    assert lines[3] == "long cell | longer cell"


WIDE_TABLE = """\
| 方案 | 每日需要掃描的資料量 | 相對成本 |
|------|-------------------|---------|
| **B (Trigger.Once)** | 10 萬筆（僅新增資料），再加上一段很長很長的說明文字 | **1x (最低)** |
| A (Batch + MERGE) | 1000 萬筆（全表掃描以 MERGE） | 100x |
"""


def test_markdown_it_pads_at_most_max_padded_cells_per_table() -> None:
    """bot/render/markdown_blocks.py lowers markdown-it's module constant MAX_AUTOCOMPLETED_CELLS, a
    name markdown-it does not promise to keep: an upgrade that drops or renames it fails here rather
    than making a hostile table slow to render."""
    table_rule = importlib.import_module("markdown_it.rules_block.table")
    assert table_rule.MAX_AUTOCOMPLETED_CELLS == MAX_PADDED_CELLS
    # 100 columns over rows of one cell: 99 padded cells per row, so the table stops after
    # MAX_PADDED_CELLS of them and the rows after it are read as a paragraph
    text = "|" + "h|" * 100 + "\n|" + "-|" * 100 + "\n" + "| one cell |\n" * 50
    tokens = MD.parse(text)
    cells = sum(1 for tok in tokens if tok.type == "td_open")
    assert cells <= MAX_PADDED_CELLS + 100 and tokens[-3].type == "paragraph_open"


def test_too_wide_table_becomes_a_list() -> None:
    out = to_discord(WIDE_TABLE)
    assert "```" not in out
    assert "|" not in out
    assert out.split("\n\n") == [
        "**方案**: **B (Trigger.Once)**\n"
        "- **每日需要掃描的資料量**: 10 萬筆（僅新增資料），再加上一段很長很長的說明文字\n"
        "- **相對成本**: **1x (最低)**",
        "**方案**: A (Batch + MERGE)\n"
        "- **每日需要掃描的資料量**: 1000 萬筆（全表掃描以 MERGE）\n"
        "- **相對成本**: 100x",
    ]


def test_table_width_is_configurable() -> None:
    assert "```" not in to_discord(CJK_TABLE, table_width=10)
    assert "```" in to_discord(WIDE_TABLE, table_width=200)


def test_br_in_a_table_cell_stacks_lines_in_the_code_form() -> None:
    out = to_discord("| 階段 | 檔案 |\n|---|---|\n| 刪除 | a.parquet<br>b.parquet |\n| 清理 | c |\n")
    _, lines = code_blocks(out)[0]
    assert lines == [
        "階段 | 檔案     ",
        "-----+----------",
        "刪除 | a.parquet",
        "     | b.parquet",
        "-----+----------",  # rows are ruled off when a cell spans lines
        "清理 | c        ",
    ]


def test_br_in_a_table_cell_joins_with_a_slash_in_the_list_form() -> None:
    out = to_discord(
        "| 方案 | 優點 |\n|---|---|\n| **Per-Team Scope** | ✅ 完全隔離<br>✅ 精細化控制<br/>✅ 符合最小權限 |\n",
        table_width=20,
    )
    assert out == "**方案**: **Per-Team Scope**\n- **優點**: ✅ 完全隔離 / ✅ 精細化控制 / ✅ 符合最小權限"


def test_links_in_tables() -> None:
    out = to_discord("| a | b |\n|---|---|\n| [返回](#q-1) | [Docs](https://x.io/d) |\n", table_width=200)
    _, lines = code_blocks(out)[0]
    assert lines[2].rstrip() == "  | Docs (https://x.io/d)"
    out = to_discord("| a | b |\n|---|---|\n| [返回](#q-1) | [Docs](https://x.io/d) |\n", table_width=5)
    assert out == "**a**:\n- **b**: [Docs](https://x.io/d)"


def test_table_inside_a_list_item() -> None:
    out = to_discord("- 項目\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n- 下一項\n")
    assert out == "- 項目\n\n  ```\n  a | b\n  --+--\n  1 | 2\n  ```\n- 下一項"


# --- to_discord: the rest --------------------------------------------------------------


def test_br_outside_tables_becomes_a_line_break() -> None:
    assert to_discord("第一行<br>第二行<BR/>第三行") == "第一行\n第二行\n第三行"
    assert to_discord("- 項目一<br />續行\n- 項目二") == "- 項目一\n  續行\n- 項目二"
    assert to_discord("用 `a<br>b` 表示") == "用 `a<br>b` 表示"  # not inside inline code


def test_anchor_links_are_removed_and_real_links_kept() -> None:
    src = (
        "### 題目編號與連結\n"
        "**題目 ID:** `Q-104`\n"
        "**題目連結:** [點此返回題目](#question-104)\n\n"
        "**[返回題目](#question-104)**\n\n"
        "詳見 [Docs](https://docs.databricks.com/structured-streaming/watermarks.html) 與"
        " [返回題目](#question-104) 的說明。\n\n"
        "- [點此查看解析](#analysis)\n"
        "- 其他\n\n"
        "`[inline](#code)` 不動\n"
    )
    out = to_discord(src)
    assert "](#" not in out.replace("`[inline](#code)`", "")
    assert "返回題目" not in out and "點此" not in out
    assert "**題目連結:**" not in out  # a label left with nothing to label goes too
    assert "[Docs](https://docs.databricks.com/structured-streaming/watermarks.html)" in out
    assert out == (
        "### 題目編號與連結\n"
        "**題目 ID:** `Q-104`\n\n"
        "詳見 [Docs](https://docs.databricks.com/structured-streaming/watermarks.html) 與 的說明。\n\n"
        "- 其他\n\n"
        "`[inline](#code)` 不動"
    )


def test_headings() -> None:
    src = "# 一\n## 二\n### 三 🔗\n#### 四\n##### **五** 與 `code`\n###### 六 ######\n"
    assert to_discord(src) == "# 一\n## 二\n### 三 🔗\n**四**\n**五 與 `code`**\n**六**"
    assert to_discord("標題\n===\n\n副標\n---\n") == "# 標題\n\n## 副標"
    assert to_discord("#### [返回](#top)\n\n內文") == "內文"


def test_thematic_breaks_are_dropped() -> None:
    assert to_discord("段一\n\n---\n\n## 二\n\n***\n\n段三") == "段一\n\n## 二\n\n段三"


def test_code_blocks_are_kept_verbatim() -> None:
    code = (
        "```python\n"
        "# 不是標題\n"
        "#### 也不是\n"
        "x = '[返回](#question-1)'  # <br> 留著\n"
        "| a | b |\n"
        "|---|---|\n"
        "\n"
        "   indented   \n"
        "```"
    )
    assert to_discord(f"前文\n\n{code}\n\n後文") == f"前文\n\n{code}\n\n後文"
    nested = "- 步驟：\n\n   ```sql\n   SELECT 1;\n   -- [x](#y)\n   ```\n- 下一步"
    assert to_discord(nested) == nested


def test_fences_are_normalized_for_discord() -> None:
    assert to_discord("~~~bash\nls\n~~~") == "```bash\nls\n```"
    assert to_discord("````python \nprint(1)\n````") == "```python\nprint(1)\n```"
    # a longer fence that holds ``` lines cannot be rewritten
    keep = "````markdown\n```python\nx\n```\n````"
    assert to_discord(keep) == keep
    assert to_discord("```python\nprint(1)\n") == "```python\nprint(1)\n```"  # unclosed → closed
    assert (
        to_discord("段落\n\n    indented code\n    # comment\n")
        == "段落\n\n```\nindented code\n# comment\n```"
    )


def test_to_discord_is_idempotent_on_examples() -> None:
    for src in (CJK_TABLE, WIDE_TABLE, "#### x\n\n- a<br>b\n\n~~~\ny\n~~~\n"):
        once = to_discord(src)
        assert to_discord(once) == once


# --- paginate --------------------------------------------------------------------------


def _code_lines(count: int) -> list[str]:
    return [
        f"    df_{n} = spark.table('表格_{n}').filter('欄位 > {n}')  # 註解 {'x' * (n % 17)}"
        for n in range(count)
    ]


def test_a_long_code_block_is_split_and_reopened() -> None:
    lines = _code_lines(200)
    code = "\n".join(lines)
    assert len(code) > 10_000
    pages = paginate(f"```python\n{code}\n```", 4096)
    assert len(pages) >= 3
    assert_pages_ok(pages, 4096)
    rebuilt: list[str] = []
    for page in pages:
        page_lines = page.split("\n")
        assert page_lines[0] == "```python", "each page opens the fence with the language"
        assert page_lines[-1] == "```", "each page closes the fence"
        rebuilt.extend(page_lines[1:-1])
    assert rebuilt == lines


def test_a_long_code_block_after_text_keeps_the_text_whole() -> None:
    intro = "說明文字。" * 100
    lines = _code_lines(150)
    pages = paginate(
        to_discord(f"## 範例\n\n{intro}\n\n```sql\n" + "\n".join(lines) + "\n```\n\n結語。"), 2000
    )
    assert_pages_ok(pages, 2000)
    joined = "\n".join(pages)
    assert intro in joined
    blocks = [block for page in pages for block in code_blocks(page)]
    assert all(info == "sql" for info, _ in blocks)
    assert [line for _, block in blocks for line in block] == lines


def test_code_blocks_that_fit_are_never_split() -> None:
    parts = []
    blocks = []
    for n in range(12):
        parts.append(f"### 第 {n} 節\n\n" + "這是一段說明文字，包含 English words 與中文。" * (n % 4 + 1))
        block = "```python\n" + "\n".join(_code_lines(5 + 3 * n)) + "\n```"
        blocks.append(block)
        parts.append(block)
    text = "\n\n".join(parts)
    for limit in (1024, 2000, 4096):
        pages = paginate(text, limit)
        assert_pages_ok(pages, limit)
        for block in blocks:
            if utf16_len(block) <= limit:
                assert sum(block in page for page in pages) == 1, "a block that fits is on one page"


def test_a_heading_starts_the_page_when_a_break_is_needed_near_it() -> None:
    first = "第一段落的內容。" * 330  # about 2,600 characters
    text = f"{first}\n\n## 第二節\n\n" + "\n\n".join(["第二節的段落。" * 100] * 3)
    pages = paginate(text, 4096)
    assert_pages_ok(pages, 4096)
    assert pages[0] == first
    assert pages[1].startswith("## 第二節")


def test_a_heading_is_not_left_alone_at_the_bottom_of_a_page() -> None:
    text = "前言。" * 250 + "\n\n**範例：**\n\n```python\n" + "\n".join(_code_lines(60)) + "\n```"
    pages = paginate(text, 1024)
    assert_pages_ok(pages, 1024)
    for page in pages:
        assert not page.rstrip().endswith("**範例：**")
    assert any(page.startswith("**範例：**\n\n```python") for page in pages)


def test_an_over_long_line_is_split_as_a_last_resort() -> None:
    line = "無空白的超長行" * 600 + "😀" * 500
    pages = paginate(line, 1024)
    assert_pages_ok(pages, 1024)
    assert "".join(pages) == line
    code = "```\n" + "x" * 3000 + "\nshort\n```"
    pages = paginate(code, 1024)
    assert_pages_ok(pages, 1024)


def test_the_limit_counts_utf16_units() -> None:
    pages = paginate("😀" * 3000, 2000)
    assert_pages_ok(pages, 2000)
    assert all(len(page) <= 1000 for page in pages)
    assert "".join(pages) == "😀" * 3000


def test_no_empty_pages() -> None:
    assert paginate("") == []
    assert paginate(" \n\n \n") == []
    assert paginate("\n\n# 標題\n\n\n") == ["# 標題"]
    with pytest.raises(ValueError):
        paginate("x", 10)


def test_a_long_list_is_split_between_items() -> None:
    items = "\n".join(f"- 第 {n} 項：" + "內容" * 40 for n in range(40))
    pages = paginate(items, 1024)
    assert_pages_ok(pages, 1024)
    for page in pages:
        assert all(line.startswith("- 第 ") for line in page.split("\n")), "items are not cut"


# --- whole banks: ours (tests/data/bank) and the users' sample (../shared) ------------------------


def _explanation(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    marker = re.search(r"^# 題目解析[ \t]*$", text, re.MULTILINE)
    return text[marker.start() :] if marker else text


def _explanation_problems(files: list[Path]) -> list[str]:
    """What is wrong with the Discord text and pages of each file's explanation."""
    problems: list[str] = []
    for path in files:
        converted = to_discord(_explanation(path))
        if not fences_balanced(converted):
            problems.append(f"{path.name}: conversion leaves a code block open")
        rest = outside_code(converted)
        if re.search(r"\]\(#", rest):
            problems.append(f"{path.name}: an anchor link is left")
        if re.search(r"<br\s*/?>", rest, re.IGNORECASE):
            problems.append(f"{path.name}: a <br> is left")
        if re.search(r"^\s*\|?\s*:?-{3,}:?\s*\|", rest, re.MULTILINE):
            problems.append(f"{path.name}: a table is left")
        if re.search(r"^#{4,} ", rest, re.MULTILINE):
            problems.append(f"{path.name}: a #### heading is left")
        for limit in (4096, 1024):
            pages = paginate(converted, limit)
            for number, page in enumerate(pages):
                if not page.strip():
                    problems.append(f"{path.name} @{limit}: page {number} is empty")
                if utf16_len(page) > limit:
                    problems.append(f"{path.name} @{limit}: page {number} has {utf16_len(page)} units")
                if not fences_balanced(page):
                    problems.append(f"{path.name} @{limit}: page {number} leaves a code block open")
    return problems


def _assert_long_explanation(path: Path, min_pages: int) -> None:
    converted = to_discord(_explanation(path))
    assert to_discord(converted) == converted
    pages = paginate(converted, 4096)
    assert_pages_ok(pages, 4096)
    assert len(pages) >= min_pages
    # every page after the first starts with a heading or a bold line, or continues code
    for page in pages[1:]:
        assert page.startswith(("#", "**", "```")), page[:80]


def test_every_explanation_in_the_test_bank() -> None:
    files = sorted(p for p in TEST_BANK.rglob("*.md") if "_template" not in p.parts and p.name != "README.md")
    assert len(files) >= 9
    # the bank holds what must be converted: tables (one with <br>), #### headings, anchor links
    explanations = "\n".join(_explanation(p) for p in files)
    for pattern in (r"^\|---", r"<br>", r"^#### ", r"\]\(#question-"):
        assert re.search(pattern, explanations, re.MULTILINE), pattern
    problems = _explanation_problems(files)
    assert not problems, "\n".join(problems[:30])


def test_every_explanation_in_the_users_sample(users_bank: Path) -> None:
    files = sorted(users_bank.glob("by-order_*/*.md"))
    assert files, f"no question files under {users_bank}"
    problems = _explanation_problems(files)
    assert not problems, "\n".join(problems[:30])


def test_the_longest_explanation_of_the_test_bank() -> None:
    _assert_long_explanation(TEST_BANK / "by-order_a" / "Q-202.md", 2)


def test_the_longest_sample_explanation(users_bank: Path) -> None:
    _assert_long_explanation(need_shared(users_bank / "by-order_v1" / "Ｑ-106.md"), 4)


# --- property: nothing is lost ----------------------------------------------------------

_CJK = "的是不了人我在有他這中大來上個國到說們為子和你地出道也時年得就那要下以生會自之著去之過家學對可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長知民樣現分將外但身些與高意進把法此實回二理美點月明其種聲全工己話兒者向情部正名定女問力機給等幾很業最間新什打便位因重被走電四第門相次東政海口使教西再平真聽世氣信北少關並內加化由卻代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張活難神數件安表原車白應路期叫死常提感金何更反合放做系計或司利受光王果親界及今京務制解各任至清物台象記邊共風戰干接它許八特覺望直服毛林題建南度統色字請交愛讓認算論百吃義科怎元社術結六功指思非流每青管夫連遠資隊跟帶花快條院變聯言權往展該領傳近留紅治決周保達辦運武半候七必城父強步完革深區即求品士轉量空甚眾技輕程告江語英基派滿式李息寫呢識極令黃德收臉錢黨倒未持取設始版雙歷越史商千片容研像找友孩站廣改議形委早房音火際則首單據導影失拿網香似斯專石若兵弟誰校讀志飛觀爭究包組造落視濟喜離雖壞"
_EMOJI = ["✅", "❌", "⚠️", "📍", "🧠", "😀", "👍🏽", "🔄", "→", "✓"]
_WORD = st.one_of(
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"), min_size=1, max_size=10
    ),
    st.text(alphabet=st.sampled_from(_CJK), min_size=1, max_size=8),
    st.sampled_from(_EMOJI),
    st.sampled_from(["，", "。", "？", "（註）", "v1.2", "x=1", "a/b"]),
)
_LANGS = ["", "python", "sql", "bash", "json", "yaml"]


@dataclass
class Doc:
    """A generated document and what must survive conversion and pagination."""

    blocks: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # text that must still be there, in order
    has_table: bool = False

    @property
    def markdown(self) -> str:
        return "\n\n".join(self.blocks)


@st.composite
def inline(draw: st.DrawFn, allow_br: bool = True) -> tuple[str, str]:
    """(Markdown, the text of it that must be kept) of a run of inline content."""
    pieces = draw(
        st.lists(
            st.one_of(
                _WORD.map(lambda w: (w, w)),
                _WORD.map(lambda w: (f"**{w}**", w)),
                _WORD.map(lambda w: (f"`{w}`", w)),
                _WORD.map(
                    lambda w: (f"[{w}](https://example.com/{len(w)})", f"{w}https://example.com/{len(w)}")
                ),
                _WORD.map(lambda w: (f"[{w}](#question-{len(w)})", "")),  # an anchor: dropped
                st.just(("<br>", "")) if allow_br else _WORD.map(lambda w: (w, w)),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return " ".join(md for md, _ in pieces), "".join(kept for _, kept in pieces)


@st.composite
def code_line(draw: st.DrawFn) -> str:
    words = draw(
        st.lists(
            st.one_of(_WORD, st.sampled_from(["#", "# 註解", "<br>", "[x](#y)", "| a |", "**", "  ", "-->"])),
            max_size=12,
        )
    )
    return " ".join(words)


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    doc = Doc()
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        kind = draw(
            st.sampled_from(["heading", "para", "para", "list", "code", "bigcode", "table", "hr", "long"])
        )
        if kind == "heading":
            md, kept = draw(inline(allow_br=False))
            doc.blocks.append("#" * draw(st.integers(1, 6)) + " " + md)
            doc.kept.append(kept)
        elif kind == "para":
            lines = draw(st.lists(inline(), min_size=1, max_size=5))
            doc.blocks.append("\n".join(md for md, _ in lines))
            doc.kept.extend(kept for _, kept in lines)
        elif kind == "long":  # one line longer than some pages
            word = draw(_WORD)
            doc.blocks.append(word * draw(st.integers(200, 1500)))
            doc.kept.append(doc.blocks[-1])
        elif kind == "list":
            items = draw(st.lists(st.tuples(inline(), st.booleans()), min_size=1, max_size=8))
            marker = draw(st.sampled_from(["-", "*", "1."]))
            lines = []
            for (md, kept), nested in items:
                if nested and lines:
                    lines.append("  - " + md)
                else:
                    lines.append(f"{marker} {md}")
                    if marker == "1." and (kept or "](#" not in md):
                        kept = "1." + kept  # the number stays, unless the item held only anchors
                doc.kept.append(kept)
            if draw(st.booleans()):  # a code block nested in the last item
                code = draw(st.lists(code_line(), min_size=1, max_size=10))
                indent = " " * (len(marker) + 1)
                lines.append("")
                lines.append(indent + "```" + draw(st.sampled_from(_LANGS)))
                lines.extend(indent + line if line else "" for line in code)
                lines.append(indent + "```")
                doc.kept.extend(code)
            doc.blocks.append("\n".join(lines))
        elif kind in ("code", "bigcode"):
            code = draw(st.lists(code_line(), min_size=0 if kind == "code" else 30, max_size=80))
            doc.blocks.append("```" + draw(st.sampled_from(_LANGS)) + "\n" + "\n".join(code) + "\n```")
            doc.kept.extend(code)
        elif kind == "table":
            columns = draw(st.integers(2, 5))
            rows = draw(
                st.lists(st.lists(inline(), min_size=columns, max_size=columns), min_size=2, max_size=5)
            )
            lines = ["| " + " | ".join(md for md, _ in row) + " |" for row in rows]
            lines.insert(
                1,
                "|"
                + "|".join(draw(st.sampled_from(["---", ":--", "--:", ":-:"])) for _ in range(columns))
                + "|",
            )
            # a cell of anchors or <br> only is empty; keep every cell non-empty
            if all(kept for row in rows for _, kept in row):
                doc.blocks.append("\n".join(lines))
                doc.kept.extend(kept for row in rows for _, kept in row)
                doc.has_table = True
        elif kind == "hr":
            doc.blocks.append("---")
    return doc


_FENCE_ONLY = re.compile(r"^[ \t]*```.*$", re.MULTILINE)
# Characters that conversion may add, drop or move as Markdown syntax: emphasis, inline code,
# heading marks, list bullets and table rules, pipes, link brackets. Whitespace is ignored.
_SYNTAX = re.compile(r"[\s*`#\-|\[\]()+:/]")


def essence(text: str) -> str:
    """Non-whitespace text, without fence lines and the syntax characters above."""
    return _SYNTAX.sub("", _FENCE_ONLY.sub("", text))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(documents())
def test_pagination_keeps_every_character(doc: Doc) -> None:
    """For any document, pages fit the limit, close their code blocks, and lose nothing.

    What must survive is the text of every block (code lines verbatim, words of headings,
    paragraphs, lists and table cells, link texts and URLs), minus anchor links. It is
    compared as :func:`essence` — without whitespace, fence lines (pages add closing and
    reopening ones) and the syntax characters conversion rewrites (``*`` ``` ` ``` ``#``
    ``-`` ``|`` brackets, ``+`` ``:`` ``/`` of table rules and lists). Without tables the
    order must be the same; a table written as a list repeats headers per row, so then
    every character must be there at least as often as in the source.
    """
    converted = to_discord(doc.markdown)
    expected = essence("\n".join(doc.kept))
    for limit in (1024, 2000, 4096):
        pages = paginate(converted, limit)
        if not expected:
            assert all(page.strip() for page in pages)
            continue
        assert_pages_ok(pages, limit)
        got = essence("\n".join(pages))
        if doc.has_table:
            missing = Counter(expected) - Counter(got)
            assert not missing, f"lost {dict(missing)}"
        else:
            assert got == expected
