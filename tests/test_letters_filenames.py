"""Letter file names: safe on Windows, macOS and Linux whatever the client is called; never an
existing file replaced."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl.letters.filenames import MAX_LENGTH, letter_name, slug, unique_path

DAY = dt.date(2026, 11, 23)
WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?$", re.IGNORECASE)


@pytest.mark.parametrize(
    ("client", "document", "attendu"),
    [
        ("Dupont & Fils <SARL>", "mise_en_demeure", "Dupont-et-Fils-SARL_mise-en-demeure.docx"),
        ("Société d'Œuvres", "relance_amiable", "Societe-d-OEuvres_relance-amiable.docx"),
        ('a/b\\c:d*e?f"g<h>i|j', "relance_amiable", "a-b-c-d-e-f-g-h-i-j_relance-amiable.docx"),
        ("CON", "mise_en_demeure", "CON_mise-en-demeure.docx"),
        ("Fin. ", "mise_en_demeure", "Fin_mise-en-demeure.docx"),
        ("\x07\x1b", "mise_en_demeure", "client_mise-en-demeure.docx"),
        ("北京贸易", "mise_en_demeure", "client_mise-en-demeure.docx"),
    ],
    ids=["esperluette et chevrons", "accents et ligature", "caractères interdits", "nom réservé",
         "point final", "caractères de contrôle", "sans lettre latine"],
)  # fmt: skip
def test_nom_de_fichier(client, document, attendu):
    """Date, client, document: ASCII letters, digits and hyphens only."""
    assert letter_name(DAY, client, document) == f"2026-11-23_{attendu}"


def test_nom_tres_long_coupe_a_120():
    """A very long client name is cut so that the whole name fits in 120 characters."""
    name = letter_name(DAY, "Établissements " * 20, "dossier_contentieux")
    assert len(name) == MAX_LENGTH
    assert name.endswith(".docx") and not name[:-5].endswith(("-", "_", ".", " "))


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [("CON", "CON_"), ("nul.txt", "nul_.txt"), ("COM1", "COM1_"), ("Lpt9.docx", "Lpt9_.docx")],
    ids=["CON", "nul.txt", "COM1", "Lpt9.docx"],
)
def test_noms_reserves_de_windows_evites(tmp_path, nom, attendu):
    """CON, PRN, AUX, NUL, COM1…, LPT1… get an underscore."""
    assert unique_path(tmp_path, nom).name == attendu


def test_fichier_existant_jamais_remplace(tmp_path):
    """An existing letter gets a -2, then -3 for the next one."""
    (tmp_path / "lettre.docx").write_bytes(b"ancien")
    (tmp_path / "lettre-2.docx").write_bytes(b"ancien")
    assert unique_path(tmp_path, "lettre.docx").name == "lettre-3.docx"


def test_noms_deja_donnes_dans_le_lot(tmp_path):
    """A name given earlier in the batch counts as taken, whatever its case."""
    assert unique_path(tmp_path, "Lettre.docx", {"lettre.docx"}).name == "Lettre-2.docx"


@given(st.text(max_size=300), st.sampled_from(["mise_en_demeure", "relance_amiable", "x" * 200]))
def test_tout_nom_de_client_donne_un_nom_sur(client, document):
    """Any client name → a portable name: safe characters, ≤ 120, not reserved, no final dot."""
    name = letter_name(DAY, client, document)
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.docx", name)
    assert len(name) <= MAX_LENGTH
    assert not WINDOWS_RESERVED.match(name)
    assert name.startswith("2026-11-23_")


@given(st.text(max_size=200))
def test_slug_sans_tiret_en_bord(text):
    """A slug never starts or ends with a hyphen and is never empty."""
    result = slug(text)
    assert result and not result.startswith("-") and not result.endswith("-")
