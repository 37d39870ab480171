"""``relance-xl balance``: French table, JSON document, dates, column mapping and errors."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from relance_xl.cli import main

FRENCH_HEADERS = [
    "Client",
    "N° facture",
    "Date facture",
    "Échéance",
    "Montant TTC",
    "Payé",
    "Montant réglé",
    "Date de règlement",
]

INVOICES = [
    ["Dupont SARL", "F-001", dt.date(2026, 9, 1), dt.date(2026, 10, 1), 1234.56, "non", None, None],
    ["Dupont SARL", "F-002", dt.date(2026, 10, 24), dt.date(2026, 11, 23), 200, "non", None, None],
    ["Martin EURL", "F-003", dt.date(2026, 7, 1), dt.date(2026, 8, 1), 1000, "non", 400, None],
    ["Martin EURL", "AV-004", dt.date(2026, 11, 2), dt.date(2026, 12, 2), -100, "non", None, None],
    ["Leroy SA", "F-005", dt.date(2026, 9, 15), dt.date(2026, 10, 15), 500, "oui", 500,
     dt.date(2026, 11, 10)],
    ["Petit", "F-006", dt.date(2026, 11, 20), dt.date(2026, 12, 20), 90, "non", None, None],
]  # fmt: skip


def workbook(path, headers=FRENCH_HEADERS, rows=INVOICES, sheet="Factures"):
    """Write an invoice workbook and return its path as text."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return str(path)


def run_json(capsys, *argv):
    """Run ``balance --json`` and return (exit code, document)."""
    code = main(["balance", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def classeur(tmp_path):
    """The six-invoice French workbook."""
    return workbook(tmp_path / "factures.xlsx")


def test_json_gives_each_client_by_bucket(classeur, capsys):
    """At 23/11/2026: Martin 600 € at 114 days, Dupont 1 234,56 € at 53 days, Petit not due."""
    code, payload = run_json(capsys, classeur, "--date", "2026-11-23")
    assert code == 0
    assert [(c["client"], c["total"], c["retard_max"]) for c in payload["clients"]] == [
        ("Martin EURL", "500.00", 114),
        ("Dupont SARL", "1434.56", 53),
        ("Petit", "90.00", 0),
    ]
    assert payload["clients"][0]["plus_90"] == "600.00"
    assert payload["clients"][0]["non_echu"] == "-100.00"


def test_json_totals_and_indicators(classeur, capsys):
    """The totals row and the ledger figures come with the clients."""
    _, payload = run_json(capsys, classeur, "--date", "2026-11-23")
    assert payload["total"] == {
        "non_echu": "190.00",
        "1-30": "0.00",
        "31-60": "1234.56",
        "61-90": "0.00",
        "plus_90": "600.00",
        "total": "2024.56",
    }
    figures = payload["indicateurs"]
    assert (figures["encours_echu"], figures["clients_en_retard"]) == ("1834.56", 2)
    assert "épuisement" in figures["methode_dso"]


@pytest.mark.parametrize(
    ("date", "attendu"),
    [
        ("2026-11-05", {"Dupont SARL": "1434.56", "Leroy SA": "500.00", "Martin EURL": "500.00"}),
        ("2026-10-20", {"Dupont SARL": "1234.56", "Leroy SA": "500.00", "Martin EURL": "600.00"}),
        ("2026-06-30", {}),
    ],
    ids=[
        "5/11 : Leroy réglé le 10/11 encore dû, Petit pas encore facturé",
        "20/10 : ni F-002 ni l'avoir n'existent encore",
        "30/06 : aucune facture émise",
    ],
)
def test_balance_at_a_past_date(classeur, capsys, date, attendu):
    """A past date counts only invoices issued by then, and later payments as unpaid."""
    _, payload = run_json(capsys, classeur, "--date", date)
    assert {c["client"]: c["total"] for c in payload["clients"]} == attendu


def test_default_date_is_today(classeur, capsys):
    """Without --date, the balance is computed at today's date."""
    _, payload = run_json(capsys, classeur)
    assert payload["date"] == dt.date.today().isoformat()


def test_table_is_french(classeur, capsys):
    """The terminal table has French headers, French amounts and the most late client first."""
    assert main(["balance", classeur, "--date", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Balance âgée au 23 novembre 2026")
    assert "Non échu" in out and "Plus de 90 j" in out
    assert "1\u202f234,56\xa0€" in out
    assert out.index("Martin EURL") < out.index("Dupont SARL") < out.index("Petit")
    assert "DSO : " in out


def test_english_workbook_with_explicit_mapping(tmp_path, capsys):
    """Headers no synonym knows are read through --colonne."""
    rows = [
        ["ACME Ltd", "INV-1", dt.date(2026, 1, 5), dt.date(2026, 2, 4), 750.25],
        ["ACME Ltd", "INV-2", dt.date(2026, 3, 1), dt.date(2026, 3, 31), 100],
    ]
    path = workbook(
        tmp_path / "ar.xlsx",
        headers=["Debtor name", "Doc ref", "Doc date", "Pay by", "Gross open"],
        rows=rows,
        sheet="Ledger",
    )
    mapping = [
        "client=Debtor name",
        "numero=Doc ref",
        "date_facture=Doc date",
        "echeance=Pay by",
        "montant=Gross open",
    ]
    options = [arg for item in mapping for arg in ("--colonne", item)]
    _, payload = run_json(capsys, path, "--feuille", "Ledger", *options, "--date", "2026-04-10")
    assert payload["clients"][0] == {
        "client": "ACME Ltd",
        "non_echu": "0.00",
        "1-30": "100.00",
        "31-60": "0.00",
        "61-90": "750.25",
        "plus_90": "0.00",
        "total": "850.25",
        "retard_max": 65,
        "factures_en_retard": 2,
    }


def test_csv_with_us_dates(tmp_path, capsys):
    """A CSV with US dates is read with --format-date MM/JJ/AAAA (11/01 is 1 November)."""
    path = tmp_path / "factures.csv"
    path.write_text(
        "Client,N° facture,Date facture,Échéance,Montant TTC\n"
        "Durand,F1,10/02/2026,11/01/2026,300.00\n"
        "Durand,F2,10/20/2026,11/19/2026,45.50\n",
        encoding="utf-8",
    )
    _, payload = run_json(capsys, str(path), "--format-date", "MM/JJ/AAAA", "--date", "2026-12-05")
    client = payload["clients"][0]
    assert (client["31-60"], client["1-30"], client["retard_max"]) == ("300.00", "45.50", 34)


def test_anomalies_give_exit_code_1(tmp_path, capsys):
    """A row that cannot be read is reported on stderr and the exit code is 1."""
    rows = [*INVOICES, ["Bernard", "F-007", dt.date(2026, 9, 1), dt.date(2026, 10, 1), "abc"]]
    path = workbook(tmp_path / "factures.xlsx", rows=rows)
    assert main(["balance", path, "--date", "2026-11-23"]) == 1
    assert "anomalie" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["balance", "absent.xlsx"], "Erreur : "),
        (["balance", "x.xlsx", "--date", "23/11/2026"], "date invalide"),
        (["balance", "x.xlsx", "--colonne", "montant"], "CHAMP=EN-TÊTE"),
    ],
    ids=["fichier absent", "date au mauvais format", "--colonne sans signe égal"],
)
def test_errors_are_one_french_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, message):
    """Bad input gives ``Erreur : …`` on stderr, exit code 2 and no traceback."""
    monkeypatch.chdir(tmp_path)
    workbook(tmp_path / "x.xlsx")
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.startswith("Erreur : ") and "Traceback" not in err


def test_help_is_french(capsys):
    """``balance --help`` describes the command and its options in French only."""
    with pytest.raises(SystemExit) as stop:
        main(["balance", "--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert "date de calcul" in out and "Balance âgée" in out
    assert not any(word in out for word in ("usage:", "positional arguments", "show this help"))
