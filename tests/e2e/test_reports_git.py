"""Reports on a bank read from Git (issue 21): each report keeps the commit the bank was at, and
`quizbot reports export` / `quizbot bank check --reports` list the open reports by file and line."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.render.ids import question_hash
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import TEST_BANK, bot_env, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

BROKEN = "id: Q-999\nstem: [unclosed\n"  # a file with a problem of its own, for bank check


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def origin_repo(path: Path) -> str:
    """Our test bank under question-bank/ with one broken file, committed; the commit."""
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    shutil.copytree(TEST_BANK, path / "question-bank")
    (path / "question-bank/yaml/Y-999.yaml").write_text(BROKEN, encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "bank")
    return git(path, "rev-parse", "HEAD")


async def report_from_explain(fake: FakeDiscord, w: World, who: Any, ref: str, key: str, note: str) -> None:
    page = await fake.invoke(w.guild, w.general, who, "explain", {"question": ref})
    assert page.message is not None, page.content
    opened = await fake.click(page.message, f"rep:q:{question_hash(key)}", who)
    assert opened.callback.type == Callback.MODAL
    sent = await fake.submit_modal(opened, {"report:kind": ["wrong_answer"], "report:note": note})
    assert "Thank you" in sent.content or "謝謝" in sent.content


async def stdout_of(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode("utf-8") + err.decode("utf-8")


async def test_reports_keep_the_commit_and_export_by_path_and_line(
    fake_discord: FakeDiscord, discord_world: World, tmp_path: Path
) -> None:
    w, fake = discord_world, fake_discord
    first = origin_repo(tmp_path / "origin")
    spec = f"file://{tmp_path / 'origin'}#main:question-bank"
    harness: BotHarness[Any] = BotHarness(
        fake,
        tmp_path / "bot",
        dev_guild=w.guild,
        settings={"questions_git": spec, "owner_ids": frozenset({w.admin.id})},
    )
    async with harness:
        bot = harness.running
        await report_from_explain(fake, w, w.member, "Y-301", "yaml/Y-301", "The YAML answer is wrong.")
        await report_from_explain(fake, w, w.member_zh, "Q-205", "by-order_a/Q-205", "答案應該是 B。")
        await report_from_explain(fake, w, w.member, "Q-205", "by-order_a/Q-205", "=SUM(1) not A")
        # the bank moves on: a later report names the later commit
        (tmp_path / "origin/question-bank/yaml/NOTE.md").write_text("# notes\n", encoding="utf-8")
        git(tmp_path / "origin", "add", "-A")
        git(tmp_path / "origin", "commit", "-q", "-m", "notes")
        second = git(tmp_path / "origin", "rev-parse", "HEAD")
        h = await fake.invoke(w.guild, w.general, w.admin, "quizadmin reload")
        await h.wait_original(lambda m: not m.loading)
        await report_from_explain(fake, w, w.admin, "by-order_b/Q-204", "by-order_b/Q-204", "Disputed pair.")
        stored = {
            (r.question_key, r.user_id): r.bank_commit for r in await bot.storage.open_reports(w.guild.id)
        }
        assert stored == {
            ("yaml/Y-301", w.member.id): first,
            ("by-order_a/Q-205", w.member_zh.id): first,
            ("by-order_a/Q-205", w.member.id): first,
            ("by-order_b/Q-204", w.admin.id): second,
        }
        database = bot.settings.database_path

    (tmp_path / "cli").mkdir()
    env = bot_env(
        tmp_path / "cli",
        DATABASE_PATH=str(database),
        QUESTIONS_DIR=str(tmp_path / "bot/questions"),
        QUESTIONS_GIT=spec,
    )
    cwd = tmp_path / "cli"
    md = cwd / "reports.md"
    proc, err = await run_cli(env, cwd, "reports", "export", "--output", str(md))
    assert proc.returncode == 0, err.decode()
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Open reports: 4 on 3 question(s)")
    # by file, then line: sample_1.md holds Q-205 at line 42
    order = [
        text.index(x)
        for x in ("## `by-order_a/sample_1.md`", "## `by-order_b/Q-204.md`", "## `yaml/Y-301.yaml`")
    ]
    assert order == sorted(order)
    assert "### line 42 · Q-205 (`by-order_a/Q-205`) · 2 member(s)" in text
    assert f"bank commit `{first[:10]}`" in text and f"bank commit `{second[:10]}`" in text
    assert "  > 答案應該是 B。" in text and "**Wrong answer** · mei" in text

    csv_path = cwd / "reports.csv"
    proc, err = await run_cli(
        env,
        cwd,
        "reports",
        "export",
        "--format",
        "csv",
        "--guild",
        str(w.guild.id),
        "--output",
        str(csv_path),
    )
    assert proc.returncode == 0, err.decode()
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read the Chinese note as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("path,line,question_id,question_key,guild_id")
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["by-order_a/sample_1.md", "42", "Q-205"],
        ["by-order_a/sample_1.md", "42", "Q-205"],
        ["by-order_b/Q-204.md", "1", "Q-204"],
        ["yaml/Y-301.yaml", "1", "Y-301"],
    ]
    assert "'=SUM(1) not A" in lines[2] or "'=SUM(1) not A" in lines[1]  # never a formula

    code, out = await stdout_of(env, cwd, "bank", "check", "--reports")
    assert code == 1  # the broken file is an error; reports are not
    problem = next(i for i, line in enumerate(out.splitlines()) if line.startswith("yaml/Y-999.yaml:"))
    report = next(
        i for i, line in enumerate(out.splitlines()) if line.startswith("yaml/Y-301.yaml:1: report:")
    )
    assert report < problem  # in file order, beside the file's own problems
    assert "by-order_a/sample_1.md:42: report: Wrong answer by mei" in out
    assert "open reports: 4 on 3 question(s)" in out
