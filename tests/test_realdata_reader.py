"""Real third-party files (../shared/realdata): read without crashing, with the right figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relance_xl.columns import INVOICES, TableSpec, find_header
from relance_xl.errors import InputError
from relance_xl.invoices import to_date
from relance_xl.model import ReadOptions, Severity
from relance_xl.money import from_cents
from relance_xl.pipeline import load
from relance_xl.reader import read_sheets

pytestmark = pytest.mark.realdata

AGING = "ar_aging_barbarzilay/ar-aging-report.xlsx"
IBM_CSV = "ibm_ar_pbifinanceml/WA_Fn-UseC_-Accounts-Receivable.csv"
IBM_MISSING = "ibm_ar_with_missing_wdmartin44/WA_Fn-UseC_-Accounts-Receivable_with_missing.csv"
IBM_XLSX = "ibm_ar_xlsx_misebastian/WA_Fn-UseC_-Accounts-Receivable.xlsx"
XERO = "ar_aging_saurav_tandon/sample_AR_aging_report.xlsx"
XERO_CSV = "ar_aging_saurav_tandon/invoices_sample.csv"
FRENCH_SAAS = "fr_invoice_reminders_charlythegreat/exemple_import.csv"
US = ReadOptions(date_format="MM/JJ/AAAA")


def total(ledger) -> Decimal:
    """Σ Montant TTC of the invoices read (exact)."""
    return from_cents(int(ledger.invoices["amount"].sum()))


@pytest.mark.parametrize(
    "fichier", [AGING, IBM_CSV, IBM_MISSING, IBM_XLSX, XERO, XERO_CSV, FRENCH_SAAS]
)
@pytest.mark.parametrize("options", [ReadOptions(), US], ids=["JJ/MM/AAAA", "MM/JJ/AAAA"])
def test_aucun_fichier_reel_ne_plante(realdata, fichier, options):
    """Every real file gives a Ledger or one French InputError, never another exception."""
    try:
        ledger = load(realdata(fichier), options)
    except InputError as error:
        assert error.message and "\n" not in error.message
    else:
        assert ledger.invoices["number"].is_unique
        assert all(a.message and a.sheet for a in ledger.anomalies)


def test_rapport_de_balance_agee_sans_correspondance(realdata):
    """The aging report has no amount column our synonyms know: fatal, listing the sheets."""
    with pytest.raises(InputError, match="aucune feuille de factures"):
        load(realdata(AGING))


def test_rapport_de_balance_agee_en_tete_ligne_5(realdata):
    """On sheet Aging Report, the header row is found on row 5, under a title and notes."""
    grid = read_sheets(realdata(AGING))["Aging Report"]
    customers = TableSpec(
        labels={"client": "Client", "montant": "Montant"},
        synonyms={name: INVOICES.synonyms[name] for name in ("client", "montant")},
        required=(("client",), ("montant",)),
    )
    header = find_header(grid, customers)
    assert header is not None
    assert header.excel_row == 5
    assert (header.label("client"), header.label("montant")) == ("Customer", "Total")


def test_factures_ouvertes_avec_correspondance(realdata):
    """Open Invoices with ``montant = Open Advance (ILS)``: 26 invoices, the footnote skipped."""
    options = ReadOptions(sheet="Open Invoices", columns={"montant": "Open Advance (ILS)"})
    ledger = load(realdata(AGING), options)
    assert len(ledger.invoices) == 26
    assert total(ledger) == Decimal("7670150.00")
    assert ledger.anomalies == ()
    first = ledger.invoices.iloc[0]
    assert (first["number"], first["client"]) == ("INV-2025-0010", "Arava Motors Ltd")
    assert first["row"] == 2
    assert to_date(first["due_date"]) == dt.date(2025, 9, 11)


def test_csv_ibm_au_format_americain(realdata):
    """The IBM CSV read month first: 2 466 invoices, Σ 147 703,18 exactly, no anomaly."""
    ledger = load(realdata(IBM_CSV), US)
    assert len(ledger.invoices) == 2466
    assert total(ledger) == Decimal("147703.18")
    assert ledger.anomalies == ()
    assert int(ledger.invoices["disputed"].sum()) == 561
    assert ledger.invoices["payment_date"].notna().all()
    due_after = (ledger.invoices["due_date"] - ledger.invoices["invoice_date"]).dt.days
    assert (due_after == 30).all()


def test_csv_ibm_au_format_francais_signale_les_dates(realdata):
    """Read day first, the US dates impossible that way are erreurs suggesting MM/JJ/AAAA."""
    ledger = load(realdata(IBM_CSV))
    errors = [a for a in ledger.anomalies if a.severity is Severity.ERREUR]
    assert errors
    assert all("MM/JJ/AAAA" in a.message for a in errors)
    assert len(ledger.invoices) + len({a.row for a in errors}) == 2466


def test_csv_ibm_avec_valeurs_manquantes(realdata):
    """The variant with blanks: 2 586 invoices; its gaps are in columns we do not read."""
    ledger = load(realdata(IBM_MISSING), US)
    assert len(ledger.invoices) == 2586
    assert total(ledger) == Decimal("155658.78")
    assert ledger.anomalies == ()


def test_classeur_ibm_desordonne(realdata):
    """The messy IBM workbook, month first: text amounts and text dates are parsed correctly;
    the dates a day-first Excel swapped cannot be undone, so they are reported — once per date
    column, and on each row where the échéance falls before the date facture."""
    ledger = load(realdata(IBM_XLSX), US)
    assert len(ledger.invoices) == 2466
    assert total(ledger) == Decimal("147703.18")
    assert ledger.invoices.iloc[0]["number"] == "611365"
    assert {a.severity for a in ledger.anomalies} == {Severity.AVERTISSEMENT}
    columns = [a.column for a in ledger.anomalies if a.row is None]
    assert columns == ["InvoiceDate", "DueDate", "SettledDate"]
    swapped = ledger.invoices["due_date"] < ledger.invoices["invoice_date"]
    row_warnings = [a for a in ledger.anomalies if a.row is not None]
    assert len(row_warnings) == int(swapped.sum()) > 0
    assert all("antérieure à la date facture" in a.message for a in row_warnings)
    assert {a.row for a in row_warnings} == set(ledger.invoices.loc[swapped, "row"])


def test_export_xero(realdata):
    """The Xero-style export: Contact is the client and Total the amount."""
    ledger = load(realdata(XERO))
    assert len(ledger.invoices) == 10
    assert total(ledger) == Decimal("22170.00")
    assert ledger.invoices.iloc[0]["client"] == "Acme Marketing Ltd"


def test_petit_csv_iso(realdata):
    """invoice_id, customer, amount, due_date (ISO): four invoices, due dates only."""
    ledger = load(realdata(XERO_CSV))
    assert list(ledger.invoices["number"]) == ["INV001", "INV002", "INV003", "INV004"]
    assert ledger.invoices["invoice_date"].isna().all()
    assert total(ledger) == Decimal("3300.00")


def test_import_saas_francais(realdata):
    """The French SaaS import sample: accents intact, amounts with a dot."""
    ledger = load(realdata(FRENCH_SAAS))
    assert list(ledger.invoices["client"]) == ["Jean Koffi", "Marie Tapé", "Pierre Yeo"]
    assert ledger.invoices.iloc[1]["subject"] == "Développement web"
    assert total(ledger) == Decimal("4750.50")
