"""Prochaines actions: the escalation scenarios of domain.md §5 and of the peers (Tryton, OCA,
Invoice Ninja), written as the secretary's weeks: « le 4e jour… rien ; le 5e jour… niveau 1 »."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance_xl.errors import ConfigError, InputError
from relance_xl.escalation import (
    A_FAIRE,
    A_TRANSMETTRE,
    A_VENIR,
    CALL_GUIDE,
    check_record_date,
    level_rank,
    next_actions,
    procedure_for,
    records_for,
)
from relance_xl.invoices import invoice_frame
from relance_xl.model import (
    Action,
    Client,
    ClientType,
    HistoryEntry,
    Instalment,
    Ledger,
    Procedure,
    ProcedureLevel,
    Settings,
    Status,
)
from relance_xl.penalties import compute_penalty
from relance_xl.procedures import DEFAULT_PROCEDURES
from relance_xl.workdays import is_working_day

D = dt.date
EUR = Decimal
LUNDI = D(2026, 11, 23)  # the template's reference date, a Monday


def facture(
    numero: str, echeance: dt.date, montant: str = "1000.00", client: str = "Dupont", **champs
) -> dict[str, object]:
    """One row of Factures (due on ``echeance``, issued 30 days before unless told)."""
    return {
        "client": client,
        "number": numero,
        "invoice_date": echeance - dt.timedelta(days=30),
        "due_date": echeance,
        "amount": EUR(montant),
        **champs,
    }


def classeur(
    *factures: dict[str, object],
    clients: tuple[Client, ...] = (),
    historique: tuple[HistoryEntry, ...] = (),
    echeanciers: tuple[Instalment, ...] = (),
    **parametres: object,
) -> Ledger:
    """A workbook: Factures, Clients (defaults for the others), Historique, Échéanciers and
    Paramètres."""
    known = {client.key: client for client in clients}
    for row in factures:
        known.setdefault(str(row["client"]), Client(str(row["client"])))
    return Ledger(
        invoices=invoice_frame(factures),
        clients=known,
        settings=Settings(**parametres),
        history=historique,
        instalments=echeanciers,
    )


def envoye(jour: dt.date, numero: str, niveau: str, client: str = "Dupont", **champs):
    """A line of Historique: the step was sent."""
    return HistoryEntry(jour, client, numero, niveau, status=Status.ENVOYE, **champs)


def propose(jour: dt.date, numero: str, niveau: str, client: str = "Dupont"):
    """A line of Historique: the step was proposed, never confirmed."""
    return HistoryEntry(jour, client, numero, niveau, status=Status.PROPOSE)


def a_faire(ledger: Ledger, jour: dt.date) -> list[Action]:
    """Today's work."""
    return [action for action in next_actions(ledger, jour) if action.state == A_FAIRE]


def niveau_a_faire(ledger: Ledger, jour: dt.date) -> str | None:
    """The level of the single action to do on ``jour``, or None when there is nothing to do."""
    actions = a_faire(ledger, jour)
    assert len(actions) <= 1
    return actions[0].level if actions else None


def enregistrer(ledger: Ledger, jour: dt.date, clients: list[str] | None = None) -> Ledger:
    """The secretary sends today's actions and clicks « Enregistrer les relances »."""
    check_record_date(ledger, jour)
    records = records_for(next_actions(ledger, jour), jour, clients, ledger.history)
    return dataclasses.replace(ledger, history=ledger.history + tuple(records))


# --- Tryton's scenario (account_dunning): levels at 5, 20 and 40 days after the due date -------

TRYTON = Procedure(
    "tryton",
    (
        ProcedureLevel("1", "relance amiable", "email", 5, "échéance"),
        ProcedureLevel("2", "lettre de relance", "courrier", 20, "échéance"),
        ProcedureLevel("3", "mise en demeure", "recommandé AR", 40, "échéance"),
    ),
)
ECHEANCE = D(2026, 3, 5)  # a Thursday: +5, +20 and +40 days are working days


def jour(n: int) -> dt.date:
    """The n-th day after the due date of the Tryton invoice."""
    return ECHEANCE + dt.timedelta(days=n)


def tryton(*historique: HistoryEntry, **champs: object) -> Ledger:
    """One invoice of 1 000 € due on 5 March 2026, client on the Tryton procedure."""
    return classeur(
        facture("F1", ECHEANCE, **champs),
        clients=(Client("Dupont", procedure="Tryton"),),
        historique=historique,
        procedures={"tryton": TRYTON},
    )


@pytest.mark.parametrize(
    ("historique", "jour_n", "attendu"),
    [
        ((), 4, None),
        ((), 5, "1"),
        ((propose(jour(5), "F1", "1"),), 30, "1"),
        ((envoye(jour(5), "F1", "1"),), 19, None),
        ((envoye(jour(5), "F1", "1"),), 30, "2"),
        ((envoye(jour(5), "F1", "1"),), 45, "2"),
        ((envoye(jour(5), "F1", "1"), envoye(jour(20), "F1", "2")), 45, "3"),
    ],
    ids=[
        "rien, 4e jour -> rien à faire",
        "rien, 5e jour -> niveau 1",
        "niveau 1 proposé non envoyé, 30e jour -> encore niveau 1",
        "niveau 1 envoyé, 19e jour -> rien à faire",
        "niveau 1 envoyé, 30e jour -> niveau 2",
        "niveau 1 envoyé, 45e jour -> niveau 2, pas 3",
        "niveaux 1 et 2 envoyés, 45e jour -> niveau 3",
    ],
)
def test_tryton_un_niveau_par_passage(historique, jour_n: int, attendu: str | None) -> None:
    """A step is proposed on its day, escalates only after the previous one was sent, one level
    at a time."""
    assert niveau_a_faire(tryton(*historique), jour(jour_n)) == attendu


def test_tryton_le_4e_jour_le_niveau_1_est_a_venir() -> None:
    """The day before the first step, the secretary sees it coming this week."""
    (action,) = next_actions(tryton(), jour(4))
    assert (action.state, action.level, action.planned_date) == (A_VENIR, "1", jour(5))


def test_tryton_litige_ne_bouge_pas() -> None:
    """A disputed (blocked) invoice gets no action, whatever its delay."""
    assert next_actions(tryton(disputed=True), jour(30)) == []


def test_tryton_payee_plus_rien() -> None:
    """A paid invoice drops out of the list."""
    payee = tryton(envoye(jour(5), "F1", "1"), payment_date=jour(10))
    assert next_actions(payee, jour(30)) == []


# --- OCA and Invoice Ninja --------------------------------------------------------------------


def test_oca_proposition_non_envoyee_remplacee() -> None:
    """An unsent proposal is superseded by the same level, dated as first planned, not escalated."""
    ledger = tryton(propose(jour(5), "F1", "1"))
    (action,) = a_faire(ledger, jour(30))
    assert (action.level, action.planned_date) == ("1", jour(5))
    (record,) = records_for([action], jour(30), history=ledger.history)
    assert (record.level, record.status, record.date) == ("1", Status.ENVOYE, jour(30))


def test_invoice_ninja_jamais_deux_fois_le_meme_jour() -> None:
    """Once today's step is recorded, nothing is left to do today; recording again adds nothing."""
    ledger = enregistrer(tryton(), jour(5))
    assert a_faire(ledger, jour(5)) == []
    assert enregistrer(ledger, jour(5)).history == ledger.history


def test_delai_nul_apres_l_etape_precedente_attend_le_lendemain() -> None:
    """A level at « précédente + 0 » still waits for the next working day: one step per day."""
    immediate = Procedure(
        "immédiate",
        (
            ProcedureLevel("1", "relance amiable", "email", 1, "échéance"),
            ProcedureLevel("2", "appel", "téléphone", 0, "précédente"),
        ),
    )
    ledger = classeur(
        facture("F1", D(2026, 11, 19)),
        historique=(envoye(LUNDI, "F1", "1"),),
        procedures={"professionnel": immediate},
    )
    assert a_faire(ledger, LUNDI) == []
    assert niveau_a_faire(ledger, LUNDI + dt.timedelta(days=1)) == "2"


def test_relance_du_jour_bloque_les_autres_etapes_du_client() -> None:
    """A client contacted today gets no second step today, even for another invoice."""
    ledger = classeur(
        facture("F1", D(2026, 11, 12)),
        facture("F2", D(2026, 12, 20), invoice_date=D(2026, 11, 16)),
        clients=(Client("Dupont", watch=True),),
        historique=(envoye(LUNDI, "F1", "1"),),
    )
    (action,) = next_actions(ledger, LUNDI)
    assert (action.state, action.level, action.planned_date) == (A_VENIR, "P1", D(2026, 11, 24))


# --- Dates: from the real previous step, off holidays and weekends ---------------------------


def test_delai_compte_depuis_la_date_reelle_de_l_etape_precedente() -> None:
    """Level 2 comes 15 days after the day level 1 was really sent, not after its planned day."""
    ledger = classeur(
        facture("F1", D(2026, 10, 1)),
        historique=(envoye(D(2026, 10, 12), "F1", "1"),),  # planned 2 October, sent 10 days late
    )
    assert a_faire(ledger, D(2026, 10, 26)) == []
    (action,) = a_faire(ledger, D(2026, 10, 27))
    assert (action.level, action.planned_date) == ("2", D(2026, 10, 27))


def test_etape_du_11_novembre_reportee_au_lendemain() -> None:
    """Level 2 due on Wednesday 11 November (Armistice) moves to Thursday 12."""
    ledger = classeur(
        facture("F1", D(2026, 10, 20)), historique=(envoye(D(2026, 10, 27), "F1", "1"),)
    )
    assert a_faire(ledger, D(2026, 11, 11)) == []
    (action,) = a_faire(ledger, D(2026, 11, 12))
    assert (action.level, action.planned_date) == ("2", D(2026, 11, 12))


def test_etape_du_samedi_reportee_au_lundi() -> None:
    """Level 1 due on Saturday 21 November (due date Friday + 1) is planned for Monday 23."""
    (action,) = next_actions(classeur(facture("F1", D(2026, 11, 20))), D(2026, 11, 21))
    assert (action.state, action.planned_date) == (A_VENIR, LUNDI)


# --- One action per client, at its highest level ---------------------------------------------


def regroupement() -> Ledger:
    """Dupont: F1 at level 2 (level 3 due), F2 at level 1 (level 2 not due), F3 newly overdue,
    F4 not due yet."""
    return classeur(
        facture("F1", D(2026, 9, 30), "1200.00"),
        facture("F2", D(2026, 11, 2), "300.00"),
        facture("F3", D(2026, 11, 18), "450.00"),
        facture("F4", D(2026, 12, 15), "999.00"),
        historique=(
            envoye(D(2026, 10, 1), "F1", "1"),
            envoye(D(2026, 10, 16), "F1", "2"),
            envoye(D(2026, 11, 16), "F2", "1"),
        ),
    )


def test_une_seule_action_au_niveau_le_plus_haut() -> None:
    """The client gets one action, at the highest level due among its invoices."""
    (action,) = next_actions(regroupement(), LUNDI)
    assert (action.level, action.action, action.channel) == (
        "3",
        "2e lettre : avertissement",
        "courrier",
    )


def test_toutes_les_factures_echues_dans_le_meme_courrier() -> None:
    """The letter lists every overdue invoice, oldest due date first, not the one not yet due."""
    (action,) = next_actions(regroupement(), LUNDI)
    assert [line.number for line in action.invoices] == ["F1", "F2", "F3"]
    assert action.amount_due == EUR("1950.00")


def test_un_courrier_de_trois_factures_trois_lignes_d_historique() -> None:
    """Recording the letter logs one Historique line per invoice, at the letter's level."""
    records = records_for(next_actions(regroupement(), LUNDI), LUNDI, history=())
    assert [(r.invoice, r.level, r.amount) for r in records] == [
        ("F1", "3", EUR("1200.00")),
        ("F2", "3", EUR("300.00")),
        ("F3", "3", EUR("450.00")),
    ]


def test_facture_deja_relancee_a_ce_niveau_non_reenregistree() -> None:
    """An invoice already sent at the letter's level (or higher) is listed but not logged again."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2)),
        facture("F2", D(2026, 11, 19)),
        historique=(envoye(D(2026, 11, 16), "F1", "1"),),
    )
    (action,) = next_actions(ledger, LUNDI)
    assert [line.number for line in action.invoices] == ["F1", "F2"]
    records = records_for([action], LUNDI, history=ledger.history)
    assert [(r.invoice, r.level) for r in records] == [("F2", "1")]


# --- Nothing to chase ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factures", "attendu"),
    [
        (
            (facture("F1", D(2026, 11, 2), "500.00"), facture("AV1", D(2026, 11, 2), "-500.00")),
            None,
        ),
        (
            (
                facture("F1", D(2026, 11, 2), "500.00"),
                facture("AV1", D(2026, 12, 31), "-600.00", invoice_date=D(2026, 11, 10)),
            ),
            None,
        ),
        (
            (facture("F1", D(2026, 11, 2), "500.00"), facture("AV1", D(2026, 11, 2), "-200.00")),
            "300.00",
        ),
        ((facture("F1", D(2026, 11, 2), "500.00", paid_amount=EUR("450.00")),), "50.00"),
        (
            (facture("F1", D(2026, 11, 2), "500.00"), facture("R1", D(2026, 11, 20), "-495.00")),
            None,
        ),
    ],
    ids=[
        "avoir égal à la dette -> rien",
        "avoir plus grand, pas encore échu -> rien",
        "avoir partiel -> 300,00 € réclamés",
        "règlement partiel -> 50,00 € réclamés",
        "règlement non affecté laissant 5 € (< 10 €) -> rien",
    ],
)
def test_avoirs_et_reglements_non_affectes(factures, attendu: str | None) -> None:
    """Credit notes and unallocated payments are netted; nothing when they cover the debt."""
    actions = a_faire(classeur(*factures), LUNDI)
    assert [str(a.amount_due) for a in actions] == ([attendu] if attendu else [])


def test_l_avoir_figure_dans_le_courrier() -> None:
    """A partial credit note is listed in the letter, with its negative amount, but never logged."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2), "500.00"), facture("AV1", D(2026, 11, 2), "-200.00")
    )
    (action,) = a_faire(ledger, LUNDI)
    assert [(line.number, line.outstanding) for line in action.invoices] == [
        ("F1", EUR("500.00")),
        ("AV1", EUR("-200.00")),
    ]
    assert [r.invoice for r in records_for([action], LUNDI)] == ["F1"]


@pytest.mark.parametrize(
    ("montant", "minimum", "attendu"),
    [("9.99", "10.00", 0), ("10.00", "10.00", 1), ("49.99", "50.00", 0), ("50.00", "50.00", 1)],
    ids=[
        "9,99 € sous le minimum de 10 € -> rien",
        "10,00 € = minimum -> relance",
        "49,99 € sous un minimum de 50 € -> rien",
        "50,00 € = minimum de 50 € -> relance",
    ],
)
def test_montant_minimum(montant: str, minimum: str, attendu: int) -> None:
    """Nothing for a client whose amount due is below the minimum amount of Paramètres."""
    ledger = classeur(facture("F1", D(2026, 11, 2), montant), minimum_amount=EUR(minimum))
    assert len(a_faire(ledger, LUNDI)) == attendu


@pytest.mark.parametrize(
    ("promesse", "attendu"),
    [(D(2026, 11, 30), None), (LUNDI, None), (D(2026, 11, 20), "1")],
    ids=[
        "promesse au 30/11 -> rien le 23/11",
        "promesse le jour même -> rien",
        "promesse du 20/11 non tenue -> relance",
    ],
)
def test_promesse_de_paiement(promesse: dt.date, attendu: str | None) -> None:
    """A payment promise suspends the chase until its date has passed."""
    ledger = classeur(facture("F1", D(2026, 11, 2), promise_date=promesse))
    assert niveau_a_faire(ledger, LUNDI) == attendu


def test_ne_pas_relancer() -> None:
    """A client flagged « ne pas relancer » never appears."""
    ledger = classeur(facture("F1", D(2026, 9, 1)), clients=(Client("Dupont", do_not_chase=True),))
    assert next_actions(ledger, LUNDI) == []


@pytest.mark.parametrize(
    ("regle", "attendu"),
    [("300.00", None), ("299.99", "1"), ("0.00", "1")],
    ids=[
        "échéancier tenu (300 € dus, 300 € réglés) -> rien",
        "échéancier non tenu (1 centime manquant) -> relance",
        "échéancier non tenu (rien réglé) -> relance",
    ],
)
def test_echeancier(regle: str, attendu: str | None) -> None:
    """An invoice under an honoured payment plan is not chased; a broken plan is."""
    ledger = classeur(
        facture("F1", D(2026, 10, 1), "900.00", paid_amount=EUR(regle)),
        echeanciers=(
            Instalment("Dupont", "F1", D(2026, 10, 15), EUR("150.00")),
            Instalment("Dupont", "F1", D(2026, 11, 15), EUR("150.00")),
            Instalment("Dupont", "F1", D(2026, 12, 15), EUR("600.00")),
        ),
    )
    assert niveau_a_faire(ledger, LUNDI) == attendu


def test_annule_ignore() -> None:
    """A cancelled step does not count as done."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2)),
        historique=(HistoryEntry(D(2026, 11, 3), "Dupont", "F1", "1", status=Status.ANNULE),),
    )
    assert niveau_a_faire(ledger, LUNDI) == "1"


def test_historique_posterieur_ignore_pour_une_date_passee() -> None:
    """Computed at a past date, steps recorded after it are not known yet."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2)), historique=(envoye(D(2026, 11, 20), "F1", "1"),)
    )
    assert niveau_a_faire(ledger, D(2026, 11, 10)) == "1"


# --- Final state -----------------------------------------------------------------------------


def test_apres_le_dernier_niveau_a_transmettre() -> None:
    """After the last level (contentieux) the file stays on the list « à transmettre »."""
    levels = ("1", "2", "3", "4", "5")
    dates = (D(2026, 6, 2), D(2026, 6, 17), D(2026, 6, 24), D(2026, 7, 2), D(2026, 7, 13))
    ledger = classeur(
        facture("F1", D(2026, 6, 1)),
        historique=tuple(envoye(d, "F1", n) for d, n in zip(dates, levels, strict=True)),
    )
    (action,) = next_actions(ledger, LUNDI)
    assert (action.state, action.level, action.planned_date) == (A_TRANSMETTRE, "5", D(2026, 7, 13))
    assert records_for([action], LUNDI, history=ledger.history) == []


# --- The three client types ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_client", "echeance", "attendu"),
    [
        (ClientType.PROFESSIONNEL, D(2026, 11, 20), ("1", "relance amiable", "email")),
        (ClientType.PARTICULIER, D(2026, 11, 20), None),
        (ClientType.PARTICULIER, D(2026, 11, 16), ("1", "relance amiable", "email")),
        (
            ClientType.ADMINISTRATION,
            D(2026, 11, 20),
            ("1", "relance amiable (rappel du dépôt sur Chorus Pro)", "email"),
        ),
    ],
    ids=[
        "professionnel, échu le 20/11 -> relance amiable le 23/11",
        "particulier, échu le 20/11 -> rien avant échéance + 7 j",
        "particulier, échu le 16/11 -> relance amiable le 23/11",
        "administration, échue le 20/11 -> relance amiable Chorus Pro",
    ],
)
def test_trois_types_de_clients(type_client: ClientType, echeance: dt.date, attendu) -> None:
    """Each client type follows its own default procedure."""
    ledger = classeur(facture("F1", echeance), clients=(Client("Dupont", type=type_client),))
    actions = a_faire(ledger, LUNDI)
    assert [(a.level, a.action, a.channel) for a in actions] == ([attendu] if attendu else [])


def test_particulier_niveau_2_quinze_jours_apres_le_premier() -> None:
    """A consumer's letter comes 15 days after the friendly reminder was sent."""
    ledger = classeur(
        facture("F1", D(2026, 10, 1)),
        clients=(Client("Dupont", type=ClientType.PARTICULIER),),
        historique=(envoye(D(2026, 11, 6), "F1", "1"),),
    )
    assert niveau_a_faire(ledger, D(2026, 11, 20)) is None
    assert niveau_a_faire(ledger, D(2026, 11, 23)) == "2"


# --- Penalties to date ------------------------------------------------------------------------


def test_penalites_et_indemnite_au_jour() -> None:
    """The action carries each invoice's interest to date and 40 € per late invoice."""
    ledger = classeur(facture("F1", D(2026, 10, 1), "1000.00"), facture("F2", D(2026, 11, 2)))
    (action,) = a_faire(ledger, LUNDI)
    expected = [
        compute_penalty(EUR("1000.00"), due, LUNDI) for due in (D(2026, 10, 1), D(2026, 11, 2))
    ]
    assert [line.interest for line in action.invoices] == [p.interest for p in expected]
    assert (action.interest, action.fee) == (sum(p.interest for p in expected), EUR("80.00"))
    assert action.total == action.amount_due + action.interest + action.fee


def test_particulier_interets_apres_mise_en_demeure() -> None:
    """A consumer owes interest only from the day after the mise en demeure, and no 40 €."""
    ledger = classeur(
        facture("F1", D(2026, 8, 3), "2000.00"),
        clients=(Client("Dupont", type=ClientType.PARTICULIER),),
        historique=(
            envoye(D(2026, 8, 10), "F1", "1"),
            envoye(D(2026, 8, 25), "F1", "2"),
            envoye(D(2026, 9, 9), "F1", "3", action="mise en demeure"),
        ),
    )
    (action,) = a_faire(ledger, LUNDI)
    expected = compute_penalty(
        EUR("2000.00"), D(2026, 8, 3), LUNDI, ClientType.PARTICULIER, formal_notice=D(2026, 9, 9)
    )
    assert (action.level, action.interest, action.fee) == ("4", expected.interest, EUR("0.00"))
    assert action.interest > 0


# --- Preventive calls ------------------------------------------------------------------------


def preventif(suivi: bool = True, **parametres: object) -> Ledger:
    """An invoice issued on 10 November, due on 10 December 2026."""
    return classeur(
        facture("F1", D(2026, 12, 10), invoice_date=D(2026, 11, 10)),
        clients=(Client("Dupont", watch=suivi, phone="01 23 45 67 89"),),
        **parametres,
    )


@pytest.mark.parametrize(
    ("suivi", "pour_tous", "jour_", "attendu"),
    [
        (True, False, D(2026, 11, 17), "P1"),
        (True, False, D(2026, 11, 26), "P1"),
        (True, False, D(2026, 12, 3), "P2"),
        (True, False, D(2026, 12, 9), "P2"),
        (True, False, D(2026, 12, 10), None),
        (True, False, D(2026, 12, 11), "1"),
        (False, False, D(2026, 11, 17), None),
        (False, True, D(2026, 11, 17), "P1"),
    ],
    ids=[
        "client suivi, facture + 7 j -> P1",
        "client suivi, P1 non fait avant la date de P2 -> encore P1",
        "client suivi, échéance - 7 j -> P2 (P1 abandonné)",
        "client suivi, veille de l'échéance -> P2",
        "client suivi, jour de l'échéance -> plus d'appel préventif",
        "client suivi, lendemain de l'échéance -> relance amiable",
        "client non suivi -> pas d'appel préventif",
        "appels préventifs pour tous -> P1",
    ],
)
def test_appels_preventifs(suivi: bool, pour_tous: bool, jour_: dt.date, attendu) -> None:
    """Preventive calls for watched clients only, before the due date, never two at once."""
    ledger = preventif(suivi, preventive_for_all=pour_tous)
    assert niveau_a_faire(ledger, jour_) == attendu


def test_un_seul_appel_preventif_pour_toutes_les_factures() -> None:
    """One preventive call covers every invoice with a preventive call due, logged at its level."""
    ledger = classeur(
        facture("F1", D(2026, 11, 30), invoice_date=D(2026, 10, 31)),
        facture("F2", D(2026, 12, 16), invoice_date=D(2026, 11, 16)),
        clients=(Client("Dupont", watch=True),),
    )
    (action,) = next_actions(ledger, LUNDI)
    assert (action.level, [line.number for line in action.invoices]) == ("P2", ["F1", "F2"])
    records = records_for([action], LUNDI)
    assert [(r.invoice, r.level) for r in records] == [("F1", "P2"), ("F2", "P2")]


def test_appel_avec_guide_et_contact() -> None:
    """A phone step carries the call guide and the client's phone number."""
    (action,) = a_faire(preventif(), D(2026, 11, 17))
    assert (action.channel, action.phone, action.call_guide) == (
        "téléphone",
        "01 23 45 67 89",
        CALL_GUIDE,
    )


def test_courriel_sans_guide_d_appel() -> None:
    """A non-phone step has no call guide, and carries the email and AP contact."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2)),
        clients=(Client("Dupont", email="compta@dupont.fr", ap_contact="Mme Leroy"),),
    )
    (action,) = a_faire(ledger, LUNDI)
    assert (action.call_guide, action.email, action.ap_contact) == (
        (),
        "compta@dupont.fr",
        "Mme Leroy",
    )


def test_guide_d_appel_en_francais() -> None:
    """The call guide covers introduction, open questions, receipt/compliance and a payment plan."""
    texte = " ".join(CALL_GUIDE).lower()
    for mot in ("présentez-vous", "question ouverte", "reçue", "conforme", "échéancier"):
        assert mot in texte


# --- Procedures: which one applies -----------------------------------------------------------


def test_procedure_du_client_puis_du_type_puis_par_defaut() -> None:
    """Named procedure > Paramètres procedure of the type > default procedure of the type."""
    mine = Procedure("Rapide", DEFAULT_PROCEDURES["particulier"].levels[:1])
    theirs = Procedure("particulier", DEFAULT_PROCEDURES["particulier"].levels[:2])
    parametres = Settings(procedures={"Rapide": mine, "particulier": theirs})
    consumer = ClientType.PARTICULIER
    assert procedure_for(Client("A", type=consumer, procedure="rapide"), parametres) is mine
    assert procedure_for(Client("B", type=consumer), parametres) is theirs
    assert procedure_for(Client("C"), parametres) is DEFAULT_PROCEDURES["professionnel"]


def test_procedure_inconnue_erreur_qui_nomme_le_client() -> None:
    """A client naming an unknown procedure is a fatal ConfigError naming the client."""
    ledger = classeur(facture("F1", D(2026, 11, 2)), clients=(Client("Dupont", procedure="VIP"),))
    with pytest.raises(ConfigError, match=r"« Dupont ».*« VIP »"):
        next_actions(ledger, LUNDI)


@pytest.mark.parametrize(
    ("niveau", "rang"),
    [("P1", -999), ("p2", -998), ("1", 1), ("5", 5), ("2.0", 2), (" 3 ", 3), ("fait", None)],
    ids=["P1", "p2 minuscule", "1", "5", "2.0 (nombre Excel)", "espaces", "texte -> aucun"],
)
def test_ordre_des_niveaux(niveau: str, rang: int | None) -> None:
    """Preventive levels come before the numbered ones; anything else is not a level."""
    assert level_rank(niveau) == rang


# --- The list: states, order, recording --------------------------------------------------------


def test_liste_triee_par_etat_date_montant() -> None:
    """À faire first (oldest planned date, then largest amount), then à venir, à transmettre."""
    ledger = classeur(
        facture("A1", D(2026, 11, 2), "100.00", client="Petit"),
        facture("B1", D(2026, 11, 2), "900.00", client="Grand"),
        facture("C1", D(2026, 10, 1), "50.00", client="Ancien"),
        facture("D1", D(2026, 11, 25), "5000.00", client="Bientôt"),
        facture("E1", D(2026, 6, 1), "70.00", client="Final"),
        historique=tuple(
            envoye(d, "E1", n, client="Final")
            for d, n in zip(
                (D(2026, 6, 2), D(2026, 6, 17), D(2026, 6, 24), D(2026, 7, 2), D(2026, 7, 13)),
                "12345",
                strict=True,
            )
        ),
    )
    assert [(a.client, a.state) for a in next_actions(ledger, LUNDI)] == [
        ("Ancien", A_FAIRE),
        ("Grand", A_FAIRE),
        ("Petit", A_FAIRE),
        ("Bientôt", A_VENIR),
        ("Final", A_TRANSMETTRE),
    ]


def test_a_venir_limite_a_sept_jours() -> None:
    """Steps of the next seven days are « à venir »; later ones are not listed."""
    ledger = classeur(
        facture("F1", D(2026, 11, 29), client="Semaine"),
        facture("F2", D(2026, 12, 1), client="Plus tard"),
    )
    assert [(a.client, a.planned_date) for a in next_actions(ledger, LUNDI)] == [
        ("Semaine", D(2026, 11, 30))
    ]


def test_enregistrer_pour_un_client_nomme() -> None:
    """Recording can be limited to named clients (case and accents ignored)."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2), client="Hôtel Azur"),
        facture("F2", D(2026, 11, 2), client="Dupont"),
    )
    records = records_for(next_actions(ledger, LUNDI), LUNDI, ["HOTEL AZUR"])
    assert [(r.client, r.invoice) for r in records] == [("Hôtel Azur", "F1")]


def test_enregistrement_a_une_date_anterieure_refuse() -> None:
    """Recording at a date before the last recorded step is refused with a French message."""
    ledger = classeur(
        facture("F1", D(2026, 11, 2)), historique=(envoye(D(2026, 11, 24), "F1", "1", row=7),)
    )
    with pytest.raises(InputError, match=r"au 23/11/2026 .* le 24/11/2026 \(ligne 7\)"):
        check_record_date(ledger, LUNDI)
    assert check_record_date(ledger, D(2026, 11, 24)) is None


def test_une_note_datee_plus_tard_ne_bloque_pas_l_enregistrement() -> None:
    """A Historique note without a level (a call, a remark) is not a step: it refuses nothing."""
    note = HistoryEntry(D(2026, 12, 15), "Dupont", "", "", note="rappeler après le 15/12")
    ledger = classeur(facture("F1", D(2026, 11, 2)), historique=(note,))
    assert check_record_date(ledger, LUNDI) is None


def test_semaine_suivante_un_pas_de_plus() -> None:
    """Recorded on Monday, each client's next step is exactly one level further."""
    ledger = classeur(
        facture("F1", D(2026, 9, 30), client="Alpha"),
        facture("F2", D(2026, 11, 16), client="Bravo"),
        historique=(
            envoye(D(2026, 10, 1), "F1", "1", client="Alpha"),
            envoye(D(2026, 10, 16), "F1", "2", client="Alpha"),
        ),
    )
    assert {a.client: a.level for a in a_faire(ledger, LUNDI)} == {"Alpha": "3", "Bravo": "1"}
    after = enregistrer(ledger, LUNDI)
    upcoming = next_actions(after, LUNDI + dt.timedelta(days=7), horizon_days=14)
    assert {a.client: (a.level, a.planned_date) for a in upcoming} == {
        "Alpha": ("4", D(2026, 12, 1)),
        "Bravo": ("2", D(2026, 12, 8)),
    }


# --- Properties ------------------------------------------------------------------------------

CLIENTS = ("Alpha", "Bravo", "Charlie")


@st.composite
def classeurs(draw) -> Ledger:
    """Small random workbooks: 1–6 invoices of three clients, some history, some flags."""
    count = draw(st.integers(1, 6))
    rows = []
    history = []
    for index in range(count):
        client = draw(st.sampled_from(CLIENTS))
        due = LUNDI + dt.timedelta(days=draw(st.integers(-200, 30)))
        amount = draw(st.sampled_from(["-80.00", "5.00", "120.00", "2500.00"]))
        rows.append(
            facture(
                f"F{index}",
                due,
                amount,
                client=client,
                disputed=draw(st.booleans()) and draw(st.booleans()),
            )
        )
        for level in range(1, draw(st.integers(0, 4)) + 1):
            sent = due + dt.timedelta(days=draw(st.integers(1, 150)))
            if sent < LUNDI:
                history.append(envoye(sent, f"F{index}", str(level), client=client))
    types = draw(st.lists(st.sampled_from(list(ClientType)), min_size=3, max_size=3))
    watch = draw(st.lists(st.booleans(), min_size=3, max_size=3))
    clients = tuple(
        Client(key, type=kind, watch=flag)
        for key, kind, flag in zip(CLIENTS, types, watch, strict=True)
    )
    return classeur(*rows, clients=clients, historique=tuple(history))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classeurs(), st.integers(0, 20))
def test_propriete_une_action_par_client_jour_ouvre(ledger: Ledger, decalage: int) -> None:
    """At most one action per client; planned steps fall on working days; amounts ≥ minimum."""
    jour_ = LUNDI + dt.timedelta(days=decalage)
    actions = next_actions(ledger, jour_)
    assert len({a.client for a in actions}) == len(actions)
    for action in actions:
        assert action.amount_due >= ledger.settings.minimum_amount
        if action.state != A_TRANSMETTRE:
            assert is_working_day(action.planned_date)
        if action.state == A_FAIRE:
            assert action.planned_date <= jour_


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classeurs(), st.integers(0, 20))
def test_propriete_idempotent_et_un_niveau_par_passage(ledger: Ledger, decalage: int) -> None:
    """Recording moves each invoice at most one level up; recording again the same day adds
    nothing and leaves nothing to do."""
    jour_ = LUNDI + dt.timedelta(days=decalage)
    before = {
        (e.client, e.invoice): level_rank(e.level)
        for e in sorted(ledger.history, key=lambda e: level_rank(e.level))
    }
    after = enregistrer(ledger, jour_)
    for record in after.history[len(ledger.history) :]:
        assert level_rank(record.level) > before.get((record.client, record.invoice), -(10**6))
    assert a_faire(after, jour_) == []
    assert enregistrer(after, jour_).history == after.history
