"""PDF writer helper: WeasyPrint's C libraries found from one ldconfig listing (the command only).

WeasyPrint 70 loads Pango, HarfBuzz, fontconfig and GObject by trying several names each
(``libgobject-2.0-0``, ``gobject-2.0-0``, … ``libgobject-2.0.so.0``). For each name that is
not a file, cffi asks ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and
then, for a name ldconfig does not know, gcc and ld: about 200 processes and 0.15 s of an
import that takes 0.42 s. Within :func:`ldconfig_lookup`, which the ``publish`` command runs
in (and the processes it forks), ``find_library`` answers from one ``ldconfig -p`` listing, as
the stdlib's first step does, and without gcc and ld; the names WeasyPrint tries last
(``libgobject-2.0.so.0``) are opened directly, so a library ldconfig does not list (one on
``LD_LIBRARY_PATH``) is still found. Elsewhere (tests calling ``main``) the stdlib answers.
"""
from __future__ import annotations

import contextlib
import os
import re
import struct
import subprocess

__all__ = ["ldconfig_lookup"]

#: ldconfig's name for this machine's ABI, as ctypes.util reads it.
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


@contextlib.contextmanager
def ldconfig_lookup():
    """Within the block, ``ctypes.util.find_library`` reads ``ldconfig -p`` once and answers
    from it alone; without ldconfig it is left as it is."""
    import ctypes.util

    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, check=True,
                                 env={"LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        yield
        return
    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = _ABI.get(os.uname().machine + bits, "libc6")

    def find_library(name: str) -> str | None:
        pattern = rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}"
        found = re.search(os.fsencode(pattern), listing)
        return os.fsdecode(found.group(1)) if found else None

    original, ctypes.util.find_library = ctypes.util.find_library, find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
