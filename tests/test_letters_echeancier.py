"""``relance-xl courriers --echeancier``: the letter formalising an agreed payment plan.

The template workbook: « M. Julien Roux » owes 600 € on F2026-0070 (1 800 €, 1 200 € paid) under
a plan of three instalments of 600 € (30/09, 31/10, 30/11/2026) typed in Échéanciers.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from decimal import Decimal

import docx
import pytest

from relance_xl import fr
from relance_xl.assets import WORKBOOK_TEMPLATE, asset
from relance_xl.cli import main
from relance_xl.errors import InputError
from relance_xl.escalation import A_FAIRE, invoice_lines, next_actions
from relance_xl.letters import plan_actions
from relance_xl.pipeline import load

DAY = "2026-11-23"
ROUX = "M. Julien Roux"
LETTER = "2026-11-23_M-Julien-Roux_proposition-echeancier.docx"


@pytest.fixture(scope="module")
def ledger():
    """The template workbook, read once."""
    return load(asset(WORKBOOK_TEMPLATE))


@pytest.fixture
def workbook(tmp_path):
    """A copy of the template workbook."""
    path = tmp_path / "relances.xlsx"
    shutil.copy(asset(WORKBOOK_TEMPLATE), path)
    return path


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    """``courriers --echeancier "M. Julien Roux"`` run once: (exit code, output folder)."""
    folder = tmp_path_factory.mktemp("echeancier")
    path = folder / "relances.xlsx"
    shutil.copy(asset(WORKBOOK_TEMPLATE), path)
    code = main(["courriers", str(path), "--date", DAY, "--echeancier", ROUX])
    return code, folder / "Courriers"


def instalment_table(path) -> list[list[str]]:
    """The rows of the letter's instalment table (the one headed N°, Date, Facture, Montant)."""
    for table in docx.Document(path).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows[0] == ["N°", "Date", "Facture", "Montant"]:
            return rows[1:]
    raise AssertionError("pas de tableau d'échéances dans la lettre")


def test_la_lettre_reprend_les_trois_echeances_et_le_total(produced):
    """The letter's table lists the three instalments (date, amount) and their total."""
    code, out = produced
    assert code in (0, 1)
    assert instalment_table(out / LETTER) == [
        ["1", "30 septembre 2026", "F2026-0070", fr.amount(Decimal("600"))],
        ["2", "31 octobre 2026", "F2026-0070", fr.amount(Decimal("600"))],
        ["3", "30 novembre 2026", "F2026-0070", fr.amount(Decimal("600"))],
        ["Total", "Total", "Total", fr.amount(Decimal("1800"))],
    ]


def test_seule_la_lettre_du_plan_est_produite(produced):
    """With --echeancier, the day's reminders are not produced: the plan letter and the summary."""
    _, out = produced
    assert sorted(path.name for path in out.iterdir()) == [LETTER, "recapitulatif.csv"]


def test_recapitulatif_une_ligne_avec_le_reste_du(produced):
    """The summary has one row: the plan letter, its file and the invoice's outstanding 600 €."""
    _, out = produced
    with (out / "recapitulatif.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    assert [(r["Client"], r["Action"], r["Fichiers"], r["Principal"]) for r in rows] == [
        (ROUX, "proposition d'échéancier", LETTER, "600,00")
    ]


@pytest.mark.parametrize(
    "nom",
    [
        pytest.param("m. julien roux", id="minuscules"),
        pytest.param("  M. JULIEN ROUX ", id="majuscules et espaces"),
        pytest.param("M. Julién Roux", id="accent en trop"),
    ],
)
def test_nom_compare_sans_casse_ni_accents(ledger, nom):
    """The client is found whatever the case, accents or spacing, like --client."""
    (action,) = plan_actions(ledger, dt.date.fromisoformat(DAY), [nom])
    assert action.client == ROUX


def test_meme_client_nomme_deux_fois_une_seule_lettre(ledger):
    """A client named twice (two spellings) gets one letter."""
    actions = plan_actions(ledger, dt.date.fromisoformat(DAY), [ROUX, "m. julien roux"])
    assert [action.client for action in actions] == [ROUX]


@pytest.mark.parametrize(
    "options, message",
    [
        pytest.param(
            ["--echeancier", "Société Inconnue"],
            "Erreur : client « Société Inconnue » introuvable dans les feuilles Factures et "
            "Clients.",
            id="client inconnu",
        ),
        pytest.param(
            ["--echeancier", "M. Karim Benali"],
            "Erreur : le client « M. Karim Benali » n'a pas d'échéancier : saisissez ses "
            "échéances dans la feuille Échéanciers.",
            id="client sans échéancier",
        ),
        pytest.param(
            ["--echeancier", ROUX, "--echeancier", "Société Inconnue"],
            "Erreur : client « Société Inconnue » introuvable dans les feuilles Factures et "
            "Clients.",
            id="un des clients inconnu",
        ),
    ],
)
def test_client_refuse_sortie_2_sans_aucun_fichier(workbook, capsys, options, message):
    """An unknown client or one without a plan: one French line, exit 2, nothing written."""
    code = main(["courriers", str(workbook), "--date", DAY, *options])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert not (workbook.parent / "Courriers").exists()


def test_avec_client_option_incompatible(workbook, capsys):
    """--echeancier names its clients: with --client it is refused (exit 2, one French line)."""
    with pytest.raises(SystemExit) as stop:
        main(["courriers", str(workbook), "--date", DAY, "--echeancier", ROUX, "--client", ROUX])
    lines = capsys.readouterr().err.splitlines()
    assert stop.value.code == 2
    assert len(lines) == 1
    assert lines[0].startswith("Erreur : ") and "incompatible" in lines[0]


def test_plan_solde_refuse(ledger):
    """A plan whose invoices are all settled at the date covers nothing: refused."""
    settled = load_paid(ledger)
    with pytest.raises(InputError, match="aucune facture restant due au 23/11/2026"):
        plan_actions(settled, dt.date.fromisoformat(DAY), [ROUX])


def load_paid(ledger):
    """The ledger with F2026-0070 fully paid."""
    frame = ledger.invoices.copy()
    row = frame["number"] == "F2026-0070"
    frame.loc[row, "paid_amount"] = frame.loc[row, "amount"]
    return dataclasses.replace(ledger, invoices=frame)


def test_lignes_identiques_a_celles_des_relances(ledger):
    """invoice_lines gives, for an action's invoices, exactly the lines of that action."""
    day = dt.date.fromisoformat(DAY)
    actions = [a for a in next_actions(ledger, day) if a.state == A_FAIRE and a.interest > 0]
    assert actions
    for action in actions:
        numbers = {line.number for line in action.invoices}
        assert invoice_lines(ledger, day, action.client, numbers) == action.invoices


def test_action_du_plan_totalise_ses_lignes(ledger):
    """The plan's action: principal, interest and fee are the sums of its invoice lines."""
    (action,) = plan_actions(ledger, dt.date.fromisoformat(DAY), [ROUX])
    assert [line.number for line in action.invoices] == ["F2026-0070"]
    assert action.amount_due == Decimal("600.00")
    assert action.interest == sum(line.interest for line in action.invoices)
    assert action.fee == sum(line.fee for line in action.invoices)
    assert action.template == "proposition_echeancier"
