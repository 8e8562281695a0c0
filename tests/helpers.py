"""What more than one test module needs, in one place: no test module imports another.

- where things are: the project, our own test bank (tests/data/bank), the users' folder ../shared
  and `need_shared`, the one rule for tests that read it;
- question texts and builders (the structured template, raw, YAML, the shipped seed Q-104);
- double encoding as it happened to the users' files (docs/mojibake.md), made from our own text;
- `quizbot` as a child process (`bot_env`, `BotProcess`, `run_cli`) and `practice` in-process;
- the Discord side: `embed_text`, `post_quiz`, and the daily question's clock and helpers;
- the ten-option question of the rendering tests.

Fixtures live in the conftest.py files (tests/, tests/e2e/) and tests/fakediscord/fixtures.py;
the hostile bank folder in tests/bank/hostile.py.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pytest

from bot.bank.model import Question, Section

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.scheduler import DailyScheduler
    from bot.settings import Settings
    from tests.fakediscord import BotHarness, FakeDiscord, StoredMessage, World

# ------------------------------------------------------------------------------------------ where

ROOT = Path(__file__).resolve().parents[1]
#: Our own small bank in every format the users' bank uses (see its README.md).
TEST_BANK = ROOT / "tests" / "data" / "bank"
#: The users' folder beside the project (their bank sample, the seed as it reached us); read in
#: place, never copied. Only tests about the users' own files read it, through `need_shared`.
SHARED = ROOT.parent / "shared"
USERS_BANK = SHARED / "bank-sample" / "question-bank"
SEED = SHARED / "seed" / "000_eddf2cd0f6cab2bb.txt"


def in_ci() -> bool:
    """True when the `CI` environment variable is set (to anything but "", 0, false or no)."""
    return os.environ.get("CI", "").strip().casefold() not in ("", "0", "false", "no")


def need_shared(path: Path) -> Path:
    """`path` (under ../shared), for a test about the users' own bank or seed.

    When it is missing the test fails in CI (which always has ../shared beside the clone) and
    skips with a one-line reason elsewhere (a fresh clone, a contributor's machine)."""
    if path.exists():
        return path
    reason = f"{path} is not there (../shared, the users' files, sits beside the project only on dev machines and in CI)"
    if in_ci():
        pytest.fail(f"CI is set, so ../shared must be there: {reason}", pytrace=False)
    pytest.skip(reason)


def need_chromium() -> str:
    """The path of Debian's `chromium`, for a browser test (Playwright drives it through
    `executable_path`: it cannot download its own browser here). When it is missing the test
    fails in CI (.ci/run installs it) and skips with a one-line reason elsewhere."""
    found = shutil.which("chromium")
    if found:
        return found
    reason = "chromium is not installed (apt-get install chromium; .ci/run installs it in CI)"
    if in_ci():
        pytest.fail(f"CI is set, so chromium must be there: {reason}", pytrace=False)
    pytest.skip(reason)


def copy_test_bank(target: Path) -> Path:
    """A writable copy of the test bank at `target`."""
    shutil.copytree(TEST_BANK, target)
    return target


# ------------------------------------------------------------------------------------------ questions

#: The seed question as shipped (questions/community/Q-104.md): clean, complete, ours to test with.
Q104 = (ROOT / "questions" / "community" / "Q-104.md").read_text(encoding="utf-8")

#: Q-104 turned into a Delta Lake question with another id (a second topic for /quiz and /explain).
DELTA = (
    Q104.replace("`Q-104`", "`Q-900`")
    .replace("`Jobs`, `CLI`, `Automation`", "`Delta-Lake`")
    .replace(
        "The Databricks CLI is used to trigger", "A Delta Lake table question: the CLI is used to trigger"
    )
    .replace("The job_id is returned in this field.", "VACUUM removes the files of old versions.")
    .replace("The total number of jobs", "The number of Delta tables")
)

#: A "choose 2" question in the raw English format.
CHOOSE2 = """# Question 23

## Question
Which two settings make the two tasks run in parallel after ingestion? Choose 2 answers.

## Options
- A. Make ingestion the upstream task of both (Correct)
- B. Chain the two tasks
- C. Remove every dependency
- D. Use run condition All succeeded with ingestion upstream (Correct)

## Explanation
Both tasks need ingestion upstream and no dependency on each other.
"""

#: The structured template in a small question (Q-007): a code block in the stem, an option over two
#: lines, tags, and the wrong options explained one by one.
STRUCTURED = """# Question #7

## 題目資訊

### 題目編號
**ID:** `Q-007`

### 難度等級
**難度:** `L3-Advanced`

## 題目內容

### 題幹

Which command is right?

```python
# this is a comment, not a heading
df.write.mode("append")
```

### 選項

- **A.** first
- **B.** second
  spans two lines
- **C.** `third`
- **D.** fourth

## 標籤系統
**Topics:** `Delta-Lake`, `Streaming`
**Traps:** (無)
**Domain:** Data Engineering

## 答案與來源
**正解:** `B`

# 題目解析

## ✅ 正解說明
Because B.

## ❌ 錯誤選項排除

### 選項 A - "first"
A is wrong.

### 選項 C
C is wrong.

### 關於選項 D
D is wrong.

## 🎯 考試技巧
Read carefully.
"""


def structured(qid: str, stem: str, options: list[str], answer: str, *, explanation: str = "Because.") -> str:
    """A question in the structured template, topic `Hostile`."""
    opts = "\n".join(f"- **{'ABCDEFGHIJKLMNOP'[i]}.** {text}" for i, text in enumerate(options))
    return f"""# Question #1

## 題目資訊
**ID:** `{qid}`
**難度:** `L2-Intermediate`

## 題目內容

### 題幹
{stem}

### 選項
{opts}

## 標籤系統
**Topics:** `Hostile`

## 答案與來源
**正解:** `{answer}`

# 題目解析

## ✅ 正解說明
{explanation}
"""


def yaml_question(
    qid: str, extra: str = "", *, options: str = "  A: first\n  B: second\n", answer: str = "A"
) -> str:
    """A YAML question; `extra` is appended as more fields."""
    return f"id: {qid}\nstem: A question about {qid}, long enough to be itself.\noptions:\n{options}answer: {answer}\n{extra}"


def alias_bomb(levels: int = 9) -> str:
    """A YAML question whose topics are aliases nested `levels` deep ("billion laughs")."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    head = "id: Q-BOMB\nstem: boom\noptions: [x, y]\nanswer: A\n"
    return head + "\n".join(lines) + f"\ntopics: *a{levels}\n"


#: The same SCD question over two tables: two questions, never copies (docs/question-format.md).
SCD_TYPE2 = """Which SCD type does this table implement?

| customer_id | city | is_current | start_date |
|---|---|---|---|
| 1 | NYC | false | 2020-01-01 |
| 1 | Boston | true | 2021-06-01 |"""

SCD_TYPE1 = """Which SCD type does this table implement?

| customer_id | city |
|---|---|
| 1 | Boston |"""

SCD_OPTIONS = ["SCD Type 0", "SCD Type 1", "SCD Type 2", "SCD Type 3"]


# ------------------------------------------------------------------------------------------ mojibake


def corrupt(text: str, codepage: str = "cp1254") -> str:
    """Do to `text` what happened to the users' broken files (docs/mojibake.md): its UTF-8 bytes
    read as `codepage`, the bytes the code page leaves undefined and soft hyphens (0xAD) dropped."""
    out = []
    for b in text.encode("utf-8"):
        if b == 0xAD:
            continue
        try:
            out.append(bytes([b]).decode(codepage))
        except UnicodeDecodeError:
            continue
    return "".join(out)


def lost_bytes(char: str, codepage: str) -> bool:
    """True if `corrupt` drops at least one byte of `char`."""
    return len(corrupt(char, codepage)) < len(char.encode("utf-8"))


#: The test bank's file that `mojibake_copy` breaks: the structured template, every section.
MOJIBAKE_SOURCE = "by-order_a/Q-201.md"


def mojibake_copy(target: Path, codepage: str = "cp1254") -> tuple[Path, str]:
    """A copy of the test bank at `target` whose `MOJIBAKE_SOURCE` is double-encoded as the seed
    was; returns (the broken file, its clean text)."""
    copy_test_bank(target)
    path = target / MOJIBAKE_SOURCE
    clean = path.read_text(encoding="utf-8")
    path.write_text(corrupt(clean, codepage), encoding="utf-8")
    return path, clean


# ------------------------------------------------------------------------------------------ quizbot itself

#: A well-formed bot token (the fake Discord accepts it; the real one never sees it).
TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
#: A port nothing listens on: if a check let a bad setup through, the login fails fast and locally.
NOWHERE = "http://127.0.0.1:9/api/v10"


def bot_env(tmp_path: Path, fake: FakeDiscord | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child `quizbot`: settings in `tmp_path`, nothing from the caller's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "QUESTIONS_", "DATABASE_", "DEV_GUILD", "OWNER_IDS", "LOG_LEVEL"))
    }
    questions = tmp_path / "questions"
    questions.mkdir(exist_ok=True)
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base if fake else NOWHERE,
        QUESTIONS_DIR=str(questions),
        DATABASE_PATH=str(tmp_path / "quizbot.sqlite3"),
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    if fake is not None:
        env["DISCORD_GATEWAY_URL"] = fake.gateway_url
    env.update(extra)
    return env


class BotProcess:
    """A child `python -m bot ARGS`, its output (stdout and stderr) read line by line as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, env: Mapping[str, str], cwd: Path, *args: str) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *(args or ("run",)),
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", errors="replace"))
            self._changed.set()
        self._changed.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    async def wait_output(self, needle: str, timeout: float = 20.0) -> str:  # noqa: ASYNC109
        """The first output line containing `needle` (already printed or still to come)."""

        async def find() -> str:
            while True:
                for line in self.lines:
                    if needle in line:
                        return line
                if self._reader.done():
                    raise AssertionError(f"the bot ended without printing {needle!r}:\n{self.output}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {needle!r} in the output within {timeout}s:\n{self.output}") from None

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    async def wait_exit(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        try:
            rc = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not exit within {timeout}s:\n{self.output}") from None
        await self._reader
        return rc

    async def __aenter__(self) -> BotProcess:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await self._reader


async def run_cli(env: Mapping[str, str], cwd: Path, *args: str) -> tuple[asyncio.subprocess.Process, bytes]:
    """`python -m bot ARGS` to the end; (the process, its stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc, err


def practice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, *args: str, terminal: bool = False
) -> tuple[int, str, str]:
    """Run `quizbot practice ARGS` in-process with `typed` as stdin; (exit code, stdout, stderr).
    The bank is `tmp_path / "questions"` unless ARGS give `--dir`. Stdout is not a terminal, or,
    with `terminal`, a 100-column true-colour one (`terminal_console`)."""
    from bot.cli import build_parser
    from bot.practice import run_practice
    from bot.practice_views import RichScreen

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "quizbot.sqlite3"))
    monkeypatch.setenv("QUESTIONS_DIR", str(tmp_path / "questions"))
    parsed = build_parser().parse_args(["practice", *args])
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    screen = RichScreen(terminal_console(out)) if terminal else None
    code = run_practice(parsed, inp=io.StringIO(typed), out=out, screen=screen)
    return code, out.getvalue(), err.getvalue()


def terminal_console(out: io.StringIO, width: int = 100) -> Any:
    """A rich Console that writes to `out` as to a true-colour terminal `width` columns wide."""
    from rich.console import Console

    return Console(file=out, force_terminal=True, width=width, color_system="truecolor")


_ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def strip_ansi(text: str) -> str:
    """`text` without its colours, styles and hyperlinks."""
    return _ANSI.sub("", text)


# ------------------------------------------------------------------------------------------ Discord side


def embed_text(message: Any) -> str:
    """Every text of a message's (or a handle's) embeds: titles, descriptions, fields, footers."""
    parts = []
    for e in message.embeds:
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        parts.append(e.get("footer", {}).get("text", ""))
    return "\n".join(parts)


async def post_quiz(fake: FakeDiscord, w: World, **options: Any) -> Any:
    """/quiz by bob in #quiz; the handle of the public post it made."""
    from tests.fakediscord import Callback

    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", options)
    assert h.callback.type == Callback.CHANNEL_MESSAGE, h.content
    assert h.message is not None and not h.ephemeral
    return h


# --- the daily question (tests/e2e/test_daily.py, test_admin.py, test_topics.py)
#
# The scheduler's clock is a `Clock` the tests move by hand, and `await scheduler.run_pending()`
# runs a pass and waits for the posts it started: nothing sleeps and nothing is timed.

POST_ROUTE = "/channels/{channel_id}/messages"


def question_yaml(n: int, answer: str, topic: str, difficulty: str = "L1-Basic") -> str:
    return f"""id: Q-{n:03d}
difficulty: {difficulty}
topics: [{topic}]
stem: |
  Daily question number {n}: which option is the right one for {topic} case {n}?
options:
  A: The first option of question {n}
  B: The second option of question {n}
  C: The third option of question {n}
  D: The fourth option of question {n}
answer: {answer}
explanation:
  - heading: ✅ 正解說明
    body: |
      Option {answer} is right for question {n}.
"""


#: The daily tests' bank: four YAML questions, two on Spark.
DAILY_QUESTIONS = {
    "daily/Q-001.yaml": question_yaml(1, "A", "Spark"),
    "daily/Q-002.yaml": question_yaml(2, "B", "Delta-Lake"),
    "daily/Q-003.yaml": question_yaml(3, "C", "Spark", "L2-Intermediate"),
    "daily/Q-004.yaml": question_yaml(4, "D", "Jobs"),
}


class Clock:
    """The scheduler's clock in tests: a settable `now()`."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def clocked_bot(clock: Clock, base: type[QuizBot] | None = None) -> Callable[[Settings], QuizBot]:
    """A `bot_factory`: QuizBot (or `base`) whose daily scheduler (with no rate limit) and exam
    timer read `clock`."""
    from bot.app import QuizBot

    class ClockedBot(base or QuizBot):  # type: ignore[misc]
        async def setup_hook(self) -> None:
            await super().setup_hook()
            sched = self.services.scheduler
            sched.now = clock  # before its first pass, which waits for on_ready
            sched.max_rate = None
            self.services.exam.now = clock  # the exam timer's too (its loop also waits for on_ready)

    return ClockedBot


def scheduler(quizbot: BotHarness[Any]) -> DailyScheduler:
    """The running bot's daily scheduler."""
    return quizbot.running.services.scheduler  # type: ignore[no-any-return]


def _footer(payload: dict[str, Any]) -> str:
    embeds = payload.get("embeds") or [{}]
    return str(embeds[0].get("footer", {}).get("text", ""))


def is_daily(m: StoredMessage) -> bool:
    """Posted as a daily question (its first version's footer says so; a reveal changes it)."""
    first = m.versions[0] if m.versions else m.payload
    return any(word in _footer(first) for word in ("daily question", "每日一題"))


def dailies(fake: FakeDiscord, w: World, channel: Any = None) -> list[StoredMessage]:
    """The daily question posts in #quiz (or `channel`), oldest first."""
    return [m for m in fake.channel_messages(channel or w.quiz, include_ephemeral=False) if is_daily(m)]


def is_open(m: StoredMessage) -> bool:
    return not any(b.get("disabled") for b in m.buttons())


def post_id_of(message: StoredMessage) -> int:
    return int(message.custom_ids()[0].split(":")[2])


async def set_daily(
    fake: FakeDiscord, w: World, *, time: str = "09:00", tz: str = "Asia/Taipei", **more: Any
) -> Any:
    """/quizadmin daily set by the admin: the daily in #quiz at `time` in `tz`."""
    h = await fake.invoke(
        w.guild,
        w.general,
        w.admin,
        "quizadmin daily set",
        {"channel": w.quiz, "time": time, "timezone": tz, **more},
    )
    assert h.ephemeral and "✅" in h.content, h.content
    return h


async def at(quizbot: BotHarness[Any], clock: Clock, when: datetime) -> None:
    """Move the clock and let the scheduler do what is due (and wait for it)."""
    clock.set(when)
    await scheduler(quizbot).run_pending()


async def answer(
    fake: FakeDiscord, message: StoredMessage, member: Any, right: bool, quizbot: BotHarness[Any]
) -> Any:
    """`member` clicks the right (or a wrong) option of a posted question."""
    post = await quizbot.running.storage.get_post(post_id_of(message))
    assert post is not None
    letter = post.correct_letters if right else next(x for x in "ABCD" if x not in post.correct_letters)
    cid = next(c for c in message.custom_ids() if c.endswith(":" + letter))
    click = await fake.click(message, cid, member)
    assert click.ephemeral
    return click


# ------------------------------------------------------------------------------------------ rendering

LETTERS = "ABCDEFGHIJ"


def _long_markdown(letter: str, size: int) -> str:
    """About `size` characters of Markdown about option `letter`: prose, code, a table, a list."""
    block = (
        f"Option {letter} sets `spark.conf` so that the **job** retries.\n\n"
        "```python\n"
        f"spark.conf.set('retry.{letter}', 3)  # 中文註解 ⚠️\n"
        "```\n\n"
        "| setting | value |\n|---|---|\n"
        f"| {letter} | 3 |\n\n"
        "- first point\n- second point with a [link](https://docs.databricks.com)\n\n"
    )
    return (block * (size // len(block) + 1))[:size].rstrip()


def ten_options(*, size: int = 1500, choose: int = 1) -> Question:
    """A question with ten long options (A–J), long tags, a dispute and long explanations."""
    return Question(
        key="ten/Q-10",
        id="Q-10",
        collection="ten",
        path="ten/Q-10.md",
        line=1,
        stem=_long_markdown("Q", 3000),
        options={x: _long_markdown(x, size) for x in LETTERS},
        answer=tuple(LETTERS[-choose:]),
        difficulty="L3-Advanced",
        topics=tuple(f"Topic-{i}" for i in range(40)),
        traps=tuple(f"Trap-{i}" for i in range(40)),
        disputed=True,
        dispute_note="The community answer differs. " * 30,
        sections=(
            Section("concepts", "考點識別", "🎯", _long_markdown("C", 5000)),
            Section("wrong_options", "錯誤選項排除", "❌", _long_markdown("W", 20000)),
        ),
        rationales={x: _long_markdown(x, 2000) for x in LETTERS},
    )


# ------------------------------------------------------------------------------------------ mock exams


def exam_bank(per_section: int = 6, blueprint: str = "professional") -> dict[str, str]:
    """Files for `bot_questions`: our test bank plus `per_section` YAML questions for each section
    of a built-in blueprint, each tagged with a topic that only its section lists, so it falls
    there; every second one is a choose-2 (answer A and C of five)."""
    from collections import Counter

    from bot.bank.blueprint import read_blueprints

    files = {
        str(p.relative_to(TEST_BANK)): p.read_text(encoding="utf-8")
        for p in TEST_BANK.rglob("*")
        if p.is_file()
    }
    found, _ = read_blueprints(None)
    bp = next(b for b in found if b.key == blueprint)
    listed = Counter(t for s in bp.sections for t in s.topics)
    n = 0
    for sec in bp.sections:
        tag = next(t for t in sec.topics if listed[t] == 1 and not t.startswith("="))
        for i in range(per_section):
            n += 1
            choose2 = i % 2 == 1
            answer = "[A, C]" if choose2 else "B"
            options = "".join(f"  {x}: option {x} of X-{n:03d}\n" for x in ("ABCDE" if choose2 else "ABCD"))
            files[f"generated/X-{n:03d}.yaml"] = (
                f"id: X-{n:03d}\nstem: Question {n} about {tag} ({sec.key}), long enough to stand alone.\n"
                f"difficulty: L{1 + i % 3}\ntopics: [{tag}]\noptions:\n{options}answer: {answer}\n"
                f"explanation:\n  - heading: Why\n    body: Because X-{n:03d} says so.\n"
            )
    return files


# ------------------------------------------------------------------------------------------ the web dashboard

#: The dashboard tests' world: a guild with hostile names and questions, weeks of answers, an open daily.
DASH_GUILD, DASH_OTHER_GUILD, DASH_CHANNEL = (
    111_111_111_111_111_111,
    222_222_222_222_222_222,
    333_333_333_333_333_333,
)
DASH_NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
DASH_KEY = b"k" * 32
HOSTILE_NAME = "<script>alert('name')</script>"
HOSTILE_STEM = "What does <img src=x onerror=alert(1)> do? <script>alert('stem')</script>"
#: (user id, display name): the first one is the viewer of most tests.
DASH_MEMBERS = (
    (1001, "Alice"),
    (1002, HOSTILE_NAME),
    (1003, "Bob & <b>Co</b>"),
    (1004, "陳小明"),
    (1005, "Dana"),
    (1006, "Eve"),
)


def dashboard_bank_files() -> dict[str, str]:
    """The exam bank (every section of the professional blueprint) plus a hostile question."""
    files = exam_bank(per_section=2)
    files["hostile/H-666.md"] = structured(
        "H-666",
        HOSTILE_STEM,
        ["<b>bold</b> & co", "`<script>` in code", "[a link](javascript:alert(3))", "plain"],
        "A",
        explanation="<script>alert('explanation')</script> Because **A**.",
    )
    return files


async def dashboard_world(store: Any, bank: Any) -> dict[str, Any]:
    """Four weeks of practice answers up to DASH_NOW in DASH_GUILD (everyone misses the hostile
    question, picking B or C; the member 1001 is right more than the others), one answer in
    DASH_OTHER_GUILD, and an open daily that the members missed a lot before (so it would top the
    most missed if it were not hidden). Returns the keys used."""
    from datetime import timedelta

    hostile = next(q for q in bank.questions if q.id == "H-666")
    daily_q = next(q for q in bank.questions if q.id == "X-001")
    others = [q for q in bank.questions if q.id.startswith("X-") and q.id != "X-001"][:6]
    others += [q for q in bank.questions if q.traps][:3]
    g = DASH_GUILD
    for week in range(4):
        at = DASH_NOW - timedelta(days=7 * week + 1)
        for i, q in enumerate([hostile, daily_q, *others]):
            post = await store.create_post(
                g,
                DASH_CHANNEL,
                q.key,
                "practice",
                "".join(q.answer),
                option_letters="".join(q.options),
                created_at=at,
                lifetime=timedelta(hours=1),
            )
            answers = []
            for n, (uid, name) in enumerate(DASH_MEMBERS):
                if q is hostile:
                    letters = "BC"[n % 2]
                elif q is daily_q:
                    letters = "D" if n else "".join(q.answer)
                else:
                    letters = "".join(q.answer) if (n + i + week) % 3 or uid == 1001 else "D"
                answers.append(
                    store.record_answer(
                        g,
                        post.post_id,
                        uid,
                        letters,
                        display_name=name,
                        answered_at=at + timedelta(minutes=1 + n),
                    )
                )
            await asyncio.gather(*answers)
    other = await store.create_post(
        DASH_OTHER_GUILD,
        DASH_CHANNEL,
        others[0].key,
        "practice",
        "".join(others[0].answer),
        option_letters="".join(others[0].options),
        created_at=DASH_NOW - timedelta(hours=1),
        lifetime=timedelta(hours=1),
    )
    await store.record_answer(
        DASH_OTHER_GUILD,
        other.post_id,
        2001,
        "A",
        display_name="Outsider",
        answered_at=DASH_NOW - timedelta(minutes=30),
    )
    daily = await store.create_post(
        g,
        DASH_CHANNEL,
        daily_q.key,
        "daily",
        "".join(daily_q.answer),
        option_letters="".join(daily_q.options),
        created_at=DASH_NOW - timedelta(hours=2),
        closes_at=DASH_NOW + timedelta(hours=22),
    )
    for uid, name in DASH_MEMBERS[:2]:
        await store.record_answer(
            g, daily.post_id, uid, "D", display_name=name, answered_at=DASH_NOW - timedelta(hours=1)
        )
    return {"hostile": hostile, "daily": daily_q, "daily_post": daily, "others": others}
