"""Sheets → Ledger: Paramètres, Clients, Factures, Historique and Échéanciers (pure).

The invoice sheet is ``ReadOptions.sheet``, else ``Factures``, else the first other sheet whose
header row is found. Each column is parsed on its own (relance_xl.values), then rows are judged:

- skipped without anomaly: blank rows, totals (``Total``, ``Sous-total``, ``Total · 20
  customers``… with no N° facture or no client), notes (a missing client or N° facture and
  neither amount nor date), repeated header rows;
- **erreur**, the row is left out, when a value decides whether or how much to chase: no client,
  no N° facture, no or unreadable amount, no usable date (échéance unreadable, or absent without
  a date facture), unreadable Payé, Montant réglé, Date de règlement or Litige; a repeated
  N° facture (the first usable row is kept, each repeat is an erreur);
- **avertissement**, the row is used with an assumption: échéance absent (date facture + délai
  de paiement par défaut), amount rounded to the cent, control characters removed, échéance
  before the date facture (kept as is), unreadable date facture, promesse or date du devis
  (left empty), Montant réglé above the amount.

Historique rows need a date and a client; a blank or unreadable Niveau (avertissement) makes a
note that does not move the escalation; an unknown Statut (avertissement) counts as proposé,
never as done.

Client names differing only by case, accents or spacing are one client: the Clients sheet's
spelling, else the first one met. Clients, Historique and Échéanciers rows are read the same way;
a known sheet whose header row cannot be found is fatal (InputError), an empty one is ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from relance_xl import fr, values
from relance_xl.columns import (
    CLIENTS,
    HISTORY,
    INVOICE_FIELDS,
    INVOICES,
    PLANS,
    Header,
    TableSpec,
    find_header,
    require_header,
    resolve_mapping,
)
from relance_xl.errors import InputError
from relance_xl.invoices import invoice_frame
from relance_xl.model import (
    Anomaly,
    Client,
    ClientType,
    HistoryEntry,
    Instalment,
    Ledger,
    ReadOptions,
    Settings,
    Severity,
    Status,
)
from relance_xl.settings import SHEET as SETTINGS_SHEET
from relance_xl.settings import default_settings, parse_settings
from relance_xl.text import normalize

T = TypeVar("T")
Grid = Sequence[Sequence[object]]
Sheets = Mapping[str, Grid]

INVOICE_SHEET = "Factures"
CLIENT_SHEET = "Clients"
HISTORY_SHEET = "Historique"
PLAN_SHEET = "Échéanciers"
RESULT_SHEETS = ("Balance âgée", "Actions", "Anomalies", "Tableau de bord")
DATE_FORMATS = ("JJ/MM/AAAA", "MM/JJ/AAAA")

ERREUR, AVERTISSEMENT = Severity.ERREUR, Severity.AVERTISSEMENT

_TOTAL = re.compile(r"(?:sous |grand )?(?:total|totaux|subtotal)\b")

CLIENT_TYPES: dict[str, ClientType] = {
    **dict.fromkeys(
        ["professionnel", "professionnelle", "pro", "entreprise", "societe", "b2b", "btob"],
        ClientType.PROFESSIONNEL,
    ),
    **dict.fromkeys(
        ["particulier", "particuliere", "consommateur", "b2c", "btoc", "prive"],
        ClientType.PARTICULIER,
    ),
    **dict.fromkeys(
        ["administration", "public", "publique", "collectivite", "acheteur public",
         "personne publique", "etablissement public", "etat", "b2g"],
        ClientType.ADMINISTRATION,
    ),
}  # fmt: skip
"""Type words of the Clients sheet (normalized)."""

WATCH_WORDS: dict[str, bool] = {
    **dict.fromkeys(["nouveau", "nouveau client", "mauvais payeur", "a surveiller", "oui"], True),
    **dict.fromkeys(["non", "bon payeur", "normal", "aucun"], False),
}
"""Suivi: *nouveau* or *mauvais payeur* → preventive calls (P1, P2)."""

STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(["fait", "faite", "oui", "envoye", "envoyee", "realise", "realisee",
                     "effectue", "effectuee", "ok", "x", "done", "sent"], Status.ENVOYE),
    **dict.fromkeys(["propose", "proposee", "a faire", "prevu", "prevue"], Status.PROPOSE),
    **dict.fromkeys(["annule", "annulee", "non", "abandonne", "cancelled"], Status.ANNULE),
}  # fmt: skip
"""Statut of Historique (normalized); blank means envoyé."""


def parse_workbook(
    sheets: Sheets, options: ReadOptions, source: str = "", date1904: bool = False
) -> Ledger:
    """Read every input sheet into a Ledger; unusable rows become anomalies, never exceptions."""
    if options.date_format not in DATE_FORMATS:
        raise InputError(
            f"format de date « {options.date_format} » inconnu : JJ/MM/AAAA ou MM/JJ/AAAA."
        )
    reading = _Reading(options.date_format == "MM/JJ/AAAA", date1904)
    settings = reading.settings(sheets)
    mapping = resolve_mapping(options.columns, settings.columns)
    invoice_sheet, header = _invoice_sheet(sheets, options.sheet, mapping)
    client_sheet = find_sheet(sheets, CLIENT_SHEET)
    clients = reading.clients(sheets[client_sheet], client_sheet) if client_sheet else {}
    frame = invoice_frame(
        reading.invoices(sheets[invoice_sheet], invoice_sheet, header, settings.default_term_days)
    )
    for key, row in reading.first_rows.items():
        if key not in clients:
            clients[key] = Client(key)
            if client_sheet:
                reading.warn(
                    invoice_sheet,
                    row,
                    header.label("client"),
                    f"client « {key} » absent de la feuille {client_sheet} : traité "
                    "comme professionnel, sans adresse.",
                )
    history_sheet = find_sheet(sheets, HISTORY_SHEET)
    plan_sheet = find_sheet(sheets, PLAN_SHEET)
    return Ledger(
        invoices=frame,
        clients=clients,
        settings=settings,
        history=reading.history(sheets[history_sheet], history_sheet) if history_sheet else (),
        instalments=reading.plans(sheets[plan_sheet], plan_sheet) if plan_sheet else (),
        anomalies=tuple(reading.anomalies),
        source=source,
        invoice_sheet=invoice_sheet,
    )


def find_sheet(sheets: Iterable[str], name: str) -> str | None:
    """The sheet called ``name``, compared without case, accents or spacing."""
    key = normalize(name)
    return next((sheet for sheet in sheets if normalize(sheet) == key), None)


def _invoice_sheet(
    sheets: Sheets, wanted: str | None, mapping: Mapping[str, str]
) -> tuple[str, Header]:
    """(sheet name, header row) of the invoices; InputError when there is none."""
    names = ", ".join(f"« {name} »" for name in sheets) or "aucune"
    if wanted:
        name = find_sheet(sheets, wanted)
        if name is None:
            raise InputError(f"feuille « {wanted} » introuvable (feuilles du classeur : {names}).")
        return name, require_header(sheets[name], INVOICES, name, mapping)
    name = find_sheet(sheets, INVOICE_SHEET)
    if name is not None:
        return name, require_header(sheets[name], INVOICES, name, mapping)
    known = {
        normalize(n)
        for n in (CLIENT_SHEET, HISTORY_SHEET, PLAN_SHEET, SETTINGS_SHEET, *RESULT_SHEETS)
    }
    candidates = [n for n in sheets if normalize(n) not in known]
    for name in candidates:
        header = find_header(sheets[name], INVOICES, mapping)
        if header is not None:
            return name, header
    if len(candidates) == 1:
        return candidates[0], require_header(
            sheets[candidates[0]], INVOICES, candidates[0], mapping
        )
    given = "".join(f" ; colonne {f} = « {h} »" for f, h in mapping.items())
    raise InputError(
        f"aucune feuille de factures : aucune feuille n'a les colonnes "
        f"{INVOICES.describe_required()}{given} (feuilles du classeur : {names})."
    )


def _cells(rows: Sequence[Sequence[object]], index: int) -> list[object]:
    """One column of the data rows (None beyond a short row)."""
    return [row[index] if index < len(row) else None for row in rows]


@dataclass
class _Column:
    """A parsed column: value, warning ("" if none) and problem ("" if none) per data row."""

    parsed: list
    warnings: list[str]
    problems: list[str]


def _parse_column(
    rows: Sequence[Sequence[object]],
    index: int | None,
    parse: Callable[[object], values.Parsed],
) -> _Column:
    """Parse one column of the data rows (an absent column is all blank); equal cells once."""
    blank = _outcome(parse, None)
    if index is None:
        return _Column([blank[0]] * len(rows), [""] * len(rows), [""] * len(rows))
    memo: dict[tuple[type, object], tuple[object, str, str]] = {}

    def lookup(cell: object) -> tuple[object, str, str]:
        key = (cell.__class__, cell)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _outcome(parse, cell)
        return found

    outcomes = [
        blank if cell is None or cell == "" else lookup(cell) for cell in _cells(rows, index)
    ]
    return _Column(
        [outcome[0] for outcome in outcomes],
        [outcome[1] for outcome in outcomes],
        [outcome[2] for outcome in outcomes],
    )


def _outcome(parse: Callable[[object], values.Parsed], cell: object) -> tuple[object, str, str]:
    """(value, warning, problem) of one cell."""
    try:
        parsed = parse(cell)
    except values.ValueProblem as problem:
        return None, "", problem.message
    return parsed.value, parsed.warning, ""


@dataclass
class _Reading:
    """State of one reading: options, the anomalies met, client spellings."""

    month_first: bool
    date1904: bool
    anomalies: list[Anomaly] = field(default_factory=list)
    spellings: dict[str, str] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)
    _known: dict[str, str] = field(default_factory=dict)

    def error(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        """Record an erreur (the row is left out)."""
        self.anomalies.append(Anomaly(sheet, row, column, ERREUR, message))

    def warn(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        """Record an avertissement (the row is used with an assumption)."""
        self.anomalies.append(Anomaly(sheet, row, column, AVERTISSEMENT, message))

    def date(self, cell: object) -> values.Parsed[dt.date | None]:
        """A date with this workbook's date order and system."""
        return values.parse_date(cell, self.month_first, self.date1904)

    def paid(self, cell: object) -> values.Parsed[tuple[bool, dt.date | None]]:
        """A Payé cell with this workbook's date order and system."""
        return values.parse_paid(cell, self.month_first, self.date1904)

    def canonical(self, client: str) -> str:
        """The spelling used for a client (Clients sheet's, else the first met)."""
        known = self._known.get(client)
        if known is None:
            known = self._known[client] = self.spellings.setdefault(
                normalize(client) or client, client
            )
        return known

    # --- Paramètres ------------------------------------------------------------------------------

    def settings(self, sheets: Sheets) -> Settings:
        """Paramètres, or the defaults when the workbook has no such sheet."""
        name = find_sheet(sheets, SETTINGS_SHEET)
        if name is None:
            return default_settings()
        settings, anomalies = parse_settings(sheets[name], name)
        self.anomalies.extend(anomalies)
        return settings

    # --- Factures --------------------------------------------------------------------------------

    def invoices(self, grid: Grid, sheet: str, header: Header, term_days: int) -> list[dict]:
        """The usable invoice records of the sheet (see the module docstring for the rules)."""
        rows = grid[header.index + 1 :]
        col = header.columns.get
        parsers: dict[str, Callable[[object], values.Parsed]] = {
            **dict.fromkeys(_TEXT_FIELDS, values.parse_text),
            **dict.fromkeys(_MONEY_FIELDS, values.parse_amount),
            **dict.fromkeys(_DATE_FIELDS, self.date),
            "paye": self.paid,
            "litige": values.parse_flag,
        }
        columns = {name: _parse_column(rows, col(name), parse) for name, parse in parsers.items()}
        for name in ("date_facture", "echeance", "date_reglement"):
            if name in header.columns:
                self._check_date_order(
                    _cells(rows, header.columns[name]), sheet, header.label(name)
                )
        judge = _InvoiceRows(self, sheet, header, term_days, columns)
        return [record for i in range(len(rows)) if (record := judge.record(i)) is not None]

    def _check_date_order(self, cells: list[object], sheet: str, label: str) -> None:
        """Warn once when a column mixes real dates and US text dates (day/month swapped?)."""
        has_dates = any(isinstance(c, dt.date) for c in cells)
        if has_dates and any(values.is_month_first_text(c) for c in cells):
            self.warn(
                sheet,
                None,
                label,
                "colonne mêlant des dates Excel et des dates en texte au format américain "
                "(MM/JJ/AAAA) : le fichier a sans doute été ouvert avec le mauvais format ; "
                "les dates Excel dont le jour est ≤ 12 ont pu être inversées (jour et "
                "mois), vérifiez-les.",
            )

    # --- Clients ---------------------------------------------------------------------------------

    def clients(self, grid: Grid, sheet: str) -> dict[str, Client]:
        """Client key → Client from the Clients sheet (a repeated key: the first row is kept)."""
        clients: dict[str, Client] = {}
        for row in _rows(self, grid, CLIENTS, sheet):
            key = row.text("client")
            if not key:
                row.error("client", "client sans nom ; ligne ignorée.")
                continue
            if (normalize(key) or key) in self.spellings:
                first = clients[self.canonical(key)].row
                row.error(
                    "client", f"client « {key} » en double (déjà ligne {first}) ; ligne ignorée."
                )
                continue
            key = self.canonical(key)
            kind = row.choice(
                "type",
                CLIENT_TYPES,
                "un type de client",
                ClientType.PROFESSIONNEL,
                ClientType.PROFESSIONNEL,
                "professionnel",
            )
            clients[key] = Client(
                key=key,
                type=kind,
                name=row.text("raison_sociale"),
                address=row.text("adresse", multiline=True),
                postcode=row.postcode(),
                city=row.text("ville"),
                email=row.text("email"),
                phone=row.text("telephone"),
                ap_contact=row.text("contact"),
                contract_rate=row.optional("taux", values.parse_rate, "ignoré"),
                procedure=row.text("procedure") or None,
                do_not_chase=row.flag("ne_pas_relancer", True, "« ne pas relancer »"),
                watch=row.choice(
                    "suivi",
                    WATCH_WORDS,
                    "un suivi (nouveau, mauvais payeur)",
                    False,
                    False,
                    "suivi normal",
                ),
                row=row.number,
            )
        return clients

    # --- Historique and Échéanciers --------------------------------------------------------------

    def history(self, grid: Grid, sheet: str) -> tuple[HistoryEntry, ...]:
        """Historique rows in order, one entry per invoice number of the N° facture cell.

        A row without a level (a call, a note) is kept with level "": it records what was done
        without moving the escalation.
        """
        entries: list[HistoryEntry] = []
        for row in _rows(self, grid, HISTORY, sheet):
            when = row.required("date", self.date, "date")
            client = row.required("client", values.parse_text, "client") or None
            if when is None or client is None:
                continue
            level = row.optional("niveau", values.parse_level, "ligne lue comme une note") or ""
            status = row.choice(
                "statut",
                STATUS_WORDS,
                "un statut (proposé, envoyé, annulé)",
                Status.ENVOYE,
                Status.PROPOSE,
                "proposé",
            )
            common = {
                "date": when,
                "client": self.canonical(client),
                "level": level,
                "action": row.text("action"),
                "channel": row.text("canal"),
                "status": status,
                "amount": row.optional("montant", values.parse_amount, "ignoré"),
                "file": row.text("fichier"),
                "note": row.text("note", multiline=True),
                "row": row.number,
            }
            entries.extend(
                HistoryEntry(invoice=number, **common)
                for number in split_numbers(row.text("numero"))
            )
        return tuple(entries)

    def plans(self, grid: Grid, sheet: str) -> tuple[Instalment, ...]:
        """Échéanciers rows, one instalment each; an incomplete row is left out."""
        instalments: list[Instalment] = []
        for row in _rows(self, grid, PLANS, sheet):
            client = row.required("client", values.parse_text, "client") or None
            number = row.required("numero", values.parse_text, "N° facture") or None
            when = row.required("date", self.date, "date")
            amount = row.required("montant", values.parse_amount, "montant")
            if client and number and when is not None and amount is not None:
                instalments.append(
                    Instalment(self.canonical(client), number, when, amount, row.number)
                )
        return tuple(instalments)


def split_numbers(cell_text: str) -> list[str]:
    """``"F1, F2; F3"`` → ``["F1", "F2", "F3"]``; ``""`` → ``[""]`` (a client-level entry)."""
    numbers = [part.strip() for part in re.split(r"[,;\n]+", cell_text) if part.strip()]
    return numbers or [""]


def _optional_header(grid: Grid, spec: TableSpec, sheet: str) -> Header | None:
    """The header row of a small sheet; None when the sheet is empty, InputError when absent."""
    if not any(not values.is_blank(cell) for row in grid for cell in row):
        return None
    return require_header(grid, spec, sheet)


def _rows(reading: _Reading, grid: Grid, spec: TableSpec, sheet: str) -> Iterable[_Row]:
    """The non-blank data rows of a small sheet, below its header row."""
    header = _optional_header(grid, spec, sheet)
    if header is None:
        return
    for index in range(header.index + 1, len(grid)):
        row = _Row(reading, sheet, header, index + 1, grid[index])
        if not row.blank():
            yield row


@dataclass
class _Row:
    """One data row of a small sheet (Clients, Historique, Échéanciers) and its anomalies."""

    reading: _Reading
    sheet: str
    header: Header
    number: int
    cells: Sequence[object]

    def cell(self, name: str) -> object:
        """The cell of a field (None when the column is absent or the row short)."""
        index = self.header.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def blank(self) -> bool:
        """No value in any recognised column."""
        return all(values.is_blank(self.cell(name)) for name in self.header.columns)

    def label(self, name: str) -> str | None:
        """The user's header of a field, or None when the column is absent."""
        return self.header.label(name) if name in self.header.columns else None

    def error(self, name: str, message: str) -> None:
        """An erreur on this row (the row is left out)."""
        self.reading.error(self.sheet, self.number, self.label(name), message)

    def warn(self, name: str, message: str) -> None:
        """An avertissement on this row."""
        self.reading.warn(self.sheet, self.number, self.label(name), message)

    def text(self, name: str, multiline: bool = False) -> str:
        """A text cell ("" when absent or unreadable, with a warning for the latter)."""
        return self.optional(name, lambda cell: values.parse_text(cell, multiline), "ignoré") or ""

    def optional(self, name: str, parse: Callable[[object], values.Parsed], assumption: str) -> Any:
        """An optional value: unreadable → avertissement and None."""
        try:
            parsed = parse(self.cell(name))
        except values.ValueProblem as problem:
            self.warn(name, f"{problem.message} : {assumption}.")
            return None
        if parsed.warning:
            self.warn(name, f"{parsed.warning}.")
        return parsed.value

    def required(self, name: str, parse: Callable[[object], values.Parsed], what: str) -> Any:
        """A required value: absent or unreadable → erreur and None."""
        try:
            parsed = parse(self.cell(name))
        except values.ValueProblem as problem:
            self.error(name, f"{what} illisible : {problem.message} ; ligne ignorée.")
            return None
        if parsed.value is None or parsed.value == "":
            self.error(name, f"{what} absent ; ligne ignorée.")
            return None
        if parsed.warning:
            self.warn(name, f"{parsed.warning}.")
        return parsed.value

    def choice(
        self,
        name: str,
        choices: Mapping[str, T],
        what: str,
        blank: T,
        fallback: T,
        fallback_label: str,
    ) -> T:
        """A word of a vocabulary; unknown → avertissement and ``fallback``."""
        cell = self.cell(name)
        if values.is_blank(cell):
            return blank
        try:
            value = values.parse_choice(cell, choices, what).value
        except values.ValueProblem as problem:
            self.warn(name, f"{problem.message} : {fallback_label} retenu.")
            return fallback
        return blank if value is None else value

    def flag(self, name: str, fallback: bool, fallback_label: str) -> bool:
        """A yes/no cell (blank = non); unreadable → avertissement and ``fallback``."""
        try:
            return values.parse_flag(self.cell(name)).value
        except values.ValueProblem as problem:
            self.warn(name, f"{problem.message} : {fallback_label} retenu.")
            return fallback

    def postcode(self) -> str:
        """Code postal as text; a number that lost its leading zero (``1000``) gets it back."""
        code = self.text("code_postal")
        cell = self.cell("code_postal")
        if isinstance(cell, int | float) and not isinstance(cell, bool) and len(code) == 4:
            self.warn("code_postal", f"code postal {code} complété par un zéro : 0{code}.")
            return f"0{code}"
        return code


_TEXT_FIELDS = ("client", "numero", "motif_litige", "objet", "numero_commande", "commentaire")
_MONEY_FIELDS = ("montant", "montant_regle")
_DATE_FIELDS = ("date_facture", "echeance", "date_reglement", "promesse", "date_commande")
_COPIED_FIELDS = ("date_facture", "montant", "montant_regle", "motif_litige", "promesse", "objet",
                  "date_commande", "numero_commande", "commentaire")  # fmt: skip
"""Fields copied as parsed into the invoice record."""
_ERROR_FIELDS = frozenset(
    {"client", "numero", "montant", "echeance", "paye", "montant_regle", "date_reglement", "litige"}
)
"""Invoice fields whose unreadable value leaves the row out: they decide whether and how much
to chase. Other unreadable values are ignored with an avertissement."""


@dataclass
class _InvoiceRows:
    """Judges the rows of the invoice sheet from its parsed columns (one call per row)."""

    reading: _Reading
    sheet: str
    header: Header
    term_days: int
    columns: dict[str, _Column]
    kept: dict[str, int] = field(default_factory=dict)
    attention: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        self.attention = [False] * len(self.columns["client"].parsed)
        for column in self.columns.values():
            for notes in (column.problems, column.warnings):
                if any(notes):
                    self.attention = [
                        a or bool(n) for a, n in zip(self.attention, notes, strict=True)
                    ]
        self.copied = [(INVOICE_FIELDS[name], self.columns[name].parsed) for name in _COPIED_FIELDS]
        if "echeance" not in self.header.columns:
            self.reading.warn(
                self.sheet,
                None,
                self.label("date_facture"),
                f"pas de colonne {INVOICES.labels['echeance']} : échéance = date "
                f"facture + {self.term_days} jours pour toutes les factures.",
            )

    def label(self, name: str) -> str:
        """The user's header of a field (the template's when the column is absent)."""
        return self.header.label(name) if name in self.header.columns else INVOICES.labels[name]

    def value(self, name: str, i: int) -> object:
        """Parsed value of a field on data row ``i`` (None when absent or unreadable)."""
        return self.columns[name].parsed[i]

    def present(self, name: str, i: int) -> bool:
        """The cell holds something (readable or not)."""
        column = self.columns[name]
        return column.parsed[i] not in (None, "") or bool(column.problems[i])

    def record(self, i: int) -> dict[str, object] | None:
        """The invoice record of data row ``i``, or None (skipped or left out)."""
        row = self.header.index + 2 + i
        client, number = self.value("client", i) or "", self.value("numero", i) or ""
        has_amount = self.present("montant", i)
        has_date = self.present("echeance", i) or self.present("date_facture", i)
        if self._skipped(client, number, has_amount, has_date):
            return None
        errors, warnings = self._problems(i)
        for name, what, present in (
            ("client", "client", client),
            ("numero", "N° facture", number),
            ("montant", "montant", has_amount),
        ):
            if not present and not self.columns[name].problems[i]:
                errors.append((name, f"{what} absent"))
        due, issued = self.value("echeance", i), self.value("date_facture", i)
        if due is None and not self.columns["echeance"].problems[i]:
            if issued is None:
                errors.append(self._no_date(i))
            else:
                due = issued + dt.timedelta(days=self.term_days)
                if "echeance" in self.header.columns:
                    warnings.append(
                        (
                            "echeance",
                            f"échéance absente : date facture + "
                            f"{self.term_days} jours, soit le {fr.date_short(due)}",
                        )
                    )
        if not errors and number in self.kept:
            errors.append(
                ("numero", f"N° facture « {number} » en double (déjà ligne {self.kept[number]})")
            )
        if errors:
            for name, message in errors:
                self.reading.error(
                    self.sheet, row, self.label(name), f"{message} ; facture ignorée."
                )
            return None
        self.kept[number] = row
        warnings.extend(self._checks(i, due, issued))
        for name, message in warnings:
            self.reading.warn(self.sheet, row, self.label(name), f"{message}.")
        return self._make(i, row, client, number, due)

    def _skipped(self, client: str, number: str, has_amount: bool, has_date: bool) -> bool:
        """Blank, totals, notes and repeated header rows: no invoice and no anomaly."""
        if not client and not number:
            return not (has_amount and has_date)
        if (not number and _is_total(client)) or (not client and _is_total(number)):
            return True
        if (not client or not number) and not has_amount and not has_date:
            return True
        return client == self.label("client") and number == self.label("numero")

    def _problems(self, i: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Unreadable cells (erreurs or ignored values) and parser warnings of row ``i``."""
        errors: list[tuple[str, str]] = []
        warnings: list[tuple[str, str]] = []
        if not self.attention[i]:
            return errors, warnings
        for name, column in self.columns.items():
            problem = column.problems[i]
            if problem and name in _ERROR_FIELDS:
                errors.append((name, f"{self.label(name)} illisible : {problem}"))
            elif problem and not (name == "date_facture" and self.value("echeance", i) is None):
                warnings.append((name, f"{self.label(name)} illisible : {problem} ; ignoré"))
            if column.warnings[i]:
                warnings.append((name, column.warnings[i]))
        return errors, warnings

    def _no_date(self, i: int) -> tuple[str, str]:
        """The erreur of a row without a usable date."""
        problem = self.columns["date_facture"].problems[i]
        if problem:
            return "date_facture", (
                f"{self.label('date_facture')} illisible ({problem}) et "
                "échéance absente : aucune date utilisable"
            )
        name = "echeance" if "echeance" in self.header.columns else "date_facture"
        return name, "ni échéance ni date facture"

    def _checks(self, i: int, due: dt.date, issued: dt.date | None) -> list[tuple[str, str]]:
        """Consistency warnings of a kept row."""
        warnings = []
        if issued is not None and due < issued:
            warnings.append(
                (
                    "echeance",
                    f"échéance ({fr.date_short(due)}) antérieure à la date "
                    f"facture ({fr.date_short(issued)}) : dates prises telles quelles, "
                    "vérifiez-les",
                )
            )
        amount, settled = self.value("montant", i), self.value("montant_regle", i)
        if settled is not None and amount is not None and amount > 0 and settled > amount:
            warnings.append(
                (
                    "montant_regle",
                    f"montant réglé ({fr.amount(settled)}) supérieur "
                    f"au montant ({fr.amount(amount)})",
                )
            )
        return warnings

    def _make(self, i: int, row: int, client: str, number: str, due: dt.date) -> dict[str, object]:
        """The record given to invoices.invoice_frame."""
        client = self.reading.canonical(client)
        self.reading.first_rows.setdefault(client, row)
        paid, paid_on = self.value("paye", i) or (False, None)
        record: dict[str, object] = {key: parsed[i] for key, parsed in self.copied}
        record.update(
            client=client,
            number=number,
            due_date=due,
            paid=paid,
            payment_date=self.value("date_reglement", i) or paid_on,
            disputed=bool(self.value("litige", i)),
            sheet=self.sheet,
            row=row,
        )
        return record


def _is_total(text: str) -> bool:
    """``Total``, ``TOTAL``, ``Sous-total``, ``Total · 20 customers``: a totals label."""
    return bool(_TOTAL.match(normalize(text)))
