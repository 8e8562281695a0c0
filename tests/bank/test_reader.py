"""The Markdown and YAML readers on small, hand-made inputs (variants, defects, fuzzing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank import BankError, load_bank
from bot.bank.markdown_reader import NotAQuestion, read_markdown
from bot.bank.yamlformat import read_yaml
from tests.helpers import STRUCTURED, TEST_BANK


def test_structured_fields() -> None:
    (q,) = read_markdown(STRUCTURED, "set/Q-007.md", collection="set")
    assert q.key == "set/Q-007"
    assert q.difficulty == "L3-Advanced" and q.level == 3
    assert q.stem.startswith("Which command is right?")
    assert "# this is a comment, not a heading" in q.stem
    assert q.options == {"A": "first", "B": "second\nspans two lines", "C": "`third`", "D": "fourth"}
    assert q.answer == ("B",)
    assert q.topics == ("Delta-Lake", "Streaming")
    assert q.traps == ()  # `(無)` means none
    assert q.domain == "Data Engineering"
    assert [s.key for s in q.sections] == ["correct", "wrong_options", "exam_tips"]
    assert [s.emoji for s in q.sections] == ["✅", "❌", "🎯"]
    assert q.rationales == {"A": "A is wrong.", "B": "Because B.", "C": "C is wrong.", "D": "D is wrong."}
    assert not q.disputed


def test_crlf_bom_and_fullwidth_are_tolerated() -> None:
    text = "\ufeff" + STRUCTURED.replace("\n", "\r\n").replace("**ID:** `Q-007`", "**ID：** `Ｑ-007`")
    (q,) = read_markdown(text, "Ｑ-007.md")
    assert q.id == "Q-007"
    assert q.answer == ("B",)
    assert q.options["B"] == "second\nspans two lines"


@pytest.mark.parametrize(
    ("edit", "reason", "line"),
    [
        (("**正解:** `B`", "**正解:** `F`"), "answer F is not among the options ABCD", 36),
        (("**正解:** `B`", ""), "no answer (expected `**正解:** `X`` or `(Correct)`)", 22),
        (("- **C.** `third`\n", ""), "options are ABD, expected consecutive letters ABC", 27),
        (("- **B.** second", "- **A.** second"), "option A appears twice", 25),
        (("Which command is right?", ""), None, None),  # the code block alone is still a stem
    ],
)
def test_defects_are_reported_with_location(
    edit: tuple[str, str], reason: str | None, line: int | None
) -> None:
    text = STRUCTURED.replace(*edit)
    if reason is None:
        read_markdown(text, "x/Q-007.md")
        return
    with pytest.raises(BankError) as info:
        read_markdown(text, "x/Q-007.md")
    assert info.value.reason == reason
    assert info.value.line == line
    assert str(info.value) == f"x/Q-007.md:{line}: {reason}"


def test_only_one_option_and_empty_stem() -> None:
    one = STRUCTURED.split("- **B.**")[0] + "\n## 答案與來源\n**正解:** `A`\n"
    with pytest.raises(BankError, match="fewer than 2 options"):
        read_markdown(one, "Q-1.md")
    no_stem = (
        STRUCTURED.replace("Which command is right?", "").split("```python")[0]
        + STRUCTURED.split("```\n", 1)[1]
    )
    with pytest.raises(BankError, match="empty stem"):
        read_markdown(no_stem, "Q-1.md")


def test_files_that_are_not_questions_are_skipped() -> None:
    with pytest.raises(NotAQuestion):
        read_markdown("# Assignment list\n\n- Alice: Q-001 to Q-010\n- Bob: Q-011 to Q-020\n", "assign.md")
    with pytest.raises(NotAQuestion):
        read_markdown("", "empty.md")
    with pytest.raises(NotAQuestion, match="template"):
        read_markdown("**ID:** `Q-XXX-XXX`\n- **A.** [選項 A 內容]\n", "t.md")


def test_raw_format_examples() -> None:
    raw = TEST_BANK / "raw"
    (q1,) = read_markdown((raw / "Q-031.md").read_text(encoding="utf-8"), "raw/Q-031.md", collection="raw")
    assert q1.format == "raw"
    assert q1.id == "Q-031"
    assert q1.answer == ("B",)  # `(Correct)` after the closing fence of a code option
    assert q1.options["A"] == "```\nVACUUM events\n```"
    assert q1.options["B"] == "```\nOPTIMIZE events\n```"
    assert q1.options["C"] == "ANALYZE TABLE events COMPUTE STATISTICS"  # the trailing space is gone
    assert "\n\n\n" not in q1.stem
    assert [s.key for s in q1.sections] == ["explanation"]
    assert q1.sections[0].body.startswith("OPTIMIZE compacts small data files")
    (q2,) = read_markdown((raw / "Q-032.md").read_text(encoding="utf-8"), "raw/Q-032.md")
    assert q2.answer == ("A", "B")
    assert q2.choose == 2
    assert q2.id == "Q-032"
    assert not q2.notes  # "Choose 2" and two answers agree


def test_raw_choose_two_with_one_answer_is_noted() -> None:
    text = "# Question 3\n\n## Question\nPick. Choose 2 answers.\n\n## Options\n- A. x (Correct)\n- B. y\n- C. z\n"
    (q,) = read_markdown(text, "Q-003.md")
    assert q.notes == ("the stem asks to choose 2 but the answer has 1 letter(s)",)


def test_dump_file_holds_many_questions() -> None:
    one = "# Question {n}\n\n## Question\nStem {n}?\n\n## Options\n- A. yes {n} (Correct)\n- B. no {n}\n\n## Explanation\nBecause.\n\n---\n\n"
    qs = read_markdown("".join(one.format(n=n) for n in (1, 2, 3)), "b/sample_1.md", collection="b")
    assert [q.id for q in qs] == ["Q-001", "Q-002", "Q-003"]
    assert [q.line for q in qs] == [1, 15, 29]
    assert qs[2].options == {"A": "yes 3", "B": "no 3"}


YAML = """
id: Y-001
difficulty: L1-Basic
topics: [CLI, Jobs]
traps: []
stem: |
  Which command triggers a job run?
options:
  A: databricks jobs run-now
  B: databricks jobs create
answer: A
explanation:
  - heading: ✅ 正解說明
    body: run-now starts a run.
  - heading: ❌ 錯誤選項排除
    body: |
      ### 選項 B
      create defines a job.
references:
  - title: Jobs CLI
    url: https://docs.databricks.com/aws/en/dev-tools/cli/
"""


def test_yaml_format() -> None:
    (q,) = read_yaml(YAML, "y/Y-001.yaml", collection="y")
    assert q.key == "y/Y-001"
    assert q.format == "yaml"
    assert q.options == {"A": "databricks jobs run-now", "B": "databricks jobs create"}
    assert q.answer == ("A",)
    assert [s.title for s in q.sections] == ["✅ 正解說明", "❌ 錯誤選項排除"]
    assert q.rationales == {"A": "run-now starts a run.", "B": "create defines a job."}
    assert q.references[0].url.startswith("https://docs.databricks.com/")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (("answer: A", "answer: C"), "answer C is not among the options AB"),
        (("answer: A", "answer: [A, B]\nextra: 1"), None),
        (("  B: databricks jobs create\n", ""), "fewer than 2 options"),
        (("stem: |", "stem: [oops"), "invalid YAML"),
    ],
)
def test_yaml_defects(edit: tuple[str, str], reason: str | None) -> None:
    text = YAML.replace(*edit)
    if reason is None:
        (q,) = read_yaml(text, "Y.yaml")
        assert q.answer == ("A", "B")
        assert q.notes == ("unknown field `extra` ignored",)
        return
    with pytest.raises(BankError, match=reason):
        read_yaml(text, "Y.yaml")


def test_loader_reports_broken_files_and_loads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Q-007.md").write_text(STRUCTURED, encoding="utf-8")
    (tmp_path / "a" / "Q-008.md").write_text(
        STRUCTURED.replace("**正解:** `B`", "**正解:** `F`"), encoding="utf-8"
    )
    (tmp_path / "a" / "latin1.md").write_bytes("caf\xe9 **ID:** x".encode("latin-1"))
    (tmp_path / "a" / "Y-001.yaml").write_text(YAML, encoding="utf-8")
    (tmp_path / "README.md").write_text("# Our bank\n\nNotes for authors.\n", encoding="utf-8")
    bank = load_bank(tmp_path)
    assert sorted(q.key for q in bank.questions) == ["a/Q-007", "a/Y-001"]
    assert sorted(str(p) for p in bank.errors) == [
        "a/Q-008.md:36: answer F is not among the options ABCD",
        "a/latin1.md:1: not UTF-8 (byte 0xe9); save the file as UTF-8",
    ]
    assert [s.path for s in bank.skipped] == ["README.md"]


def test_copies_merge_and_same_key_different_questions_both_load(tmp_path: Path) -> None:
    (tmp_path / "by-order").mkdir()
    (tmp_path / "by-topic" / "Delta").mkdir(parents=True)
    (tmp_path / "by-order" / "Q-007.md").write_text(STRUCTURED, encoding="utf-8")
    # a copy filed by topic, with cosmetic differences
    copy = STRUCTURED.replace("```python", "```").replace("- **C.** `third`", "- **C.** third")
    copy = copy.replace("**ID:** `Q-007`", "**ID:** `D-01`")  # filed under another id
    (tmp_path / "by-topic" / "Delta" / "Q-007.md").write_text(copy, encoding="utf-8")
    # a different question with the same id in the same folder
    other = STRUCTURED.replace("Which command is right?", "Something else entirely?").replace(
        "- **A.** first", "- **A.** completely different option text that does not match anything"
    )
    (tmp_path / "by-order" / "Q-007b.md").write_text(
        other.replace("**正解:** `B`", "**正解:** `A`"), encoding="utf-8"
    )
    bank = load_bank(tmp_path)
    keys = sorted(q.key for q in bank.questions)
    assert keys == ["by-order/Q-007", "by-order/Q-007b/Q-007"]
    main = bank.get("by-order/Q-007")
    assert main is not None and main.also_in == ("by-topic/Delta/Q-007.md",)
    assert bank.copies_merged == 1
    assert any("duplicate key by-order/Q-007" in p.reason for p in bank.problems)
    assert len(bank.find("Q-007")) == 2
    assert bank.find("D-01") == [main]  # the copy's id still finds the question


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# Question #1",
                "## 題目內容",
                "### 題幹",
                "### 選項",
                "## Options",
                "## Question",
                "- **A.** x",
                "- **B.** y",
                "- C. z (Correct)",
                "**正解:** `A`",
                "**正解:** `B`, `C`",
                "```",
                "```python",
                "**Topics:** `a`, `b`",
                "**ID:** `Q-1`",
                "# 題目解析",
                "## ❌ 錯誤選項排除",
                "### 選項 A",
                "text",
                "",
                "---",
                "- A. ```",
                "``` (Correct)",
                "**社群投票:** A (55%) / B (45%)",
                "| a | b |",
                "**A.** bold",
                "(A) paren",
            ]
        )
        | st.text(max_size=30),
        max_size=40,
    )
)
def test_reader_raises_only_its_own_errors(lines: list[str]) -> None:
    try:
        questions = read_markdown("\n".join(lines), "fuzz/Q-1.md", collection="fuzz")
    except BankError as exc:
        assert exc.path == "fuzz/Q-1.md" and exc.line >= 0 and exc.reason  # noqa: PT017 - any outcome, well-formed
        return
    except NotAQuestion as exc:
        assert str(exc)  # noqa: PT017 - any outcome, well-formed
        return
    for q in questions:
        assert q.answer and set(q.answer) <= set(q.options)
        assert len(q.options) >= 2 and q.stem


@pytest.mark.parametrize(
    "answer_block",
    [
        "## 答案與分析\n\n### ✅ 正確答案\n\n`C`\n",
        "## 答案與來源\n\n### 實際正確答案\nC\n",
        "## 官方答案與社群討論\n\n**實際正確答案:** C\n**社群投票結果:** C (90%)\n",
        "## 答案與解析連結\n\n**正確答案:** `C`\n**詳細解析:** [點此查看解析](../analysis/Q-007-analysis.md)\n",
    ],
)
def test_answer_block_variants(answer_block: str) -> None:
    text = (
        STRUCTURED.split("## 答案與來源")[0] + answer_block + "\n# 題目解析\n\n## ✅ 正解說明\nBecause C.\n"
    )
    (q,) = read_markdown(text, "Q-007.md")
    assert q.answer == ("C",)
    assert not q.disputed


def test_tags_as_bullet_lists_and_none() -> None:
    text = STRUCTURED.replace(
        "## 標籤系統\n**Topics:** `Delta-Lake`, `Streaming`\n**Traps:** (無)\n**Domain:** Data Engineering\n",
        "## 標籤 (Tags)\n\n### Topic Tags\n- `Views`\n- `Delta-Lake`\n\n### Trap Tags\n- (無)\n\n"
        "### Level Tag\n- `L2-Intermediate`\n\n### 知識領域\nSecurity & Governance\n",
    ).replace("**難度:** `L3-Advanced`", "")
    (q,) = read_markdown(text, "Q-007.md")
    assert q.topics == ("Views", "Delta-Lake")
    assert q.traps == ()
    assert q.difficulty == "L2-Intermediate"
    assert q.domain == "Security & Governance"
