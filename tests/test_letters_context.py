"""What a letter can say: the context built from an action (and the samples other letter tests
use: a client « Dupont & Fils <SARL> » three steps into its procedure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relance_xl.letters.context import VARIABLES, VIEWS, build_context, channel_kind, documentation
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

AS_OF = dt.date(2026, 11, 23)
NAME = "Dupont & Fils <SARL>"
CREDITOR = Creditor(
    name="Menuiserie Berthier SARL",
    address="4 chemin des Érables",
    postcode="69390",
    city="Vourles",
    siren="812 345 678",
    signatory="Jean Berthier, gérant",
    email="contact@berthier.example",
    phone="06 12 34 56 78",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
)


def invoice(number: str, amount: str, due: dt.date, **extra: object) -> InvoiceLine:
    """An overdue invoice line at AS_OF (penalties given, not computed: this is about letters)."""
    paid = Decimal(str(extra.pop("paid", "0.00")))
    values = {
        "invoice_date": due - dt.timedelta(days=30),
        "interest": Decimal("0.00"),
        "fee": Decimal("0.00"),
        **extra,
    }
    return InvoiceLine(
        number=number,
        due_date=due,
        amount=Decimal(amount),
        paid_amount=paid,
        outstanding=Decimal(amount) - paid,
        days_late=(AS_OF - due).days,
        **values,
    )


def sample_client(kind: ClientType = ClientType.PROFESSIONNEL, key: str = NAME) -> Client:
    return Client(
        key=key,
        type=kind,
        name=key,
        address="12 rue de la République\nBâtiment B",
        postcode="69002",
        city="Lyon",
        email="compta@dupont.example",
        ap_contact="Mme Martin",
    )


def sample_action(
    kind: ClientType = ClientType.PROFESSIONNEL,
    *,
    client: str = NAME,
    level: str = "4",
    label: str = "mise en demeure",
    channel: str = "recommandé AR",
    template: str = "mise_en_demeure",
    state: str = "à faire",
) -> Action:
    """Two overdue invoices; penalties and 40 € fees only for professional and public debtors."""
    charged = kind is not ClientType.PARTICULIER
    lines = (
        invoice(
            "F-2026-040",
            "1234.56",
            dt.date(2026, 9, 1),
            paid="200.00",
            interest=Decimal("28.41") if charged else Decimal("0.00"),
            fee=Decimal("40.00") if charged else Decimal("0.00"),
            subject="Rénovation de la toiture",
            order_date=dt.date(2026, 7, 10),
            order_ref="BC-778",
        ),
        invoice(
            "F-2026-041",
            "2469.12",
            dt.date(2026, 9, 2),
            interest=Decimal("67.01") if charged else Decimal("0.00"),
            fee=Decimal("40.00") if charged else Decimal("0.00"),
            subject="Maintenance annuelle",
        ),
    )
    return Action(
        client=client,
        level=level,
        action=label,
        channel=channel,
        planned_date=AS_OF,
        state=state,
        invoices=lines,
        amount_due=sum((line.outstanding for line in lines), Decimal("0.00")),
        interest=sum((line.interest for line in lines), Decimal("0.00")),
        fee=sum((line.fee for line in lines), Decimal("0.00")),
        template=template,
        email="compta@dupont.example",
    )


def sample_history(client: str = NAME) -> tuple[HistoryEntry, ...]:
    """Relance amiable for both invoices, a 1re lettre for one, a cancelled proposal."""
    return (
        HistoryEntry(dt.date(2026, 9, 2), client, "F-2026-040", "1", "relance amiable", "email"),
        HistoryEntry(dt.date(2026, 9, 2), client, "F-2026-041", "1", "relance amiable", "email"),
        HistoryEntry(
            dt.date(2026, 9, 17),
            client,
            "F-2026-040",
            "2",
            "1re lettre de relance",
            "courrier",
            file="2026-09-17_Dupont_lettre-relance-1.docx",
        ),
        HistoryEntry(
            dt.date(2026, 9, 20),
            client,
            "F-2026-040",
            "3",
            "2e lettre",
            "courrier",
            status=Status.ANNULE,
        ),
        HistoryEntry(
            dt.date(2026, 10, 2),
            client,
            "F-2026-040",
            "3",
            "2e lettre : avertissement",
            "recommandé AR",
            note="AR signé le 05/10",
        ),
        HistoryEntry(dt.date(2026, 10, 3), "Autre client", "F-9", "1", "relance amiable", "email"),
    )


def sample_context(kind: ClientType = ClientType.PROFESSIONNEL, **action: object) -> dict:
    """The context of the sample action, history and payment plan."""
    plan = (
        Instalment(NAME, "F-2026-040", dt.date(2027, 1, 5), Decimal("534.56")),
        Instalment(NAME, "F-2026-040", dt.date(2026, 12, 5), Decimal("500.00")),
        Instalment("Autre client", "F-9", dt.date(2026, 12, 5), Decimal("9.00")),
    )
    return build_context(
        sample_action(kind, **action), sample_client(kind), CREDITOR, sample_history(), AS_OF, plan
    )


# --- tests ----------------------------------------------------------------------------------------


def test_chaque_nom_du_contexte_est_documente():
    """The context holds exactly the documented names, no more, no less."""
    assert set(sample_context()) == set(VARIABLES)


def test_chaque_attribut_des_vues_est_documente():
    """Every attribute of creancier, client, factures[]… has a line of documentation."""
    documented = dict(documentation())
    for name, view in VIEWS.items():
        prefix = f"{name}." if name in ("creancier", "client") else f"{name}[]."
        for attribute in view.__dataclass_fields__:
            assert documented[prefix + attribute]


@pytest.mark.parametrize(
    ("type_client", "professionnel", "particulier", "administration"),
    [
        (ClientType.PROFESSIONNEL, True, False, False),
        (ClientType.PARTICULIER, False, True, False),
        (ClientType.ADMINISTRATION, False, False, True),
    ],
    ids=["professionnel", "particulier", "administration"],
)
def test_le_type_de_client_choisit_les_paragraphes(
    type_client, professionnel, particulier, administration
):
    """client.professionnel / particulier / administration follow the Clients sheet's Type."""
    client = sample_context(type_client)["client"]
    assert (client.professionnel, client.particulier, client.administration) == (
        professionnel,
        particulier,
        administration,
    )


def test_date_butoir_huit_jours_apres_l_envoi():
    """Mise en demeure: deadline = date of the letter + 8 days."""
    context = sample_context()
    assert context["date_butoir"] == dt.date(2026, 12, 1)
    assert context["delai_jours"] == 8


def test_montants_separes_principal_interets_indemnite():
    """Principal, interest and fee stay separate; total is their sum."""
    context = sample_context()
    assert context["montant_du"] == Decimal("3503.68")
    assert context["interets"] == Decimal("95.42")
    assert context["indemnite"] == Decimal("80.00")
    assert context["total"] == Decimal("3679.10")


def test_historique_une_etape_par_envoi_groupant_les_factures():
    """One step per date and level with its invoices; cancelled steps and other clients left out."""
    steps = sample_context()["historique"]
    assert [(s.date, s.niveau, s.factures) for s in steps] == [
        (dt.date(2026, 9, 2), "1", "F-2026-040, F-2026-041"),
        (dt.date(2026, 9, 17), "2", "F-2026-040"),
        (dt.date(2026, 10, 2), "3", "F-2026-040"),
    ]


def test_chronologie_du_devis_a_la_derniere_relance():
    """Quote, invoices, due dates and steps, oldest first."""
    events = sample_context()["chronologie"]
    assert events[0].libelle == "Devis ou commande n° BC-778 (Rénovation de la toiture)"
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert events[-1].libelle == "2e lettre : avertissement (recommandé AR)"


def test_pieces_du_dossier():
    """Order, invoices, letters sent, and the acknowledgment of a registered letter."""
    pieces = sample_context()["pieces"]
    assert "Devis ou bon de commande signé n° BC-778 du 10/07/2026" in pieces
    assert "Facture n° F-2026-041 du 03/08/2026" in pieces
    assert "Accusé de réception du courrier du 02/10/2026" in pieces
    assert not any("Relance amiable" in piece and "Autre" in piece for piece in pieces)


def test_echeancier_du_client_dans_l_ordre_des_dates():
    """The plan keeps this client's instalments, by date, with their total."""
    context = sample_context()
    assert [i.date for i in context["echeancier"]] == [dt.date(2026, 12, 5), dt.date(2027, 1, 5)]
    assert context["echeancier_total"] == Decimal("1034.56")


def test_recommande_selon_le_canal():
    """« recommande » is true for a registered letter only."""
    assert sample_context()["recommande"] is True
    assert sample_context(channel="courrier")["recommande"] is False


@pytest.mark.parametrize(
    ("canal", "attendu"),
    [("email", "email"), ("E-mail", "email"), ("Courriel", "email"), ("Téléphone", "téléphone"),
     ("courrier", "courrier"), ("Recommandé AR", "recommandé AR"), ("LRAR", "recommandé AR"),
     ("dossier", "dossier"), ("huissier", "dossier")],
    ids=["email", "E-mail", "Courriel", "Téléphone", "courrier", "Recommandé AR", "LRAR",
         "dossier", "autre"],
)  # fmt: skip
def test_canal_tel_que_saisi_dans_parametres(canal, attendu):
    """Channels typed freely in Paramètres are recognised without case, accents or hyphens."""
    assert channel_kind(canal) == attendu
