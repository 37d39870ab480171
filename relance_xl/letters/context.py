"""What a letter template can say: an Action and its surroundings → the template's context.

Every name a template may use is documented here, and only here (:data:`VARIABLES` and the
field docs of the ``…View`` classes; :func:`documentation` lists them all, for the README and for
users writing their own templates). Names are French because users read and edit them in Word;
values stay raw (``Decimal``, ``date``) and the templates format them with the French filters of
:mod:`relance_xl.letters.render` (``{{ total|montant }}``, ``{{ date|date_longue }}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal

from relance_xl import fr
from relance_xl.model import (
    Action,
    Client,
    ClientType,
    Creditor,
    HistoryEntry,
    Instalment,
    InvoiceLine,
    Status,
)
from relance_xl.procedures import MISE_EN_DEMEURE_DEADLINE_DAYS
from relance_xl.text import normalize

EMAIL, PHONE, POST, REGISTERED, FILE = "email", "téléphone", "courrier", "recommandé AR", "dossier"
_CHANNELS = {
    "email": EMAIL, "e mail": EMAIL, "mail": EMAIL, "courriel": EMAIL,
    "telephone": PHONE, "tel": PHONE, "appel": PHONE,
    "courrier": POST, "lettre": POST, "lettre simple": POST,
    "recommande ar": REGISTERED, "recommande": REGISTERED, "lrar": REGISTERED,
    "lettre recommandee": REGISTERED, "recommande avec ar": REGISTERED,
}  # fmt: skip


def channel_kind(channel: str) -> str:
    """The canal of a procedure level as typed in Paramètres (``E-mail``, ``Téléphone``,
    ``LRAR``…) → one of email, téléphone, courrier, recommandé AR; anything else is a
    document (``dossier``)."""
    return _CHANNELS.get(normalize(channel), FILE)


def _doc(text: str) -> dict[str, str]:
    """Metadata of a dataclass field: its French documentation."""
    return {"doc": text}


@dataclass(frozen=True, slots=True)
class CreditorView:
    """``creancier``: the user's business, who signs the letters."""

    nom: str = field(metadata=_doc("raison sociale du créancier"))
    adresse: str = field(metadata=_doc("adresse (rue), sur une ou plusieurs lignes"))
    code_postal: str = field(metadata=_doc("code postal"))
    ville: str = field(metadata=_doc("ville"))
    siren: str = field(metadata=_doc("numéro SIREN"))
    signataire: str = field(metadata=_doc("nom et qualité du signataire"))
    email: str = field(metadata=_doc("adresse électronique"))
    telephone: str = field(metadata=_doc("téléphone"))
    iban: str = field(metadata=_doc("IBAN pour le virement"))
    bic: str = field(metadata=_doc("BIC"))


@dataclass(frozen=True, slots=True)
class ClientView:
    """``client``: the debtor."""

    cle: str = field(metadata=_doc("nom du client tel qu'il figure dans la feuille Factures"))
    nom: str = field(metadata=_doc("raison sociale (ou, à défaut, le nom de la feuille Factures)"))
    type: str = field(metadata=_doc("particulier, professionnel ou administration"))
    professionnel: bool = field(
        metadata=_doc("vrai pour un client professionnel (pénalités L441-10 + 40 €)")
    )
    particulier: bool = field(
        metadata=_doc("vrai pour un particulier (ni pénalités L441-10 ni 40 €)")
    )
    administration: bool = field(
        metadata=_doc("vrai pour un acheteur public (Chorus Pro, intérêts moratoires)")
    )
    adresse: str = field(metadata=_doc("adresse (rue), sur une ou plusieurs lignes"))
    code_postal: str = field(metadata=_doc("code postal"))
    ville: str = field(metadata=_doc("ville"))
    email: str = field(metadata=_doc("adresse électronique"))
    telephone: str = field(metadata=_doc("téléphone"))
    contact: str = field(metadata=_doc("contact comptabilité fournisseurs"))


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """One element of ``factures``: an overdue invoice at the date of the letter."""

    numero: str = field(metadata=_doc("N° de facture"))
    date: dt.date | None = field(metadata=_doc("date de la facture (peut être vide)"))
    echeance: dt.date = field(metadata=_doc("date d'échéance"))
    montant: Decimal = field(metadata=_doc("montant TTC"))
    deja_regle: Decimal = field(metadata=_doc("montant déjà réglé"))
    reste_du: Decimal = field(metadata=_doc("reste dû"))
    jours_retard: int = field(metadata=_doc("jours de retard à la date du courrier"))
    interets: Decimal = field(
        metadata=_doc("pénalités ou intérêts de retard à la date du courrier")
    )
    indemnite: Decimal = field(
        metadata=_doc("indemnité forfaitaire pour frais de recouvrement (40 € ou 0)")
    )
    objet: str = field(metadata=_doc("nature des biens ou services (colonne Objet)"))
    date_commande: dt.date | None = field(
        metadata=_doc("date du devis ou de la commande (peut être vide)")
    )
    ref_commande: str = field(metadata=_doc("N° de commande"))


@dataclass(frozen=True, slots=True)
class StepView:
    """One element of ``historique``: a step of the procedure already done (statut envoyé)."""

    date: dt.date = field(metadata=_doc("date de la démarche"))
    niveau: str = field(metadata=_doc("niveau de relance (1, 2…)"))
    action: str = field(metadata=_doc("action (relance amiable, mise en demeure…)"))
    canal: str = field(metadata=_doc("canal (téléphone, email, courrier, recommandé AR…)"))
    factures: str = field(metadata=_doc("N° des factures concernées, séparés par des virgules"))
    montant: Decimal | None = field(metadata=_doc("montant réclamé (peut être vide)"))
    fichier: str = field(metadata=_doc("document produit (peut être vide)"))
    note: str = field(metadata=_doc("note libre"))


@dataclass(frozen=True, slots=True)
class EventView:
    """One element of ``chronologie``: every dated fact of the file, oldest first."""

    date: dt.date = field(metadata=_doc("date de l'événement"))
    libelle: str = field(metadata=_doc("ce qui s'est passé, en une phrase"))
    facture: str = field(metadata=_doc("N° de facture concerné (vide pour une démarche globale)"))


@dataclass(frozen=True, slots=True)
class InstalmentView:
    """One element of ``echeancier``: an agreed instalment of a payment plan."""

    date: dt.date = field(metadata=_doc("date de l'échéance du plan"))
    montant: Decimal = field(metadata=_doc("montant de l'échéance"))
    facture: str = field(metadata=_doc("N° de facture réglée par cette échéance"))


VARIABLES: dict[str, str] = {
    "date": "date du courrier (date de calcul)",
    "lieu": "ville du créancier, pour « Lyon, le 23 novembre 2026 »",
    "creancier": "le créancier (voir creancier.*)",
    "client": "le débiteur (voir client.*)",
    "niveau": "niveau de relance de ce courrier",
    "action": "action de la procédure (ex. « mise en demeure »)",
    "canal": "canal de la procédure (email, courrier, recommandé AR, dossier)",
    "recommande": "vrai si le courrier part en recommandé avec accusé de réception",
    "factures": "factures en retard de ce client (voir factures[].*)",
    "numeros": "N° des factures, séparés par des virgules",
    "prestations": "nature des biens ou services facturés (objets des factures, sans doublon)",
    "montant_du": "principal : total des restes dus (avoirs déduits)",
    "interets": "pénalités ou intérêts de retard à ce jour (total)",
    "indemnite": "indemnités forfaitaires pour frais de recouvrement (total)",
    "total": "principal + intérêts + indemnités",
    "taux_contractuel": "taux de pénalité contractuel en % par an, ou vide (taux légal)",
    "delai_jours": "délai laissé au débiteur, en jours (8)",
    "date_butoir": "date du courrier + délai_jours (date limite de paiement)",
    "historique": "démarches déjà faites, la plus ancienne d'abord (voir historique[].*)",
    "chronologie": "tous les faits datés du dossier (voir chronologie[].*)",
    "echeancier": "échéances du plan de paiement convenu (voir echeancier[].*)",
    "echeancier_total": "total des échéances du plan",
    "pieces": "pièces justificatives à joindre au dossier (liste de phrases)",
}
"""Top-level names of the context, in French, in the order of the documentation."""

VIEWS: dict[str, type] = {
    "creancier": CreditorView,
    "client": ClientView,
    "factures": InvoiceView,
    "historique": StepView,
    "chronologie": EventView,
    "echeancier": InstalmentView,
}
"""Names whose value is a view (or a list of views) with documented attributes."""


def documentation() -> Iterator[tuple[str, str]]:
    """Every name a template may use with its meaning: ``("client.nom", "raison sociale…")``."""
    for name, text in VARIABLES.items():
        yield name, text
        view = VIEWS.get(name)
        if view is None:
            continue
        prefix = f"{name}[]." if name not in ("creancier", "client") else f"{name}."
        for item in fields(view):
            yield prefix + item.name, item.metadata["doc"]


def build_context(
    action: Action,
    client: Client,
    creditor: Creditor,
    history: Iterable[HistoryEntry],
    as_of: dt.date,
    instalments: Iterable[Instalment] = (),
    contract_rate: Decimal | None = None,
) -> dict[str, object]:
    """The context of one letter: the action, its client, the creditor, the client's history
    and payment plan, at the date of the letter ``as_of``."""
    numbers = {line.number for line in action.invoices}
    invoices = [_invoice(line) for line in action.invoices]
    steps = _steps(entry for entry in history if entry.client == action.client)
    plan = sorted(
        (
            InstalmentView(_day(i.date), i.amount, i.invoice)
            for i in instalments
            if i.client == action.client and i.invoice in numbers
        ),
        key=lambda instalment: (instalment.date, instalment.facture),
    )
    return {
        "date": as_of,
        "lieu": creditor.city,
        "creancier": _creditor(creditor),
        "client": _client(client),
        "niveau": action.level,
        "action": action.action,
        "canal": action.channel,
        "recommande": channel_kind(action.channel) == REGISTERED,
        "factures": invoices,
        "numeros": ", ".join(line.number for line in action.invoices),
        "prestations": ", ".join(
            dict.fromkeys(line.subject for line in action.invoices if line.subject)
        ),
        "montant_du": action.amount_due,
        "interets": action.interest,
        "indemnite": action.fee,
        "total": action.total,
        "taux_contractuel": contract_rate if client.contract_rate is None else client.contract_rate,
        "delai_jours": MISE_EN_DEMEURE_DEADLINE_DAYS,
        "date_butoir": as_of + dt.timedelta(days=MISE_EN_DEMEURE_DEADLINE_DAYS),
        "historique": steps,
        "chronologie": _chronology(invoices, steps),
        "echeancier": plan,
        "echeancier_total": sum((i.montant for i in plan), Decimal("0.00")),
        "pieces": _documents(invoices, steps),
    }


def _creditor(creditor: Creditor) -> CreditorView:
    return CreditorView(
        nom=creditor.name,
        adresse=creditor.address,
        code_postal=creditor.postcode,
        ville=creditor.city,
        siren=creditor.siren,
        signataire=creditor.signatory,
        email=creditor.email,
        telephone=creditor.phone,
        iban=creditor.iban,
        bic=creditor.bic,
    )


def _client(client: Client) -> ClientView:
    return ClientView(
        cle=client.key,
        nom=client.display_name,
        type=str(client.type),
        professionnel=client.type is ClientType.PROFESSIONNEL,
        particulier=client.type is ClientType.PARTICULIER,
        administration=client.type is ClientType.ADMINISTRATION,
        adresse=client.address,
        code_postal=client.postcode,
        ville=client.city,
        email=client.email,
        telephone=client.phone,
        contact=client.ap_contact,
    )


def _invoice(line: InvoiceLine) -> InvoiceView:
    return InvoiceView(
        numero=line.number,
        date=_day(line.invoice_date),
        echeance=_day(line.due_date),
        montant=line.amount,
        deja_regle=line.paid_amount,
        reste_du=line.outstanding,
        jours_retard=line.days_late,
        interets=line.interest,
        indemnite=line.fee,
        objet=line.subject,
        date_commande=_day(line.order_date),
        ref_commande=line.order_ref,
    )


def _steps(entries: Iterable[HistoryEntry]) -> list[StepView]:
    """Sent steps, one per (date, level, action, channel) with the invoices they covered: a
    letter about three invoices is one step, recorded as three Historique rows."""
    grouped: dict[tuple[dt.date, str, str, str], list[HistoryEntry]] = {}
    for entry in entries:
        if entry.status is Status.ENVOYE:
            grouped.setdefault(
                (_day(entry.date), entry.level, entry.action, entry.channel), []
            ).append(entry)
    steps = []
    for (date, level, action, channel), rows in sorted(
        grouped.items(), key=lambda item: item[0][0]
    ):
        amounts = [row.amount for row in rows if row.amount is not None]
        steps.append(
            StepView(
                date=date,
                niveau=level,
                action=action,
                canal=channel,
                factures=", ".join(dict.fromkeys(row.invoice for row in rows if row.invoice)),
                montant=sum(amounts, Decimal("0.00")) if amounts else None,
                fichier=", ".join(dict.fromkeys(row.file for row in rows if row.file)),
                note=" ; ".join(dict.fromkeys(row.note for row in rows if row.note)),
            )
        )
    return steps


def _chronology(invoices: Iterable[InvoiceView], steps: Iterable[StepView]) -> list[EventView]:
    """Quote or order, invoice, due date, then every step done, in date order."""
    events: list[tuple[dt.date, int, EventView]] = []
    for line in invoices:
        if line.date_commande:
            reference = f" n° {line.ref_commande}" if line.ref_commande else ""
            nature = f" ({line.objet})" if line.objet else ""
            text = f"Devis ou commande{reference}{nature}"
            events.append((line.date_commande, 0, EventView(line.date_commande, text, line.numero)))
        if line.date:
            text = f"Facture n° {line.numero} émise, {fr.amount(line.montant)} TTC"
            events.append((line.date, 1, EventView(line.date, text, line.numero)))
        text = f"Échéance de la facture n° {line.numero}"
        events.append((line.echeance, 2, EventView(line.echeance, text, line.numero)))
    for step in steps:
        text = _capitalize(step.action) + (f" ({step.canal})" if step.canal else "")
        events.append((step.date, 3, EventView(step.date, text, step.factures)))
    events.sort(key=lambda event: (event[0], event[1]))
    return [event for _, _, event in events]


def _documents(invoices: Iterable[InvoiceView], steps: Iterable[StepView]) -> list[str]:
    """Pièces justificatives: quotes or orders, invoices, letters and proofs of sending."""
    documents = []
    for line in invoices:
        if line.date_commande or line.ref_commande:
            reference = f" n° {line.ref_commande}" if line.ref_commande else ""
            dated = f" du {fr.date_short(line.date_commande)}" if line.date_commande else ""
            documents.append(f"Devis ou bon de commande signé{reference}{dated}")
        dated = f" du {fr.date_short(line.date)}" if line.date else ""
        documents.append(f"Facture n° {line.numero}{dated}")
    for step in steps:
        if not step.canal or channel_kind(step.canal) == PHONE:
            continue
        name = f" ({step.fichier})" if step.fichier else ""
        documents.append(f"{_capitalize(step.action)} du {fr.date_short(step.date)}{name}")
        if channel_kind(step.canal) == REGISTERED:
            documents.append(f"Accusé de réception du courrier du {fr.date_short(step.date)}")
    return documents


def _day(value: dt.date | None) -> dt.date | None:
    """A date as a ``date`` (a ``datetime`` keeps only its day): the templates print days."""
    return value.date() if isinstance(value, dt.datetime) else value


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
