"""Output files: atomic writes (a temporary file in the output folder, then a rename), and one
build at a time in an output folder.

A temporary file is named ``.<target name>.<random>.tmp``. A build holds the folder's lock
while it writes, so the temporary files it finds there on starting and leaves on ending
(a worker killed mid-write, a previous build killed outright) are no one's and are removed.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import tempfile
from pathlib import Path

__all__ = ["atomic_output", "output_folder_lock", "scratch_beside"]

log = logging.getLogger(__name__)


@contextlib.contextmanager
def atomic_output(target: Path):
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step,
    on any failure (Ctrl-C included) it is removed and ``target`` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary: Path | None = None
    try:
        # Ctrl-C waits until the temporary file is named, so it is never left behind unnamed.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            temporary = _new_beside(target)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def scratch_beside(target: Path, label: str):
    """Yield a temporary path beside ``target`` for an intermediate file (named as
    :func:`atomic_output` names its own, so a killed build's is removed by the next); it is
    removed on leaving, whatever happens."""
    scratch = _new_beside(target, label)
    try:
        yield scratch
    finally:
        scratch.unlink(missing_ok=True)


def _new_beside(target: Path, label: str = "") -> Path:
    """A new empty file beside ``target``, named ``.<target name>.[<label>.]<random>.tmp``."""
    prefix = f".{target.name}.{label}." if label else f".{target.name}."
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    os.close(handle)
    return Path(name)


@contextlib.contextmanager
def output_folder_lock(folder: Path):
    """Hold ``folder``'s build lock (waiting, with a message, while another build holds it);
    the folder's leftover temporary files are removed on taking it and on giving it up. The
    lock is the folder's own (``flock`` on the directory), so it leaves no file behind."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("publish: waiting for another build writing into %s", folder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _remove_temporaries(folder)
        try:
            yield
        finally:
            _remove_temporaries(folder)
    finally:
        os.close(handle)


def _remove_temporaries(folder: Path) -> None:
    for path in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
