"""Hostile bank content (issue 13): every file judged alone, typed YAML, limits, links, options A–J."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bank import BankError, identity, load_bank, parse
from bot.bank.files import read_bytes_inside
from bot.bank.markdown_reader import read_markdown
from bot.bank.model import LIMITS, MAX_FILE_BYTES
from bot.bank.yamlformat import read_yaml
from tests.bank import hostile
from tests.helpers import structured, yaml_question

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hostile_bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, hostile.Expected]:
    root = tmp_path_factory.mktemp("hostile") / "bank"
    return root, hostile.build(root)


# ------------------------------------------------------------------------------------ the whole folder


def test_hostile_folder_loads_the_good_and_names_every_bad_file(
    hostile_bank: tuple[Path, hostile.Expected],
) -> None:
    root, expected = hostile_bank
    bank = load_bank(root)
    assert {p.path for p in bank.errors} == expected.errors
    assert all(p.line >= 1 and p.reason for p in bank.errors)
    assert expected.skipped <= {s.path for s in bank.skipped}
    assert {q.key for q in bank.questions} == expected.keys
    assert {q.key for q in bank.questions if q.disputed} >= expected.disputed
    seed = bank.get("community/Q-104")
    assert seed is not None and seed.answer == ("E",) and len(seed.options) == 5
    # nothing behind a link was read
    assert not bank.find("SECRET") and not bank.find("Q-OUT")
    assert all("outside" not in q.path for q in bank.questions)


def test_bank_check_on_the_hostile_folder(hostile_bank: tuple[Path, hostile.Expected]) -> None:
    root, expected = hostile_bank
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "bank", "check", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    for path in expected.errors:
        assert any(line.startswith(f"{path}:") for line in proc.stdout.splitlines()), path
    for path in expected.skipped:
        assert f"    {path}: " in proc.stdout, path
    assert "yaml/alias-bomb.yaml:6: YAML alias `*a0` refused" in proc.stdout
    assert "md/huge.md:1: file is 586 KB; the limit is 512 KB per file" in proc.stdout


def test_parallel_load_of_the_hostile_folder_is_the_same(hostile_bank: tuple[Path, hostile.Expected]) -> None:
    root, _ = hostile_bank
    one, two = load_bank(root, workers=1), load_bank(root, workers=2)
    assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
    assert two.questions == one.questions
    assert two.skipped == one.skipped


def test_every_file_failing_is_an_empty_bank_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("stem: [\n", encoding="utf-8")
    (tmp_path / "b.md").write_bytes(b"\xff\xfe junk")
    bank = load_bank(tmp_path)
    assert bank.questions == []
    errors = sorted(str(p) for p in bank.errors)
    assert errors[0].startswith("a.yaml:2: invalid YAML: ")
    assert errors[1:] == ["b.md:1: not UTF-8 (byte 0xff); save the file as UTF-8"]


def test_a_reader_bug_costs_one_file_not_the_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.yaml").write_text(yaml_question("Q-1"), encoding="utf-8")
    (tmp_path / "bad.md").write_text(structured("Q-2", "s", ["a", "b"], "A"), encoding="utf-8")

    def explode(text: str, path: str, *, collection: str = "") -> list[object]:
        raise KeyError("surprise")

    monkeypatch.setattr(parse, "read_markdown", explode)
    bank = load_bank(tmp_path)
    assert [q.key for q in bank.questions] == ["Q-1"]
    assert [str(p) for p in bank.errors] == ["bad.md:1: cannot be read (KeyError: 'surprise')"]

    def recurse(text: str, path: str, *, collection: str = "") -> list[object]:
        raise RecursionError

    monkeypatch.setattr(parse, "read_markdown", recurse)
    assert [str(p) for p in load_bank(tmp_path).errors] == ["bad.md:1: nested too deeply to read"]


# ------------------------------------------------------------------------------------ YAML


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ("rationales: why\n", "Y.yaml:7: `rationales` must map option letters to text"),
        ("rationales:\n  G: why\n", "Y.yaml:8: rationale for `G`, which is not an option (AB)"),
        ("rationales:\n  B: [x]\n", "Y.yaml:8: `rationales.B` must be text, got a list"),
        ("explanation: 5\n", "Y.yaml:7: `explanation` must be a list of sections or text, got a number"),
        ("explanation:\n  - body: x\n", "Y.yaml:8: each `explanation` entry needs `heading` and `body`"),
        (
            "explanation:\n  - heading: h\n    bdy: x\n",
            "Y.yaml:9: unknown key `bdy` in an `explanation` entry",
        ),
        ("references: 7\n", "Y.yaml:7: `references` must be a list of links, got a number"),
        ("references:\n  - 7\n", "Y.yaml:8: each reference needs a `url` (text)"),
        ("references:\n  - title: t\n", "Y.yaml:8: each reference needs a `url` (text)"),
        ("topics: {a: 1}\n", "Y.yaml:7: `topics` must be a list of text, got a mapping"),
        ("traps: [[x]]\n", "Y.yaml:7: `traps[0]` must be text, got a list"),
        ("disputed: maybe\n", "Y.yaml:7: `disputed` must be true or false, got text"),
        ("source: [a]\n", "Y.yaml:7: `source` must be text, got a list"),
        ("stem: again\n", "Y.yaml:7: key `stem` appears twice (first on line 2)"),
        ("Stem: again\n", "Y.yaml:7: keys `stem` (line 2) and `Stem` differ only in case"),
        ("when: !!python/object:os.system x\n", "Y.yaml:7: unsupported YAML tag"),
        ("big: " + "9" * 5000 + "\n", "Y.yaml:7: invalid value"),
        ("? [a]\n: b\n", "Y.yaml:7: a mapping key must be text"),
        ("---\nid: x\n", "Y.yaml:7: more than one YAML document"),
    ],
)
def test_yaml_fields_are_typed_with_their_line(extra: str, error: str) -> None:
    with pytest.raises(BankError) as info:
        read_yaml(yaml_question("Q-1", extra), "Y.yaml")
    assert str(info.value).startswith(error), str(info.value)


def test_yaml_options_a_to_j_and_nothing_dropped() -> None:
    ten = "".join(f"  - option {i}\n" for i in range(10))
    (q,) = read_yaml(yaml_question("Q-1", options=ten, answer="J"), "Y.yaml")
    assert "".join(q.options) == "ABCDEFGHIJ" and q.answer == ("J",)
    for options, error in [
        ("".join(f"  - option {i}\n" for i in range(11)), "Y.yaml:3: 11 options; at most 10 (A–J) are read"),
        ("  a: x\n  A: y\n", "Y.yaml:5: keys `a` (line 4) and `A` differ only in case"),
        ("  A: x\n  K: y\n", "Y.yaml:5: option keys must be the letters A–J; found `K`"),
        ("  A: x\n  AB: y\n", "Y.yaml:5: option keys must be the letters A–J; found `AB`"),
        ("  A: x\n  C: y\n", "Y.yaml:3: options are AC, expected consecutive letters AB"),
        ("  A: x\n  B: [y]\n", "Y.yaml:5: `options.B` must be text, got a list"),
        ("  A: x\n  B:\n", "Y.yaml:5: option B is empty"),
    ]:
        with pytest.raises(BankError) as info:
            read_yaml(yaml_question("Q-1", options=options), "Y.yaml")
        assert str(info.value).startswith(error), (options, str(info.value))
    # lower-case keys alone are the letters
    (q,) = read_yaml(yaml_question("Q-1", options="  a: x\n  b: y\n"), "Y.yaml")
    assert q.options == {"A": "x", "B": "y"}


def test_yaml_aliases_are_refused_before_any_expansion() -> None:
    with pytest.raises(BankError, match=r"Y.yaml:6: YAML alias `\*a0` refused"):
        read_yaml(hostile.alias_bomb(), "Y.yaml")
    # even a harmless alias: the text must be written out
    with pytest.raises(BankError, match="YAML alias `\\*s` refused"):
        read_yaml("id: Q\nstem: &s Which?\noptions: [x, y]\nanswer: A\nsource: *s\n", "Y.yaml")


def test_yaml_depth_is_bounded_without_recursion(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.bank import yamlformat

    # libyaml's parser and PyYAML's own: the depth limit must hold whichever the reader gets
    for loader in {yamlformat._Loader, yamlformat.yaml.SafeLoader}:  # noqa: SLF001 - the reader's parser
        monkeypatch.setattr(yamlformat, "_Loader", loader)
        with pytest.raises(BankError, match=r"nested more than 12 levels deep|maximum nesting depth"):
            read_yaml("stem: " + "[" * 50_000 + "\n", "Y.yaml")
        with pytest.raises(BankError, match="nested more than 12 levels deep"):
            read_yaml("stem: " + "[" * 20 + "]" * 20 + "\n", "Y.yaml")
        (q,) = read_yaml(yaml_question("Q-1"), "Y.yaml")
        assert q.options == {"A": "first", "B": "second"}


def test_yaml_values_keep_what_the_author_wrote() -> None:
    text = "id: 0104\nstem: yes\noptions:\n  A: 1:30\n  B: 2024-01-01\nanswer: a\nsource: 1e3\ndisputed: no\n"
    (q,) = read_yaml(text, "Y.yaml")
    assert (q.id, q.stem, q.options, q.answer, q.source) == (
        "0104",
        "yes",
        {"A": "1:30", "B": "2024-01-01"},
        ("A",),
        "1e3",
    )
    assert not q.disputed
    (q,) = read_yaml(yaml_question("Q-1", "explanation: |\n  Because A.\n  ### More\n  Details.\n"), "Y.yaml")
    assert [s.key for s in q.sections] == ["explanation"] and q.has_explanation
    assert q.sections[0].subsections[0].body == "Details."


# ------------------------------------------------------------------------------------ Markdown


def test_markdown_options_past_f_are_read_and_past_j_refused() -> None:
    (q,) = read_markdown(structured("Q-1", "Pick.", [f"opt {i}" for i in range(10)], "J"), "Q-1.md")
    assert "".join(q.options) == "ABCDEFGHIJ" and q.options["G"] == "opt 6" and q.answer == ("J",)
    with pytest.raises(BankError) as info:
        read_markdown(structured("Q-1", "Pick.", [f"opt {i}" for i in range(11)], "A"), "Q-1.md")
    assert str(info.value) == "Q-1.md:23: options ABCDEFGHIJK: at most 10 options (A–J) are read"
    # raw format too: `- G. text (Correct)`
    raw = "# Question 1\n\n## Question\nPick.\n\n## Options\n" + "".join(
        f"- {x}. opt {x}{' (Correct)' if x == 'G' else ''}\n" for x in "ABCDEFG"
    )
    (q,) = read_markdown(raw, "Q-1.md")
    assert q.answer == ("G",) and q.options["G"] == "opt G" and q.options["F"] == "opt F"


def test_markdown_text_that_only_looks_like_a_late_option_stays_text() -> None:
    text = structured("Q-1", "Pick.", ["one\n  X. is a letter in the text", "two"], "A")
    (q,) = read_markdown(text, "Q-1.md")
    assert q.options["A"] == "one\nX. is a letter in the text"


# ------------------------------------------------------------------------------------ limits


def test_file_size_limit(tmp_path: Path) -> None:
    body = structured("Q-1", "s", ["a", "b"], "A")
    filler = MAX_FILE_BYTES - len(body.encode()) - len("<!---->")  # a comment: no field grows
    (tmp_path / "ok.md").write_text(body + "<!--" + "x" * filler + "-->", encoding="utf-8")
    (tmp_path / "big.md").write_text(body + "<!--" + "x" * (filler + 1) + "-->", encoding="utf-8")
    bank = load_bank(tmp_path)
    assert [q.path for q in bank.questions] == ["ok.md"]
    assert [str(p) for p in bank.errors] == ["big.md:1: file is 512 KB; the limit is 512 KB per file"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (structured("Q-1", "s" * (LIMITS["stem"] + 1), ["a", "b"], "A"), "the stem is 64,001 characters"),
        (structured("Q-1", "s", ["a" * 4001, "b"], "A"), "option A is 4,001 characters; the limit is 4,000"),
        (structured("Q-" + "1" * 120, "s", ["a", "b"], "A"), "the id is 122 characters; the limit is 100"),
        (
            structured("Q-1", "s", ["a", "b"], "A").replace("`Hostile`", ", ".join(["t"] * 1) + "x" * 120),
            "the tag 'tx",
        ),
        (
            structured("Q-1", "s", ["a", "b"], "A").replace(
                "`Hostile`", ", ".join(f"t{i}" for i in range(60))
            ),
            "60 topics; the limit is 50",
        ),
        (
            structured("Q-1", "s", ["a", "b"], "A", explanation="e" * 200_001),
            "is 200,001 characters; the limit is 200,000",
        ),
    ],
)
def test_field_limits(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "Q-1.md").write_text(text, encoding="utf-8")
    bank = load_bank(tmp_path)
    assert bank.questions == []
    (problem,) = bank.errors
    assert problem.path == "Q-1.md" and problem.line == 1 and error in problem.reason, problem.reason


def test_long_headings_are_refused_before_any_work_on_them() -> None:
    text = structured("Q-1", "s", ["a", "b"], "A") + "\n## " + "h" * 400 + "\ntext\n"
    with pytest.raises(BankError) as info:
        read_markdown(text, "Q-1.md")
    assert (
        str(info.value) == f"Q-1.md:{text.count(chr(10)) - 1}: a heading is 400 characters; the limit is 300"
    )
    long_body = "explanation:\n  - heading: h\n    body: |\n      ### " + "x" * 301 + "\n      y\n"
    with pytest.raises(BankError, match=r"Y\.yaml:8: in an `explanation` entry, a heading is 301 characters"):
        read_yaml(yaml_question("Q-1", long_body), "Y.yaml")
    with pytest.raises(BankError, match=r"Y\.yaml:7: in `explanation`, a heading is 305 characters"):
        read_yaml(yaml_question("Q-1", "explanation: |\n  ### " + "x" * 305 + "\n"), "Y.yaml")


# ------------------------------------------------------------------------------------ links


def test_links_are_never_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "bank", tmp_path / "outside"
    (root / "real").mkdir(parents=True)
    (outside / "dir").mkdir(parents=True)
    (outside / "dir" / "Q-9.yaml").write_text(yaml_question("Q-9"), encoding="utf-8")
    (outside / "Q-8.yaml").write_text(yaml_question("Q-8"), encoding="utf-8")
    (root / "real" / "Q-1.yaml").write_text(yaml_question("Q-1"), encoding="utf-8")
    os.symlink(outside / "Q-8.yaml", root / "real" / "Q-8.yaml")
    os.symlink(outside / "dir", root / "linked")
    os.symlink(root / "real" / "Q-1.yaml", root / "inside-link.yaml")  # even one pointing inside
    os.symlink(tmp_path / "nowhere", root / "dangling.md")
    bank = load_bank(root)
    assert [q.key for q in bank.questions] == ["real/Q-1"]
    assert {s.path: s.reason for s in bank.skipped} == dict.fromkeys(
        ("dangling.md", "inside-link.yaml", "linked", "real/Q-8.yaml"), "symbolic link: not followed"
    )
    assert bank.errors == []


def test_a_folder_swapped_for_a_link_after_the_walk_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "bank", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "Q-1.yaml").write_text(yaml_question("Q-1"), encoding="utf-8")
    os.symlink(outside, root / "sub")
    for rel in ("sub/Q-1.yaml", "../outside/Q-1.yaml", "sub/../../outside/Q-1.yaml"):
        with pytest.raises(BankError) as info:
            read_bytes_inside(root, rel)
        assert info.value.reason in (
            "symbolic link: not followed",
            "not a path inside the bank",
        ), rel


def test_a_bug_while_merging_copies_costs_no_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Q-1.md").write_text(structured("Q-1", "One?", ["a", "b"], "A"), encoding="utf-8")
    (tmp_path / "b" / "Q-1-copy.md").write_text(structured("Q-1", "One?", ["a", "b"], "B"), encoding="utf-8")
    (tmp_path / "b" / "Q-2.md").write_text(
        structured("Q-2", "Two, alike?", ["c", "d"], "A"), encoding="utf-8"
    )
    (tmp_path / "b" / "Q-2-copy.md").write_text(
        structured("Q-2", "Two, nearly alike?", ["c", "d"], "A"), encoding="utf-8"
    )

    def broken(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(identity, "_fold", broken)
    monkeypatch.setattr(identity._Fingerprints, "similar", broken)  # noqa: SLF001 - a bug injected
    bank = load_bank(tmp_path)
    assert sorted(q.key for q in bank.questions) == ["b/Q-1", "b/Q-2", "b/Q-2/Q-2"]  # kept apart
    assert "b/Q-1-copy.md:1: its copies could not be compared (ZeroDivisionError); served as it is" in [
        str(p) for p in bank.problems
    ]


def test_folders_nested_too_deep_are_skipped_with_the_reason(tmp_path: Path) -> None:
    """A chain of folders costs a walk per file from the root: past MAX_DEPTH it is not read."""
    from bot.bank.files import MAX_DEPTH

    deep = tmp_path
    for level in range(MAX_DEPTH + 5):
        deep = deep / f"d{level}"
        deep.mkdir()
        (deep / "Q-1.yaml").write_text(yaml_question(f"Q-{level}"), encoding="utf-8")
    bank = load_bank(tmp_path)
    assert len(bank.questions) == MAX_DEPTH
    (skipped,) = bank.skipped
    assert skipped.path.count("/") == MAX_DEPTH
    assert skipped.reason == f"folder nested deeper than {MAX_DEPTH} levels: not read"


def test_ten_thousand_unknown_yaml_fields_make_a_few_warnings_not_ten_thousand(tmp_path: Path) -> None:
    extra = "".join(f"field_{i}: x\n" for i in range(10_000))
    (tmp_path / "Q-1.yaml").write_text(yaml_question("Q-1", extra), encoding="utf-8")
    bank = load_bank(tmp_path)
    assert len(bank.questions) == 1
    warnings = [p.reason for p in bank.problems]
    assert len(warnings) == 11
    assert warnings[-1] == "… and 9,990 more unknown fields ignored"
