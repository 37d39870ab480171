"""``relance-xl verifier``: invoices read, anomalies table, JSON, exit codes 0 / 1 / 2."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from relance_xl.cli import main

HEADERS = ["Client", "N° facture", "Date facture", "Échéance", "Montant TTC", "Payé"]
CLEAN = [
    ["Dupont SA", "F-001", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1200, "non"],
    ["Martin", "F-002", dt.date(2026, 3, 5), dt.date(2026, 4, 4), 80.5, "oui"],
]
MESSY = [
    ["Dupont SA", "F-001", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1200, "non"],
    ["Martin", "F-002", dt.date(2026, 3, 5), None, 80.5, "oui"],
    ["Leroy", "F-003", dt.date(2026, 3, 9), dt.date(2026, 4, 8), "douze", "non"],
    ["Total", None, None, None, 1280.5, None],
]


def workbook(path, rows, headers=HEADERS, title_rows=0):
    """Write a Factures sheet (optional title rows above the header) and return its path."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Factures"
    for index in range(title_rows):
        sheet.append([f"Titre {index + 1}"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def test_classeur_propre(tmp_path, capsys):
    """A clean workbook: the count of invoices, no anomaly, exit 0."""
    code = main(["verifier", workbook(tmp_path / "propre.xlsx", CLEAN)])
    out = capsys.readouterr().out
    assert code == 0
    assert "propre.xlsx — feuille « Factures » : 2 factures lues." in out
    assert "Aucune anomalie." in out


def test_classeur_avec_anomalies(tmp_path, capsys):
    """Anomalies: a summary and a table with sheet, row, column, severity and message; exit 1."""
    code = main(["verifier", workbook(tmp_path / "brouillon.xlsx", MESSY, title_rows=2)])
    out = capsys.readouterr().out
    assert code == 1
    assert "2 factures lues." in out
    assert "2 anomalies : 1 erreur (ligne ignorée), 1 avertissement" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Feuille"))
    assert header.split() == ["Feuille", "Ligne", "Colonne", "Gravité", "Message"]
    warning = next(line for line in lines if "avertissement" in line and "Factures" in line)
    assert warning.split()[:3] == ["Factures", "5", "Échéance"]
    error = next(line for line in lines if "erreur " in line and "Factures" in line)
    assert error.split()[:4] == ["Factures", "6", "Montant", "TTC"]
    assert "Montant TTC illisible : « douze »" in error


def test_sortie_json(tmp_path, capsys):
    """``--json``: factures_lues, each anomaly with feuille, ligne, colonne, gravite, message."""
    code = main(["verifier", workbook(tmp_path / "f.xlsx", MESSY), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["factures_lues"] == 2
    assert document["anomalies"][0] == {
        "feuille": "Factures",
        "ligne": 3,
        "colonne": "Échéance",
        "gravite": "avertissement",
        "message": "échéance absente : date facture + 30 jours, soit le 04/04/2026.",
    }
    assert [a["gravite"] for a in document["anomalies"]] == ["avertissement", "erreur"]


def test_correspondance_feuille_et_format_de_date(tmp_path, capsys):
    """``--feuille``, ``--colonne`` and ``--format-date`` reach the reader."""
    rows = [["Acme", "INV1", "3/15/2026", "4/14/2026", 10, "no"]]
    headers = ["Customer", "Invoice #", "Issued", "Due Date", "Open", "Paid"]
    path = workbook(tmp_path / "us.xlsx", rows, headers)
    argv = [
        "verifier", path, "--feuille", "factures", "--colonne", "montant=Open",
        "--colonne", "date_facture=Issued", "--format-date", "MM/JJ/AAAA", "--json",
    ]  # fmt: skip
    code = main(argv)
    assert (code, json.loads(capsys.readouterr().out)) == (0, {"factures_lues": 1, "anomalies": []})


def test_csv_francais(tmp_path, capsys):
    """A CSV saved by French Excel is checked like a workbook."""
    path = tmp_path / "factures.csv"
    path.write_bytes("\ufeffClient;N° facture;Échéance;Montant TTC\r\nDupont;F1;15/03/2026;"
                     "1 234,56 €\r\n".encode())  # fmt: skip
    assert main(["verifier", str(path)]) == 0
    assert "factures.csv — feuille « factures.csv » : 1 facture lue." in capsys.readouterr().out


def _empty_workbook(tmp_path):
    """A workbook made by openpyxl with a single blank sheet."""
    book = openpyxl.Workbook()
    path = tmp_path / "vide.xlsx"
    book.save(path)
    return path


def _corrupted_zip(tmp_path):
    """A workbook cut in the middle."""
    workbook(tmp_path / "ok.xlsx", CLEAN)
    data = (tmp_path / "ok.xlsx").read_bytes()
    path = tmp_path / "abime.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _docx(tmp_path):
    """A Word document."""
    path = tmp_path / "lettre.docx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    return path


@pytest.mark.parametrize(
    ("fabrique", "extrait"),
    [
        (lambda tmp: tmp / "absent.xlsx", "fichier introuvable"),
        (_docx, "n'est pas un classeur Excel ni un fichier CSV"),
        (_empty_workbook, "la feuille « Sheet » est vide"),
        (_corrupted_zip, "endommagé ou incomplet"),
        (lambda tmp: tmp, "est un dossier"),
    ],
    ids=["fichier absent", "document Word", "classeur vide", "zip abîmé", "dossier"],
)
def test_erreur_fatale_une_ligne(tmp_path, capsys, fabrique, extrait):
    """A file that cannot be read: exit 2 and exactly one line ``Erreur : …`` on stderr."""
    code = main(["verifier", str(fabrique(tmp_path))])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Erreur : ")
    assert extrait in lines[0]


def test_colonne_indiquee_absente(tmp_path, capsys):
    """``--colonne`` naming a header that is not there: exit 2, the header named."""
    code = main(["verifier", workbook(tmp_path / "f.xlsx", CLEAN), "--colonne", "montant=Solde"])
    assert code == 2
    assert "« Solde » (champ montant) introuvable" in capsys.readouterr().err
