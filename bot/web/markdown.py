"""The bank's Markdown as safe HTML for the question page: CommonMark with tables, raw HTML in
the text escaped (never passed through), links limited to markdown-it's safe schemes."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])


def to_html(text: str) -> Markup:
    return Markup(_MD.render(text))
