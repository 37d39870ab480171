"""The Excel adapter (relance_xl.excel, relance_xl.excel_book) on COM-shaped values, through
duck-typed fakes of xlwings' Book / Sheet / Range that return what Excel gives: floats for numbers,
``datetime`` for dates, None for blank cells. No Excel here: what only Excel can check is in
docs/excel-checklist.md."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance_xl import excel, excel_book, pipeline
from relance_xl.assets import WORKBOOK_TEMPLATE, asset
from relance_xl.cli import main as cli_main
from relance_xl.escalation import A_FAIRE, records_for
from relance_xl.penalties import compute_penalty
from relance_xl.reader import read_sheets
from relance_xl.sheets import ACTIONS, RESULT_SHEETS, history_rows, result_sheets
from relance_xl.text import column_letter

AS_OF = dt.date(2026, 11, 23)
_REF = re.compile(r"([A-Z]+)(\d+)")


# --- fakes of xlwings objects ------------------------------------------------------------------


def _cell(ref: str) -> tuple[int, int]:
    letters, digits = _REF.fullmatch(ref).groups()
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return int(digits), number


class FakeFont:
    def __init__(self) -> None:
        self.bold = False
        self.size = 11


class FakeConditionalFormats:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet, self.address = sheet, address

    def add_custom(self, formula: str, fill_color: str) -> None:
        self.sheet.rules.append((self.address, formula, fill_color))


class FakeRange:
    """A rectangle of a FakeSheet; reading gives a 2-D list like ``options(ndim=2).value``."""

    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet, self.top_row, self.left_col = sheet, top, left
        self.bottom_row, self.right_col = bottom, right
        self.font = FakeFont()

    @property
    def row(self) -> int:
        return self.top_row

    @property
    def column(self) -> int:
        return self.left_col

    @property
    def columns(self) -> list[int]:
        return list(range(self.left_col, self.right_col + 1))

    @property
    def left(self) -> float:
        return 50.0 * self.left_col

    @property
    def top(self) -> float:
        return 15.0 * self.top_row

    @property
    def address(self) -> str:
        return (
            f"{column_letter(self.left_col)}{self.top_row}:"
            f"{column_letter(self.right_col)}{self.bottom_row}"
        )

    def options(self, ndim: int = 2, **_: object) -> FakeRange:
        assert ndim == 2
        return self

    @property
    def value(self) -> list[list[object]]:
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.left_col, self.right_col + 1)]
            for r in range(self.top_row, self.bottom_row + 1)
        ]

    @value.setter
    def value(self, data: object) -> None:
        self.sheet.writes += 1
        rows = data if isinstance(data, list) else [[data]]
        assert len({len(row) for row in rows}) <= 1, (
            "xlwings refuse les lignes de longueurs inégales"
        )
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                key = (self.top_row + i, self.left_col + j)
                if value is None or value == "":
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = value

    @property
    def number_format(self) -> str | None:
        return self.sheet.formats.get((self.top_row, self.left_col))

    @number_format.setter
    def number_format(self, code: str) -> None:
        for r in range(self.top_row, self.bottom_row + 1):
            for c in range(self.left_col, self.right_col + 1):
                self.sheet.formats[(r, c)] = code

    @property
    def column_width(self) -> float | None:
        return self.sheet.widths.get(self.left_col)

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.widths[self.left_col] = width

    def autofit(self) -> None:
        self.sheet.widths.setdefault(self.left_col, "auto")

    @property
    def conditional_formats(self) -> FakeConditionalFormats:
        return FakeConditionalFormats(self.sheet, self.address)

    def select(self) -> None:
        self.sheet.book.selection = (self.sheet.name, self.top_row, self.left_col)


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, source: FakeRange) -> None:
        self.sheet, self.name, self.range = sheet, name, source
        self.api = self

    @property
    def header_row_range(self) -> FakeRange:
        r = self.range
        return FakeRange(self.sheet, r.top_row, r.left_col, r.top_row, r.right_col)

    def resize(self, new_range: FakeRange) -> None:
        self.range = new_range

    def Delete(self) -> None:
        self.sheet.tables.items.remove(self)


class FakeTables:
    def __init__(self, sheet: FakeSheet, broken: bool = False) -> None:
        self.sheet, self.items, self.broken = sheet, [], broken

    def __iter__(self):
        return iter(list(self.items))

    def add(self, source: FakeRange, name: str, table_style_name: str) -> FakeTable:
        if self.broken:
            raise RuntimeError("COM : méthode Add de ListObjects en échec")
        table = FakeTable(self.sheet, name, source)
        self.items.append(table)
        return table


class FakeChart:
    def __init__(self, charts: FakeCharts, **place: float) -> None:
        self.charts, self.place = charts, place
        self.chart_type = None
        self.source = None
        self.title = None

    def set_source_data(self, source: object) -> None:
        self.source = source

    def delete(self) -> None:
        self.charts.items.remove(self)


class FakeCharts:
    def __init__(self) -> None:
        self.items: list[FakeChart] = []

    def __iter__(self):
        return iter(list(self.items))

    def add(self, **place: float) -> FakeChart:
        chart = FakeChart(self, **place)
        self.items.append(chart)
        return chart


class FakeUnionRange:
    """``sheet.range("C3:G3,C10:G10")``: only the address matters to the chart."""

    def __init__(self, address: str) -> None:
        self.address = address


class FakeFreeze:
    def __init__(self) -> None:
        self.at = None

    def freeze_at(self, cell: str) -> None:
        self.at = cell


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, grid: list[list[object]] | None = None) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], object] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.widths: dict[int, object] = {}
        self.rules: list[tuple[str, str, str]] = []
        self.tables = FakeTables(self, broken=book.broken_tables)
        self.charts = FakeCharts()
        self.freeze_panes = FakeFreeze()
        self.writes = 0
        for r, row in enumerate(grid or [], 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    self.cells[(r, c)] = value

    @property
    def used_range(self) -> object:
        rows = [r for r, _ in self.cells] or [1]
        cols = [c for _, c in self.cells] or [1]
        last = FakeRange(self, max(rows), max(cols), max(rows), max(cols))
        return type("Used", (), {"last_cell": last})()

    def range(self, first: object, last: object = None) -> object:
        if isinstance(first, str):
            if "," in first:
                return FakeUnionRange(first)
            corners = [_cell(part) for part in first.split(":")]
            (top, left), (bottom, right) = corners[0], corners[-1]
            return FakeRange(self, top, left, bottom, right)
        top, left = first
        bottom, right = last if last is not None else first
        return FakeRange(self, top, left, bottom, right)

    def clear(self) -> None:
        self.cells.clear()
        self.formats.clear()
        self.rules.clear()

    def activate(self) -> None:
        self.book.active = self.name

    def grid(self) -> list[list[object]]:
        last = self.used_range.last_cell
        return self.range((1, 1), (last.row, last.column)).value


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book, self.items = book, []

    def __iter__(self):
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self.items[key]
        return next(sheet for sheet in self.items if sheet.name == key)

    def add(self, name: str, before: object = None, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name)
        position = self.items.index(after) + 1 if after is not None else 0
        self.items.insert(position, sheet)
        return sheet


class FakeApp:
    """Excel's Application: status bar, screen updating, message boxes."""

    def __init__(self, answer: str = "no") -> None:
        self._status: object = False
        self.statuses: list[object] = []
        self.screen_updating = True
        self.alerts: list[dict[str, object]] = []
        self.answer = answer

    @property
    def status_bar(self) -> object:
        return self._status

    @status_bar.setter
    def status_bar(self, value: object) -> None:
        self._status = value
        self.statuses.append(value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: object = None) -> str:  # fmt: skip
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answer if buttons == "yes_no" else "ok"


class FakeBook:
    def __init__(self, sheets: dict[str, list[list[object]]], name: str = "Relances.xlsx",
                 fullname: str = "", broken_tables: bool = False) -> None:  # fmt: skip
        self.name, self.fullname = name, fullname or name
        self.app = FakeApp()
        self.broken_tables = broken_tables
        self.sheets = FakeSheets(self)
        self.active = None
        self.selection = None
        for sheet_name, grid in sheets.items():
            self.sheets.items.append(FakeSheet(self, sheet_name, grid))

    @property
    def api(self) -> object:
        raise AttributeError("pas de COM ici")

    def sheet(self, name: str) -> FakeSheet:
        return self.sheets[name]


def com_value(cell: object) -> object:
    """A file cell as COM gives it: every number a float, dates as datetime, blanks as None."""
    if cell == "" or cell is None:
        return None
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int):
        return float(cell)
    if isinstance(cell, dt.datetime):
        return cell
    if isinstance(cell, dt.date):
        return dt.datetime.combine(cell, dt.time())
    return cell


def com_book(path: Path, **kwargs: object) -> FakeBook:
    """A FakeBook holding the sheets of a workbook file, COM-shaped."""
    sheets = {
        name: [[com_value(cell) for cell in row] for row in grid]
        for name, grid in read_sheets(path).items()
    }
    return FakeBook(sheets, name=path.name, **kwargs)


@pytest.fixture
def template() -> Path:
    """The workbook template shipped with relance_xl (sample invoices, clients, history)."""
    return asset(WORKBOOK_TEMPLATE)


@pytest.fixture
def expected(template: Path) -> dict[str, list[list[object]]]:
    """Result sheets of the CLI path (file → pipeline), as the cells excel_book.py writes."""
    review = pipeline.review(pipeline.load(template), AS_OF)
    return {data.name: excel_book.cell_grid(data) for data in result_sheets(review)}


# --- Mettre à jour -------------------------------------------------------------------------------


def test_lecture_des_valeurs_com_comme_un_fichier(template):
    """Les valeurs COM (flottants, datetime, None) donnent le même registre que le fichier."""
    live = excel_book.read_ledger(com_book(template))
    read = pipeline.load(template)
    assert live.invoices.equals(read.invoices)
    assert live.clients == read.clients
    assert live.history == read.history
    assert live.settings == read.settings
    assert [a.message for a in live.anomalies] == [a.message for a in read.anomalies]


def test_mettre_a_jour_ecrit_les_quatre_feuilles(template, expected):
    """Les quatre feuilles reçoivent les mêmes valeurs que par la ligne de commande."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    for name in RESULT_SHEETS:
        sheet = book.sheet(name)
        assert sheet.grid() == _trimmed(expected[name]), name
        assert sheet.writes == 1, "une seule écriture de valeurs par feuille"
    assert book.active == ACTIONS


def _trimmed(grid: list[list[object]]) -> list[list[object]]:
    """What Excel's used range gives back: trailing empty rows and columns dropped."""
    rows = [i for i, row in enumerate(grid) if any(v is not None for v in row)]
    cols = [j for row in grid for j, v in enumerate(row) if v is not None]
    return [row[: max(cols) + 1] for row in grid[: max(rows) + 1]]


def test_mettre_a_jour_laisse_les_feuilles_de_l_utilisateur(template):
    """Factures, Clients, Historique, Paramètres… gardent leurs cellules, à l'identique."""
    book = com_book(template)
    before = {sheet.name: dict(sheet.cells) for sheet in book.sheets}
    excel.mettre_a_jour(book, AS_OF)
    for name, cells in before.items():
        assert book.sheet(name).cells == cells, name


def test_mettre_a_jour_deux_fois_remplace_sans_empiler(template):
    """Un second clic réécrit les feuilles : mêmes cellules, un tableau et un graphique chacune."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    first = {name: dict(book.sheet(name).cells) for name in RESULT_SHEETS}
    excel.mettre_a_jour(book, AS_OF)
    assert {name: dict(book.sheet(name).cells) for name in RESULT_SHEETS} == first
    assert len(book.sheets) == 6 + len(RESULT_SHEETS)
    assert all(len(book.sheet(name).tables.items) == 1 for name in RESULT_SHEETS)
    assert len(book.sheet("Balance âgée").charts.items) == 1


def test_formats_francais_tableau_couleurs_et_graphique(template):
    """Dates jj/mm/aaaa, montants en euros, tableau Excel, couleurs par ancienneté, histogramme."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    actions = book.sheet(ACTIONS)
    headers = actions.grid()[2]
    date_col = headers.index("Date prévue") + 1
    money_col = headers.index("Montant dû") + 1
    assert actions.formats[(4, date_col)] == "dd/mm/yyyy"
    assert actions.formats[(4, money_col)] == '#,##0.00\\ "€"'
    assert actions.tables.items[0].name == "Actions"
    age = column_letter(headers.index("Retard max (j)") + 1)
    formulas = [formula for _, formula, _ in actions.rules]
    assert f"=(${age}4>=1)*(${age}4<=30)" in formulas and f"=(${age}4>=91)" in formulas
    balance = book.sheet("Balance âgée")
    chart = balance.charts.items[0]
    assert chart.chart_type == "column_clustered" and chart.title == "Encours par ancienneté"
    assert "," in chart.source.address


def test_dates_et_montants_ecrits_comme_excel_les_attend(template):
    """Une date part en datetime, un montant en flottant arrondi au centime, jamais en Decimal."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    values = [v for sheet in RESULT_SHEETS for v in book.sheet(sheet).cells.values()]
    assert not any(isinstance(v, Decimal) for v in values)
    assert not any(type(v) is dt.date for v in values)
    assert any(isinstance(v, dt.datetime) for v in values)


def test_barre_d_etat_et_affichage_restaures(template):
    """La progression s'affiche dans la barre d'état, remise à Excel à la fin."""
    book = com_book(template)
    book.app.status_bar = "message de l'utilisateur"
    excel.mettre_a_jour(book, AS_OF)
    assert any(str(s).startswith("Relance XL : ") for s in book.app.statuses)
    assert book.app.status_bar == "message de l'utilisateur"
    assert book.app.screen_updating is True


def test_classeur_sans_factures_message_en_francais():
    """Un classeur sans feuille de factures : une boîte d'erreur en français, rien d'écrit."""
    book = FakeBook({"Feuil1": [["Bonjour", None], [None, 3.0]]})
    excel.mettre_a_jour(book, AS_OF)
    (alert,) = book.app.alerts
    assert alert["mode"] == "critical" and alert["title"] == "Relance XL"
    assert alert["prompt"].startswith("Erreur : colonnes Client, N° facture")
    assert "introuvables dans la feuille « Feuil1 »" in alert["prompt"]
    assert [sheet.name for sheet in book.sheets] == ["Feuil1"]
    assert book.app.status_bar is False and book.app.screen_updating is True


def test_erreur_inattendue_jamais_de_trace_python(template, monkeypatch):
    """Une exception imprévue devient une boîte « erreur inattendue », pas une trace Python."""
    monkeypatch.delenv("RELANCE_XL_DEBUG", raising=False)
    book = com_book(template)

    def broken(*_: object) -> None:
        raise KeyError("colonne")

    monkeypatch.setattr(excel, "result_sheets", broken)
    excel.mettre_a_jour(book, AS_OF)
    (alert,) = book.app.alerts
    assert alert["prompt"] == "Erreur : erreur inattendue (KeyError : 'colonne')."
    assert book.app.status_bar is False


def test_mise_en_forme_en_echec_ne_perd_pas_les_valeurs(template, expected, monkeypatch):
    """Si Excel refuse le tableau, les valeurs sont écrites et l'utilisateur est prévenu."""
    monkeypatch.delenv("RELANCE_XL_DEBUG", raising=False)
    book = com_book(template, broken_tables=True)
    excel.mettre_a_jour(book, AS_OF)
    assert book.sheet(ACTIONS).grid() == _trimmed(expected[ACTIONS])
    (alert,) = [a for a in book.app.alerts if "mise en forme" in a["prompt"]]
    assert "tableau de « Actions » (RuntimeError)" in alert["prompt"]


def test_cellules_excel_depuis_python():
    """Decimal → flottant, date → datetime, texte commençant comme une formule → texte."""
    assert excel_book.excel_value(Decimal("1234.56"), "money") == 1234.56
    assert excel_book.excel_value(Decimal("12.15"), "percent") == pytest.approx(0.1215)
    assert excel_book.excel_value(dt.date(2026, 3, 15), "date") == dt.datetime(2026, 3, 15)
    assert excel_book.excel_value("=SOMME(A1:A3)") == "'=SOMME(A1:A3)"
    assert excel_book.excel_value("-5 % de remise") == "'-5 % de remise"
    assert excel_book.excel_value("F2026-0012") == "F2026-0012"
    assert excel_book.excel_value(None) is None


# --- Enregistrer les relances ---------------------------------------------------------------


def _mark_done(book: FakeBook, clients: list[str]) -> None:
    """The user types « oui » in Fait for these clients' rows of Actions."""
    sheet = book.sheet(ACTIONS)
    grid = sheet.grid()
    header = grid[2]
    done, client = header.index("Fait") + 1, header.index("Client") + 1
    for number, row in enumerate(grid[3:], 4):
        if row[client - 1] in clients:
            sheet.cells[(number, done)] = "oui"


def test_enregistrer_les_relances_marquees(template):
    """Les actions marquées « oui » vont dans l'Historique, une ligne par facture."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    ledger = pipeline.load(template)
    todo = [a for a in pipeline.review(ledger, AS_OF).actions if a.state == A_FAIRE]
    chosen = todo[0]
    _mark_done(book, [chosen.client])
    history_before = book.sheet("Historique").grid()
    excel.enregistrer_relances(book, AS_OF)
    expected_rows = history_rows(records_for([chosen], AS_OF, history=ledger.history))
    assert expected_rows
    added = book.sheet("Historique").grid()[len(history_before) :]
    assert [row[:10] for row in added] == [
        [excel_book.excel_value(v) for v in row] for row in expected_rows
    ]
    assert f"{len(expected_rows)} ligne(s) « envoyé »" in book.app.alerts[-1]["prompt"]


def test_enregistrer_deux_fois_n_ajoute_rien(template):
    """Le second clic du même jour n'ajoute aucune ligne (idempotent)."""
    book = com_book(template)
    excel.mettre_a_jour(book, AS_OF)
    ledger = pipeline.load(template)
    client = next(a.client for a in pipeline.review(ledger, AS_OF).actions if a.state == A_FAIRE)
    _mark_done(book, [client])
    excel.enregistrer_relances(book, AS_OF)
    after_first = book.sheet("Historique").grid()
    _mark_done(book, [client])
    excel.enregistrer_relances(book, AS_OF)
    assert book.sheet("Historique").grid() == after_first
    assert book.app.alerts[-1]["prompt"].startswith("Rien à enregistrer")


def test_table_de_l_historique_agrandie(template):
    """Le tableau Excel de l'Historique s'étend aux lignes ajoutées."""
    book = com_book(template)
    history = book.sheet("Historique")
    last = history.used_range.last_cell
    history.tables.items.append(
        FakeTable(history, "Historique", history.range((1, 1), (last.row, last.column)))
    )
    excel.mettre_a_jour(book, AS_OF)
    client = next(
        a.client
        for a in pipeline.review(pipeline.load(template), AS_OF).actions
        if a.state == A_FAIRE
    )
    _mark_done(book, [client])
    excel.enregistrer_relances(book, AS_OF)
    assert history.tables.items[0].range.bottom_row == history.used_range.last_cell.row


def test_marque_illisible_signalee():
    """Une marque « peut-être » dans Fait n'enregistre rien et est signalée avec sa ligne."""
    grid = [
        ["Prochaines actions", None, None],
        [None, None, None],
        ["Fait", "Client", "Niveau"],
        ["oui", "Boulangerie Martin", "2"],
        ["peut-être", "Hôtel du Parc", 3.0],
        [None, "Garage Dupuis", "1"],
    ]
    marked, problems = excel_book.done_marks(grid)
    assert marked == {("boulangerie martin", "2"): "Boulangerie Martin niveau 2"}
    assert problems == ["ligne 5 : « peut-être » n'est ni oui ni non"]


def test_enregistrer_sans_feuille_actions():
    """Sans feuille Actions, le message dit de cliquer d'abord sur Mettre à jour."""
    book = com_book(asset(WORKBOOK_TEMPLATE))
    excel.enregistrer_relances(book, AS_OF)
    assert "cliquez d'abord sur « Mettre à jour »" in book.app.alerts[-1]["prompt"]


# --- Générer les courriers ----------------------------------------------------------------------


def test_generer_les_courriers_dans_le_dossier_du_classeur(template, tmp_path, monkeypatch):
    """Les courriers vont dans « Courriers » à côté du classeur ; un résumé les liste."""
    monkeypatch.setenv("RELANCE_XL_SOFFICE", str(tmp_path / "pas-de-soffice"))
    workbook = tmp_path / "Relances.xlsx"
    workbook.write_bytes(template.read_bytes())
    book = com_book(template, fullname=str(workbook))
    excel.generer_courriers(book, AS_OF)
    folder = tmp_path / "Courriers"
    written = sorted(p.name for p in folder.iterdir())
    assert any(name.endswith(".docx") for name in written)
    assert "recapitulatif.csv" in written
    (alert,) = book.app.alerts
    assert alert["buttons"] == "yes_no" and alert["prompt"].endswith("Ouvrir le dossier ?")
    assert f"dans « {folder} »" in alert["prompt"]
    assert "PDF non créés : LibreOffice est introuvable" in alert["prompt"]


def test_classeur_non_enregistre(template):
    """Un classeur jamais enregistré : message en français, aucun fichier."""
    book = com_book(template, fullname="Classeur1")
    excel.generer_courriers(book, AS_OF)
    assert "n'est pas enregistré sur ce disque" in book.app.alerts[-1]["prompt"]


def test_aide_en_francais():
    """Le bouton Aide décrit les trois boutons."""
    book = FakeBook({})
    excel.aide(book)
    prompt = book.app.alerts[-1]["prompt"]
    assert "Mettre à jour" in prompt and "Générer les courriers" in prompt
    assert "Enregistrer les relances" in prompt


def test_run_main_de_xlwings_met_a_jour_le_classeur_appelant(template, monkeypatch):
    """main() (« Run main » de xlwings) met à jour le classeur qui l'appelle."""
    book = com_book(template)
    monkeypatch.setattr(excel.xw.Book, "caller", staticmethod(lambda: book))
    excel.main()
    assert [sheet.name for sheet in book.sheets][-4:] == list(RESULT_SHEETS)
    assert book.active == ACTIONS


def test_resume_des_courriers_limite(tmp_path):
    """Au-delà de 20 clients, le message renvoie au récapitulatif CSV."""
    from types import SimpleNamespace

    documents = [
        SimpleNamespace(
            action=SimpleNamespace(client=f"Client {i}", action="relance amiable"),
            files=(tmp_path / f"{i}.eml",),
            note="",
        )
        for i in range(25)
    ]
    text = excel.letters_summary(documents, tmp_path, "")
    assert "• Client 19 –" in text and "Client 20" not in text
    assert "… et 5 autre(s) : voir recapitulatif.csv." in text
    assert f"25 fichier(s) dans « {tmp_path} »." in text


def test_hors_d_excel_erreur_en_francais():
    """Sans Excel appelant, le bouton lève une erreur française (pas de boîte possible)."""
    with pytest.raises(excel.OutputError, match="aucun classeur Excel appelant"):
        excel.mettre_a_jour()


# --- Worksheet functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("montant", "echeance", "date", "type_client", "taux"),
    [
        (1200.0, dt.datetime(2026, 3, 15), dt.datetime(2026, 11, 23), None, None),
        ("1 200,00 €", "15/03/2026", "23/11/2026", "professionnel", None),
        (1200.0, 46096.0, 46349.0, "Pro", None),
        (5640.0, dt.datetime(2025, 12, 31), dt.datetime(2026, 11, 23), None, 0.15),
        (5640.0, dt.datetime(2025, 12, 31), dt.datetime(2026, 11, 23), None, "15 %"),
        (980.5, dt.datetime(2026, 6, 30), dt.datetime(2026, 11, 23), "administration", None),
        (980.5, dt.datetime(2026, 6, 30), dt.datetime(2026, 11, 23), "particulier", None),
        (300.0, dt.datetime(2026, 12, 1), dt.datetime(2026, 11, 23), None, None),
    ],
    ids=["flottant et dates", "textes français", "numéros de série Excel", "taux 0,15",
         "taux 15 %", "administration", "particulier sans mise en demeure", "pas encore échue"],
)  # fmt: skip
def test_fonctions_interets_et_indemnite(montant, echeance, date, type_client, taux):
    """RELANCE_INTERETS et RELANCE_INDEMNITE donnent le calcul de compute_penalty, en euros."""
    from relance_xl import values
    from relance_xl.workbook import CLIENT_TYPES

    kind = values.parse_choice(type_client, CLIENT_TYPES, "type").value or "professionnel"
    penalty = compute_penalty(
        values.parse_amount(montant).value,
        values.parse_date(echeance).value,
        values.parse_date(date).value,
        kind,
        values.parse_rate(taux).value,
    )
    assert excel.RELANCE_INTERETS(montant, echeance, date, type_client, taux) == float(
        penalty.interest
    )
    assert excel.RELANCE_INDEMNITE(montant, echeance, date, type_client) == float(penalty.fee)


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    due=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2026, 6, 30)),
    late=st.integers(min_value=-30, max_value=900),
)
def test_montant_flottant_d_excel_meme_centime_que_le_decimal(cents, due, late):
    """Un montant reçu en flottant d'Excel donne au centime près les pénalités du Decimal."""
    amount = Decimal(cents) / 100
    day = due + dt.timedelta(days=late)
    penalty = compute_penalty(amount, due, day)
    midnight = dt.time()
    as_com = (float(amount), dt.datetime.combine(due, midnight), dt.datetime.combine(day, midnight))
    assert excel.RELANCE_INTERETS(*as_com) == float(penalty.interest)
    assert excel.RELANCE_INDEMNITE(*as_com) == float(penalty.fee)


def test_interets_connus():
    """1 000 € échus le 31/12/2025, au 31/01/2026, taux contractuel 12 % : 10,19 € et 40 €."""
    due, day = dt.datetime(2025, 12, 31), dt.datetime(2026, 1, 31)
    assert excel.RELANCE_INTERETS(1000.0, due, day, None, 12.0) == 10.19
    assert excel.RELANCE_INDEMNITE(1000.0, due, day) == 40.0


@pytest.mark.parametrize(
    ("echeance", "date", "jours", "tranche"),
    [
        (dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 23), 0, "Non échu"),
        (dt.datetime(2026, 11, 30), dt.datetime(2026, 11, 23), -7, "Non échu"),
        (dt.datetime(2026, 11, 22), dt.datetime(2026, 11, 23), 1, "1 à 30 j"),
        (dt.datetime(2026, 10, 24), dt.datetime(2026, 11, 23), 30, "1 à 30 j"),
        (dt.datetime(2026, 10, 23), dt.datetime(2026, 11, 23), 31, "31 à 60 j"),
        (dt.datetime(2026, 8, 25), dt.datetime(2026, 11, 23), 90, "61 à 90 j"),
        ("24/08/2026", "23/11/2026", 91, "Plus de 90 j"),
    ],
    ids=["jour de l'échéance", "avant l'échéance", "1 jour", "30 jours", "31 jours",
         "90 jours", "91 jours en texte"],
)  # fmt: skip
def test_jours_de_retard_et_tranche(echeance, date, jours, tranche):
    """Jours de retard = date − échéance ; la tranche est celle de la balance âgée."""
    assert excel.RELANCE_JOURS_RETARD(echeance, date) == jours
    assert excel.RELANCE_TRANCHE(echeance, date) == tranche


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("abc", dt.datetime(2026, 1, 1)), "Erreur : « abc » n'est pas un nombre"),
        ((100.0, None), "Erreur : échéance manquante"),
        ((100.0, "31/02/2026"), "Erreur : date impossible « 31/02/2026 »"),
        ((100.0, dt.datetime(2026, 1, 1), None, "association"), "Erreur : « association » n'est"),
        ((100.0, dt.datetime(2026, 1, 1), None, None, -3.0), "Erreur : taux négatif"),
    ],
    ids=["montant illisible", "échéance vide", "date impossible", "type inconnu", "taux négatif"],
)  # fmt: skip
def test_fonction_en_erreur_renvoie_un_texte_francais(arguments, message):
    """Une valeur illisible donne « Erreur : … » dans la cellule, jamais une exception."""
    assert excel.RELANCE_INTERETS(*arguments).startswith(message)


def test_sans_date_le_calcul_est_au_jour():
    """Sans date, les fonctions calculent à la date du jour."""
    today = dt.date.today()
    assert excel.RELANCE_JOURS_RETARD(dt.datetime.combine(today, dt.time())) == 0


# --- relance-xl excel installer / desinstaller --------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A user home of its own (xlwings' settings file lives there)."""
    folder = tmp_path / "maison"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("USERPROFILE", str(folder))
    return folder


def test_installer_copie_l_add_in_et_regle_l_interpreteur(home, tmp_path, capsys):
    """L'add-in est copié et xlwings.conf pointe sur ce Python, les autres réglages gardés."""
    import sys

    settings = home / ".xlwings" / "xlwings.conf"
    settings.parent.mkdir()
    settings.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\ancien\\python.exe"\n')
    folder = tmp_path / "XLSTART"
    assert cli_main(["excel", "installer", "--dossier", str(folder)]) == 0
    assert (folder / "relance_xl.xlam").read_bytes() == asset("relance_xl.xlam").read_bytes()
    assert settings.read_text().splitlines() == [
        '"LICENSE_KEY","abc"',
        f'"INTERPRETER_WIN","{sys.executable}"',
    ]
    assert "Redémarrez Excel" in capsys.readouterr().out


def test_desinstaller_retire_seulement_nos_reglages(home, tmp_path):
    """Désinstaller retire l'add-in et notre réglage, pas la clé de licence de l'utilisateur."""
    folder = tmp_path / "XLSTART"
    settings = home / ".xlwings" / "xlwings.conf"
    settings.parent.mkdir()
    settings.write_text('"LICENSE_KEY","abc"\n')
    cli_main(["excel", "installer", "--dossier", str(folder)])
    assert cli_main(["excel", "desinstaller", "--dossier", str(folder)]) == 0
    assert not (folder / "relance_xl.xlam").exists()
    assert settings.read_text() == '"LICENSE_KEY","abc"\n'


def test_sous_linux_excel_absent(home, capsys):
    """Sans --dossier sous Linux : « Erreur : Excel n'est pas disponible… », code 2."""
    assert cli_main(["excel", "installer"]) == 2
    assert capsys.readouterr().err.startswith("Erreur : Excel n'est pas disponible sur ce système")


@pytest.mark.parametrize(
    ("plateforme", "dossier"),
    [
        ("win32", "C:/Users/ana/AppData/Roaming/Microsoft/Excel/XLSTART"),
        ("darwin", "/Users/ana/Library/Group Containers/UBF8T346G9.Office/User Content.localized"
                   "/Startup.localized/Excel"),
    ],
    ids=["Windows", "macOS"],
)  # fmt: skip
def test_dossier_de_demarrage_d_excel(plateforme, dossier):
    """Le dossier de démarrage d'Excel de Windows (XLSTART) et de macOS."""
    from relance_xl.cli import excel as cli_excel

    environ = {"APPDATA": "C:/Users/ana/AppData/Roaming"}
    found = cli_excel.startup_folder(plateforme, environ, Path("/Users/ana"))
    assert found.as_posix() == dossier


@pytest.mark.parametrize(
    ("plateforme", "environ", "attendu"),
    [
        ("win32", {}, {"INTERPRETER_WIN": "py"}),
        ("darwin", {}, {"INTERPRETER_MAC": "py"}),
        ("win32", {"CONDA_DEFAULT_ENV": "relance", "CONDA_EXE": "C:/conda/Scripts/conda.exe"},
         {"CONDA PATH": str(Path("C:/conda")), "CONDA ENV": "relance"}),
    ],
    ids=["Windows", "macOS", "Windows avec conda"],
)  # fmt: skip
def test_reglages_comme_xlwings_config_create(plateforme, environ, attendu):
    """Les clés écrites sont celles de « xlwings config create »."""
    from relance_xl.cli import excel as cli_excel

    assert cli_excel.interpreter_settings(plateforme, "py", environ) == attendu


def test_fichier_de_reglages_de_xlwings():
    """Le fichier de réglages est celui que lit xlwings sur cette plateforme."""
    import xlwings

    from relance_xl.cli import excel as cli_excel

    assert cli_excel.config_file() == Path(xlwings.USER_CONFIG_FILE)
