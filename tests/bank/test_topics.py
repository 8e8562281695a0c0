"""Topics as members type them (bot/bank/topics.py): families, `=TAG`, topics.yaml groups, autocomplete."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import bot.bank.topics as topics_module
from bot.bank import load_bank
from bot.bank.model import Question
from bot.bank.select import Filter, pick
from bot.bank.topics import (
    FAMILY_CHOICES,
    MAX_FILE_BYTES,
    TopicIndex,
    parse_topics,
    read_topics_file,
    tag_matches,
    topic_key,
)

ROOT = Path(__file__).resolve().parents[2]


def q(key: str, *topics: str) -> Question:
    return Question(
        key=key,
        id=key,
        collection="",
        path=f"{key}.md",
        line=1,
        stem="s",
        options={"A": "a", "B": "b"},
        answer=("A",),
        topics=topics,
    )


BANK = [
    q("Q1", "CLI", "Jobs"),
    q("Q2", "Databricks-CLI"),
    q("Q3", "Databricks_CLI", "Databricks-Secrets"),  # same tag, other spelling
    q("Q4", "Delta-Lake"),
    q("Q5", "Delta-MERGE", "Streaming"),
    q("Q6", "MERGE"),
    q("Q7", "Delta-CDC", "Change-Data-Feed"),
    q("Q8", "Delta-Lake-MERGE"),
    q("Q9", "Z-Order", "Type-1-SCD"),
    q("Q10", "Structured-Streaming", "Deltalake"),
    q("Q11", "差異資料擷取"),
    q("Q12"),
]


def keys(index: TopicIndex, typed: str) -> set[str]:
    sel = index.resolve(typed)
    assert sel is not None
    return {x.key for x in BANK if Filter.of(sel).matches(x)}


# ------------------------------------------------------------------------------------------ rules


def test_fold_is_case_width_and_separator_insensitive() -> None:
    assert topic_key("Delta-Lake") == topic_key("delta lake") == topic_key("DELTA_LAKE") == "delta-lake"
    assert topic_key("ｄｅｌｔａ　ｌａｋｅ") == "delta-lake"  # fullwidth letters and space
    assert topic_key("  Delta -- _ Lake  ") == "delta-lake"  # a run of separators is one
    assert topic_key("Delta–Lake") == "delta-lake"  # an en dash too
    assert topic_key(" - _ ") == ""


def test_a_topic_selects_its_family_by_whole_words() -> None:
    index = TopicIndex(BANK)
    assert keys(index, "CLI") == {"Q1", "Q2", "Q3"}  # CLI, Databricks-CLI (both spellings)
    assert keys(index, "ｃｌｉ") == keys(index, "cli") == {"Q1", "Q2", "Q3"}
    assert keys(index, "Delta") == {"Q4", "Q5", "Q7", "Q8"}  # every Delta-*, not "Deltalake"
    assert keys(index, "MERGE") == {"Q5", "Q6", "Q8"}  # Delta-MERGE, MERGE, Delta-Lake-MERGE
    assert keys(index, "lake") == {"Q4", "Q8"}
    assert keys(index, "streaming") == {"Q5", "Q10"}
    # never inside a word
    assert index.resolve("elta") is not None and index.resolve("elta").count == 0  # type: ignore[union-attr]
    assert index.resolve("cl").count == 0  # type: ignore[union-attr]


def test_several_words_match_next_to_each_other_in_order() -> None:
    index = TopicIndex(BANK)
    assert keys(index, "delta merge") == {"Q5"}  # not Delta-Lake-MERGE: the words are not adjacent
    assert keys(index, "lake merge") == {"Q8"}
    assert keys(index, "Delta_Lake") == {"Q4", "Q8"}
    assert index.resolve("merge delta").count == 0  # type: ignore[union-attr]
    assert keys(index, "type 1") == {"Q9"}


def test_words_shorter_than_two_characters_never_match_by_word() -> None:
    index = TopicIndex(BANK)
    assert index.resolve("z").count == 0  # type: ignore[union-attr]  # not Z-Order
    assert index.resolve("1").count == 0  # type: ignore[union-attr]  # not Type-1-SCD
    assert keys(index, "Z-Order") == {"Q9"}
    short = TopicIndex([q("S1", "R"), q("S2", "R-Language")])
    assert short.resolve("r").tags == frozenset({"r"})  # a tag spelled so still matches


def test_exact_marker_selects_one_tag() -> None:
    index = TopicIndex(BANK)
    sel = index.resolve("=cli")
    assert sel is not None and sel.name == "=CLI" and sel.count == 1
    assert keys(index, "=CLI") == {"Q1"}
    assert keys(index, "= databricks cli") == {"Q2", "Q3"}
    assert index.resolve("=Delta").count == 0  # type: ignore[union-attr]  # no tag "Delta"
    assert index.resolve("=") is None and index.resolve("  ") is None and index.resolve("-") is None


def test_names_are_the_banks_spelling() -> None:
    index = TopicIndex(BANK)
    assert index.resolve("cli").name == "CLI"  # type: ignore[union-attr]
    assert index.resolve("databricks cli").name == "Databricks-CLI"  # type: ignore[union-attr]
    assert index.resolve("delta").name == "Delta"  # type: ignore[union-attr]
    assert index.resolve("MERGE").name == "MERGE"  # type: ignore[union-attr]
    assert index.resolve("nothing").name == "nothing"  # type: ignore[union-attr]


def test_filter_without_an_index_uses_the_same_family_rule() -> None:
    index = TopicIndex(BANK)
    for typed in ("cli", "Delta", "delta merge", "=CLI", "z", "MERGE", "lake", "差異資料擷取"):
        assert {x.key for x in BANK if Filter(topic=typed).matches(x)} == keys(index, typed), typed


def test_pick_draws_from_the_whole_family() -> None:
    flt = Filter.of(TopicIndex(BANK).resolve("cli"))
    rng = random.Random(3)
    drawn: list[str] = []
    for _ in range(3):
        found = pick(BANK, flt, recent=drawn, rng=rng)
        assert found is not None
        drawn.append(found.key)
    assert sorted(drawn) == ["Q1", "Q2", "Q3"]


# ------------------------------------------------------------------------------------------ properties

# a small vocabulary, so that tags share words (as Delta-Lake and Delta-MERGE do), plus odd words
WORD = st.one_of(
    st.sampled_from(["cli", "Delta", "MERGE", "lake", "db", "Z", "1", "ab"]),
    st.text(alphabet="abcdeLMNOP12", min_size=1, max_size=5),
)
TAG = st.lists(WORD, min_size=1, max_size=4).map("-".join)
SEPARATORS = ["-", "_", " ", "  ", "－", "　", " - "]


def respell(text: str, data: st.DataObject) -> str:
    """The same topic as a member might type it: other case, fullwidth letters, other separators."""
    words = text.split("-")
    how = data.draw(
        st.lists(
            st.tuples(st.booleans(), st.booleans(), st.sampled_from(SEPARATORS)),
            min_size=len(words),
            max_size=len(words),
        )
    )
    out = []
    for word, (upper, wide, sep) in zip(words, how, strict=True):
        word = word.upper() if upper else word
        if wide:
            word = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
        out.append(sep + word if out else word)
    return (" " if how[0][2] == " " else "") + "".join(out)  # a stray leading space, sometimes


@settings(max_examples=60, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=12), typed=TAG, data=st.data())
def test_matching_ignores_case_width_and_separators(tags: list[str], typed: str, data: st.DataObject) -> None:
    bank = [q(f"Q{i}", tag) for i, tag in enumerate(tags)]
    index = TopicIndex(bank)
    other = respell(typed, data)
    assert index.resolve(typed).tags == index.resolve(other).tags  # type: ignore[union-attr]
    for tag in tags:
        assert tag_matches(typed, tag) == tag_matches(other, tag) == tag_matches(typed, respell(tag, data))


@settings(max_examples=200, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=12), typed=TAG)
@example(tags=["Delta-Lake-MERGE", "Delta-MERGE", "MERGE"], typed="Delta-MERGE")
@example(tags=["Z-Order", "Z"], typed="Z")
def test_the_index_agrees_with_the_rule(tags: list[str], typed: str) -> None:
    """A tag is selected iff it is the typed topic or holds it as consecutive whole words (and the
    typed topic has 2+ characters); the count is the number of questions with such a tag."""
    bank = [q(f"Q{i}", tag) for i, tag in enumerate(tags)]
    sel = TopicIndex(bank).resolve(typed)
    assert sel is not None
    needle = topic_key(typed)

    def rule(tag: str) -> bool:
        key = topic_key(tag)
        padded = f"-{key}-"
        return key == needle or (len(needle.replace("-", "")) >= 2 and f"-{needle}-" in padded)

    assert sel.tags == {topic_key(t) for t in tags if rule(t)}
    assert sel.count == sum(1 for t in tags if rule(t))
    assert {x.key for x in bank if Filter.of(sel).matches(x)} == {
        x.key for x in bank if Filter(topic=typed).matches(x)
    }


@settings(max_examples=100, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=12), pick_at=st.integers(min_value=0), cut=st.integers(1, 4))
def test_every_tag_is_in_its_own_family_and_in_its_words_families(
    tags: list[str], pick_at: int, cut: int
) -> None:
    index = TopicIndex([q(f"Q{i}", tag) for i, tag in enumerate(tags)])
    tag = tags[pick_at % len(tags)]
    key = topic_key(tag)
    assert key in index.resolve(tag).tags  # type: ignore[union-attr]
    assert index.resolve("=" + tag).tags == {key}  # type: ignore[union-attr]
    words = key.split("-")
    part = "-".join(words[: min(cut, len(words))])
    if len(part.replace("-", "")) >= 2 or part == key:
        assert key in index.resolve(part).tags  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=12), short=st.text(alphabet="abZ1", min_size=1, max_size=1))
def test_a_one_character_topic_matches_only_its_own_tag(tags: list[str], short: str) -> None:
    index = TopicIndex([q(f"Q{i}", tag) for i, tag in enumerate(tags)])
    sel = index.resolve(short)
    assert sel is not None and sel.tags <= {topic_key(short)}


@settings(max_examples=120, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=30), typed=st.text(alphabet="abcLM-_ 1=", max_size=6))
def test_every_suggestion_selects_what_it_counts(tags: list[str], typed: str) -> None:
    bank = [q(f"Q{i}", *tags[i : i + 2]) for i in range(len(tags))]
    index = TopicIndex(bank)
    suggestions = index.complete(typed)
    assert len(suggestions) <= 25
    assert len({s.value for s in suggestions}) == len(suggestions)  # no entry twice
    for s in suggestions:
        sel = index.resolve(s.value)
        assert sel is not None and sel.count == s.count > 0, s
        assert s.only_tag == s.value.startswith("=")
    families = [s for s in suggestions if s.kind != "tag"]
    assert suggestions[: len(families)] == families  # families and groups come first
    assert len(families) <= FAMILY_CHOICES


# ------------------------------------------------------------------------------------------ autocomplete


def test_autocomplete_lists_the_family_first_then_the_tags() -> None:
    index = TopicIndex(BANK)
    got = [(s.name, s.value, s.count, s.kind) for s in index.complete("cli")]
    assert got == [
        ("CLI", "CLI", 3, "family"),
        ("CLI", "=CLI", 1, "tag"),  # the tag alone is narrower than its family: picked as =CLI
        ("Databricks-CLI", "Databricks-CLI", 2, "tag"),
    ]
    delta = index.complete("del")
    assert (delta[0].name, delta[0].kind, delta[0].count) == ("Delta", "family", 4)
    # Delta-Lake's family holds Delta-Lake-MERGE too, so the tag alone is "=Delta-Lake"
    assert [s.value for s in delta[1:]] == [
        "Delta-CDC",
        "=Delta-Lake",
        "Delta-Lake-MERGE",
        "Delta-MERGE",
        "Deltalake",
    ]
    assert [s.value for s in index.complete("=cli")] == ["=CLI", "=Databricks-CLI"]
    assert index.complete("zzz") == []
    everything = index.complete("")
    assert 0 < len(everything) <= 25 and everything[0].kind == "family"


def test_autocomplete_folds_only_what_was_typed() -> None:
    """Per keystroke the work is the typed text and the precomputed tags: no tag is folded again."""
    index = TopicIndex(BANK)
    calls = 0
    real = topics_module.topic_key

    def counting(text: str) -> str:
        nonlocal calls
        calls += 1
        return real(text)

    topics_module.topic_key = counting  # type: ignore[assignment]
    try:
        index.complete("delta")
        index.complete("")
        index.resolve("cli")
    finally:
        topics_module.topic_key = real  # type: ignore[assignment]
    assert calls <= 4


def test_the_index_is_built_once_per_bank_load(tmp_path: Path) -> None:
    (tmp_path / "Q-1.yaml").write_text(
        "id: Q-1\nstem: s\noptions: [a, b]\nanswer: A\ntopics: [CLI]\n", encoding="utf-8"
    )
    bank = load_bank(tmp_path)
    assert "topics" in bank.__dict__  # built by the loader (off the event loop on a reload)
    assert bank.topics is bank.topics
    assert bank.topics.resolve("cli").count == 1  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------ topics.yaml

GOOD = """\
# groups for our bank
DLT: [Delta-Live-Tables, Lakeflow-Declarative-Pipelines, DLT]
CDC:
  tags: [Delta-CDC, Change-Data-Feed]
  names: [差異資料擷取, 異動資料擷取]
Only-CLI: [=CLI]
"""


def test_groups_and_their_names_resolve_to_their_tags() -> None:
    groups, problems = parse_topics(GOOD)
    assert problems == []
    assert [(g.name, g.tags, g.names, g.line) for g in groups] == [
        ("DLT", ("Delta-Live-Tables", "Lakeflow-Declarative-Pipelines", "DLT"), (), 2),
        ("CDC", ("Delta-CDC", "Change-Data-Feed"), ("差異資料擷取", "異動資料擷取"), 3),
        ("Only-CLI", ("=CLI",), (), 6),
    ]
    index = TopicIndex(BANK, groups)
    # the group's tags (Delta-CDC, Change-Data-Feed: Q7), and a tag spelled like one of its names (Q11)
    assert keys(index, "cdc") == keys(index, "差異資料擷取") == keys(index, "異動資料擷取") == {"Q7", "Q11"}
    assert index.resolve("異動資料擷取").name == "CDC"  # type: ignore[union-attr]
    assert keys(index, "only cli") == {"Q1"}  # =CLI: the tag alone
    # listed tags that no question has are warnings, not errors
    assert [(p.line, p.severity) for p in index.problems] == [(2, "warning"), (2, "warning"), (2, "warning")]
    assert "`DLT` lists `Delta-Live-Tables`, which no question is tagged with" in str(index.problems[0])
    assert str(index.problems[0]).startswith("topics.yaml:2: ")


def test_group_tags_match_by_family() -> None:
    groups, _ = parse_topics("Ops: [Databricks, Jobs]\n")
    index = TopicIndex(BANK, groups)
    assert keys(index, "ops") == {
        "Q1",
        "Q2",
        "Q3",
    }  # Databricks-CLI, Databricks_CLI, Databricks-Secrets, Jobs


def test_autocomplete_offers_groups_and_their_names() -> None:
    groups, _ = parse_topics(GOOD)
    index = TopicIndex(BANK, groups)
    first = index.complete("差異")[0]
    assert (first.name, first.value, first.kind, first.count) == (
        "差異資料擷取 (CDC)",
        "差異資料擷取",
        "group",
        2,
    )
    cdc = index.complete("cdc")
    assert (cdc[0].name, cdc[0].kind) == ("CDC", "group")
    assert sum(1 for s in cdc if s.kind == "group") == 1  # one entry for the group, not one per name
    assert [s.value for s in index.complete("only")] == ["Only-CLI"]


BAD_CASES = [
    ("- DLT\n- CDC\n", 1, "expected a mapping of topic name → list of tags; file ignored"),
    ("just text\n", 1, "expected a mapping"),
    ("DLT: Delta-Live-Tables\n", 1, "`DLT`: the value must be a list of tags"),
    ("DLT:\n", 1, "`DLT`: the value must be a list of tags"),
    ("123: [CLI]\n", 1, 'a topic name must be text, not `123` (quote it: "123")'),
    ("yes: [CLI]\n", 1, "a topic name must be text, not `yes`"),
    ("? [a, b]\n: [CLI]\n", 1, "a topic name must be text, not `a list`"),
    ("DLT: [CLI, 7]\n", 1, "`DLT`: a tag must be text, not `7`"),
    ("DLT: [CLI, [x]]\n", 1, "`DLT`: a tag must be text, not `a list`"),
    ("DLT: []\n", 1, "`DLT`: no tags"),
    ("DLT: ['']\n", 1, "`DLT`: a tag is empty"),
    ("'=DLT': [CLI]\n", 1, "a topic name cannot start with `=`"),
    (f"{'x' * 101}: [CLI]\n", 1, "a topic name is over 100 characters"),
    ("DLT: {tags: [CLI], name: [x]}\n", 1, "`DLT`: unknown field `name` (expected `tags:` and `names:`)"),
    ("DLT: {names: [x]}\n", 1, "`DLT`: no `tags:` list"),
    ("DLT: {tags: CLI}\n", 1, "`DLT`: `tags` must be a list of tags"),
    ("DLT: {tags: [CLI], names: [1]}\n", 1, "`DLT`: `names` must be text, not `1`"),
    ("DLT: [CLI]\ndlt: [Jobs]\n", 2, "`dlt` is already a name of `DLT`; entry ignored"),
    ("A: [CLI]\nB: {tags: [Jobs], names: [ａ]}\n", 2, "`ａ` is already a name of `A`; entry ignored"),
    ("base: &b [CLI]\nDLT: *b\n", 1, "YAML anchors and aliases (&, *) are not allowed; file ignored"),
    ("DLT: [CLI\n", 2, "invalid YAML"),
    ("a: [CLI]\n---\nb: [CLI]\n", 2, "invalid YAML: but found another document"),
    ("DLT: " + "[" * 20 + "]" * 20 + "\n", 1, "nested too deeply; file ignored"),
    ("DLT: !!python/name:os.system x\n", 1, "the value must be a list of tags"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_CASES)
def test_a_bad_topics_yaml_is_a_path_line_reason_error(text: str, line: int, reason: str) -> None:
    _groups, problems = parse_topics(text)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert (problem.path, problem.line, problem.severity) == ("topics.yaml", line, "error")
    assert reason in problem.reason, problem.reason


def test_good_entries_survive_a_bad_one() -> None:
    groups, problems = parse_topics("DLT: Delta-Live-Tables\nOps: [Jobs]\n7: [CLI]\nCLI2: [CLI]\n")
    assert [g.name for g in groups] == ["Ops", "CLI2"]
    assert [p.line for p in problems] == [1, 3]


def test_empty_or_comment_only_file_has_no_groups() -> None:
    assert parse_topics("") == ([], [])
    assert parse_topics("# nothing yet\n") == ([], [])


def test_file_level_problems(tmp_path: Path) -> None:
    assert read_topics_file(tmp_path) == ([], [])  # no file: no groups, no problem
    path = tmp_path / "topics.yaml"
    path.write_bytes(b"DLT: [CLI]\n" + b"# padding\n" * (MAX_FILE_BYTES // 10))
    groups, problems = read_topics_file(tmp_path)
    assert groups == [] and len(problems) == 1
    assert "over the 64 KB limit; file ignored" in problems[0].reason
    path.write_bytes(b"DLT: [CLI]\nOps: [Jobs\xff]\n")
    groups, problems = read_topics_file(tmp_path)
    assert (
        groups == []
        and str(problems[0]) == "topics.yaml:2: not UTF-8 (byte 0xff); save it as UTF-8; file ignored"
    )
    path.write_text("\ufeffDLT: [CLI]\n", encoding="utf-8")  # a BOM is fine
    assert [g.name for g in read_topics_file(tmp_path)[0]] == ["DLT"]


def test_an_alias_bomb_is_refused_cheaply() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    groups, problems = parse_topics("\n".join(lines) + "\n")
    assert groups == [] and "anchors and aliases" in problems[0].reason


QUESTION = (
    "id: {id}\nstem: Question {id} on {topic}?\noptions: [yes {id}, no {id}]\nanswer: A\ntopics: [{topic}]\n"
)


@pytest.mark.parametrize("text", [case[0] for case in BAD_CASES])
def test_a_bad_topics_yaml_never_stops_the_bank(tmp_path: Path, text: str) -> None:
    (tmp_path / "Q-1.yaml").write_text(QUESTION.format(id="Q-1", topic="Databricks-CLI"), encoding="utf-8")
    (tmp_path / "topics.yaml").write_text(text, encoding="utf-8")
    bank = load_bank(tmp_path)
    assert [x.id for x in bank.questions] == ["Q-1"]
    assert [p.path for p in bank.errors] == ["topics.yaml"]
    assert bank.skipped == [] and bank.files_read == 1  # topics.yaml is not read as a question file
    assert bank.topics.resolve("cli").count == 1  # type: ignore[union-attr]  # families still work


def test_the_loader_attaches_the_groups(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Q-1.yaml").write_text(QUESTION.format(id="Q-1", topic="Delta-CDC"), encoding="utf-8")
    (tmp_path / "a" / "Q-2.yaml").write_text(
        QUESTION.format(id="Q-2", topic="Change-Data-Feed"), encoding="utf-8"
    )
    (tmp_path / "a" / "topics.yaml").write_text("X: [CLI]\n", encoding="utf-8")  # not at the root: a file
    (tmp_path / "topics.yaml").write_text(GOOD, encoding="utf-8")
    bank = load_bank(tmp_path)
    assert [g.name for g in bank.topic_groups] == ["DLT", "CDC", "Only-CLI"]
    assert bank.topics.resolve("差異資料擷取").count == 2  # type: ignore[union-attr]
    assert bank.errors == []
    warned = sorted(p.reason for p in bank.problems if p.path == "topics.yaml")
    assert len(warned) == 4 and all("which no question is tagged with" in w for w in warned)
    assert [s.path for s in bank.skipped] == ["a/topics.yaml"]


# ------------------------------------------------------------------------------------------ real banks


def test_shipped_bank_cli_is_four_questions() -> None:
    bank = load_bank(ROOT / "questions")
    sel = bank.topics.resolve("CLI")
    assert sel is not None and sel.count == 4
    assert bank.topics.tag_names(sel) == ["Databricks-CLI", "CLI"]
    assert sorted(x.key for x in bank.questions if Filter.of(sel).matches(x)) == [
        "community/Q-104",
        "starter/Q-003",
        "starter/Q-004",
        "starter/Q-007",
    ]
    first = bank.topics.complete("cli")[0]
    assert (first.name, first.count, first.kind) == ("CLI", 4, "family")
    delta = bank.topics.resolve("Delta")
    assert delta is not None and bank.topics.tag_names(delta) == sorted(
        {t for x in bank.questions for t in x.topics if t.startswith("Delta-")},
        key=lambda tag: (-sum(tag in x.topics for x in bank.questions), tag),
    )


def test_users_sample_bank_families(users_bank: Path) -> None:
    bank = load_bank(users_bank)
    index = bank.topics
    assert len(index) > 200  # ~245 distinct topic tags
    merge = index.resolve("merge")
    assert merge is not None and set(index.tag_names(merge)) == {"MERGE", "Delta-MERGE"}
    delta = index.resolve("delta")
    assert delta is not None
    assert {"Delta-Lake", "Delta-CDC", "Delta-Optimization", "Delta-MERGE"} <= set(index.tag_names(delta))
    assert all(t.casefold().split("-")[0] == "delta" for t in index.tag_names(delta))
    assert index.resolve("z").count == 0  # type: ignore[union-attr]  # Z-Order is not "z"
    for typed in ("", "d", "delta", "spark perf", "串流", "x" * 300, "delta-" * 1000):
        assert len(index.complete(typed)) <= 25
    assert index.close("delta-lakes " * 500) == []  # a 6,000-character option: bounded work


# ------------------------------------------------------------------------------------------ bank check


def test_bank_check_validates_topics_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    (tmp_path / "Q-1.yaml").write_text(QUESTION.format(id="Q-1", topic="Delta-CDC"), encoding="utf-8")
    (tmp_path / "topics.yaml").write_text(
        "CDC: {tags: [Delta-CDC], names: [差異資料擷取]}\n", encoding="utf-8"
    )
    assert main(["bank", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "topic groups (topics.yaml): CDC 1" in out and "files skipped: 0" in out

    (tmp_path / "topics.yaml").write_text("CDC: [Delta-CDC, Change-Data-Feed]\nDLT: Delta-Live-Tables\n")
    assert main(["bank", "check", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "topics.yaml:1: warning: `CDC` lists `Change-Data-Feed`, which no question is tagged with" in lines
    assert (
        "topics.yaml:2: `DLT`: the value must be a list of tags, e.g. `DLT: [Tag-1, Tag-2]`; entry ignored"
        in lines
    )
    assert "  questions: 1 (0 choose-several, 0 disputed, 1 without explanation)" in lines

    (tmp_path / "topics.yaml").write_text("CDC: [Delta-CDC, Change-Data-Feed]\n")
    assert main(["bank", "check", str(tmp_path)]) == 0  # a warning only
    assert main(["bank", "check", "--strict", str(tmp_path)]) == 1


def test_a_topics_yaml_link_is_never_followed(tmp_path: Path) -> None:
    """A topics.yaml that is a symbolic link out of the bank is refused, its target never read."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("api_token: [s3cr3t-value-xyz]\n", encoding="utf-8")
    root = tmp_path / "bank"
    root.mkdir()
    (root / "topics.yaml").symlink_to(outside)
    groups, problems = read_topics_file(root)
    assert groups == []
    assert [p.reason for p in problems] == ["symbolic link: not followed; file ignored"]
    assert "s3cr3t" not in " ".join(p.reason for p in problems)
