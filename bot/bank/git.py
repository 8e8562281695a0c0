"""The question bank from its Git repository: clone on first start, update on reload and daily.

`QUESTIONS_GIT` syntax: ``URL[#BRANCH][:SUB/PATH]``

    https://example.org/study/bank.git                    default branch, whole repository
    https://example.org/study/bank.git#main               branch main
    file:///srv/bank.git#main:question-bank               branch main, questions under question-bank/
    git@example.org:study/bank.git#:question-bank         default branch, questions under question-bank/

The repository is cloned into `QUESTIONS_DIR`; the bank is read from `QUESTIONS_DIR/SUB/PATH`.
Updating is `git fetch` + `git reset --hard` to the fetched branch (a pull that can never stop on
a merge conflict: the clone is the bot's own, read-only copy). Everything runs the `git` command
through asyncio subprocesses with a timeout; git never prompts for credentials (it fails instead),
and URLs are shown with any password or token removed. No Discord imports here.

Symbolic links: every git command runs with `core.symlinks=false` (and the clone keeps it in its
config), so a link committed to the bank is checked out as a small text file holding the link's
target, never as a link; and a `SUB/PATH` that is, or passes through, a symbolic link in the
clone is refused (`check_no_links`). The loader never follows links either (bot.bank.files).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Given before every git command: links in the bank's commits are checked out as plain files.
_SAFE_CONFIG = ("-c", "core.symlinks=false")
DEFAULT_TIMEOUT = 120.0  # seconds for one git command (a clone of a large bank on a slow link)
_BRANCH_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
# (anchored to the start of a run of scheme characters: a long run without "://" is scanned once)
_CREDENTIALS_RE = re.compile(r"(?<![a-zA-Z0-9+.-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*+://)[^/@\s]++@")


class GitError(Exception):
    """A git operation failed; the message is one line for the admin (credentials removed)."""


@dataclass(frozen=True, slots=True)
class GitSource:
    url: str
    branch: str | None = None
    subpath: str | None = None

    def bank_dir(self, clone_dir: Path) -> Path:
        """Where the questions are: the clone, or the sub-path inside it."""
        return clone_dir / self.subpath if self.subpath else clone_dir

    def describe(self) -> str:
        text = redact(self.url)
        if self.branch:
            text += f" (branch {self.branch})"
        if self.subpath:
            text += f", folder {self.subpath}"
        return text


@dataclass(frozen=True, slots=True)
class GitResult:
    action: str  # "cloned" | "updated" | "unchanged"
    before: str | None  # commit before (None for a clone)
    after: str  # commit now

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        if self.action == "cloned":
            return f"cloned at {self.after[:10]}"
        if not self.changed:
            return f"up to date at {self.after[:10]}"
        return f"updated {(self.before or '?')[:10]} → {self.after[:10]}"


def parse_source(spec: str) -> GitSource:
    """Parse `URL[#BRANCH][:SUB/PATH]`; GitError with the reason when it is not valid."""
    spec = (spec or "").strip()
    url, _, fragment = spec.partition("#")
    url = url.strip()
    if not url:
        raise GitError("QUESTIONS_GIT has no repository URL")
    if url.startswith("-"):
        raise GitError("QUESTIONS_GIT must be a repository URL, not an option")
    branch_s, _, sub_s = fragment.partition(":")
    branch = branch_s.strip() or None
    if branch is not None and (not _BRANCH_RE.match(branch) or ".." in branch or branch.endswith((".", "/"))):
        raise GitError(f"QUESTIONS_GIT: {branch!r} is not a branch name")
    subpath: str | None = None
    if sub_s.strip():
        path = PurePosixPath(sub_s.strip().strip("/"))
        if path.is_absolute() or any(part in ("..", ".git") for part in path.parts) or "\\" in str(path):
            raise GitError(f"QUESTIONS_GIT: {sub_s!r} must be a folder inside the repository")
        subpath = str(path) if str(path) != "." else None
    return GitSource(url, branch, subpath)


def redact(text: str) -> str:
    """Remove user names, passwords and tokens from URLs in `text`."""
    return _CREDENTIALS_RE.sub(lambda m: f"{m['scheme']}***@", text)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_TERMINAL_PROMPT="0",  # fail instead of asking for a user name / password
        GIT_ASKPASS="true",
        LC_ALL="C",
    )
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


async def run_git(*args: str, cwd: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> str:  # noqa: ASYNC109
    """Run `git ARGS`; its standard output, or GitError with the last line git complained with."""
    try:
        proc = await asyncio.create_subprocess_exec(
            "git",
            *_SAFE_CONFIG,
            *args,
            cwd=str(cwd) if cwd else None,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_env(),
        )
    except FileNotFoundError:
        raise GitError("the git command is not installed on the bot's machine") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise GitError(f"git {args[0]} timed out after {timeout:g} s") from None
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        raise
    if proc.returncode != 0:
        lines = [ln.strip() for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
        useful = [ln for ln in lines if ln.lower().startswith(("fatal:", "error:"))] or lines
        reason = useful[-1] if useful else f"exit status {proc.returncode}"
        raise GitError(redact(f"git {args[0]} failed: {reason}"))
    return out.decode("utf-8", "replace").strip()


async def head(repo: Path, *, timeout: float = DEFAULT_TIMEOUT) -> str:  # noqa: ASYNC109
    return await run_git("rev-parse", "HEAD", cwd=repo, timeout=timeout)


def _is_repo(path: Path) -> bool:
    return (path / ".git").exists()


def _check_empty(dest: Path, source: GitSource) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise GitError(f"{dest} is not empty and not a clone of {redact(source.url)}; empty it first")
    dest.parent.mkdir(parents=True, exist_ok=True)


def check_no_links(base: Path, subpath: str | None) -> Path:
    """`base/subpath`, after checking that no part of `subpath` is a symbolic link (GitError if one
    is: the bank must not be read from outside the clone)."""
    if not subpath:
        return base
    path = base
    for part in PurePosixPath(subpath).parts:
        path = path / part
        if path.is_symlink():
            raise GitError(
                f"QUESTIONS_GIT: the folder {subpath} passes through a symbolic link "
                f"({path.relative_to(base).as_posix()}); refused"
            )
    return path


def _check_subpath(repo: Path, source: GitSource) -> None:
    check_no_links(repo, source.subpath)
    if source.subpath and not (repo / source.subpath).is_dir():
        raise GitError(f"the repository has no folder {source.subpath}")


def _install(tmp: Path, dest: Path) -> None:
    if dest.exists():
        dest.rmdir()
    tmp.rename(dest)


async def clone(source: GitSource, dest: Path, *, timeout: float = DEFAULT_TIMEOUT) -> GitResult:  # noqa: ASYNC109
    """Clone into `dest` (which must be missing or an empty folder). The clone goes to a temporary
    folder next to it first, so a failed clone leaves nothing half-done."""
    _check_empty(dest, source)
    tmp = dest.parent / f".{dest.name}.cloning"
    shutil.rmtree(tmp, ignore_errors=True)
    args = ["clone", "--quiet", "--no-recurse-submodules", "--config", "core.symlinks=false"]
    if source.branch:
        args += ["--branch", source.branch, "--single-branch"]
    try:
        await run_git(*args, "--", source.url, str(tmp), timeout=timeout)
        _check_subpath(tmp, source)
        _install(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return GitResult("cloned", None, await head(dest, timeout=timeout))


async def update(source: GitSource, dest: Path, *, timeout: float = DEFAULT_TIMEOUT) -> GitResult:  # noqa: ASYNC109
    """Bring the clone in `dest` to the remote branch's latest commit (fetch + reset --hard)."""
    if not _is_repo(dest):
        raise GitError(f"{dest} is not a Git clone")
    origin = await run_git("remote", "get-url", "origin", cwd=dest, timeout=timeout)
    if origin != source.url:
        raise GitError(
            f"{dest} is a clone of {redact(origin)}, not of {redact(source.url)}; "
            "empty the folder or fix QUESTIONS_GIT"
        )
    before = await head(dest, timeout=timeout)
    branch = source.branch
    if branch is None:
        current = await run_git("rev-parse", "--abbrev-ref", "HEAD", cwd=dest, timeout=timeout)
        branch = current if current != "HEAD" else None
    await run_git(
        "fetch",
        "--quiet",
        "--no-recurse-submodules",
        "origin",
        "--",
        branch or "HEAD",
        cwd=dest,
        timeout=timeout,
    )
    if source.subpath:  # check before moving: a bad commit must not replace the good bank on disk
        try:
            await run_git("cat-file", "-e", f"FETCH_HEAD:{source.subpath}", cwd=dest, timeout=timeout)
        except GitError:
            raise GitError(f"the fetched branch has no folder {source.subpath}; kept {before[:10]}") from None
    await run_git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=dest, timeout=timeout)
    after = await head(dest, timeout=timeout)
    check_no_links(dest, source.subpath)
    return GitResult("updated" if after != before else "unchanged", before, after)


async def sync(source: GitSource, dest: Path, *, pull: bool, timeout: float = DEFAULT_TIMEOUT) -> GitResult:  # noqa: ASYNC109
    """Clone when `dest` is not a clone yet; otherwise update it if `pull`, else leave it."""
    if not _is_repo(dest):
        return await clone(source, dest, timeout=timeout)
    if pull:
        return await update(source, dest, timeout=timeout)
    now = await head(dest, timeout=timeout)
    return GitResult("unchanged", now, now)


def bank_dir(questions_dir: Path, questions_git: str | None) -> Path:
    """The folder the bank is read from: QUESTIONS_DIR, or its sub-path when QUESTIONS_GIT names one.
    An invalid QUESTIONS_GIT reads QUESTIONS_DIR (the error is reported where the clone fails)."""
    if not questions_git:
        return questions_dir
    try:
        return parse_source(questions_git).bank_dir(questions_dir)
    except GitError:
        return questions_dir


def safe_bank_dir(questions_dir: Path, questions_git: str | None) -> Path:
    """`bank_dir`, refusing (GitError) a QUESTIONS_GIT sub-path that is or passes through a link."""
    if not questions_git:
        return questions_dir
    try:
        source = parse_source(questions_git)
    except GitError:
        return questions_dir
    return check_no_links(questions_dir, source.subpath)


async def prepare(questions_dir: Path, questions_git: str | None, *, pull: bool = False) -> GitResult | None:
    """Start-up: clone QUESTIONS_GIT into QUESTIONS_DIR if it is not there yet (None without Git)."""
    if not questions_git:
        return None
    return await sync(parse_source(questions_git), questions_dir, pull=pull)
