"""Columns: field names, header synonyms (French and English), header-row detection, mapping.

A header matches a field when its *key* (:func:`header_key`: ``text.normalize`` without spaces)
equals the key of one of the field's synonyms, so ``Due Date``, ``DueDate`` and ``due_date`` are
the same header. ``Status`` is deliberately not a synonym of *Payé* (its words — Overdue,
Financed, open… — say nothing reliable about payment): map it explicitly if it is one.

An explicit mapping (field → header text: ``ReadOptions.columns``, then the Colonnes table of
Paramètres) wins over the synonyms; a mapping naming a header absent from the header row is a
fatal :class:`~relance_xl.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from relance_xl.errors import InputError
from relance_xl.text import normalize
from relance_xl.values import is_blank

HEADER_SEARCH_ROWS = 30
"""The header row is looked for in the first rows of a sheet (titles and notes above it)."""

INVOICE_FIELDS: dict[str, str] = {
    "client": "client",
    "numero": "number",
    "date_facture": "invoice_date",
    "echeance": "due_date",
    "montant": "amount",
    "paye": "paid",
    "montant_regle": "paid_amount",
    "date_reglement": "payment_date",
    "litige": "disputed",
    "motif_litige": "dispute_reason",
    "promesse": "promise_date",
    "objet": "subject",
    "date_commande": "order_date",
    "numero_commande": "order_ref",
    "commentaire": "comment",
}
"""Field of the Factures sheet (French, as in ``--colonne``) → column of the invoice frame."""

FIELDS: tuple[str, ...] = tuple(INVOICE_FIELDS)


@dataclass(frozen=True)
class TableSpec:
    """The columns of one input sheet.

    Attributes:
        labels: field → canonical header (the template's, used in messages).
        synonyms: field → other headers meaning the same, French and English.
        required: groups of fields; the header row has at least one field of each group.
    """

    labels: Mapping[str, str]
    synonyms: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]
    lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for name, label in self.labels.items():
            for header in (label, name, *self.synonyms.get(name, ())):
                lookup.setdefault(header_key(header), name)
        object.__setattr__(self, "lookup", lookup)

    def field_of(self, header: object) -> str | None:
        """The field a header text stands for, or None."""
        return self.lookup.get(header_key(header)) if isinstance(header, str) else None

    def describe_required(self) -> str:
        """``Client, N° facture, Montant TTC et Échéance ou Date facture``."""
        groups = [" ou ".join(self.labels[f] for f in group) for group in self.required]
        return ", ".join(groups[:-1]) + " et " + groups[-1] if len(groups) > 1 else groups[0]


def header_key(text: str) -> str:
    """``"Date d'échéance"`` → ``"datedecheance"``; ``Due Date``, ``due_date`` → ``"duedate"``."""
    return normalize(text).replace(" ", "")


INVOICES = TableSpec(
    labels={
        "client": "Client",
        "numero": "N° facture",
        "date_facture": "Date facture",
        "echeance": "Échéance",
        "montant": "Montant TTC",
        "paye": "Payé",
        "montant_regle": "Montant réglé",
        "date_reglement": "Date de règlement",
        "litige": "Litige",
        "motif_litige": "Motif du litige",
        "promesse": "Promesse de paiement",
        "objet": "Objet",
        "date_commande": "Date du devis",
        "numero_commande": "N° de commande",
        "commentaire": "Commentaire",
    },
    synonyms={
        "client": (
            "Nom du client", "Nom client", "Client final", "Débiteur", "Raison sociale",
            "Customer", "Customer name", "CustomerID", "Customer ID", "Client name", "Contact",
            "Account", "Account name",
        ),
        "numero": (
            "Facture", "N°", "Nº facture", "No facture", "N° de facture", "Numéro",
            "Numéro facture", "Numéro de facture", "Num facture", "Réf facture",
            "Référence facture", "N° pièce", "Pièce", "Invoice", "Invoice #", "Invoice no",
            "Invoice number", "Invoice id", "Invoice ref no", "Document number",
        ),
        "date_facture": (
            "Date", "Date de facture", "Date de la facture", "Date d'émission", "Date émission",
            "Date pièce", "Facturé le", "Invoice date", "Issue date", "Document date",
        ),
        "echeance": (
            "Date d'échéance", "Date échéance", "Échéance de paiement", "Date de règlement prévu",
            "Date de règlement prévue", "Date règlement prévu", "Date limite de paiement",
            "Date limite", "À payer avant le", "Due date", "Due", "Payment due date",
        ),
        "montant": (
            "Montant", "Montant dû", "Montant dû TTC", "Montant TTC (€)", "Montant facture",
            "Montant de la facture", "Montant total", "Total TTC", "Total", "Invoice amount",
            "Amount", "Amount due", "Total amount",
        ),
        "paye": (
            "Payée", "Réglé", "Réglée", "Réglé ?", "Payé ?", "Payé oui ou non", "Payé (oui/non)",
            "Paid", "Is paid",
        ),
        "montant_regle": (
            "Montant payé", "Déjà réglé", "Montant encaissé", "Acompte", "Acomptes",
            "Règlement partiel", "Paid amount", "Amount paid", "Payment amount",
        ),
        "date_reglement": (
            "Date règlement", "Date de paiement", "Date paiement", "Date d'encaissement",
            "Payé le", "Réglé le", "Settled date", "Payment date", "Paid date", "Date paid",
        ),
        "litige": ("En litige", "Contestation", "Contesté", "Disputed", "Dispute", "In dispute"),
        "motif_litige": (
            "Motif litige", "Raison du litige", "Objet du litige", "Dispute reason",
        ),
        "promesse": (
            "Promesse", "Date promise", "Paiement promis le", "Promis le", "Promise date",
            "Promised date", "Promise to pay",
        ),
        "objet": (
            "Description", "Nature", "Nature de la prestation", "Désignation", "Libellé",
            "Prestation", "Subject",
        ),
        "date_commande": (
            "Date devis", "Date de commande", "Date commande", "Date du bon de commande",
            "Order date", "Quote date",
        ),
        "numero_commande": (
            "N° commande", "Numéro de commande", "Bon de commande", "N° BC", "Commande",
            "Order number", "PO number", "Purchase order",
        ),
        "commentaire": (
            "Commentaires", "Remarque", "Remarques", "Note", "Notes", "Observations", "Comment",
            "Comments",
        ),
    },
    required=(("client",), ("numero",), ("montant",), ("echeance", "date_facture")),
)  # fmt: skip

CLIENTS = TableSpec(
    labels={
        "client": "Client",
        "type": "Type",
        "raison_sociale": "Raison sociale",
        "adresse": "Adresse",
        "code_postal": "Code postal",
        "ville": "Ville",
        "email": "Email",
        "telephone": "Téléphone",
        "contact": "Contact comptabilité",
        "taux": "Taux contractuel",
        "procedure": "Procédure",
        "ne_pas_relancer": "Ne pas relancer",
        "suivi": "Suivi",
    },
    synonyms={
        "client": ("Nom du client", "Nom client", "Customer", "Clé", "Code client"),
        "type": ("Type de client", "Catégorie", "Type client"),
        "raison_sociale": ("Nom", "Société", "Dénomination", "Company", "Name"),
        "adresse": ("Adresse postale", "Address", "Rue"),
        "code_postal": ("CP", "Postcode", "Zip", "Zip code", "Postal code"),
        "ville": ("Commune", "City"),
        "email": ("E-mail", "Mail", "Courriel", "Adresse email", "Adresse e-mail"),
        "telephone": ("Tél", "Tél.", "Téléphone", "Tel", "Phone", "Portable"),
        "contact": (
            "Contact comptabilité fournisseurs", "Contact compta", "Contact", "Interlocuteur",
        ),
        "taux": (
            "Taux de pénalité contractuel", "Taux de pénalité", "Taux de pénalités",
            "Taux contractuel (%)", "Taux",
        ),
        "procedure": ("Procédure de relance",),
        "ne_pas_relancer": ("Ne plus relancer", "Pas de relance", "Bloqué", "Do not chase"),
        "suivi": ("Surveillance", "À surveiller"),
    },
    required=(("client",),),
)  # fmt: skip

HISTORY = TableSpec(
    labels={
        "date": "Date",
        "client": "Client",
        "numero": "N° facture",
        "niveau": "Niveau",
        "action": "Action",
        "canal": "Canal",
        "statut": "Statut",
        "montant": "Montant réclamé",
        "fichier": "Fichier",
        "note": "Note",
    },
    synonyms={
        "date": ("Date de la relance", "Date relance", "Le"),
        "client": ("Nom du client",),
        "numero": ("N° factures", "Factures", "Facture", "Numéro de facture", "N° de facture"),
        "niveau": ("Niveau de relance", "Étape"),
        "canal": ("Moyen", "Mode"),
        "statut": ("État", "Etat"),
        "montant": ("Montant", "Montant relancé"),
        "fichier": ("Document", "Courrier"),
        "note": ("Notes", "Commentaire", "Remarque"),
    },
    required=(("date",), ("client",)),
)  # fmt: skip

PLANS = TableSpec(
    labels={"client": "Client", "numero": "N° facture", "date": "Date", "montant": "Montant"},
    synonyms={
        "numero": ("Facture", "Numéro de facture", "N° de facture"),
        "date": ("Date d'échéance", "Échéance", "Date prévue"),
        "montant": ("Montant de l'échéance", "Montant TTC", "Montant dû"),
    },
    required=(("client",), ("numero",), ("date",), ("montant",)),
)


@dataclass(frozen=True, slots=True)
class Header:
    """A header row found in a grid.

    Attributes:
        index: 0-based index of the header row in the grid (Excel row = index + 1).
        columns: field → 0-based column index.
        texts: the header row's cells as text ("" for empty cells).
    """

    index: int
    columns: dict[str, int]
    texts: tuple[str, ...]

    @property
    def excel_row(self) -> int:
        """The header's row number as Excel shows it."""
        return self.index + 1

    def label(self, field: str) -> str:
        """The user's header text of a field's column."""
        return self.texts[self.columns[field]]


def resolve_mapping(*mappings: Mapping[str, str]) -> dict[str, str]:
    """Merge explicit mappings (field → header), earlier ones winning; field names checked.

    A field is named as in ``--colonne`` (``date_facture``, ``Date facture``) or by its template
    header (``N° facture``).
    """
    known = {header_key(label): name for name, label in INVOICES.labels.items()}
    known.update({header_key(name): name for name in FIELDS})
    merged: dict[str, str] = {}
    for mapping in mappings:
        for given, header in mapping.items():
            name = known.get(header_key(given))
            if name is None:
                fields = ", ".join(FIELDS)
                raise InputError(f"champ de colonne inconnu « {given} » (champs : {fields}).")
            if header.strip():
                merged.setdefault(name, header.strip())
    return merged


def match_row(row: Sequence[object], spec: TableSpec, mapping: Mapping[str, str]) -> dict[str, int]:
    """Fields recognised in one row: mapped headers first, then synonyms (first column wins)."""
    keys = [header_key(c) if isinstance(c, str) else "" for c in row]
    columns: dict[str, int] = {}
    for name, header in mapping.items():
        key = header_key(header)
        if key and key in keys:
            columns[name] = keys.index(key)
    used = set(columns.values())
    for index, cell in enumerate(row):
        name = spec.field_of(cell) if keys[index] else None
        if name and name not in columns and name not in mapping and index not in used:
            columns[name] = index
            used.add(index)
    return columns


def _complete(columns: Mapping[str, int], spec: TableSpec) -> bool:
    return all(any(name in columns for name in group) for group in spec.required)


def find_header(
    grid: Sequence[Sequence[object]],
    spec: TableSpec,
    mapping: Mapping[str, str] | None = None,
    max_rows: int = HEADER_SEARCH_ROWS,
) -> Header | None:
    """The first row among the first ``max_rows`` holding every required field, or None."""
    mapping = mapping or {}
    for index, row in enumerate(grid[:max_rows]):
        columns = match_row(row, spec, mapping)
        if _complete(columns, spec) and all(name in columns for name in mapping):
            return Header(index, columns, _texts(row))
    return None


def require_header(
    grid: Sequence[Sequence[object]],
    spec: TableSpec,
    sheet: str,
    mapping: Mapping[str, str] | None = None,
) -> Header:
    """:func:`find_header`, or an InputError naming what is missing and the headers found."""
    mapping = mapping or {}
    header = find_header(grid, spec, mapping)
    if header is not None:
        return header
    rows = grid[:HEADER_SEARCH_ROWS]
    if all(is_blank(cell) for row in rows for cell in row):
        raise InputError(f"la feuille « {sheet} » est vide.")
    best = max(rows, key=lambda row: (len(match_row(row, spec, mapping)), len(_texts(row))))
    found = match_row(best, spec, mapping)
    headers = ", ".join(f"« {t} »" for t in _texts(best) if t) or "aucun"
    absent_mapped = [f for f in mapping if f not in found]
    if absent_mapped:
        name = absent_mapped[0]
        raise InputError(
            f"colonne « {mapping[name]} » (champ {name}) introuvable dans la feuille "
            f"« {sheet} » ; en-têtes trouvés : {headers}."
        )
    missing = [
        " ou ".join(spec.labels[f] for f in group)
        for group in spec.required
        if not any(f in found for f in group)
    ]
    raise InputError(
        f"{'colonnes' if len(missing) > 1 else 'colonne'} {', '.join(missing)} "
        f"{'introuvables' if len(missing) > 1 else 'introuvable'} dans la feuille « {sheet} » "
        f"(attendu : {spec.describe_required()}) ; en-têtes trouvés : {headers}."
    )


def _texts(row: Sequence[object]) -> tuple[str, ...]:
    return tuple(c.strip() if isinstance(c, str) else "" for c in row)
