"""The data model of relance_xl: plain immutable values, shared by every module.

The pure core (money, dates, aged balance, penalties, escalation) works on these types and on the
invoice frame described in :data:`INVOICE_COLUMNS`; adapters (files, Excel, letters, CLI) turn the
outside world into them and back. Nothing here reads a file or the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

import pandas as pd


class ClientType(StrEnum):
    """Type de débiteur: drives the procedure, the penalties and the tone of the letters."""

    PARTICULIER = "particulier"
    PROFESSIONNEL = "professionnel"
    ADMINISTRATION = "administration"


class Severity(StrEnum):
    """Gravité d'une anomalie: ``erreur`` leaves the row out, ``avertissement`` keeps it."""

    ERREUR = "erreur"
    AVERTISSEMENT = "avertissement"


class Status(StrEnum):
    """Statut d'une ligne d'Historique."""

    PROPOSE = "proposé"
    ENVOYE = "envoyé"
    ANNULE = "annulé"


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A row (or cell) that could not be used as is.

    Attributes:
        sheet: sheet name (or file name for a CSV).
        row: row number as Excel shows it (1-based), or None for a whole-sheet problem.
        column: header text of the column concerned, or None.
        severity: ``erreur`` (row left out) or ``avertissement`` (row used with an assumption).
        message: French, for the user.
    """

    sheet: str
    row: int | None
    column: str | None
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        """JSON shape used by ``relance-xl verifier --json``."""
        return {
            "feuille": self.sheet,
            "ligne": self.row,
            "colonne": self.column,
            "gravite": str(self.severity),
            "message": self.message,
        }


# The invoice frame: one pandas DataFrame row per usable invoice, produced by the reader and read
# by the core. Money columns are exact integer cents (int64) so that sums and penalties are
# vectorised *and* exact; they become Decimal at every boundary (see relance_xl.money).
# Date columns are datetime64 (NaT when absent); text columns are Python str ("" when absent).
INVOICE_COLUMNS: dict[str, str] = {
    "client": "clé du client (texte, comme dans la feuille Clients)",
    "number": "N° facture (texte)",
    "invoice_date": "Date facture (datetime64, NaT si absente)",
    "due_date": "Échéance (datetime64, toujours présente)",
    "amount": "Montant TTC en centimes (int64, négatif pour un avoir)",
    "paid_amount": "Montant réglé en centimes (int64, 0 si absent)",
    "paid": "Payé sans date connue (bool)",
    "payment_date": "Date de règlement complet (datetime64, NaT si absente)",
    "disputed": "Litige (bool)",
    "dispute_reason": "motif du litige (texte)",
    "promise_date": "Promesse de paiement (datetime64, NaT si absente)",
    "subject": "Objet / nature de la prestation (texte)",
    "order_date": "Date du devis / de la commande (datetime64, NaT si absente)",
    "order_ref": "N° de commande (texte)",
    "comment": "Commentaire (texte)",
    "sheet": "feuille d'origine (texte)",
    "row": "ligne Excel d'origine (int64)",
}


@dataclass(frozen=True, slots=True)
class Client:
    """One row of the Clients sheet.

    Attributes:
        key: the name used in the Factures sheet (Client).
        type: particulier / professionnel / administration (default professionnel).
        name: raison sociale for the letters (defaults to key).
        address, postcode, city: postal address.
        email, phone: contact.
        ap_contact: contact comptabilité fournisseurs.
        contract_rate: taux de pénalité contractuel, in percent per year (e.g. Decimal("15")).
        procedure: name of a procedure overriding the one of the type.
        do_not_chase: *ne pas relancer*.
        watch: *nouveau* or *mauvais payeur*: preventive calls P1/P2 apply.
        row: Excel row of the Clients sheet (0 when the client is not in the sheet).
    """

    key: str
    type: ClientType = ClientType.PROFESSIONNEL
    name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    ap_contact: str = ""
    contract_rate: Decimal | None = None
    procedure: str | None = None
    do_not_chase: bool = False
    watch: bool = False
    row: int = 0

    @property
    def display_name(self) -> str:
        """Raison sociale if given, else the key."""
        return self.name or self.key


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One row of the Historique sheet: what was really done (or proposed) for one invoice.

    Attributes:
        date: date of the step.
        client: client key.
        invoice: N° facture ("" for a client-level note).
        level: "P1", "P2", "1" … "n".
        action, channel: as in the procedure.
        status: proposé / envoyé / annulé.
        amount: montant réclamé (Decimal) or None.
        file: document produced.
        note: free text.
        row: Excel row in Historique.
    """

    date: dt.date
    client: str
    invoice: str
    level: str
    action: str = ""
    channel: str = ""
    status: Status = Status.ENVOYE
    amount: Decimal | None = None
    file: str = ""
    note: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class ProcedureLevel:
    """One level of a procédure de relance.

    Attributes:
        level: "P1", "P2", "1" … "n".
        action: French label (e.g. "relance amiable").
        channel: téléphone / email / courrier / recommandé AR / dossier.
        delay_days: days after the reference (negative for P2: before the due date).
        reference: "facture" (invoice date), "échéance" (due date) or "précédente"
            (actual date of the previous step in Historique).
        template: letter template name (without .docx), or "" when none.
    """

    level: str
    action: str
    channel: str
    delay_days: int
    reference: str
    template: str = ""

    @property
    def preventive(self) -> bool:
        """Appel préventif (P1, P2): before the due date, only for watched clients."""
        return self.level.upper().startswith("P")


@dataclass(frozen=True, slots=True)
class Procedure:
    """An ordered list of levels, for a client type or a named override."""

    name: str
    levels: tuple[ProcedureLevel, ...]


@dataclass(frozen=True, slots=True)
class Creditor:
    """The creditor (the user's business), from Paramètres; printed on every letter."""

    name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    siren: str = ""
    signatory: str = ""
    email: str = ""
    phone: str = ""
    iban: str = ""
    bic: str = ""


SMTP_SECURITY: dict[str, str] = {
    "starttls": "starttls",
    "ssl": "ssl",
    "ssl tls": "ssl",
    "smtps": "ssl",
    "aucune": "aucune",
    "aucun": "aucune",
    "non": "aucune",
}
"""Paramètres wording (normalised) → the three ways of connecting."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """SMTP server for ``--envoyer``. The password is never stored: it comes from an environment
    variable named by ``password_env``."""

    host: str = ""
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" or "aucune"
    user: str = ""
    password_env: str = "RELANCE_SMTP_MOT_DE_PASSE"
    sender: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Paramètres: every number the user can change.

    Attributes:
        creditor: who writes the letters.
        default_term_days: délai de paiement par défaut (échéance absente = date facture + N jours).
        minimum_amount: montant minimum à relancer.
        preventive_for_all: appels préventifs pour tous les clients.
        contract_rate: taux contractuel global (percent per year), or None for the legal rate.
        procedures: procedure name → Procedure; names "professionnel", "particulier",
            "administration" are the defaults per client type.
        columns: explicit column mapping, field → header text (see relance_xl.columns).
        rates: rate overrides, (series, half-year "2026S2") → percent.
        output_folder: where letters go ("" = a Courriers folder beside the workbook).
        templates_folder: the user's own letter templates ("" = the bundled ones).
        smtp: SMTP settings.
    """

    creditor: Creditor = field(default_factory=Creditor)
    default_term_days: int = 30
    minimum_amount: Decimal = Decimal("10.00")
    preventive_for_all: bool = False
    contract_rate: Decimal | None = None
    procedures: dict[str, Procedure] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    rates: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    output_folder: str = ""
    templates_folder: str = ""
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


@dataclass(frozen=True, slots=True)
class Instalment:
    """One instalment of an échéancier (payment plan), from the optional Échéanciers sheet.

    A plan is *honoured* at a date when the invoice's Montant réglé covers every instalment due on
    or before that date; an honoured plan suspends the chasing of its invoice.
    """

    client: str
    invoice: str
    date: dt.date
    amount: Decimal
    row: int = 0


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice as a letter or an action shows it, amounts in Decimal, at the action's date."""

    number: str
    invoice_date: dt.date | None
    due_date: dt.date
    amount: Decimal
    paid_amount: Decimal
    outstanding: Decimal
    days_late: int
    interest: Decimal
    fee: Decimal
    subject: str = ""
    order_date: dt.date | None = None
    order_ref: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    """The next step for one client: what the secretary does today (or this week).

    Attributes:
        client: client key.
        level, action, channel, template: from the procedure level.
        planned_date: date prévue (moved to the next working day).
        state: "à faire" (due on or before the run date), "à venir" (in the next 7 days),
            "à transmettre" (after the last level: final).
        invoices: every overdue invoice of the client in this step.
        amount_due: sum of the outstanding amounts (credit notes netted).
        interest, fee: penalties to date (sum over the invoices).
        email, phone, ap_contact: how to reach the client.
        call_guide: short call guide for phone steps (empty otherwise).
    """

    client: str
    level: str
    action: str
    channel: str
    planned_date: dt.date
    state: str
    invoices: tuple[InvoiceLine, ...]
    amount_due: Decimal
    interest: Decimal
    fee: Decimal
    template: str = ""
    email: str = ""
    phone: str = ""
    ap_contact: str = ""
    call_guide: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        """Principal + interest + fee."""
        return self.amount_due + self.interest + self.fee


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a workbook: from the CLI options or the Excel caller.

    Attributes:
        sheet: the invoice sheet's name (None: ``Factures`` or the first sheet with the columns).
        columns: explicit mapping field → header text (fields: see relance_xl.columns.FIELDS);
            it wins over the Colonnes table of Paramètres, which wins over the synonyms.
        date_format: "JJ/MM/AAAA" (default, day first) or "MM/JJ/AAAA" (US files); ISO dates
            (AAAA-MM-JJ) are always understood.
    """

    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str = "JJ/MM/AAAA"


@dataclass(frozen=True)
class Ledger:
    """Everything read from one workbook (or CSV): the input of every computation.

    Attributes:
        invoices: the invoice frame (columns: INVOICE_COLUMNS), usable rows only.
        clients: client key → Client (every client of the invoices has one: defaults when the
            Clients sheet lacks it).
        settings: Paramètres.
        history: Historique rows, in sheet order.
        instalments: Échéanciers rows.
        anomalies: every row or cell that could not be used as is.
        source: the file's name, for messages.
        invoice_sheet: the sheet the invoices came from.
    """

    invoices: pd.DataFrame
    clients: dict[str, Client]
    settings: Settings
    history: tuple[HistoryEntry, ...] = ()
    instalments: tuple[Instalment, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    source: str = ""
    invoice_sheet: str = ""
