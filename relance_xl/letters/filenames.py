"""Letter file names that are safe on Windows, macOS and Linux, whatever the client is called.

``2026-11-23_Dupont-et-Fils-SARL_mise-en-demeure.docx``: ASCII letters, digits and hyphens only,
no reserved Windows name (CON, PRN, AUX, NUL, COM1…, LPT1…), no trailing dot or space, at most
:data:`MAX_LENGTH` characters, and never the name of a file that already exists (``-2``, ``-3``…).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

MAX_LENGTH = 120
"""Longest file name produced, extension and ``-n`` suffix included."""

_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{device}{n}" for device in ("COM", "LPT") for n in [*range(1, 10), "¹", "²", "³"]]
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "&": " et "})
_NOT_SAFE = re.compile(r"[^A-Za-z0-9]+")


def slug(text: str, fallback: str = "client") -> str:
    """``"Dupont & Fils <SARL>"`` → ``"Dupont-et-Fils-SARL"``: accents dropped, ``&`` read
    « et », every other run of unsafe characters (``/ \\ : * ? " < > |``, controls, spaces,
    dots) becomes one hyphen. An empty result gives ``fallback``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = _NOT_SAFE.sub("-", ascii_text).strip("-")
    return cleaned or fallback


def letter_name(as_of: dt.date, client: str, document: str, extension: str = ".docx") -> str:
    """``2026-11-23_<client>_<document><extension>``, shortened to :data:`MAX_LENGTH`."""
    stem = f"{as_of.isoformat()}_{slug(client)}_{slug(document, 'courrier').lower()}"
    return _fit(stem, extension, MAX_LENGTH)


def _fit(stem: str, extension: str, limit: int) -> str:
    """Cut the stem so that stem + extension fits in ``limit``; avoid reserved device names."""
    stem = stem[: max(limit - len(extension), 1)].rstrip("-_. ")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"{stem}_"
    return stem + extension


def unique_path(folder: Path, name: str, taken: Container[str] = ()) -> Path:
    """``folder / name``, or ``name-2``, ``name-3``… when that file exists or is in ``taken``
    (lower-case names already given out in this batch: Windows and macOS ignore case). A
    reserved Windows name gets an underscore (``CON`` → ``CON_``)."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = f".{extension}" if extension else ""
    candidate, n = _fit(stem, extension, MAX_LENGTH), 1
    while candidate.lower() in taken or (folder / candidate).exists():
        n += 1
        candidate = _fit(stem, f"-{n}{extension}", MAX_LENGTH)
    return folder / candidate
