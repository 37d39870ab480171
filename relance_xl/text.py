"""Text keys: compare headers, sheet names and yes/no words without case, accents or spacing."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: object) -> str:
    """``"  Date d'Échéance "`` → ``"date d echeance"``: lower case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def column_letter(number: int) -> str:
    """Excel column letters of a 1-based column number: 1 → ``A``, 27 → ``AA``."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
