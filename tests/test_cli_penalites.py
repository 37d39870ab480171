"""``relance-xl penalites``: the five worked examples of legal_fr.md §7 from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from relance_xl.cli import main

PROJECT = Path(__file__).resolve().parents[1]

EXEMPLES = [
    (["--montant", "1000", "--echeance", "2024-01-01", "--paiement", "2024-01-31"],
     30, "11.92", "40.00", "51.92"),
    (["--montant", "10000", "--echeance", "2026-05-01", "--paiement", "2026-09-01"],
     123, "413.75", "40.00", "453.75"),
    (["--montant", "10000", "--echeance", "2023-03-24", "--paiement", "2023-08-01",
      "--debiteur", "administration"], 130, "373.97", "40.00", "413.97"),
    (["--montant", "1000", "--echeance", "2026-01-15", "--paiement", "2026-04-02",
      "--debiteur", "particulier", "--mise-en-demeure", "2026-02-01"], 77, "4.31", "0.00", "4.31"),
    (["--montant", "15 000,00", "--echeance", "2026-03-01", "--date", "2026-03-31",
      "--taux", "15"], 30, "184.93", "40.00", "224.93"),
]  # fmt: skip
IDS = ["1 : 2024S1", "2 : deux semestres", "3 : acheteur public", "4 : particulier",
       "5 : taux contractuel"]  # fmt: skip


def penalites(capsys, *options: str) -> tuple[int, str, str]:
    """Run ``relance-xl penalites …``: exit code, stdout, stderr."""
    code = main(["penalites", *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("options", "jours", "interets", "indemnite", "total"), EXEMPLES, ids=IDS)
def test_exemple_en_json(capsys, options, jours, interets, indemnite, total):
    """--json answers each worked example with the expected amounts."""
    code, out, _ = penalites(capsys, *options, "--json")
    document = json.loads(out)
    assert code == 0
    assert (document["jours"], document["interets"], document["indemnite"], document["total"]) == (
        jours,
        interets,
        indemnite,
        total,
    )
    assert document["avertissements"] == []


def test_json_detaille_les_periodes(capsys):
    """The JSON lists each period with its dates, days and rate."""
    _, out, _ = penalites(capsys, *EXEMPLES[1][0], "--json")
    assert json.loads(out)["periodes"] == [
        {"du": "2026-05-02", "au": "2026-06-30", "jours": 60, "taux": "12.15"},
        {"du": "2026-07-01", "au": "2026-09-01", "jours": 63, "taux": "12.40"},
    ]


def test_explication_en_francais(capsys):
    """Without --json the command explains periods, rates, formula, fee and total in French."""
    code, out, _ = penalites(capsys, *EXEMPLES[1][0])
    assert code == 0
    assert out.splitlines()[0] == (
        "Facture de 10\u202f000,00\xa0€ TTC, échéance le 1er mai 2026, "
        "payée le 1er septembre 2026 : 123 jours de retard."
    )
    for expected in (
        "art. L441-10 II du Code de commerce",
        "  du 02/05/2026 au 30/06/2026 : 60 jours à 12,15 %",
        "  du 01/07/2026 au 01/09/2026 : 63 jours à 12,40 %",
        "× (12,15 % × 60 + 12,40 % × 63) / 365 = 413,75\xa0€",
        "Indemnité forfaitaire pour frais de recouvrement (art. D441-5 du Code de commerce) : "
        "40,00\xa0€",
        "Total des pénalités (en plus du principal) : 453,75\xa0€",
    ):
        assert expected in out


def test_particulier_sans_mise_en_demeure_explique(capsys):
    """A consumer without mise en demeure: the explanation says why nothing is owed."""
    _, out, _ = penalites(
        capsys, "--montant", "1000", "--echeance", "2026-01-15", "--date", "2026-03-01",
        "--debiteur", "particulier",
    )  # fmt: skip
    assert "pas d'intérêts avant l'envoi d'une mise en demeure" in out
    assert "Total des pénalités (en plus du principal) : 0,00\xa0€" in out


def test_avertissements_affiches(capsys):
    """A borrowed rate and a rate under the legal minimum are printed as warnings."""
    _, out, _ = penalites(
        capsys, "--montant", "500", "--echeance", "2026-12-01", "--date", "2027-02-01",
    )  # fmt: skip
    assert out.splitlines()[-1] == (
        "Avertissement : taux BCE du 2027S1 inconnu : dernier taux connu (2026S2, 2,40 %) utilisé."
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--montant", "-5", "--echeance", "2026-01-01"], "montant invalide « -5 »"),
        (["--montant", "abc", "--echeance", "2026-01-01"], "montant invalide"),
        (["--montant", "100", "--echeance", "01/02/2026"], "date invalide « 01/02/2026 »"),
        (["--montant", "100", "--echeance", "2026-01-01", "--taux", "beaucoup"], "taux invalide"),
        (["--montant", "100", "--echeance", "2026-01-01", "--paiement", "2026-02-01",
          "--date", "2026-03-01"], "incompatible"),
        (["--montant", "100", "--echeance", "2026-01-01", "--debiteur", "societe"],
         "choix invalide"),
        (["--montant", "100"], "arguments obligatoires manquants"),
    ],
    ids=["montant négatif", "montant illisible", "date au mauvais format", "taux illisible",
         "paiement et date ensemble", "débiteur inconnu", "échéance manquante"],
)  # fmt: skip
def test_saisie_invalide_erreur_en_francais(capsys, options, message):
    """A bad option is one French ``Erreur :`` line and exit code 2, never a traceback."""
    with pytest.raises(SystemExit) as exit_info:
        main(["penalites", *options])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("Erreur : ") and message in err
    assert "Traceback" not in err


def test_commande_python_m_relance_xl():
    """``python -m relance_xl penalites`` runs as a program and prints the JSON."""
    completed = subprocess.run(
        [sys.executable, "-m", "relance_xl", "penalites", *EXEMPLES[0][0], "--json"],
        cwd=PROJECT, capture_output=True, text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["total"] == "51.92"
