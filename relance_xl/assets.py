"""Files shipped with relance_xl: the workbook template, the letter templates, the Excel add-in.

In a source checkout they sit at the top of the project; an installed package carries them in
``relance_xl/assets`` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from relance_xl.errors import InputError

_PACKAGE = Path(__file__).resolve().parent
_LOCATIONS = (_PACKAGE / "assets", _PACKAGE.parent)

WORKBOOK_TEMPLATE = "workbook_template.xlsx"
LETTER_TEMPLATES = "letter_templates"
ADDIN = "relance_xl.xlam"


def asset(name: str) -> Path:
    """The shipped file or folder ``name``; InputError in French when the install lacks it."""
    for folder in _LOCATIONS:
        candidate = folder / name
        if candidate.exists():
            return candidate
    raise InputError(f"fichier fourni avec relance_xl introuvable : « {name} » (réinstallez).")
