"""Lossless write-back: everything of the user's file except our sheets stays byte-identical.

The test workbooks are built here: formulas with cached values, a defined name, a chart, an
image and a button-like shape, data validation with an x14 extension, and an ``.xlsm`` with a
macro part. Real third-party workbooks come from ../shared/realdata. LibreOffice (headless)
checks that the result opens and recomputes the user's formulas to the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.chart import BarChart as OpenpyxlBarChart
from openpyxl.chart import Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from relance_xl.writeback import BarChart, Column, SheetData, update_workbook

BOOKKEEPING = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "docProps/app.xml",
    "xl/styles.xml",
}
OUR_FOLDERS = ("xl/worksheets/", "xl/tables/", "xl/drawings/", "xl/charts/")
BUCKETS = ("Non échu", "1–30", "31–60", "61–90", "> 90")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# cell → (formula, cached value as Excel stores it, cell type)
FORMULAS = {
    "C2": ("B2*1.2", "120", None),
    "C3": ("B3*1.2", "300", None),
    "D2": ('IF(C2>200,"gros","petit")', "petit", "str"),
    "D3": ('IF(C3>200,"gros","petit")', "gros", "str"),
    "F1": ("SUM(C2:C3)", "420", None),
    "F2": ("TauxTVA*100", "20", None),
    "F3": ('COUNTIF(Listes!A1:A3,"oui")', "1", None),
}

X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>Listes!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E50</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)

IMAGE_AND_BUTTON = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{REL}">'
    "<xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="95250" cy="95250"/><xdr:pic><xdr:nvPicPr>'
    '<xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
    '<a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
    "</xdr:oneCellAnchor><xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff>"
    "<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>5</xdr:col>"
    "<xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
    '<xdr:sp macro="[0]!MettreAJour" textlink=""><xdr:nvSpPr><xdr:cNvPr id="3" name="Bouton"/>'
    '<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
    "</xdr:spPr><xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Mettre à jour</a:t></a:r></a:p></xdr:txBody>"
    "</xdr:sp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
)


# --- building the user's workbooks --------------------------------------------------------------


def tiny_png() -> bytes:
    """A 1×1 red PNG, made by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def rewrite_zip(
    source: Path,
    target: Path,
    edits: dict[str, Callable[[bytes], bytes]],
    added: dict[str, bytes],
    stored: Iterable[str] = (),
) -> None:
    """Copy a zip, transforming some members and adding others (``stored``: no compression)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item.filename, edits.get(item.filename, lambda d: d)(data))
        for name, data in added.items():
            new.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)


def with_cached_values(xml: bytes, formulas: dict[str, tuple[str, str, str | None]]) -> bytes:
    """Give openpyxl's formula cells the cached values Excel would have saved."""
    text = xml.decode()
    for ref, (_, value, kind) in formulas.items():
        pattern = re.compile(rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)<v\s*/?>(?:</v>)?')
        type_attr = f' t="{kind}"' if kind else ""
        text, count = pattern.subn(rf'<c r="{ref}"\1{type_attr}>\2<v>{value}</v>', text)
        assert count == 1, ref
    return text.encode()


def build_rich(path: Path) -> Path:
    """Formulas + cached values, defined names, a chart, an image, a shape, x14 validation."""
    book = openpyxl.Workbook()
    invoices = book.active
    invoices.title = "Factures"
    invoices.append(["Client", "HT", "TTC", "Taille", "Payé"])
    invoices.append(["Martin SA", 100, "=" + FORMULAS["C2"][0], "=" + FORMULAS["D2"][0], "non"])
    invoices.append(["Dupont", 250, "=" + FORMULAS["C3"][0], "=" + FORMULAS["D3"][0], "oui"])
    for ref in ("F1", "F2", "F3"):
        invoices[ref] = "=" + FORMULAS[ref][0]
    lists = book.create_sheet("Listes")
    for word in ("oui", "non", "peut-être"):
        lists.append([word])
    lists["B1"] = 0.2
    book.create_sheet("Notes")["A1"] = "Logo et bouton"
    book.defined_names["TauxTVA"] = DefinedName("TauxTVA", attr_text="Listes!$B$1")
    validation = DataValidation(type="list", formula1='"oui,non"')
    invoices.add_data_validation(validation)
    validation.add("E2:E50")
    invoices.conditional_formatting.add(
        "B2:B50",
        CellIsRule(
            operator="greaterThan", formula=["200"], fill=PatternFill("solid", bgColor="FFC7CE")
        ),
    )
    chart = OpenpyxlBarChart()
    chart.add_data(Reference(invoices, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    invoices.add_chart(chart, "H2")
    plain = path.with_name("plain.xlsx")
    book.save(plain)
    rewrite_zip(
        plain,
        path,
        edits={
            "xl/worksheets/sheet1.xml": lambda d: with_cached_values(d, FORMULAS).replace(
                b"</worksheet>", X14_VALIDATION.encode() + b"</worksheet>"
            ),
            "xl/worksheets/sheet3.xml": lambda d: d.replace(
                b"</worksheet>", f'<drawing xmlns:r="{REL}" r:id="rId1"/></worksheet>'.encode()
            ),
            "[Content_Types].xml": lambda d: d.replace(
                b"</Types>",
                (
                    b'<Default Extension="png" ContentType="image/png"/>'
                    b'<Override PartName="/xl/drawings/drawing2.xml" '
                    b'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
                    b"</Types>"
                ),
            ),
        },
        added={
            "xl/worksheets/_rels/sheet3.xml.rels": (
                f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{REL}/drawing" Target="../drawings/drawing2.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/drawings/drawing2.xml": IMAGE_AND_BUTTON.encode(),
            "xl/drawings/_rels/drawing2.xml.rels": (
                f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{REL}/image" Target="../media/image1.png"/>'
                "</Relationships>"
            ).encode(),
            "xl/media/image1.png": tiny_png(),
        },
        stored={"xl/media/image1.png"},
    )
    plain.unlink()
    return path


def build_macro(rich: Path, path: Path) -> Path:
    """The rich workbook as an .xlsm with a macro part.

    The ``xl/vbaProject.bin`` bytes are not a real VBA project: byte-identity is what is tested,
    and Excel is not involved.
    """
    rewrite_zip(
        rich,
        path,
        edits={
            "[Content_Types].xml": lambda d: (
                d.replace(b"spreadsheetml.sheet.main+xml", b"PLACEHOLDER")
                .replace(
                    b"application/vnd.openxmlformats-officedocument.PLACEHOLDER",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                .replace(
                    b"</Types>",
                    b'<Default Extension="bin" '
                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            ),
            "xl/_rels/workbook.xml.rels": lambda d: d.replace(
                b"</Relationships>",
                (
                    b'<Relationship Id="rIdVba" Target="vbaProject.bin" '
                    b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/>'
                    b"</Relationships>"
                ),
            ),
        },
        added={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 test macro part " + bytes(range(256)) * 8},
        stored={"xl/vbaProject.bin"},
    )
    return path


def result_sheets() -> list[SheetData]:
    """The four result sheets, small."""
    balance = SheetData(
        "Balance âgée",
        (
            Column("Client"),
            *(Column(b, "money") for b in BUCKETS),
            Column("Total", "money"),
            Column("Jours de retard", "int"),
        ),
        [
            [
                "Martin SA",
                Decimal("0"),
                Decimal("120.00"),
                Decimal("0"),
                Decimal("0"),
                Decimal("0"),
                Decimal("120.00"),
                12,
            ]
        ],
        title="Balance âgée au 23/11/2026",
        table_name="BalanceAgee",
        age_column="Jours de retard",
        chart=BarChart("Encours par ancienneté", BUCKETS),
        totals=[
            "Total",
            Decimal("0"),
            Decimal("120.00"),
            Decimal("0"),
            Decimal("0"),
            Decimal("0"),
            Decimal("120.00"),
            None,
        ],
    )
    actions = SheetData(
        "Actions",
        (Column("Client"), Column("Date prévue", "date")),
        [['=HYPERLINK("x")', dt.date(2026, 11, 24)]],
        table_name="Actions",
    )
    anomalies = SheetData(
        "Anomalies",
        (Column("Feuille"), Column("Ligne", "int"), Column("Message")),
        [["Factures", 3, "montant illisible"]],
        table_name="Anomalies",
    )
    board = SheetData(
        "Tableau de bord",
        (Column("Indicateur"), Column("Valeur", "money")),
        [["Encours total", Decimal("120.00")]],
        table_name="TableauDeBord",
    )
    return [balance, actions, anomalies, board]


def history() -> dict[str, list[list[object]]]:
    """One Historique row."""
    return {
        "Historique": [
            [
                dt.date(2026, 11, 23),
                "Martin SA",
                "F-1",
                "1",
                "relance amiable",
                "email",
                "envoyé",
                Decimal("120.00"),
                "",
                "",
            ]
        ]
    }


# --- reading packages -----------------------------------------------------------------------------


def parts(path: Path) -> dict[str, bytes]:
    """Every part, uncompressed."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def raw_members(path: Path) -> dict[str, tuple[int, bytes]]:
    """Every member as stored: (compression method, compressed bytes)."""
    members = {}
    with zipfile.ZipFile(path) as package, path.open("rb") as handle:
        for info in package.infolist():
            handle.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", handle.read(4))
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            members[info.filename] = (info.compress_type, handle.read(info.compress_size))
    return members


def assert_lossless(source: Path, result: Path) -> None:
    """Every part of the source is in the result; only bookkeeping parts differ; new parts are
    ours; untouched parts have the same compressed bytes and compression."""
    before, after = raw_members(source), raw_members(result)
    assert set(before) <= set(after)
    changed = {n for n in before if parts_differ(source, result, n)}
    assert changed <= BOOKKEEPING, changed - BOOKKEEPING
    for name in set(before) - changed:
        assert after[name] == before[name], name
    assert all(n.startswith(OUR_FOLDERS) for n in set(after) - set(before))


def parts_differ(source: Path, result: Path, name: str) -> bool:
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(result) as b:
        return a.read(name) != b.read(name)


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)


def children(xml: bytes, path: str) -> list[bytes]:
    """Canonical XML of the children of the element at ``path`` (ElementPath)."""
    root = etree.fromstring(xml)
    found = root if path == "." else root.find(path)
    return [] if found is None else [c14n(c) for c in found if isinstance(c.tag, str)]


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Source and result of each built workbook (results written with --sortie)."""
    folder = tmp_path_factory.mktemp("classeurs")
    rich = build_rich(folder / "riche.xlsx")
    macro = build_macro(rich, folder / "macros.xlsm")
    pairs = {}
    for source in (rich, macro):
        result = source.with_name(f"résultat-{source.name}")
        update_workbook(
            source, replace_sheets=result_sheets(), append_rows=history(), output=result
        )
        pairs[source.stem] = (source, result)
    return pairs


# --- byte identity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "classeur", ["riche", "macros"], ids=["formules graphique image x14", "xlsm avec macro"]
)
def test_seules_nos_feuilles_et_la_comptabilite_du_paquet_changent(made, classeur: str) -> None:
    """Formulas and cached values, chart, image, shape, x14, macro: byte-identical parts."""
    source, result = made[classeur]
    assert_lossless(source, result)


def test_les_valeurs_en_cache_des_formules_sont_la(made) -> None:
    """The user's formula cells still carry their cached values (openpyxl would drop them)."""
    _, result = made["riche"]
    cached = {
        ref: value
        for (sheet, row, col), value in formula_cells(result).items()
        if sheet == "Factures"
        for ref in [f"{chr(64 + col)}{row}"]
    }
    assert cached == {
        "C2": 120,
        "C3": 300,
        "D2": "petit",
        "D3": "gros",
        "F1": 420,
        "F2": 20,
        "F3": 1,
    }


def test_un_xlsm_reste_un_classeur_a_macros(made) -> None:
    """The workbook part keeps the macro content type; the macro part is stored as it was."""
    source, result = made["macros"]
    types = parts(result)["[Content_Types].xml"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert raw_members(result)["xl/vbaProject.bin"] == raw_members(source)["xl/vbaProject.bin"]
    assert raw_members(result)["xl/vbaProject.bin"][0] == zipfile.ZIP_STORED


@pytest.mark.parametrize(
    ("partie", "chemin"),
    [
        ("xl/workbook.xml", f"{{{MAIN}}}sheets"),
        ("xl/workbook.xml", f"{{{MAIN}}}definedNames"),
        ("xl/_rels/workbook.xml.rels", "."),
        ("[Content_Types].xml", "."),
        ("xl/styles.xml", f"{{{MAIN}}}numFmts"),
        ("xl/styles.xml", f"{{{MAIN}}}fonts"),
        ("xl/styles.xml", f"{{{MAIN}}}cellXfs"),
        ("xl/styles.xml", f"{{{MAIN}}}dxfs"),
    ],
    ids=[
        "feuilles",
        "noms définis",
        "relations",
        "types de contenu",
        "formats de nombre",
        "polices",
        "formats de cellule",
        "formats conditionnels",
    ],
)
def test_la_comptabilite_du_paquet_est_seulement_completee(made, partie: str, chemin: str) -> None:
    """The user's entries come first, unchanged and in order; ours are appended after them."""
    source, result = made["riche"]
    before = children(parts(source)[partie], chemin)
    after = children(parts(result)[partie], chemin)
    if partie == "[Content_Types].xml":
        assert set(before) <= set(after)
    else:
        assert after[: len(before)] == before


def test_les_compteurs_de_styles_suivent_les_ajouts(made) -> None:
    """Each styles collection's count attribute matches its children."""
    root = etree.fromstring(parts(made["riche"][1])["xl/styles.xml"])
    for section in root:
        if section.get("count") is not None:
            assert int(section.get("count")) == len(section), section.tag


def test_une_deuxieme_execution_ne_touche_que_nos_feuilles(made, tmp_path: Path) -> None:
    """Run again on the result: our parts are replaced in place, the user's still identical."""
    source, first = made["riche"]
    second = tmp_path / "second.xlsx"
    update_workbook(first, replace_sheets=result_sheets(), output=second)
    assert_lossless(source, second)
    assert sorted(parts(second)) == sorted(parts(first))
    assert parts(second)["xl/styles.xml"] == parts(first)["xl/styles.xml"]


def test_la_chaine_de_calcul_de_nos_feuilles_est_purgee(made, tmp_path: Path) -> None:
    """calcChain entries of a replaced sheet go; those of the user's sheets stay."""
    _, first = made["riche"]
    chained = tmp_path / "chaine.xlsx"
    chain = (
        f'<calcChain xmlns="{MAIN}"><c r="C2" i="1"/><c r="C3"/><c r="B4" i="4"/>'
        '<c r="F1" i="1"/></calcChain>'
    )  # sheet 4 = Balance âgée
    rewrite_zip(
        first,
        chained,
        edits={
            "xl/_rels/workbook.xml.rels": lambda d: d.replace(
                b"</Relationships>",
                (
                    f'<Relationship Id="rIdCalc" Type="{REL}/calcChain" Target="calcChain.xml"/>'
                    "</Relationships>"
                ).encode(),
            ),
        },
        added={"xl/calcChain.xml": chain.encode()},
    )
    result = tmp_path / "purgée.xlsx"
    update_workbook(chained, replace_sheets=result_sheets(), output=result)
    kept = etree.fromstring(parts(result)["xl/calcChain.xml"])
    assert [(c.get("r"), c.get("i")) for c in kept] == [("C2", "1"), ("C3", "1"), ("F1", "1")]


REAL_WORKBOOKS = [
    "ar_aging_barbarzilay/ar-aging-report.xlsx",
    "ar_aging_saurav_tandon/sample_AR_aging_report.xlsx",
    "ibm_ar_xlsx_misebastian/WA_Fn-UseC_-Accounts-Receivable.xlsx",
]


@pytest.mark.realdata
@pytest.mark.parametrize(
    "fichier",
    REAL_WORKBOOKS,
    ids=["barbarzilay formules et nom défini", "saurav export Excel", "ibm 2466 lignes"],
)
def test_classeurs_reels_sans_perte(realdata, tmp_path: Path, fichier: str) -> None:
    """Real workbooks: our sheets written into a copy, every other part identical."""
    source = realdata(fichier)
    result = tmp_path / "copie.xlsx"
    update_workbook(source, replace_sheets=result_sheets(), append_rows=history(), output=result)
    assert_lossless(source, result)
    sheetnames = openpyxl.load_workbook(result, read_only=True).sheetnames
    assert sheetnames[-5:] == [
        "Balance âgée",
        "Actions",
        "Anomalies",
        "Tableau de bord",
        "Historique",
    ]


@pytest.mark.realdata
def test_titres_du_classeur_excel_completes(realdata, tmp_path: Path) -> None:
    """docProps/app.xml of an Excel-saved file lists the new sheets after the user's."""
    result = tmp_path / "copie.xlsx"
    update_workbook(realdata(REAL_WORKBOOKS[1]), replace_sheets=result_sheets(), output=result)
    app = etree.fromstring(parts(result)["docProps/app.xml"])
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    titles = [t.text for t in app.iter(f"{vt}lpstr")]
    assert titles == [
        "Worksheets",
        "Agorapulse – Invoices",
        "Balance âgée",
        "Actions",
        "Anomalies",
        "Tableau de bord",
    ]
    assert app.find(f".//{vt}i4").text == "5"


# --- LibreOffice --------------------------------------------------------------------------------

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) absent du PATH"
)


def libreoffice_csv(files: list[Path], folder: Path) -> dict[tuple[str, str], list[list[str]]]:
    """Open the files in LibreOffice headless, recomputing every formula, and export every sheet
    as CSV: (file stem, sheet name) → rows."""
    profile = folder / "profil"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = folder / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            CSV_ALL_SHEETS,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    sheets = {}
    for file in files:
        for export in out.glob(f"{file.stem}-*.csv"):
            with export.open(encoding="utf-8", newline="") as handle:
                sheets[(file.stem, export.stem[len(file.stem) + 1 :])] = list(csv.reader(handle))
    return sheets


def formula_cells(path: Path) -> dict[tuple[str, int, int], object]:
    """(sheet, row, column) → cached value of every formula cell of the user's sheets."""
    with warnings.catch_warnings():  # openpyxl announces it drops the x14 validation: we only read
        warnings.simplefilter("ignore", UserWarning)
        formulas = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
    cells = {}
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cells[(sheet.title, cell.row, cell.column)] = cached[sheet.title][
                        cell.coordinate
                    ].value
    return cells


def same_value(cached: object, shown: str) -> bool:
    if isinstance(cached, bool):
        return shown.upper() == str(cached).upper()
    if isinstance(cached, int | float):
        return abs(float(shown) - cached) <= 1e-9 * max(1.0, abs(cached))
    return shown == ("" if cached is None else str(cached))


def assert_recomputed_alike(source: Path, result: Path, csvs: dict) -> None:
    cells = formula_cells(source)
    assert cells
    for (sheet, row, column), cached in cells.items():
        shown = csvs[(result.stem, sheet)][row - 1][column - 1]
        assert same_value(cached, shown), (sheet, row, column, cached, shown)


@pytest.fixture(scope="module")
def libreoffice_made(made, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """LibreOffice's recomputed CSV of the built results, plus a control file (one soffice run)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent du PATH")
    folder = tmp_path_factory.mktemp("libreoffice")
    control_plain = folder / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "=1+1"
    book.save(control_plain)
    control = folder / "controle.xlsx"
    rewrite_zip(
        control_plain,
        control,
        edits={
            "xl/worksheets/sheet1.xml": lambda d: re.sub(
                rb"<f>1\+1</f><v\s*/?>(</v>)?", b"<f>1+1</f><v>5</v>", d
            )
        },
        added={},
    )
    files = [made["riche"][1], made["macros"][1], control]
    return libreoffice_csv(files, folder)


@pytest.mark.libreoffice
@needs_soffice
def test_le_controle_libreoffice_recalcule_vraiment(libreoffice_made) -> None:
    """The harness really recomputes: a wrong cached value (5 for =1+1) comes back as 2."""
    assert libreoffice_made[("controle", "Sheet")][0][0] == "2"


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.parametrize("classeur", ["riche", "macros"], ids=["classeur riche", "xlsm"])
def test_libreoffice_recalcule_les_memes_valeurs(made, libreoffice_made, classeur: str) -> None:
    """LibreOffice opens the result and recomputes the user's formulas to the cached values."""
    source, result = made[classeur]
    assert_recomputed_alike(source, result, libreoffice_made)


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_lit_nos_feuilles(made, libreoffice_made) -> None:
    """Our sheets open in LibreOffice with their values; a formula-like name stays text."""
    _, result = made["riche"]
    balance = libreoffice_made[(result.stem, "Balance âgée")]
    assert balance[0][0] == "Balance âgée au 23/11/2026"
    assert balance[3][:3] == ["Martin SA", "0", "120"]
    assert libreoffice_made[(result.stem, "Actions")][1][0] == '=HYPERLINK("x")'
    assert libreoffice_made[(result.stem, "Historique")][1][1] == "Martin SA"


@pytest.mark.libreoffice
@pytest.mark.realdata
@needs_soffice
def test_libreoffice_recalcule_le_classeur_reel(realdata, tmp_path: Path) -> None:
    """barbarzilay: SUMIFS over another sheet and a defined name recompute to the cached oracle."""
    source = realdata(REAL_WORKBOOKS[0])
    result = tmp_path / "barbarzilay.xlsx"
    update_workbook(source, replace_sheets=result_sheets(), append_rows=history(), output=result)
    csvs = libreoffice_csv([result], tmp_path)
    assert_recomputed_alike(source, result, csvs)
    total_row = next(r for r in csvs[("barbarzilay", "Aging Report")] if r[0].startswith("Total"))
    assert total_row[1:7] == ["3052025", "0", "112795", "0", "4505330", "7670150"]
