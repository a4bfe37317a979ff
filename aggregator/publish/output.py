"""Atomic output: the site is built in a fresh folder, then swapped in with one rename.

    <parent>/<name>                    symlink → .<name>-builds/build-…  (what a web server serves)
    <parent>/.<name>-builds/
        build-20261124T093000Z-k3j2q8  the current build
        build-20261124T083000Z-a8x1zz  the previous build, kept for readers still inside it
        original-20261124T083000Z-…    a real folder that stood at <name> before the first swap
        .lock                          held while a publish runs (one publisher at a time)

A reader that opens `<name>/index.html` gets either the old site or the new one, never a mix:
`os.replace` of a symlink is atomic on POSIX. Older builds are deleted after each swap; a
folder moved aside on the first run (`original-…`) is never deleted, because it may hold files
someone put there by hand (an empty one is simply removed).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aggregator.errors import PublishError

BUILD_PREFIX = "build-"
ORIGINAL_PREFIX = "original-"
SWAP_PREFIX = ".swap-"


@dataclass(frozen=True, slots=True)
class Swap:
    """Result of a swap: the build now live and the one it replaced (None on the first run)."""

    current: Path
    previous: Path | None


def builds_dir(out_dir: Path) -> Path:
    """The folder beside `out_dir` that holds its builds."""
    out_dir = _absolute(out_dir)
    return out_dir.parent / f".{out_dir.name}-builds"


def _absolute(path: Path) -> Path:
    # abspath, not resolve(): out_dir itself is our symlink and must not be followed.
    return Path(os.path.abspath(path))


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def atomic_output(out_dir: Path, now: datetime) -> Iterator[Path]:
    """Yield an empty build folder; swap it in as `out_dir` when the block ends without error.

    On an error the half-written build is deleted and `out_dir` still shows the last good site.
    """
    out_dir = _absolute(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise PublishError(f"{out_dir} is a file, not a folder: move it away or choose another")
    builds = builds_dir(out_dir)
    try:
        builds.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create {builds}: {exc.strerror}") from exc
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    with _locked(builds / ".lock"):
        build = Path(tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{stamp}-", dir=builds))
        build.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        try:
            yield build
            swap = _swap(out_dir, build, stamp)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        _prune(builds, keep={swap.current, swap.previous}, swap_prefix=_swap_prefix(out_dir))


def _swap(out_dir: Path, build: Path, stamp: str) -> Swap:
    parent = out_dir.parent
    previous: Path | None = None
    if out_dir.is_symlink():
        target = Path(os.path.normpath(parent / os.readlink(out_dir)))
        if target.parent == build.parent:
            previous = target
    elif out_dir.is_dir():
        _move_aside(out_dir, build.parent, stamp)
    link = parent / f"{_swap_prefix(out_dir)}{build.name}"
    if link.is_symlink():
        link.unlink()
    os.symlink(os.path.relpath(build, parent), link)
    os.replace(link, out_dir)
    _fsync_dir(parent)
    return Swap(current=build, previous=previous)


def _swap_prefix(out_dir: Path) -> str:
    return f"{SWAP_PREFIX}{out_dir.name}-"


def _move_aside(folder: Path, builds: Path, stamp: str) -> None:
    """A real folder stands where the symlink goes: remove it if empty, else keep it in builds."""
    try:
        folder.rmdir()
        return
    except OSError:
        pass
    aside = Path(tempfile.mkdtemp(prefix=f"{ORIGINAL_PREFIX}{stamp}-", dir=builds))
    aside.rmdir()
    os.rename(folder, aside)


def _prune(builds: Path, keep: set[Path | None], swap_prefix: str) -> None:
    """Delete builds other than the current and previous one, and stray swap links."""
    for entry in builds.iterdir():
        if entry.name.startswith(BUILD_PREFIX) and entry not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    for entry in builds.parent.iterdir():
        if entry.name.startswith(swap_prefix) and entry.is_symlink():
            entry.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
