from __future__ import annotations

import random
from collections import Counter

from bot.bank.model import Question
from bot.bank.select import Filter, close_tags, match_tags, pick, resolve_tag, tag_counts


def q(
    key: str, topics: tuple[str, ...] = (), traps: tuple[str, ...] = (), difficulty: str = "L1-Basic"
) -> Question:
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
        traps=traps,
        difficulty=difficulty,
    )


BANK = [
    q("Q1", ("CLI", "Jobs"), ("Scope-Misunderstanding",)),
    q("Q2", ("Delta-Lake",), difficulty="L2-Intermediate"),
    q("Q3", ("delta-lake", "Streaming"), ("Concept-Confusion",), "L3-Advanced"),
    q("Q4", ("Databricks-CLI",)),
]


def test_tag_counts_merge_case_variants() -> None:
    counts = tag_counts(BANK)
    assert counts["Delta-Lake"] == 2
    assert "delta-lake" not in counts


def test_autocomplete_is_case_insensitive_prefix_then_substring() -> None:
    counts = tag_counts(BANK)
    assert match_tags(counts, "cli") == [("CLI", 1), ("Databricks-CLI", 1)]
    assert match_tags(counts, "DELTA") == [("Delta-Lake", 2)]
    assert match_tags(counts, "")[0] == ("Delta-Lake", 2)
    assert match_tags(counts, "zzz") == []
    assert resolve_tag(counts, "ｃｌｉ") == "CLI"
    assert resolve_tag(counts, "delta lake") == "Delta-Lake"


def test_close_tags_for_unknown_topics() -> None:
    counts = Counter({"Delta-Lake": 3, "Streaming": 2, "Auto-Loader": 1})
    assert close_tags(counts, "Delta-Lak")[0] == "Delta-Lake"
    assert close_tags(counts, "streamin") == ["Streaming"]
    assert close_tags(counts, "qqqq") == []


def test_filters() -> None:
    # a topic selects its family: CLI and Databricks-CLI (bot/bank/topics.py, tests/bank/test_topics.py)
    assert [x.key for x in BANK if Filter(topic="cli").matches(x)] == ["Q1", "Q4"]
    assert [x.key for x in BANK if Filter(topic="=cli").matches(x)] == ["Q1"]
    assert [x.key for x in BANK if Filter(topic="Delta-Lake", difficulty="L3").matches(x)] == ["Q3"]
    assert [x.key for x in BANK if Filter(difficulty="2").matches(x)] == ["Q2"]
    assert [x.key for x in BANK if Filter(trap="concept-confusion").matches(x)] == ["Q3"]
    assert [x.key for x in BANK if Filter(difficulty="hard").matches(x)] == []


def test_pick_prefers_unsolved_then_not_recent() -> None:
    rng = random.Random(1)
    delta = Filter(topic="delta-lake")
    for _ in range(20):
        assert pick(BANK, delta, solved={"Q2"}, rng=rng).key == "Q3"  # type: ignore[union-attr]
        assert pick(BANK, delta, solved={"Q2", "Q3"}, recent={"Q3"}, rng=rng).key == "Q2"  # type: ignore[union-attr]
    # everything solved: still asks something
    assert pick(BANK, delta, solved={"Q2", "Q3"}, rng=rng) is not None
    assert pick(BANK, Filter(topic="nothing"), rng=rng) is None
