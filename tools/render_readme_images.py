"""Draw the README's pictures from the bot's own embeds and components.

    apt-get install fonts-wqy-microhei     # a font with Latin and CJK (the pictures hold both)
    .venv/bin/python tools/render_readme_images.py

Renders Q-104's question post and the feedback a member gets after choosing A with the
bot's real renderers (bot.render.question), then paints the embed dicts in Discord's dark
theme with Pillow: colour bar, title, Markdown (bold, inline code, code blocks, lists),
fields, footer, buttons. Writes docs/images/question-post.png and docs/images/feedback*.png.
Emoji are drawn as simple symbols (the font has no colour emoji).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bank import load_bank  # noqa: E402
from bot.render.question import Feedback, answer_view, feedback_embed, feedback_view, question_embed  # noqa: E402

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
WIDTH = 760
BG, CARD, TEXT, MUTED, CODE_BG, BUTTON, BUTTON_PRIMARY = (
    (49, 51, 56),
    (43, 45, 49),
    (219, 222, 225),
    (181, 186, 193),
    (30, 31, 34),
    (78, 80, 88),
    (88, 101, 242),
)
EMOJI = {"✅": "✔", "❌": "✘", "⚠️": "!", "⚠": "!", "📖": "▶", "🔥": "*", "◀️": "◀", "▶️": "▶", "▫️": "·"}


def fonts(size: int) -> tuple[Any, Any, Any]:
    regular = ImageFont.truetype(FONT, size, index=0)
    mono = ImageFont.truetype(FONT, size - 1, index=1)
    return regular, regular, mono


def clean(text: str) -> str:
    for emoji, symbol in EMOJI.items():
        text = text.replace(emoji, symbol)
    return "".join(ch for ch in text if ord(ch) < 0x1F000 and ch != "\ufe0f")


class Painter:
    def __init__(self) -> None:
        self.img = Image.new("RGB", (WIDTH, 4000), BG)
        self.d = ImageDraw.Draw(self.img)
        self.regular, self.bold, self.mono = fonts(15)
        self.title_font = ImageFont.truetype(FONT, 17, index=0)
        self.small = ImageFont.truetype(FONT, 12, index=0)
        self.y = 16

    def spans(self, line: str) -> list[tuple[str, str]]:
        """(kind, text) pieces: bold, code or plain."""
        out: list[tuple[str, str]] = []
        for part in re.split(r"(\*\*[^*]+\*\*|`[^`]+`)", line):
            if not part:
                continue
            if part.startswith("**") and part.endswith("**"):
                out.append(("bold", part[2:-2]))
            elif part.startswith("`") and part.endswith("`"):
                out.append(("code", part[1:-1]))
            else:
                out.append(("plain", part))
        return out

    def text_block(self, x0: int, x1: int, markdown: str, color: tuple[int, int, int] = TEXT) -> None:
        in_code = False
        for raw in clean(markdown).split("\n"):
            if raw.startswith("```"):
                in_code = not in_code
                self.y += 4
                continue
            if in_code:
                self.d.rectangle([x0, self.y - 2, x1, self.y + 19], fill=CODE_BG)
                self.d.text((x0 + 8, self.y), raw, font=self.mono, fill=TEXT)
                self.y += 20
                continue
            if not raw.strip():
                self.y += 8
                continue
            line = re.sub(r"^#{1,3}\s+", "", raw)
            bullet = re.match(r"^(\s*)[-*]\s+", line)
            x = x0
            if bullet:
                indent = len(bullet.group(1)) * 6
                self.d.text((x0 + indent, self.y), "•", font=self.regular, fill=color)
                x = x0 + indent + 14
                line = line[bullet.end() :]
            start_x = x
            for kind, piece in self.spans(line):
                font = self.mono if kind == "code" else (self.bold if kind == "bold" else self.regular)
                # wrap between words, and anywhere between CJK characters
                for token in re.findall(r"\s+|[\u2e80-\uffff]|[^\s\u2e80-\uffff]+", piece):
                    w = self.d.textlength(token, font=font)
                    if x + w > x1 and x > start_x:
                        x = start_x
                        self.y += 21
                        if token.isspace():
                            continue
                    if kind == "code":
                        self.d.rectangle([x, self.y, x + w, self.y + 19], fill=CODE_BG)
                    self.d.text((x, self.y), token, font=font, fill=color)
                    if kind == "bold":  # faux bold
                        self.d.text((x + 0.6, self.y), token, font=font, fill=color)
                    x += w
            self.y += 22

    def _content(self, e: dict[str, Any], x0: int, x1: int) -> None:
        if e.get("title"):
            self.text_block(x0, x1, "**" + e["title"].replace("**", "") + "**")
            self.y += 4
        if e.get("description"):
            self.text_block(x0, x1, e["description"])
        for f in e.get("fields", []):
            self.y += 6
            self.text_block(x0, x1, "**" + f["name"] + "**")
            self.text_block(x0, x1, f["value"])
        if e.get("footer"):
            self.y += 6
            self.d.text((x0, self.y), clean(e["footer"]["text"]), font=self.small, fill=MUTED)
            self.y += 20

    def embed(self, e: dict[str, Any]) -> None:
        """One pass to measure the card, then the card and a second pass on top of it."""
        top = self.y
        x0, x1 = 28, WIDTH - 28
        self.y += 12
        self._content(e, x0, x1)
        bottom = self.y + 8
        colour = e.get("color", 0x5865F2)
        self.img.paste(CARD, [16, top, WIDTH - 16, bottom])
        self.d.rectangle(
            [16, top, 19, bottom], fill=((colour >> 16) & 255, (colour >> 8) & 255, colour & 255)
        )
        self.y = top + 12
        self._content(e, x0, x1)
        self.y = bottom + 10

    def buttons(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            x = 16
            for c in row.get("components", []):
                label = clean((c.get("emoji") or {}).get("name", "") + " " + c.get("label", "")).strip()
                w = int(self.d.textlength(label, font=self.regular)) + 28
                fill = BUTTON_PRIMARY if c.get("style") == 1 else BUTTON
                self.d.rounded_rectangle([x, self.y, x + w, self.y + 32], radius=4, fill=fill)
                self.d.text((x + 14, self.y + 7), label, font=self.regular, fill=(255, 255, 255))
                x += w + 8
            self.y += 40

    def save(self, path: Path) -> None:
        self.img.crop((0, 0, WIDTH, self.y + 8)).save(path, optimize=True)


def main() -> int:
    q = load_bank(ROOT / "questions").get("community/Q-104")
    assert q is not None
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    p = Painter()
    p.embed(question_embed(q, locale="en", kind="daily", answered=12).to_dict())
    p.buttons(answer_view(q, 42, locale="en").to_components())
    p.save(out / "question-post.png")
    for locale, name in (("en", "feedback.png"), ("zh-TW", "feedback-zh.png")):
        p = Painter()
        fb = Feedback(
            chosen="A", correct=False, points=0, total_points=40, streak=0, best_streak=3, kind="daily"
        )
        p.embed(feedback_embed(q, fb, locale=locale).to_dict())
        p.buttons(feedback_view(42, locale=locale).to_components())
        p.save(out / name)
    print(f"wrote {', '.join(sorted(x.name for x in out.glob('*.png')))} in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
