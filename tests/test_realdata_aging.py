"""``relance-xl balance`` on real third-party files, checked against figures found another way."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

from relance_xl.cli import main

pytestmark = pytest.mark.realdata

BARBARZILAY = "ar_aging_barbarzilay/ar-aging-report.xlsx"
IBM = "ibm_ar_pbifinanceml/WA_Fn-UseC_-Accounts-Receivable.csv"
IBM_MAPPING = {
    "client": "customerID",
    "numero": "invoiceNumber",
    "date_facture": "InvoiceDate",
    "echeance": "DueDate",
    "montant": "InvoiceAmount",
    "date_reglement": "SettledDate",
}
IBM_OPTIONS = (
    "--format-date",
    "MM/JJ/AAAA",
    *(arg for field, header in IBM_MAPPING.items() for arg in ("--colonne", f"{field}={header}")),
)
OUR_BUCKETS = ("non_echu", "1-30", "31-60", "61-90", "plus_90")
THEIR_BUCKETS = ("Current", "1-30", "31-60", "61-90", "90+")


def balance_json(capsys, path, *options: str) -> dict:
    """Run ``relance-xl balance … --json`` and return the document."""
    main(["balance", str(path), *options, "--json"])
    return json.loads(capsys.readouterr().out)


def two_decimals(value: object) -> str:
    """An amount as the JSON writes it."""
    return f"{Decimal(str(value)):.2f}"


@pytest.fixture
def barbarzilay(realdata, capsys):
    """(our JSON at 2026-07-16, the workbook's path)."""
    path = realdata(BARBARZILAY)
    payload = balance_json(
        capsys,
        path,
        "--feuille",
        "Open Invoices",
        "--colonne",
        "montant=Open Advance (ILS)",
        "--date",
        "2026-07-16",
    )
    return payload, path


def test_barbarzilay_totals_match_the_cached_formulas(barbarzilay):
    """Current 3 052 025; 1-30 0; 31-60 112 795; 61-90 0; 90+ 4 505 330; total 7 670 150."""
    payload, _ = barbarzilay
    assert payload["total"] == {
        "non_echu": "3052025.00",
        "1-30": "0.00",
        "31-60": "112795.00",
        "61-90": "0.00",
        "plus_90": "4505330.00",
        "total": "7670150.00",
    }


def test_barbarzilay_each_customer_matches_its_aging_report_row(barbarzilay):
    """Each customer's buckets equal the SUMIFS values cached in the sheet Aging Report."""
    payload, path = barbarzilay
    sheet = openpyxl.load_workbook(path, data_only=True, read_only=True)["Aging Report"]
    header = [cell.value for cell in next(sheet.iter_rows(min_row=5, max_row=5))]
    theirs = {}
    for values in sheet.iter_rows(min_row=6, values_only=True):
        if not values[0] or str(values[0]).startswith("Total"):
            break
        row = dict(zip(header, values, strict=True))
        theirs[row["Customer"]] = {
            ours: two_decimals(row[their])
            for ours, their in zip(OUR_BUCKETS, THEIR_BUCKETS, strict=True)
        }
    ours = {c["client"]: {name: c[name] for name in OUR_BUCKETS} for c in payload["clients"]}
    assert len(theirs) == 20
    assert ours == theirs


def test_barbarzilay_most_late_customer_first(barbarzilay):
    """Ayalon Agro (due 30/03/2025, 473 days) heads the list; retard max never increases."""
    payload, _ = barbarzilay
    delays = [c["retard_max"] for c in payload["clients"]]
    assert (payload["clients"][0]["client"], delays[0]) == ("Ayalon Agro Ltd", 473)
    assert delays == sorted(delays, reverse=True)


def ibm_reference(path, as_of: dt.date) -> dict[str, dict[str, Decimal]]:
    """Per customer and bucket, the open amount at ``as_of``, with the csv module and Decimal."""

    def us_date(text: str) -> dt.date:
        return dt.datetime.strptime(text, "%m/%d/%Y").date()

    result: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(OUR_BUCKETS, Decimal(0))
    )
    with open(path, newline="", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            if us_date(line["InvoiceDate"]) > as_of or us_date(line["SettledDate"]) <= as_of:
                continue
            late = (as_of - us_date(line["DueDate"])).days
            index = sum(late > limit for limit in (0, 30, 60, 90))
            result[line["customerID"]][OUR_BUCKETS[index]] += Decimal(line["InvoiceAmount"])
    return result


@pytest.mark.parametrize(
    ("date", "options"),
    [
        ("2013-06-30", ("--format-date", "MM/JJ/AAAA")),
        ("2013-03-01", IBM_OPTIONS),
        ("2012-12-31", IBM_OPTIONS),
    ],
    ids=[
        "30/06/2013, en-têtes reconnus seuls",
        "01/03/2013 (tranche 31-60), colonnes explicites",
        "31/12/2012, colonnes explicites",
    ],
)
def test_ibm_customer_balances_match_a_plain_csv_computation(realdata, capsys, date, options):
    """At a past date, each customer's buckets equal an independent csv + Decimal computation."""
    path = realdata(IBM)
    payload = balance_json(capsys, path, *options, "--date", date)
    expected = {
        customer: {name: f"{value:.2f}" for name, value in buckets.items()}
        for customer, buckets in ibm_reference(path, dt.date.fromisoformat(date)).items()
    }
    ours = {c["client"]: {name: c[name] for name in OUR_BUCKETS} for c in payload["clients"]}
    assert len(expected) > 10
    assert ours == expected


def test_ibm_indicators_at_a_past_date(realdata, capsys):
    """Outstanding total and 90-day invoicing at 30/06/2013 agree with the csv module's sums."""
    path = realdata(IBM)
    as_of = dt.date(2013, 6, 30)
    payload = balance_json(capsys, path, *IBM_OPTIONS, "--date", "2013-06-30")
    invoiced = Decimal(0)
    with open(path, newline="", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            issued = dt.datetime.strptime(line["InvoiceDate"], "%m/%d/%Y").date()
            if 0 <= (as_of - issued).days < 90:
                invoiced += Decimal(line["InvoiceAmount"])
    outstanding = sum(
        (sum(buckets.values()) for buckets in ibm_reference(path, as_of).values()), Decimal(0)
    )
    figures = payload["indicateurs"]
    assert (figures["encours_total"], figures["facturation_90_jours"]) == (
        f"{outstanding:.2f}",
        f"{invoiced:.2f}",
    )
    assert figures["dso_jours"] is not None
