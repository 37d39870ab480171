"""Writing the result sheets into the user's workbook: contents, formats, Historique, safety."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from relance_xl.errors import InputError, OutputError, WorkbookLockedError
from relance_xl.writeback import (
    HISTORY_HEADERS,
    BarChart,
    Column,
    SheetData,
    backup_path,
    lock_files,
    update_workbook,
)
from relance_xl.xlsx.cells import cell_xml, excel_serial
from relance_xl.xlsx.ooxml import MAIN_NS
from relance_xl.xlsx.package import Package
from relance_xl.xlsx.styles import AGE_COLOURS
from relance_xl.xlsx.workbook_edit import Book, add_app_titles
from relance_xl.xlsx.zipfile_raw import write_zip

AS_OF = dt.date(2026, 11, 23)
BUCKETS = ("Non échu", "1–30", "31–60", "61–90", "> 90")


def balance_sheet(rows: list[list[object]] | None = None) -> SheetData:
    """A Balance âgée as sheets.py would hand it over."""
    rows = rows or [
        [
            "Dupont & Fils <SARL>",
            Decimal("0"),
            Decimal("0"),
            Decimal("0"),
            Decimal("0"),
            Decimal("1200.00"),
            Decimal("1200.00"),
            95,
        ],
        [
            "Martin SA",
            Decimal("150.50"),
            Decimal("300.00"),
            Decimal("0"),
            Decimal("0"),
            Decimal("0"),
            Decimal("450.50"),
            12,
        ],
    ]
    return SheetData(
        name="Balance âgée",
        columns=(
            Column("Client"),
            *(Column(b, "money") for b in BUCKETS),
            Column("Total", "money"),
            Column("Jours de retard", "int"),
        ),
        rows=rows,
        title=f"Balance âgée au {AS_OF:%d/%m/%Y}",
        table_name="BalanceAgee",
        age_column="Jours de retard",
        chart=BarChart("Encours par ancienneté", BUCKETS),
        totals=[
            "Total",
            Decimal("150.50"),
            Decimal("300.00"),
            Decimal("0"),
            Decimal("0"),
            Decimal("1200.00"),
            Decimal("1650.50"),
            None,
        ],
    )


def actions_sheet() -> SheetData:
    """An Actions sheet with a date, an amount and a rate."""
    return SheetData(
        name="Actions",
        columns=(
            Column("Client"),
            Column("Date prévue", "date"),
            Column("Montant dû", "money"),
            Column("Taux", "percent"),
            Column("Relances", "int"),
        ),
        rows=[["Martin SA", AS_OF, Decimal("450.50"), Decimal("12.15"), 2]],
        table_name="Actions",
    )


def history_row(day: int, invoice: str = "F-001") -> list[object]:
    """One Historique row in canonical order."""
    return [
        dt.date(2026, 11, day),
        "Martin SA",
        invoice,
        "1",
        "relance amiable",
        "email",
        "envoyé",
        Decimal("450.50"),
        "relance.docx",
        "",
    ]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The user's workbook: a Factures sheet and nothing of ours yet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Factures"
    sheet.append(["Client", "N° facture", "Montant TTC"])
    sheet.append(["Martin SA", "F-001", 450.5])
    path = tmp_path / "Relances.xlsx"
    book.save(path)
    return path


def replace_part(path: Path, name: str, data: bytes) -> None:
    """Rewrite one part of a workbook (as another program saving it would)."""
    with zipfile.ZipFile(path) as package:
        members = [(item, package.read(item)) for item in package.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for item, content in members:
            package.writestr(item, data if item.filename == name else content)


def sheet_xml(path: Path, name: str) -> str:
    """The XML of a sheet of the written file, found by name."""
    with Package(path) as package:
        book = Book(package)
        entry = book.sheet(name)
        assert entry is not None
        return package.read(entry.part).decode()


# --- contents and formats ---------------------------------------------------------------------


def test_la_balance_est_relue_telle_quelle(workbook: Path) -> None:
    """Title, headers, rows and totals come back with their values."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    rows = list(openpyxl.load_workbook(workbook)["Balance âgée"].iter_rows(values_only=True))
    assert rows[0][0] == "Balance âgée au 23/11/2026"
    assert rows[2] == ("Client", *BUCKETS, "Total", "Jours de retard")
    assert rows[3] == ("Dupont & Fils <SARL>", 0, 0, 0, 0, 1200, 1200, 95)
    assert rows[5][0] == "Total" and rows[5][6] == 1650.5


@pytest.mark.parametrize(
    ("colonne", "format_attendu", "valeur_attendue"),
    [
        ("Date prévue", "dd/mm/yyyy", dt.datetime(2026, 11, 23)),
        ("Montant dû", '#,##0.00\\ "€"', 450.5),
        ("Taux", "0.00%", 0.1215),
        ("Relances", "#,##0", 2),
    ],
    ids=[
        "date -> jj/mm/aaaa",
        "montant -> euros",
        "taux en % -> pourcentage",
        "entier -> milliers",
    ],
)
def test_chaque_type_de_colonne_a_son_format(
    workbook: Path, colonne: str, format_attendu: str, valeur_attendue: object
) -> None:
    """Dates are serials with a date format, amounts numbers in euros, rates in percent."""
    update_workbook(workbook, replace_sheets=[actions_sheet()])
    sheet = openpyxl.load_workbook(workbook)["Actions"]
    cell = sheet.cell(2, [c.value for c in sheet[1]].index(colonne) + 1)
    assert (cell.number_format, cell.value) == (format_attendu, valeur_attendue)


def test_les_montants_sont_ecrits_exactement(workbook: Path) -> None:
    """A Decimal is written digit for digit, never through a float."""
    sheet = SheetData(
        "Actions",
        (Column("Montant", "money"),),
        [[Decimal("0.10")], [Decimal("12345678901234.57")]],
    )
    update_workbook(workbook, replace_sheets=[sheet])
    xml = sheet_xml(workbook, "Actions")
    assert "<v>0.10</v>" in xml and "<v>12345678901234.57</v>" in xml


@pytest.mark.parametrize(
    "texte",
    ['=HYPERLINK("http://x.invalid","clic")', "+33 6 12 34 56 78", "-5 % de remise", "@SOMME(A1)"],
    ids=["commence par =", "commence par +", "commence par -", "commence par @"],
)
def test_un_texte_qui_ressemble_a_une_formule_reste_du_texte(workbook: Path, texte: str) -> None:
    """A client named like a formula is an inline string with a quote prefix, never a formula."""
    sheet = SheetData("Anomalies", (Column("Client"),), [[texte]])
    update_workbook(workbook, replace_sheets=[sheet])
    cell = openpyxl.load_workbook(workbook)["Anomalies"]["A2"]
    xml = sheet_xml(workbook, "Anomalies")
    assert (cell.value, cell.data_type, cell.quotePrefix) == (texte, "s", True)
    assert "<f>" not in xml and 't="inlineStr"' in xml


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texte=_TEXT.filter(lambda t: t.strip() != ""))
def test_tout_texte_revient_a_l_identique(tmp_path: Path, texte: str) -> None:
    """Any text (control characters, ``_x0041_``, spaces, ``\\r``) reads back unchanged."""
    cell = cell_xml("A1", texte, "text", (1, 2, 3, 4))
    xml = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cell}</row></sheetData></worksheet>'
    ).encode()
    path = tmp_path / "texte.xlsx"
    workbook_path = tmp_path / "base.xlsx"
    if not workbook_path.exists():
        openpyxl.Workbook().save(workbook_path)
    with zipfile.ZipFile(workbook_path) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, xml if item.filename == "xl/worksheets/sheet1.xml" else data)
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python() == [[texte]]


@given(jour=st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)))
def test_une_date_devient_le_numero_de_serie_excel(jour: dt.date) -> None:
    """The serial written reads back as the same day."""
    assert from_excel(excel_serial(jour)).date() == jour


def test_l_en_tete_est_fige_et_les_colonnes_dimensionnees(workbook: Path) -> None:
    """The header stays visible when scrolling; widths follow the headers and the values."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    sheet = openpyxl.load_workbook(workbook)["Balance âgée"]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["A"].width >= len("Dupont & Fils <SARL>")
    assert sheet.column_dimensions["H"].width >= len("Jours de retard")


def test_la_balance_est_un_tableau_excel(workbook: Path) -> None:
    """One Excel Table over the header and the data rows, not the totals row."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    tables = openpyxl.load_workbook(workbook)["Balance âgée"].tables
    table: Table = tables["BalanceAgee"]
    assert table.ref == "A3:H5"
    assert [c.name for c in table.tableColumns] == ["Client", *BUCKETS, "Total", "Jours de retard"]


def test_les_lignes_sont_colorees_par_anciennete(workbook: Path) -> None:
    """Four rules on the data rows, keyed on the days-overdue column, from yellow to red."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    book = openpyxl.load_workbook(workbook)
    rules = {str(r.sqref): r for r in book["Balance âgée"].conditional_formatting}
    (formatting,) = rules.values()
    assert str(formatting.sqref) == "A4:H5"
    formulas = [rule.formula[0] for rule in formatting.rules]
    assert formulas[0] == "AND(ISNUMBER($H4),AND($H4>=1,$H4<=30))"
    assert formulas[-1] == "AND(ISNUMBER($H4),$H4>=91)"
    fills = [rule.dxf.fill.bgColor.rgb for rule in formatting.rules]
    assert fills == list(AGE_COLOURS)


def test_le_graphique_lit_la_ligne_des_totaux(workbook: Path) -> None:
    """The bar chart plots the totals of the bucket columns, under the bucket headers."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    with zipfile.ZipFile(workbook) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
    assert "<c:f>'Balance âgée'!$B$3:$F$3</c:f>" in chart
    assert "<c:f>'Balance âgée'!$B$6:$F$6</c:f>" in chart
    assert '<c:pt idx="4"><c:v>1200.00</c:v></c:pt>' in chart


def test_une_feuille_sans_ligne_a_un_tableau_valide(workbook: Path) -> None:
    """With no anomaly the table still spans one (empty) data row, as Excel requires."""
    sheet = SheetData(
        "Anomalies", (Column("Feuille"), Column("Message")), [], table_name="Anomalies"
    )
    update_workbook(workbook, replace_sheets=[sheet])
    assert openpyxl.load_workbook(workbook)["Anomalies"].tables["Anomalies"].ref == "A1:B2"


def test_une_deuxieme_execution_remplace_nos_feuilles_en_place(workbook: Path) -> None:
    """Same sheet parts and ids, no leftover table or chart, no style added again."""
    update_workbook(workbook, replace_sheets=[balance_sheet(), actions_sheet()])
    with zipfile.ZipFile(workbook) as first:
        first_names, first_styles = sorted(first.namelist()), first.read("xl/styles.xml")
        first_book = first.read("xl/workbook.xml")
    smaller = balance_sheet([["Martin SA", *[Decimal("1")] * 6, 3]])
    update_workbook(workbook, replace_sheets=[smaller, actions_sheet()])
    with zipfile.ZipFile(workbook) as second:
        assert sorted(second.namelist()) == first_names
        assert second.read("xl/styles.xml") == first_styles
        assert second.read("xl/workbook.xml") == first_book
    assert openpyxl.load_workbook(workbook).sheetnames == ["Factures", "Balance âgée", "Actions"]


def test_nos_formats_sont_retrouves_apres_un_enregistrement_par_excel(workbook: Path) -> None:
    """Our fonts and cell formats, reordered as Excel re-saves them, are reused, not appended."""
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    with zipfile.ZipFile(workbook) as package:
        styles = etree.fromstring(package.read("xl/styles.xml"))
    for element in list(styles.iter()):
        attributes = list(reversed(element.attrib.items()))
        element.attrib.clear()
        element.attrib.update(attributes)
        if etree.QName(element).localname in ("font", "dxf", "xf"):
            element[:] = list(reversed(element))
    replace_part(workbook, "xl/styles.xml", etree.tostring(styles))
    update_workbook(workbook, replace_sheets=[balance_sheet()])
    with zipfile.ZipFile(workbook) as package:
        again = etree.fromstring(package.read("xl/styles.xml"))
    assert [len(section) for section in again] == [len(section) for section in styles]


def test_le_nom_du_tableau_ne_heurte_pas_celui_de_l_utilisateur(workbook: Path) -> None:
    """A user table already named Actions: ours becomes Actions2."""
    book = openpyxl.load_workbook(workbook)
    book["Factures"].add_table(Table(displayName="Actions", ref="A1:C2"))
    book.save(workbook)
    update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert list(openpyxl.load_workbook(workbook)["Actions"].tables) == ["Actions2"]


def test_rien_a_ecrire_laisse_le_classeur_tel_quel(workbook: Path) -> None:
    """No sheet and no row: the file is not rewritten and no backup appears."""
    before = workbook.read_bytes()
    assert update_workbook(workbook, append_rows={"Historique": []}) == workbook
    assert workbook.read_bytes() == before
    assert not backup_path(workbook).exists()


# --- Historique -------------------------------------------------------------------------------


def test_historique_cree_avec_les_en_tetes_canoniques(workbook: Path) -> None:
    """No Historique yet: it is created, canonical headers, an Excel Table, the rows."""
    update_workbook(workbook, append_rows={"Historique": [history_row(23)]})
    sheet = openpyxl.load_workbook(workbook)["Historique"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HISTORY_HEADERS
    assert rows[1][:3] == (dt.datetime(2026, 11, 23), "Martin SA", "F-001")
    assert sheet["H2"].number_format == '#,##0.00\\ "€"'
    assert list(sheet.tables) == ["HistoriqueRelances"]


def test_historique_les_lignes_suivent_la_derniere_ligne_et_le_tableau_grandit(
    workbook: Path,
) -> None:
    """Rows go after the last used row; the user's table now covers them."""
    book = openpyxl.load_workbook(workbook)
    sheet = book.create_sheet("Historique")
    sheet.append(list(HISTORY_HEADERS))
    sheet.append(history_row(2, "F-000"))
    sheet.add_table(Table(displayName="MonHistorique", ref="A1:J2"))
    book.save(workbook)
    update_workbook(workbook, append_rows={"Historique": [history_row(23), history_row(24)]})
    sheet = openpyxl.load_workbook(workbook)["Historique"]
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "F-000",
        "F-001",
        "F-001",
    ]
    assert sheet.tables["MonHistorique"].ref == "A1:J4"


def test_historique_colonnes_reconnues_par_leur_en_tete(workbook: Path) -> None:
    """A Historique with its own column order (no table) is filled by header, not by position."""
    book = openpyxl.load_workbook(workbook)
    sheet = book.create_sheet("Historique")
    sheet.append(["Note", "N° FACTURE", "Date", "Client"])  # other order, other case, fewer
    book.save(workbook)
    update_workbook(workbook, append_rows={"Historique": [history_row(23)]})
    rows = list(openpyxl.load_workbook(workbook)["Historique"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Note", "N° FACTURE", "Date", "Client", "Niveau")
    assert rows[1][:5] == (None, "F-001", dt.datetime(2026, 11, 23), "Martin SA", "1")


def test_historique_vide_recoit_d_abord_les_en_tetes(workbook: Path) -> None:
    """An empty Historique sheet gets the canonical headers, then the rows."""
    book = openpyxl.load_workbook(workbook)
    book.create_sheet("Historique")
    book.save(workbook)
    update_workbook(workbook, append_rows={"Historique": [history_row(23)]})
    rows = list(openpyxl.load_workbook(workbook)["Historique"].iter_rows(values_only=True))
    assert rows[0] == HISTORY_HEADERS and rows[1][2] == "F-001"


def test_aucune_ligne_a_ajouter_ne_cree_pas_l_historique(workbook: Path) -> None:
    """An empty list of rows changes nothing in the sheet list."""
    update_workbook(workbook, replace_sheets=[actions_sheet()], append_rows={"Historique": []})
    assert openpyxl.load_workbook(workbook).sheetnames == ["Factures", "Actions"]


# --- safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "verrou",
    ["~$Relances.xlsx", ".~lock.Relances.xlsx#"],
    ids=["ouvert dans Excel", "ouvert dans LibreOffice"],
)
def test_un_classeur_ouvert_est_refuse(workbook: Path, verrou: str) -> None:
    """A lock file stops the write with a French message offering --forcer; nothing changes."""
    (workbook.parent / verrou).write_bytes(b"")
    before = workbook.read_bytes()
    with pytest.raises(WorkbookLockedError, match="--forcer") as error:
        update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert verrou in error.value.message
    assert workbook.read_bytes() == before
    assert lock_files(workbook) == [workbook.parent / verrou]


def test_forcer_ecrit_malgre_le_verrou(workbook: Path) -> None:
    """--forcer writes even with a (stale) lock file."""
    (workbook.parent / "~$Relances.xlsx").write_bytes(b"")
    update_workbook(workbook, replace_sheets=[actions_sheet()], force=True)
    assert "Actions" in openpyxl.load_workbook(workbook).sheetnames


def test_une_sauvegarde_garde_la_version_precedente(workbook: Path) -> None:
    """The previous file is kept, byte for byte, as Relances.bak.xlsx."""
    before = workbook.read_bytes()
    update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert backup_path(workbook) == workbook.with_name("Relances.bak.xlsx")
    assert backup_path(workbook).read_bytes() == before
    assert workbook.read_bytes() != before


def test_sortie_ecrit_une_copie_et_laisse_l_original(workbook: Path) -> None:
    """--sortie: the copy gets our sheets, the original and its folder are untouched."""
    before = workbook.read_bytes()
    copy = workbook.with_name("Copie.xlsx")
    assert update_workbook(workbook, replace_sheets=[actions_sheet()], output=copy) == copy
    assert workbook.read_bytes() == before
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["Copie.xlsx", "Relances.xlsx"]
    assert "Actions" in openpyxl.load_workbook(copy).sheetnames


def test_aucun_fichier_temporaire_ne_reste(workbook: Path) -> None:
    """After a write the folder holds the workbook and its backup only."""
    update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert sorted(p.name for p in workbook.parent.iterdir()) == [
        "Relances.bak.xlsx",
        "Relances.xlsx",
    ]


def test_une_panne_pendant_l_ecriture_laisse_l_original(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while writing the temporary file leaves the original intact and no debris."""
    before = workbook.read_bytes()

    def crash(out, members, comment=b""):
        out.write(b"PK\x03\x04 partial")
        raise KeyboardInterrupt

    monkeypatch.setattr("relance_xl.xlsx.package.write_zip", crash)
    with pytest.raises(KeyboardInterrupt):
        update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert workbook.read_bytes() == before
    assert [p.name for p in workbook.parent.iterdir()] == ["Relances.xlsx"]


def test_un_fichier_ecrit_incorrect_ne_remplace_pas_l_original(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-read check catches a written file that lost a part; the original stays."""
    before = workbook.read_bytes()

    def lossy(out, members, comment=b""):
        write_zip(out, [m for m in members if m.name != "xl/theme/theme1.xml"], comment)

    monkeypatch.setattr("relance_xl.xlsx.package.write_zip", lossy)
    with pytest.raises(OutputError, match="l'original est intact"):
        update_workbook(workbook, replace_sheets=[actions_sheet()])
    assert workbook.read_bytes() == before
    assert [p.name for p in workbook.parent.iterdir()] == ["Relances.xlsx"]


def test_un_csv_ne_recoit_pas_de_feuilles(tmp_path: Path) -> None:
    """A CSV source without --sortie is refused with the French message."""
    source = tmp_path / "factures.csv"
    source.write_text("Client;Montant\nMartin;10\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        update_workbook(source, replace_sheets=[actions_sheet()])
    assert error.value.message == (
        "un fichier CSV ne peut pas recevoir les feuilles de résultats : "
        "utilisez --sortie AUTRE.xlsx"
    )


def test_un_csv_avec_sortie_donne_un_nouveau_classeur(tmp_path: Path) -> None:
    """A CSV source with --sortie AUTRE.xlsx gives a new workbook with our sheets only."""
    source = tmp_path / "factures.csv"
    source.write_text("Client;Montant\nMartin;10\n", encoding="utf-8")
    target = tmp_path / "Résultats.xlsx"
    update_workbook(
        source,
        replace_sheets=[balance_sheet(), actions_sheet()],
        append_rows={"Historique": [history_row(23)]},
        output=target,
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Balance âgée", "Actions", "Historique"]
    assert book["Actions"]["A2"].value == "Martin SA"


@pytest.mark.parametrize(
    ("nom", "contenu", "erreur", "message"),
    [
        ("absent.xlsx", None, InputError, "classeur introuvable"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0", InputError, "seuls les classeurs .xlsx et .xlsm"),
        ("abime.xlsx", b"pas un zip", InputError, "n'est pas un classeur Excel lisible"),
    ],
    ids=["fichier absent", "ancien format .xls", "fichier abîmé"],
)
def test_source_inutilisable(
    tmp_path: Path, nom: str, contenu: bytes | None, erreur: type, message: str
) -> None:
    """Fatal problems are RelanceError with one French sentence."""
    path = tmp_path / nom
    if contenu is not None:
        path.write_bytes(contenu)
    with pytest.raises(erreur, match=message):
        update_workbook(path, replace_sheets=[actions_sheet()])


def test_dossier_de_sortie_absent(workbook: Path) -> None:
    """--sortie into a missing folder is an OutputError naming it."""
    with pytest.raises(OutputError, match="dossier de sortie introuvable"):
        update_workbook(
            workbook, replace_sheets=[actions_sheet()], output=workbook.parent / "absent" / "x.xlsx"
        )


def test_les_titres_des_nouvelles_feuilles_suivent_celles_de_l_utilisateur() -> None:
    """docProps/app.xml: new sheet names go after the worksheets, before the named ranges."""
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    app = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties" xmlns:vt="{vt}"><HeadingPairs><vt:vector size="4" '
        'baseType="variant"><vt:variant><vt:lpstr>Feuilles de calcul</vt:lpstr></vt:variant>'
        "<vt:variant><vt:i4>2</vt:i4></vt:variant><vt:variant><vt:lpstr>Plages nommées</vt:lpstr>"
        "</vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        '<TitlesOfParts><vt:vector size="3" baseType="lpstr"><vt:lpstr>Factures</vt:lpstr>'
        "<vt:lpstr>Clients</vt:lpstr><vt:lpstr>Taux</vt:lpstr></vt:vector></TitlesOfParts>"
        "</Properties>"
    ).encode()
    result = etree.fromstring(add_app_titles(app, ["Actions", "Balance âgée"]))
    titles = result.find(".//{*}TitlesOfParts/{*}vector")
    assert [t.text for t in titles] == ["Factures", "Clients", "Actions", "Balance âgée", "Taux"]
    assert titles.get("size") == "5"
    assert [c.text for c in result.iter(f"{{{vt}}}i4")] == ["4", "1"]
