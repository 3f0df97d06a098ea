"""Output files: atomic writes (a temporary file in the output folder, then a rename)."""
from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from pathlib import Path

__all__ = ["atomic_output"]


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
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                            dir=target.parent)
            os.close(handle)
            temporary = Path(name)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
