"""``relance-xl actions`` and ``relance-xl enregistrer`` on the template workbook and real files:
the week's list, its JSON, recording in Historique, and the refusals."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from relance_xl.assets import WORKBOOK_TEMPLATE, asset
from relance_xl.cli import main
from relance_xl.escalation import level_rank, next_actions
from relance_xl.model import ReadOptions, Status
from relance_xl.pipeline import load

LUNDI = dt.date(2026, 11, 23)  # the template's reference date
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


@pytest.fixture
def classeur(tmp_path: Path) -> Path:
    """A copy of the template workbook (invoices, clients, history written for 23/11/2026)."""
    return Path(shutil.copy(asset(WORKBOOK_TEMPLATE), tmp_path / "relances.xlsx"))


def actions_json(capsys, path: Path, day: dt.date) -> tuple[int, dict]:
    """Run ``actions --json`` and return (exit code, document)."""
    code = main(["actions", str(path), "--date", day.isoformat(), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_json_de_la_semaine(classeur: Path, capsys) -> None:
    """The JSON lists one action per client, with the documented keys and two-decimal amounts."""
    code, payload = actions_json(capsys, classeur, LUNDI)
    assert code == (1 if load(classeur).anomalies else 0)
    assert payload["date"] == "2026-11-23"
    actions = payload["actions"]
    assert actions and len({a["client"] for a in actions}) == len(actions)
    for action in actions:
        assert set(action) == {
            "client", "etat", "niveau", "action", "canal", "date_prevue", "factures",
            "montant_du", "interets", "indemnite",
        }  # fmt: skip
        assert all(AMOUNT.match(action[key]) for key in ("montant_du", "interets", "indemnite"))
        assert action["factures"] and dt.date.fromisoformat(action["date_prevue"])


def test_une_semaine_de_travail_plausible(classeur: Path, capsys) -> None:
    """On the template, the week mixes emails, letters, calls and a file to hand over, all
    amounts above the minimum, nothing for « ne pas relancer » clients."""
    _, payload = actions_json(capsys, classeur, LUNDI)
    actions = payload["actions"]
    todo = [a for a in actions if a["etat"] == "à faire"]
    assert len(todo) >= 5
    assert {"email", "courrier", "téléphone"} <= {a["canal"] for a in todo}
    assert all(float(a["montant_du"]) >= 10 for a in actions)
    quiet = {c.key for c in load(classeur).clients.values() if c.do_not_chase}
    assert not quiet & {a["client"] for a in actions}


def test_liste_en_francais_avec_guide_d_appel(classeur: Path, capsys) -> None:
    """The terminal list has a French title, the state sections and the call guide of calls."""
    main(["actions", str(classeur), "--date", "2026-11-23"])
    text = capsys.readouterr().out
    assert text.startswith("Prochaines actions au 23 novembre 2026")
    assert "À faire (" in text and "guide d'appel :" in text
    assert "factures : " in text and "€" in text


def test_enregistrer_puis_la_semaine_suivante_un_pas_de_plus(classeur: Path, capsys) -> None:
    """After recording Monday's work, each client's next step is exactly one level further."""
    before = {a.client: a for a in next_actions(load(classeur), LUNDI) if a.state == "à faire"}
    assert main(["enregistrer", str(classeur), "--date", "2026-11-23"]) in (0, 1)
    assert "ajoutée(s) à l'Historique" in capsys.readouterr().out
    ledger = load(classeur)
    after = {a.client: a for a in next_actions(ledger, LUNDI + dt.timedelta(days=7), 14)}
    for client, action in before.items():
        following = after[client]
        if following.state == "à transmettre":
            assert following.level == action.level
        else:
            assert level_rank(following.level) > level_rank(action.level), client


def test_historique_une_ligne_envoye_par_facture(classeur: Path, capsys) -> None:
    """Each action recorded logs « envoyé » lines, one per invoice, at the action's level, with
    the amount claimed."""
    todo = [a for a in next_actions(load(classeur), LUNDI) if a.state == "à faire"]
    main(["enregistrer", str(classeur), "--date", "2026-11-23"])
    added = [e for e in load(classeur).history if e.date == LUNDI]
    claimed = {
        (a.client, line.number): (a.level, line.outstanding) for a in todo for line in a.invoices
    }
    assert len({(e.client, e.invoice) for e in added}) == len(added)
    assert {e.client for e in added} == {a.client for a in todo}
    for entry in added:
        assert entry.status == Status.ENVOYE
        assert claimed[(entry.client, entry.invoice)] == (entry.level, entry.amount)


def test_enregistrer_deux_fois_n_ajoute_rien(classeur: Path, capsys) -> None:
    """The second recording of the same day leaves the file as it is."""
    main(["enregistrer", str(classeur), "--date", "2026-11-23"])
    first = classeur.read_bytes()
    main(["enregistrer", str(classeur), "--date", "2026-11-23"])
    assert "Rien à enregistrer" in capsys.readouterr().out
    assert classeur.read_bytes() == first


def test_enregistrer_un_seul_client(classeur: Path, capsys) -> None:
    """--client records only that client's lines (case and accents ignored)."""
    main(["enregistrer", str(classeur), "--date", "2026-11-23", "--client", "HOTEL DU PARC"])
    added = {e.client for e in load(classeur).history if e.date == LUNDI}
    assert added == {"Hôtel du Parc"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "2026-11-20"], "impossible d'enregistrer des relances au 20/11/2026"),
        (["--client", "Inconnu SA"], "client inconnu"),
    ],
    ids=["date antérieure à l'historique -> refus", "client inconnu -> refus"],
)
def test_enregistrer_refuse(classeur: Path, capsys, arguments: list[str], message: str) -> None:
    """A refused recording is one French line, exit code 2, and the file is untouched."""
    main(["enregistrer", str(classeur), "--date", "2026-11-23"])
    recorded = classeur.read_bytes()
    capsys.readouterr()
    code = main(["enregistrer", str(classeur), *arguments])
    error = capsys.readouterr().err
    assert (code, error.startswith("Erreur : "), message in error) == (2, True, True)
    assert classeur.read_bytes() == recorded


def test_enregistrer_dans_un_csv_refuse(tmp_path: Path, capsys) -> None:
    """A CSV cannot receive a history: French error, exit code 2."""
    csv = tmp_path / "factures.csv"
    csv.write_text("Client;N° facture;Échéance;Montant TTC\nDupont;F1;01/10/2026;100\n", "utf-8")
    assert main(["enregistrer", str(csv), "--date", "2026-11-23"]) == 2
    assert "CSV" in capsys.readouterr().err


def test_fichier_reel_csv_francais(realdata, capsys) -> None:
    """The French reminder-SaaS import sample: three overdue invoices, three friendly reminders."""
    path = realdata("fr_invoice_reminders_charlythegreat/exemple_import.csv")
    code, payload = actions_json(capsys, path, LUNDI)
    assert code == 0
    assert sorted(a["factures"][0] for a in payload["actions"]) == [
        "FAC-2025-001",
        "FAC-2025-002",
        "FAC-2025-003",
    ]
    assert {(a["etat"], a["niveau"]) for a in payload["actions"]} == {("à faire", "1")}


def test_fichier_reel_ibm_litiges_jamais_relances(realdata, capsys) -> None:
    """IBM's receivables (US dates): no disputed invoice is ever in an action."""
    path = realdata("ibm_ar_pbifinanceml/WA_Fn-UseC_-Accounts-Receivable.csv")
    code = main(["actions", str(path), "--format-date", "MM/JJ/AAAA", "--date", "2013-06-30",
                 "--json"])  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    ledger = load(path, ReadOptions(date_format="MM/JJ/AAAA"))
    disputed = set(ledger.invoices.loc[ledger.invoices["disputed"], "number"])
    listed = {number for a in payload["actions"] for number in a["factures"]}
    assert code in (0, 1) and payload["actions"]
    assert disputed and not disputed & listed
