"""Files → sheets: workbooks through calamine, CSV as Excel writes it, and every fatal case."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from relance_xl.errors import InputError
from relance_xl.reader import decode_csv, read_sheets, sniff_delimiter, uses_date1904


def save_workbook(path, cells: dict[str, object], epoch=None, chart_sheet=False):
    """A one-sheet workbook ``Factures`` with the given cells (``{"C4": value}``)."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "Factures"
    for ref, value in cells.items():
        sheet[ref] = value
    if chart_sheet:
        book.create_chartsheet("Graphique")
    book.save(path)
    return path


def rewrite_member(source, target, member: str, edit) -> None:
    """Copy a zip, passing one member's bytes through ``edit`` (None drops the member)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                data = edit(data)
            if data is not None:
                out.writestr(info, data)


# --- classeurs ------------------------------------------------------------------------------------


def test_grille_commence_en_a1(tmp_path):
    """A table starting at C4 keeps its place: row index + 1 is the Excel row."""
    path = save_workbook(tmp_path / "f.xlsx", {"C4": "Client", "C5": "Dupont", "D5": 12.5})
    grid = read_sheets(path)["Factures"]
    assert grid[3][2] == "Client"
    assert grid[4][2:4] == ["Dupont", 12.5]
    assert grid[0] == ["", "", "", ""]


def test_dates_et_nombres_du_classeur(tmp_path):
    """Date-formatted cells arrive as dates, numbers as floats."""
    path = save_workbook(tmp_path / "f.xlsx", {"A1": dt.date(2026, 3, 15), "B1": 1234.5})
    assert read_sheets(path)["Factures"][0] == [dt.date(2026, 3, 15), 1234.5]


def test_valeur_calculee_des_formules(tmp_path):
    """A formula gives its cached value (what Excel last computed), not its text."""
    plain = save_workbook(tmp_path / "plain.xlsx", {"A1": 40, "B1": "=A1+2"})
    cached = tmp_path / "cached.xlsx"
    rewrite_member(
        plain,
        cached,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<c r="B1"[^>]*>.*?</c>', b'<c r="B1"><f>A1+2</f><v>42</v></c>', xml),
    )
    assert read_sheets(cached)["Factures"][0] == [40.0, 42.0]


@pytest.mark.parametrize("erreur", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!"])
def test_erreur_de_formule_conservee(tmp_path, erreur):
    """A cached formula error reaches the grid as its text, never as an empty cell."""
    plain = save_workbook(tmp_path / "plain.xlsx", {"A1": "Dupont", "B1": "=A1/0", "C1": 3})
    damaged = tmp_path / "erreur.xlsx"
    cell = f'<c r="B1" t="e"><f>A1/0</f><v>{erreur}</v></c>'.encode()
    rewrite_member(
        plain,
        damaged,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<c r="B1"[^>]*>.*?</c>', cell, xml),
    )
    assert read_sheets(damaged)["Factures"][0] == ["Dupont", erreur, 3.0]


def test_feuilles_graphiques_ignorees(tmp_path):
    """Chart sheets hold no cells: only worksheets are read."""
    path = save_workbook(tmp_path / "f.xlsx", {"A1": "x"}, chart_sheet=True)
    assert list(read_sheets(path)) == ["Factures"]


def test_systeme_de_dates_1904(tmp_path):
    """A 1904 workbook is recognised; its date cells are already right."""
    old_mac = save_workbook(tmp_path / "mac.xlsx", {"A1": dt.date(2026, 3, 15)}, CALENDAR_MAC_1904)
    normal = save_workbook(tmp_path / "pc.xlsx", {"A1": dt.date(2026, 3, 15)})
    assert uses_date1904(old_mac) is True
    assert uses_date1904(normal) is False
    assert read_sheets(old_mac)["Factures"][0] == [dt.date(2026, 3, 15)]


def test_csv_jamais_en_1904(tmp_path):
    """A CSV has no date system of its own."""
    path = tmp_path / "f.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    assert uses_date1904(path) is False


# --- CSV -----------------------------------------------------------------------------------------

FRENCH_CSV = "Client;N° facture;Montant TTC;Échéance\r\nCafé Müller;F1;1 234,56;15/03/2026\r\n"


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"\xef\xbb\xbf" + FRENCH_CSV.encode("utf-8"), "Café Müller"),
        (FRENCH_CSV.encode("utf-8"), "Café Müller"),
        (FRENCH_CSV.encode("cp1252"), "Café Müller"),
        (FRENCH_CSV.encode("utf-16"), "Café Müller"),
    ],
    ids=["UTF-8 avec BOM (Excel)", "UTF-8", "Windows-1252", "UTF-16 avec BOM"],
)
def test_csv_francais_d_excel(tmp_path, contenu, attendu):
    """The CSV of a French Excel (``;``, decimal comma) is read whatever its encoding."""
    path = tmp_path / "factures.csv"
    path.write_bytes(contenu)
    grid = read_sheets(path)["factures.csv"]
    assert grid[0] == ["Client", "N° facture", "Montant TTC", "Échéance"]
    assert grid[1] == [attendu, "F1", "1 234,56", "15/03/2026"]


def test_csv_virgules_et_guillemets(tmp_path):
    """A plain comma CSV with quoted amounts keeps each cell whole."""
    path = tmp_path / "us.csv"
    path.write_text('customer,invoice,amount\n"Acme, Inc.",INV1,"1,234.56"\n', encoding="utf-8")
    assert read_sheets(path)["us.csv"][1] == ["Acme, Inc.", "INV1", "1,234.56"]


def test_csv_ligne_sep_d_excel(tmp_path):
    """Excel's ``sep=`` first line names the delimiter and is not a row."""
    path = tmp_path / "f.csv"
    path.write_text("sep=|\nClient|Montant\nDupont|12,5\n", encoding="utf-8")
    assert read_sheets(path)["f.csv"] == [["Client", "Montant"], ["Dupont", "12,5"]]


@pytest.mark.parametrize(
    ("lignes", "attendu"),
    [
        (["Client;Montant", "Dupont;1234,56", "Martin;12,5"], ";"),
        (["client,amount", "Acme,1234.56", "Globex,12.5"], ","),
        (["client\tamount", "Acme\t12,5"], "\t"),
        (["Client|Montant", "Dupont|12,5"], "|"),
        (['a,b;c', 'd,e;f'], ";"),
        (["seule colonne", "x"], ","),
    ],
    ids=["point-virgule", "virgule", "tabulation", "barre", "égalité : point-virgule",
         "une seule colonne"],
)  # fmt: skip
def test_separateur_devine(lignes, attendu):
    """The delimiter is the one that gives every line the same number of fields."""
    assert sniff_delimiter(lignes) == attendu


def test_decodage_windows_si_pas_utf8():
    """Bytes that are not UTF-8 are Windows-1252, as French Excel writes them."""
    assert decode_csv("Échéance".encode("cp1252")) == "Échéance"


# --- erreurs fatales -----------------------------------------------------------------------------


def _valid_workbook(tmp_path):
    """A small valid workbook."""
    return save_workbook(tmp_path / "ok.xlsx", {"A1": "Client", "A2": "Dupont"})


def _truncated(tmp_path):
    """The first half of a valid workbook (the zip directory is lost)."""
    data = _valid_workbook(tmp_path).read_bytes()
    return data[: len(data) // 2]


def _corrupted_member(tmp_path):
    """The sheet's compressed bytes scrambled; the zip directory stays intact."""
    path = _valid_workbook(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    local = info.header_offset  # local header: 30 bytes, then the name and the extra field
    name_length = int.from_bytes(data[local + 26 : local + 28], "little")
    extra_length = int.from_bytes(data[local + 28 : local + 30], "little")
    start = local + 30 + name_length + extra_length
    end = start + info.compress_size
    data[start:end] = bytes(byte ^ 0x5A for byte in data[start:end])
    return bytes(data)


def _zip_bomb(tmp_path):
    """16 Mio of zeros compressed about a thousand times."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (16 << 20))
    return path.read_bytes()


def _other_document(tmp_path):
    """A zip that is not a workbook (a Word document renamed)."""
    path = tmp_path / "doc.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return path.read_bytes()


def _no_sheet(tmp_path):
    """A workbook whose sheet list is empty."""
    target = tmp_path / "nosheet.zip"
    rewrite_member(
        _valid_workbook(tmp_path),
        target,
        "xl/workbook.xml",
        lambda xml: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml),
    )
    with zipfile.ZipFile(target) as src:
        kept = [i for i in src.infolist() if not i.filename.startswith("xl/worksheets/")]
        members = [(info, src.read(info.filename)) for info in kept]
    with zipfile.ZipFile(target, "w") as out:
        for info, data in members:
            out.writestr(info, data)
    return target.read_bytes()


FATAL = [
    ("vide.xlsx", lambda tmp: b"", "est vide"),
    ("vide.csv", lambda tmp: b"", "est vide"),
    ("blanc.csv", lambda tmp: b"\r\n ;\r\n", "est vide"),
    ("binaire.csv", lambda tmp: b"a;b\x00c\n", "pas un fichier texte"),
    ("lettre.docx", lambda tmp: b"PK\x03\x04", "formats acceptés .xlsx, .xlsm et .csv"),
    ("notes.txt", lambda tmp: b"hello", "formats acceptés"),
    ("ancien.xls", lambda tmp: b"\xd0\xcf\x11\xe0", "enregistrez-le au format .xlsx"),
    ("chiffre.xlsx", lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
     "protégé par un mot de passe"),
    ("texte.xlsx", lambda tmp: b"Client;Montant\n", "n'est pas un classeur Excel valide"),
    ("tronque.xlsx", _truncated, "endommagé ou incomplet"),
    ("abime.xlsx", _corrupted_member, "illisible"),
    ("bombe.xlsx", _zip_bomb, "anormale"),
    ("renomme.xlsx", _other_document, "document d'un autre type"),
    ("sans_feuille.xlsx", _no_sheet, "aucune feuille"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("nom", "contenu", "extrait"),
    FATAL,
    ids=[
        "xlsx vide", "csv vide", "csv sans valeur", "csv binaire", "document Word",
        "autre extension", "ancien .xls", "xlsx chiffré (OLE2)", "texte renommé .xlsx",
        "zip tronqué", "zip abîmé", "bombe zip", "autre document zip", "classeur sans feuille",
    ],
)  # fmt: skip
def test_fichier_inutilisable(tmp_path, nom, contenu, extrait):
    """An unusable file is one InputError in French, never a library exception."""
    data = contenu(tmp_path)
    path = tmp_path / nom
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_sheets(path)
    assert extrait in error.value.message
    assert "\n" not in error.value.message


def test_bombe_refusee_avant_decompression(tmp_path, monkeypatch):
    """The zip bomb is refused from the central directory: calamine is never called."""
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(_zip_bomb(tmp_path))
    monkeypatch.setattr("relance_xl.reader._read_workbook", pytest.fail)
    with pytest.raises(InputError, match="anormale"):
        read_sheets(path)


def test_fichier_introuvable(tmp_path):
    """A missing file is named in the message."""
    with pytest.raises(InputError, match="fichier introuvable"):
        read_sheets(tmp_path / "absent.xlsx")


def test_dossier(tmp_path):
    """A folder is not a workbook, even named like one."""
    (tmp_path / "dossier.xlsx").mkdir()
    with pytest.raises(InputError, match="est un dossier"):
        read_sheets(tmp_path / "dossier.xlsx")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.floats(min_value=0, max_value=1),
    length=st.integers(min_value=1, max_value=64),
    suffix=st.sampled_from([".xlsx", ".csv"]),
)
def test_fichier_abime_au_hasard(tmp_path, position, length, suffix):
    """A valid workbook damaged anywhere gives sheets or one InputError, never another exception."""
    data = bytearray(_valid_workbook(tmp_path).read_bytes())
    start = int(position * (len(data) - 1))
    data[start : start + length] = bytes(byte ^ 0xA5 for byte in data[start : start + length])
    path = tmp_path / f"abime{suffix}"
    path.write_bytes(bytes(data))
    try:
        sheets = read_sheets(path)
    except InputError as error:
        assert error.message
    else:
        assert all(isinstance(grid, list) for grid in sheets.values())
