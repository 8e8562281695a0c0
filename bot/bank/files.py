"""The bank's files on disk: which files under the root are question files, and reading one safely.

Only regular files inside the root are read, never through a symbolic link: a link (to a file or a
folder) is reported, never followed; anything that is not a regular file (a pipe, a socket, a
device) is refused; so is a file over `MAX_FILE_BYTES`, and nothing outside the root is ever opened.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from bot.bank.bank import Problem, Skipped
from bot.bank.model import MAX_FILE_BYTES, BankError

QUESTION_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}
_SKIP_DIRS = {".git", ".github", "node_modules", "__pycache__", ".venv"}
LINK_REASON = "symbolic link: not followed"


#: Folders nested deeper than this are not read: a file is opened folder by folder from the root
#: (never through a link), so a chain of 1,500 folders cost seconds; no bank needs more than a few.
MAX_DEPTH = 32


def walk(root: Path) -> tuple[list[str], list[Skipped], list[Problem]]:
    """Question files under `root` (relative POSIX paths, folders depth first in name order),
    what was left out and why (symbolic links, special files), and folders that cannot be read.
    Nothing is followed: a symbolic link to a file or a folder is reported, never read."""
    files: list[str] = []
    skipped: list[Skipped] = []
    problems: list[Problem] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", 0, f"cannot read folder: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            suffix = os.path.splitext(name)[1].lower()
            try:
                if entry.is_symlink():
                    if name not in _SKIP_DIRS:
                        skipped.append(Skipped(rel, LINK_REASON))
                elif entry.is_dir(follow_symlinks=False):
                    if name in _SKIP_DIRS:
                        continue
                    if rel.count("/") >= MAX_DEPTH:  # each file is opened folder by folder
                        skipped.append(
                            Skipped(rel, f"folder nested deeper than {MAX_DEPTH} levels: not read")
                        )
                    else:
                        subdirs.append(rel)
                elif suffix in QUESTION_SUFFIXES:
                    if entry.is_file(follow_symlinks=False):
                        files.append(rel)
                    else:
                        skipped.append(Skipped(rel, "not a regular file (a pipe, socket or device)"))
            except OSError as exc:
                problems.append(Problem(rel, 1, f"cannot read: {exc.strerror or exc}"))
        stack.extend(reversed(subdirs))
    return files, skipped, problems


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FD = os.open in os.supports_dir_fd and bool(_NOFOLLOW)


def read_bytes_inside(root: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `root/rel`, refusing a symbolic link anywhere below `root`, anything that is not
    a regular file, and more than `limit` bytes. Each folder is opened relative to the one above
    with O_NOFOLLOW, so a folder swapped for a link after the walk is refused too."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BankError(rel, 1, "not a path inside the bank")
    try:
        file_fd = _open_inside(root, parts) if _DIR_FD else _open_checking_each_step(root, parts)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BankError(rel, 1, LINK_REASON) from None
        raise BankError(rel, 1, f"cannot read: {exc.strerror or exc}") from None
    return _read_open(file_fd, rel, limit)


def _open_inside(root: Path, parts: list[str]) -> int:
    """The file `root/parts…` opened read-only, each folder relative to the one above, no links."""
    fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:  # Linux says ENOTDIR, not ELOOP, for a link to a folder
                if exc.errno == errno.ENOTDIR and _is_link(part, fd):
                    raise OSError(errno.ELOOP, "a symbolic link") from None
                raise
            os.close(fd)
            fd = nxt
        return os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)


def _open_checking_each_step(root: Path, parts: list[str]) -> int:  # pragma: no cover - no openat
    """For platforms without openat (Windows): check each step's lstat."""
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise OSError(errno.ELOOP, "Too many levels of symbolic links")
    return os.open(path, os.O_RDONLY | _NONBLOCK)


def read_path(path: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the file at `path` (not a link, a regular file, at most `limit` bytes), named
    `rel` in errors. For tests and tools; a bank is read through `read_bytes_inside`."""
    try:
        file_fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        reason = LINK_REASON if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}"
        raise BankError(rel, 1, reason) from None
    return _read_open(file_fd, rel, limit)


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _read_open(file_fd: int, rel: str, limit: int) -> bytes:
    with os.fdopen(file_fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BankError(rel, 1, "not a regular file (a pipe, socket or device)")
        if info.st_size > limit:
            raise BankError(rel, 1, _too_big(info.st_size, limit))
        data = fh.read(info.st_size + 1)  # one more byte: a file that grew since is noticed
        if len(data) > info.st_size:
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:  # it grew while being read
        raise BankError(rel, 1, _too_big(len(data), limit))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"file is {size / 1024:,.0f} KB; the limit is {limit // 1024:,} KB per file"
