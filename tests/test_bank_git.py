"""The bank from its Git repository (bot/bank/git.py), with local repositories made in tmp_path: no network."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.bank.git import (
    GitError,
    GitSource,
    bank_dir,
    check_no_links,
    clone,
    parse_source,
    prepare,
    redact,
    run_git,
    safe_bank_dir,
    sync,
    update,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


def question(n: int, answer: str = "A") -> str:
    return f"""id: Q-{n:03d}
topics: [Git]
stem: Question {n} read from a Git repository, with enough words to be itself.
options:
  A: first answer of {n}
  B: second answer of {n}
answer: {answer}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def commit(repo: Path, files: dict[str, str | None], message: str = "change") -> str:
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A repository with branch main: two questions under question-bank/, a README at the root."""
    repo = tmp_path / "origin"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(
        repo,
        {
            "README.md": "# The bank\n",
            "question-bank/community/Q-001.yaml": question(1),
            "question-bank/community/Q-002.yaml": question(2, "B"),
        },
        "first",
    )
    return repo


def test_parse_source() -> None:
    assert parse_source("file:///srv/bank.git#main:question-bank") == GitSource(
        "file:///srv/bank.git", "main", "question-bank"
    )
    assert parse_source("https://example.org/bank.git") == GitSource("https://example.org/bank.git")
    assert parse_source("https://example.org/bank.git#dev") == GitSource(
        "https://example.org/bank.git", "dev"
    )
    assert parse_source("git@example.org:study/bank.git#:a/b/") == GitSource(
        "git@example.org:study/bank.git", None, "a/b"
    )
    assert parse_source(" https://x/y.git#release/2030 ") == GitSource("https://x/y.git", "release/2030")
    for bad in (
        "",
        "#main",
        "--upload-pack=evil",
        "https://x/y.git#-b",
        "https://x/y.git#a..b",
        "https://x/y.git#main:../up",
        "https://x/y.git#main:a/.git/b",
    ):
        with pytest.raises(GitError):
            parse_source(bad)
    assert GitSource("u", None, "sub").bank_dir(Path("/q")) == Path("/q/sub")
    assert bank_dir(Path("/q"), "file:///r#main:question-bank") == Path("/q/question-bank")
    assert bank_dir(Path("/q"), None) == Path("/q")


def test_credentials_never_show() -> None:
    assert redact("fatal: unable to access 'https://bob:s3cret@example.org/bank.git/'") == (
        "fatal: unable to access 'https://***@example.org/bank.git/'"
    )
    assert redact("https://ghp_token123@github.com/x.git") == "https://***@github.com/x.git"
    assert "s3cret" not in GitSource("https://bob:s3cret@example.org/b.git").describe()


async def test_clone_then_pull_reports_what_changed(origin: Path, tmp_path: Path) -> None:
    dest = tmp_path / "questions"
    dest.mkdir()  # an empty QUESTIONS_DIR is fine
    source = parse_source(f"file://{origin}#main:question-bank")
    cloned = await clone(source, dest)
    assert cloned.action == "cloned" and cloned.after == git(origin, "rev-parse", "HEAD")
    bank = load_bank(source.bank_dir(dest))
    assert sorted(q.key for q in bank.questions) == ["community/Q-001", "community/Q-002"]

    same = await sync(source, dest, pull=True)
    assert same.action == "unchanged" and not same.changed and "up to date" in same.describe()

    new_head = commit(
        origin,
        {"question-bank/community/Q-003.yaml": question(3), "question-bank/community/Q-001.yaml": None},
    )
    pulled = await update(source, dest)
    assert pulled.action == "updated" and pulled.after == new_head and pulled.before == cloned.after
    assert pulled.describe().startswith("updated ")
    bank = load_bank(source.bank_dir(dest))
    assert sorted(q.key for q in bank.questions) == ["community/Q-002", "community/Q-003"]


async def test_the_branch_is_followed(origin: Path, tmp_path: Path) -> None:
    git(origin, "checkout", "-q", "-b", "dev")
    commit(origin, {"question-bank/community/Q-009.yaml": question(9)}, "dev only")
    git(origin, "checkout", "-q", "main")
    dest = tmp_path / "q"
    await clone(parse_source(f"file://{origin}#main:question-bank"), dest)
    assert not (dest / "question-bank/community/Q-009.yaml").exists()
    dev = tmp_path / "d"
    await clone(parse_source(f"file://{origin}#dev:question-bank"), dev)
    assert (dev / "question-bank/community/Q-009.yaml").exists()
    # without a branch: the remote's default, and pulls follow the branch checked out
    default = tmp_path / "default"
    await clone(parse_source(f"file://{origin}"), default)
    commit(origin, {"question-bank/community/Q-010.yaml": question(10)})
    assert (await update(parse_source(f"file://{origin}"), default)).action == "updated"
    assert (default / "question-bank/community/Q-010.yaml").exists()


async def test_failures_say_why_and_keep_the_clone(origin: Path, tmp_path: Path) -> None:
    dest = tmp_path / "questions"
    source = parse_source(f"file://{origin}#main:question-bank")
    with pytest.raises(GitError, match="git clone failed"):
        await clone(parse_source(f"file://{tmp_path}/nowhere.git"), dest)
    assert not dest.exists() and not (tmp_path / ".questions.cloning").exists()
    with pytest.raises(GitError, match=r"Remote branch nope not found|nope"):
        await clone(parse_source(f"file://{origin}#nope"), dest)
    with pytest.raises(GitError, match="no folder missing"):
        await clone(parse_source(f"file://{origin}#main:missing"), dest)
    assert not dest.exists()

    good = (await clone(source, dest)).after
    # the folder moved away in a later commit: the pull is refused, the clone stays where it was
    git(origin, "mv", "question-bank", "bank")
    git(origin, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "move")
    with pytest.raises(GitError, match="no folder question-bank"):
        await update(source, dest)
    assert git(dest, "rev-parse", "HEAD") == good
    assert (dest / "question-bank/community/Q-001.yaml").exists()

    # the repository is gone (renamed, server down): a clear error, the clone untouched
    shutil.move(origin, tmp_path / "elsewhere")
    with pytest.raises(GitError, match="git fetch failed"):
        await update(source, dest)
    assert git(dest, "rev-parse", "HEAD") == good


async def test_a_folder_that_is_not_this_clone_is_refused(origin: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.md").write_text("# my own files\n", encoding="utf-8")
    with pytest.raises(GitError, match="not empty"):
        await prepare(full, f"file://{origin}")
    assert (full / "mine.md").exists()
    other = tmp_path / "other"
    await clone(parse_source(f"file://{origin}"), other)
    with pytest.raises(GitError, match="is a clone of"):
        await update(parse_source(f"file://{tmp_path}/different.git"), other)
    assert await prepare(tmp_path / "x", None) is None


async def test_a_command_that_hangs_is_stopped() -> None:
    # no git command is done the instant it starts: with no time at all it is stopped (and killed)
    with pytest.raises(GitError, match="timed out"):
        await run_git("--version", timeout=0.0)
    assert (await run_git("--version")).startswith("git version")


# -------------------------------------------------------------------------------- symbolic links


def commit_link(repo: Path, rel: str, target: str, message: str = "link") -> None:
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


async def test_links_in_the_bank_are_checked_out_as_plain_files(origin: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(question(99), encoding="utf-8")
    commit_link(origin, "question-bank/community/Q-099.yaml", str(secret))
    commit_link(origin, "question-bank/linked", str(tmp_path))
    dest = tmp_path / "questions"
    source = parse_source(f"file://{origin}#main:question-bank")
    await clone(source, dest)
    assert git(dest, "config", "core.symlinks") == "false"  # kept for every later command too
    link = dest / "question-bank/community/Q-099.yaml"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == str(secret)
    assert not (dest / "question-bank/linked").is_symlink()
    bank = load_bank(source.bank_dir(dest))
    assert sorted(q.key for q in bank.questions) == ["community/Q-001", "community/Q-002"]
    assert "community/Q-099.yaml" in {p.path for p in bank.errors}  # the link's text is no question
    # pulled later: still a plain file
    commit_link(origin, "question-bank/community/Q-098.yaml", str(secret))
    await update(source, dest)
    assert not (dest / "question-bank/community/Q-098.yaml").is_symlink()


async def test_a_sub_path_through_a_link_is_refused(origin: Path, tmp_path: Path) -> None:
    # committed as a link: checked out as a file, so there is no such folder
    commit_link(origin, "bank", "question-bank")
    with pytest.raises(GitError, match="no folder bank"):
        await clone(parse_source(f"file://{origin}#main:bank"), tmp_path / "a")
    # a link in a clone made before (or by hand): refused, never read through
    dest = tmp_path / "questions"
    source = parse_source(f"file://{origin}#main:question-bank/community")
    await clone(source, dest)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Q-500.yaml").write_text(question(500), encoding="utf-8")
    shutil.rmtree(dest / "question-bank")
    (dest / "question-bank").symlink_to(outside)
    spec = f"file://{origin}#main:question-bank/community"
    with pytest.raises(GitError, match=r"passes through a symbolic link .question-bank."):
        safe_bank_dir(dest, spec)
    with pytest.raises(GitError, match="passes through a symbolic link"):
        check_no_links(dest, source.subpath)
    assert safe_bank_dir(dest, None) == dest
    assert safe_bank_dir(tmp_path / "q", "file:///r#main:x/y") == tmp_path / "q/x/y"  # not there yet: fine
