"""The block scanner finds exactly the ATX headings a real CommonMark parser (markdown-it-py) finds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.bank.blocks import scan
from tests.helpers import TEST_BANK

_MD = MarkdownIt("commonmark")


def reference_headings(text: str) -> list[tuple[int, int]]:
    tokens = _MD.parse(text)
    return [
        (int(t.tag[1]), t.map[0])
        for t in tokens
        if t.type == "heading_open" and t.markup.startswith("#") and t.map is not None and t.level == 0
    ]


def ours(text: str) -> list[tuple[int, int]]:
    return [(h.level, h.line) for h in scan(text).headings]


def markdown_files(root: Path) -> list[Path]:
    """The one-question Markdown files of a bank (not the raw dumps, whose fences the reader scans
    with `option_fences`)."""
    return sorted(p for p in root.rglob("*.md") if not p.name.startswith("sample_"))


def test_same_headings_as_markdown_it_on_the_test_bank() -> None:
    files = markdown_files(TEST_BANK)
    assert len(files) >= 9
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert ours(text) == reference_headings(text), path.name


def test_same_headings_as_markdown_it_on_the_users_sample(users_bank: Path) -> None:
    files = markdown_files(users_bank)
    assert len(files) >= 180
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert ours(text) == reference_headings(text), path.name


def test_hash_lines_in_fences_are_code() -> None:
    text = "# Title\n\n```bash\n# a comment\n## not a heading\n```\n\n~~~~\n# x\n~~~\n# still code\n~~~~\n## Real\n"
    assert ours(text) == [(1, 0), (2, 12)]
    assert ours(text) == reference_headings(text)


def test_raw_option_fences() -> None:
    text = "## Options\n- A. ```\n# code\n``` \n- B. ```sql\nSELECT 1\n``` (Correct)\n## Explanation\n"
    blocks = scan(text, option_fences=True)
    assert [(h.level, h.text) for h in blocks.headings] == [(2, "Options"), (2, "Explanation")]
    assert blocks.in_code[2] and blocks.in_code[5]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# H1",
                "## H2 ##",
                "### H3",
                "#### H4",
                "#nospace",
                "    # indented code",
                "   # three spaces",
                "```",
                "```python",
                "~~~",
                "````",
                "text",
                "",
                "- item",
                "  ```",
                "> quote",
                "# ",
                "#",
                "###### six",
                "####### seven",
                "\t# tab",
            ]
        ),
        max_size=30,
    )
)
def test_same_headings_as_markdown_it_on_generated_markdown(lines: list[str]) -> None:
    text = "\n".join(lines)
    # list items and block quotes nest headings inside containers; compare top-level documents only
    if any(line.startswith(("- ", "> ")) for line in lines):
        text = "\n".join(line for line in lines if not line.startswith(("- ", "> ")))
    assert ours(text) == reference_headings(text)
