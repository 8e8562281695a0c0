"""Random but structured bank folders: load_bank never raises, every bad file is named with a line,
every good file still loads, and no file is silently lost (issue 13, item 6)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bank import load_bank
from tests.helpers import alias_bomb, structured, yaml_question

FOLDERS = ["", "b1", "b1/deep", "by-topic/Delta"]

YAML_BAD = [
    "rationales: why\n",
    "explanation: 5\n",
    "references: 7\n",
    "topics: {a: 1}\n",
    "stem: again\n",
    "Stem: again\n",
    "disputed: maybe\n",
]


def _stem(n: int) -> str:
    return (
        f"Question number {n} asks about feature{n} and setting{n}; which statement about feature{n} holds?"
    )


def _options(n: int, k: int = 4) -> list[str]:
    return [f"choice {x} for feature{n}" for x in "ABCDEFGHIJ"[:k]]


def _raw(n: int) -> str:
    opts = "".join(
        f"- {x}. {text}{' (Correct)' if x == 'B' else ''}\n"
        for x, text in zip("ABCD", _options(n), strict=True)
    )
    return f"# Question {n}\n\n## Question\n{_stem(n)}\n\n## Options\n{opts}\n## Explanation\nBecause B.\n"


def _yaml(n: int) -> str:
    opts = "".join(f"  {x}: {text}\n" for x, text in zip("ABC", _options(n), strict=False))
    return f"id: Q-{n:03d}\nstem: {_stem(n)}\noptions:\n{opts}answer: C\n"


# (kind, expected): "good" must load, "bad" must be an error with a line, "any" must be accounted for
KINDS = {
    "structured": "good",
    "raw": "good",
    "yaml": "good",
    "seven": "good",
    "mojibake": "good",
    "copy": "good",
    "broken-utf8": "bad",
    "yaml-bad": "bad",
    "eleven": "bad",
    "alias": "bad",
    "nul": "bad",
    "junk": "any",
    "lines": "any",
    "link": "link",
}


@st.composite
def banks(draw: st.DrawFn) -> list[tuple[str, str, str | bytes]]:
    """(kind, relative path, content) per file."""
    files: list[tuple[str, str, str | bytes]] = []
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=12))
    for n, kind in enumerate(kinds, start=1):
        folder = draw(st.sampled_from(FOLDERS))
        prefix = f"{folder}/" if folder else ""
        suffix = ".yaml" if kind in ("yaml", "yaml-bad", "alias", "seven") else ".md"
        rel = f"{prefix}Q-{n:03d}{suffix}"
        text: str | bytes
        if kind == "structured":
            text = structured(f"Q-{n:03d}", _stem(n), _options(n), "A")
        elif kind == "raw":
            text = _raw(n)
        elif kind == "yaml":
            text = _yaml(n)
        elif kind == "seven":
            text = f"id: Q-{n:03d}\nstem: {_stem(n)}\noptions: {_options(n, 7)}\nanswer: G\n"
        elif kind == "mojibake":
            clean = structured(f"Q-{n:03d}", _stem(n) + " Café crème?", _options(n), "B")
            text = clean.encode("utf-8").decode("cp1252", "ignore")
        elif kind == "copy":  # the same question again, maybe elsewhere, maybe under another id
            original = structured(f"Q-{n:03d}", _stem(n), _options(n), "A")
            text = original.replace(f"`Q-{n:03d}`", f"`C-{n:03d}`") if draw(st.booleans()) else original
            files.append(("structured", f"{prefix}Q-{n:03d}-orig.md", original))
        elif kind == "broken-utf8":
            text = structured(f"Q-{n:03d}", _stem(n), _options(n), "A").encode("utf-8") + b"\xff\xfe"
        elif kind == "yaml-bad":
            text = yaml_question(f"Q-{n:03d}", draw(st.sampled_from(YAML_BAD)))
        elif kind == "eleven":
            text = structured(f"Q-{n:03d}", _stem(n), [*_options(n, 10), "one too many"], "A")
        elif kind == "alias":
            text = alias_bomb(draw(st.integers(1, 9)))
        elif kind == "nul":
            text = structured(f"Q-{n:03d}", _stem(n) + "\x00", _options(n), "A")
        elif kind == "junk":
            text = draw(st.binary(max_size=300))
        elif kind == "lines":
            pieces = st.sampled_from(
                [
                    "# Question #1",
                    "### 選項",
                    "- **A.** x",
                    "- **B.** y",
                    "**正解:** `A`",
                    "```",
                    "## Options",
                    "|a|",
                ]
            )
            text = "\n".join(draw(st.lists(pieces | st.text(max_size=20), max_size=20)))
        else:  # link: to a good question outside the bank
            text = _yaml(n)
        files.append((kind, rel, text))
    return files


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks())
def test_random_banks_load_without_raising_and_lose_nothing(
    files: list[tuple[str, str, str | bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, outside = Path(tmp) / "bank", Path(tmp) / "outside"
        root.mkdir()
        outside.mkdir()
        for kind, rel, text in files:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "link":
                target = outside / rel.replace("/", "_")
                target.write_text(str(text), encoding="utf-8")
                os.symlink(target, path)
            elif isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        bank = load_bank(root)  # never raises

        loaded = {q.path for q in bank.questions}
        loaded |= {where.rsplit(":", 1)[0] for q in bank.questions for where in q.also_in}
        errors = {p.path: p for p in bank.errors}
        skipped = {s.path for s in bank.skipped}
        for kind, rel, _ in files:
            expected = KINDS[kind]
            if expected == "good":
                assert rel in loaded, (kind, rel, errors.get(rel))
            elif expected == "bad":
                assert rel in errors and errors[rel].line >= 1 and errors[rel].reason, (kind, rel)
            elif expected == "link":
                assert rel in skipped and rel not in loaded, rel
            else:
                assert rel in loaded | set(errors) | skipped, (kind, rel)
        for problem in bank.errors:
            assert problem.line >= 1 and problem.reason
        assert all("outside" not in q.path for q in bank.questions)
        assert len({q.key for q in bank.questions}) == len(bank.questions)
