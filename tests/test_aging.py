"""Balance âgée: buckets, partial payments, credit notes, past dates, sorting, totals and DSO."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance_xl.aging import (
    BUCKET_LABELS,
    BUCKETS,
    COLUMN_LABELS,
    DSO_METHOD,
    INDICATOR_LABELS,
    aged_balance,
    count_back_dso,
    invoiced_blocks,
)
from relance_xl.invoices import invoice_frame
from relance_xl.model import Ledger, Settings

DATE = dt.date(2026, 11, 23)
EUR = Decimal


def ledger(*records: dict[str, object]) -> Ledger:
    """A ledger holding only the given invoices."""
    return Ledger(invoices=invoice_frame(records), clients={}, settings=Settings())


def facture(
    client: str = "Dupont SARL",
    montant: str = "100.00",
    retard: int = 10,
    emise_il_y_a: int | None = None,
    **extra: object,
) -> dict[str, object]:
    """One invoice due ``retard`` days before DATE (issued 30 days before its due date)."""
    due = DATE - dt.timedelta(days=retard)
    issued = DATE - dt.timedelta(days=emise_il_y_a) if emise_il_y_a is not None else None
    return {
        "client": client,
        "number": f"F-{client}-{retard}-{montant}",
        "invoice_date": issued or due - dt.timedelta(days=30),
        "due_date": due,
        "amount": EUR(montant),
        **extra,
    }


def only_row(balance):
    """The single client row of a one-client balance."""
    assert len(balance.rows) == 1
    return balance.rows[0]


@pytest.mark.parametrize(
    ("jours_de_retard", "tranche"),
    [
        (-15, "non_echu"),
        (0, "non_echu"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "plus_90"),
        (400, "plus_90"),
    ],
    ids=[
        "pas encore échue -> non échu",
        "d=0 payable ce jour -> non échu",
        "d=1 -> 1 à 30",
        "d=30 -> 1 à 30",
        "d=31 -> 31 à 60",
        "d=60 -> 31 à 60",
        "d=61 -> 61 à 90",
        "d=90 -> 61 à 90",
        "d=91 -> plus de 90",
        "d=400 -> plus de 90",
    ],
)
def test_invoice_falls_in_the_bucket_of_its_days_overdue(jours_de_retard, tranche):
    """An unpaid invoice sits in the bucket of date − échéance, edges included on the left."""
    row = only_row(aged_balance(ledger(facture(montant="123.45", retard=jours_de_retard)), DATE))
    expected = {name: EUR("123.45") if name == tranche else EUR("0.00") for name in BUCKETS}
    assert {name: row.bucket(name) for name in BUCKETS} == expected


@pytest.mark.parametrize(
    ("montant", "regle", "paye", "attendu"),
    [
        ("1000.00", "400.00", False, "600.00"),
        ("1000.00", "999.99", False, "0.01"),
        ("1000.00", None, True, None),
        ("1000.00", "1000.00", False, None),
        ("0.10", "0.00", False, "0.10"),
    ],
    ids=[
        "acompte de 400 -> reste 600",
        "réglé à un centime près -> reste 0,01",
        "payé sans date -> sorti de la balance",
        "réglé en totalité sans date -> sorti",
        "petit montant exact",
    ],
)
def test_outstanding_is_amount_minus_payments(montant, regle, paye, attendu):
    """Reste dû = Montant TTC − Montant réglé; a fully paid invoice leaves the balance."""
    extra = {"paid": paye} | ({"paid_amount": EUR(regle)} if regle else {})
    balance = aged_balance(ledger(facture(montant=montant, retard=45, **extra)), DATE)
    if attendu is None:
        assert balance.rows == ()
    else:
        assert only_row(balance).bucket("31-60") == EUR(attendu)


@pytest.mark.parametrize(
    ("reglement_dans", "regle", "attendu"),
    [
        (-1, "500.00", None),
        (0, "500.00", None),
        (1, "500.00", "500.00"),
        (20, None, "500.00"),
    ],
    ids=[
        "réglée la veille -> payée",
        "réglée le jour même -> payée",
        "réglée le lendemain -> encore due en entier",
        "Payé coché, réglée plus tard -> encore due",
    ],
)
def test_payment_after_the_date_counts_as_unpaid_then(reglement_dans, regle, attendu):
    """An invoice settled after the computation date is wholly unpaid at that date."""
    extra = {
        "payment_date": DATE + dt.timedelta(days=reglement_dans),
        "paid": regle is None,
        **({"paid_amount": EUR(regle)} if regle else {}),
    }
    balance = aged_balance(ledger(facture(montant="500.00", retard=20, **extra)), DATE)
    if attendu is None:
        assert balance.rows == ()
    else:
        assert only_row(balance).bucket("1-30") == EUR(attendu)


@pytest.mark.parametrize(
    ("emise_il_y_a", "comptee"),
    [(-1, False), (0, True), (5, True)],
    ids=[
        "émise le lendemain -> ignorée",
        "émise le jour même -> comptée",
        "émise avant -> comptée",
    ],
)
def test_only_invoices_issued_by_the_date_count(emise_il_y_a, comptee):
    """A balance at a past date ignores invoices issued after it."""
    record = facture(montant="80.00", retard=-20, emise_il_y_a=emise_il_y_a)
    balance = aged_balance(ledger(record), DATE)
    assert (balance.total.total == EUR("80.00")) is comptee


def test_invoice_without_issue_date_counts():
    """An invoice with no Date facture exists at any date (only its due date is known)."""
    record = facture(montant="80.00", retard=5) | {"invoice_date": None}
    assert aged_balance(ledger(record), DATE).total.total == EUR("80.00")


def test_same_ledger_at_two_dates_ages_the_invoice():
    """The same unpaid invoice moves from Non échu to 31-60 as the date goes by."""
    book = ledger(facture(montant="300.00", retard=0))
    later = aged_balance(book, DATE + dt.timedelta(days=45))
    assert only_row(aged_balance(book, DATE)).bucket("non_echu") == EUR("300.00")
    assert only_row(later).bucket("31-60") == EUR("300.00")


def test_credit_note_sits_in_the_bucket_of_its_own_due_date():
    """Invoice 1 000 € at 45 days, credit note −200 € not yet due: signed buckets, net total."""
    row = only_row(
        aged_balance(
            ledger(facture(montant="1000.00", retard=45), facture(montant="-200.00", retard=-5)),
            DATE,
        )
    )
    assert (row.bucket("31-60"), row.bucket("non_echu"), row.total) == (
        EUR("1000.00"),
        EUR("-200.00"),
        EUR("800.00"),
    )


def test_credit_note_is_neither_late_nor_counted_as_overdue_invoice():
    """An old credit note does not make the client late: retard max and count follow invoices."""
    row = only_row(
        aged_balance(
            ledger(facture(montant="-50.00", retard=200), facture(montant="300.00", retard=12)),
            DATE,
        )
    )
    assert (row.days_late_max, row.overdue_invoices, row.bucket("plus_90")) == (
        12,
        1,
        EUR("-50.00"),
    )


def test_client_with_nothing_due_has_zero_days_late():
    """Retard max is 0 (not negative) when no invoice of the client is past due."""
    row = only_row(aged_balance(ledger(facture(retard=-30)), DATE))
    assert (row.days_late_max, row.overdue_invoices) == (0, 0)


def test_partially_paid_overdue_invoices_are_counted_per_invoice():
    """Two overdue invoices of one client, one half paid: two invoices late, oldest delay kept."""
    row = only_row(
        aged_balance(
            ledger(
                facture(montant="100.00", retard=53, paid_amount=EUR("50.00")),
                facture(montant="40.00", retard=3),
                facture(montant="70.00", retard=80, paid=True),
            ),
            DATE,
        )
    )
    assert (row.total, row.days_late_max, row.overdue_invoices) == (EUR("90.00"), 53, 2)


def test_rows_are_sorted_by_days_late_not_by_invoice_date():
    """The client with the oldest overdue invoice comes first, whatever the invoice dates."""
    balance = aged_balance(
        ledger(
            facture("Ancienne facture, long délai", retard=-10, emise_il_y_a=200),
            facture("Récente mais en retard", retard=40, emise_il_y_a=50),
            facture("Un peu en retard", retard=5, emise_il_y_a=35),
        ),
        DATE,
    )
    assert [row.client for row in balance.rows] == [
        "Récente mais en retard",
        "Un peu en retard",
        "Ancienne facture, long délai",
    ]


def test_equal_delays_are_sorted_by_total_then_name():
    """Same retard max: the larger total first, then alphabetical order."""
    balance = aged_balance(
        ledger(
            facture("Bernard", montant="100.00", retard=20),
            facture("Alain", montant="100.00", retard=20),
            facture("Zoé", montant="900.00", retard=20),
        ),
        DATE,
    )
    assert [row.client for row in balance.rows] == ["Zoé", "Alain", "Bernard"]


def test_totals_row_adds_up_the_clients():
    """Totals row: each bucket and the total summed, the oldest delay, all overdue invoices."""
    balance = aged_balance(
        ledger(
            facture("A", montant="0.10", retard=10),
            facture("B", montant="0.20", retard=10),
            facture("B", montant="1000.00", retard=95),
            facture("C", montant="-30.00", retard=-3),
        ),
        DATE,
    )
    total = balance.total
    assert (
        total.client,
        total.bucket("1-30"),
        total.bucket("plus_90"),
        total.bucket("non_echu"),
    ) == (
        "Total",
        EUR("0.30"),
        EUR("1000.00"),
        EUR("-30.00"),
    )
    assert (total.total, total.days_late_max, total.overdue_invoices) == (EUR("970.30"), 95, 3)


def test_fully_paid_client_is_not_listed():
    """A client whose every invoice is paid has no row."""
    balance = aged_balance(
        ledger(facture("Payé", paid=True), facture("Impayé", montant="10.00")), DATE
    )
    assert [row.client for row in balance.rows] == ["Impayé"]


def test_empty_ledger_gives_zero_totals():
    """No invoice: no row, zero totals, no overdue share, DSO 0."""
    balance = aged_balance(ledger(), DATE)
    assert (balance.rows, balance.total.total, balance.indicators.overdue_share) == (
        (),
        EUR("0.00"),
        None,
    )
    assert balance.indicators.dso_days == Decimal("0.0")


def test_indicators_of_a_small_ledger():
    """Encours 1 000 €, échu 750 € (75 %), two of three clients in arrears."""
    balance = aged_balance(
        ledger(
            facture("A", montant="500.00", retard=100),
            facture("B", montant="250.00", retard=1),
            facture("C", montant="250.00", retard=0),
        ),
        DATE,
    )
    figures = balance.indicators
    assert (figures.outstanding, figures.overdue, figures.overdue_share) == (
        EUR("1000.00"),
        EUR("750.00"),
        Decimal("75.00"),
    )
    assert (figures.clients, figures.clients_in_arrears, figures.overdue_invoices) == (3, 2, 2)


@pytest.mark.parametrize(
    ("encours", "tranches", "attendu"),
    [
        (6000, (3000, 6000, 3000), "45.0"),
        (3000, (3000, 6000, 3000), "30.0"),
        (2000, (3000, 6000, 3000), "20.0"),
        (100, (700, 0, 0), "4.3"),
        (15000, (3000, 6000, 3000), "112.5"),
        (5000, (0, 6000, 0), "55.0"),
        (0, (3000, 6000, 3000), "0.0"),
        (-500, (3000, 6000, 3000), "0.0"),
        (1000, (0, 0, 0), None),
    ],
    ids=[
        "30 j + moitié du 2e bloc -> 45",
        "exactement le 1er bloc -> 30",
        "2/3 du 1er bloc -> 20",
        "prorata arrondi au dixième -> 4,3",
        "au-delà de 90 j, rythme moyen -> 112,5",
        "bloc récent vide compté 30 j -> 55",
        "rien dû -> 0",
        "solde créditeur -> 0",
        "aucune facturation -> non calculable",
    ],
)
def test_count_back_dso(encours, tranches, attendu):
    """DSO par épuisement: blocks of 30 days absorbed one after the other, the last prorated."""
    expected = None if attendu is None else Decimal(attendu)
    assert count_back_dso(encours, tranches) == expected


@pytest.mark.parametrize(
    ("factures_il_y_a", "attendu"),
    [
        ((0, 29), (200, 0, 0)),
        ((30, 59), (0, 200, 0)),
        ((60, 89), (0, 0, 200)),
        ((90, -1), (0, 0, 0)),
    ],
    ids=[
        "du jour et J-29 -> 1er bloc",
        "J-30 et J-59 -> 2e bloc",
        "J-60 et J-89 -> 3e bloc",
        "J-90 et après la date -> hors fenêtre",
    ],
)
def test_invoicing_is_cut_in_30_day_blocks_back_from_the_date(factures_il_y_a, attendu):
    """Each invoice's amount goes to the 30-day block of its invoice date."""
    book = ledger(*(facture(montant="1.00", emise_il_y_a=days) for days in factures_il_y_a))
    assert invoiced_blocks(book.invoices, DATE) == list(attendu)


def test_ledger_dso_is_computed_by_count_back_and_says_so():
    """Invoiced 3 000 / 6 000 / 3 000 € over 90 days, 6 000 € owed → DSO 45 days, method stated."""
    book = ledger(
        facture("A", montant="3000.00", emise_il_y_a=10, retard=-20),
        facture("B", montant="6000.00", emise_il_y_a=40, retard=10, paid_amount=EUR("3000.00")),
        facture("C", montant="3000.00", emise_il_y_a=70, retard=40, paid=True),
    )
    figures = aged_balance(book, DATE).indicators
    assert (figures.dso_days, figures.invoiced_90_days) == (Decimal("45.0"), EUR("12000.00"))
    assert figures.dso_method == DSO_METHOD and "épuisement" in figures.as_json()["methode_dso"]


def test_json_document_has_the_documented_shape():
    """JSON: date, buckets, clients with string amounts, totals and indicators."""
    payload = aged_balance(ledger(facture("Dupont", montant="1234.5", retard=53)), DATE).as_json()
    assert payload["date"] == "2026-11-23"
    assert payload["tranches"] == ["non_echu", "1-30", "31-60", "61-90", "plus_90"]
    assert payload["clients"] == [
        {
            "client": "Dupont",
            "non_echu": "0.00",
            "1-30": "0.00",
            "31-60": "1234.50",
            "61-90": "0.00",
            "plus_90": "0.00",
            "total": "1234.50",
            "retard_max": 53,
            "factures_en_retard": 1,
        }
    ]
    assert payload["total"] == {name: "0.00" for name in BUCKETS} | {
        "31-60": "1234.50",
        "total": "1234.50",
    }
    assert payload["indicateurs"]["encours_echu"] == "1234.50"


def test_row_cells_follow_the_french_column_labels():
    """cells() lines up with COLUMN_LABELS, whose bucket headers come from BUCKET_LABELS."""
    row = only_row(aged_balance(ledger(facture("Dupont", montant="10.00", retard=2)), DATE))
    assert dict(zip(COLUMN_LABELS, row.cells(), strict=True)) == {
        "Client": "Dupont",
        BUCKET_LABELS["non_echu"]: EUR("0.00"),
        "1 à 30 j": EUR("10.00"),
        "31 à 60 j": EUR("0.00"),
        "61 à 90 j": EUR("0.00"),
        "Plus de 90 j": EUR("0.00"),
        "Total": EUR("10.00"),
        "Retard max (j)": 2,
        "Factures en retard": 1,
    }


def test_indicators_carry_french_labels_for_the_dashboard():
    """labelled() gives every indicator under its French label, amounts as Decimal."""
    figures = aged_balance(ledger(facture(montant="250.00", retard=40)), DATE).indicators
    pairs = dict(figures.labelled())
    assert list(pairs) == list(INDICATOR_LABELS.values())
    assert (pairs["Encours échu"], pairs["Part échue (%)"], pairs["Clients en retard"]) == (
        EUR("250.00"),
        Decimal("100.00"),
        1,
    )


INVOICES = st.lists(
    st.fixed_dictionaries(
        {
            "client": st.sampled_from(["Alpha", "Bêta", "Gamma"]),
            "cents": st.integers(min_value=-(10**9), max_value=10**11),
            "retard": st.integers(min_value=-60, max_value=200),
            "emise": st.integers(min_value=-10, max_value=300),
            "regle_cents": st.integers(min_value=0, max_value=10**9),
            "reglement": st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
        }
    ),
    max_size=25,
)


def _reference_balance(items) -> dict[str, dict[str, Decimal]]:
    """The aged balance recomputed invoice by invoice with Decimal, independently of pandas."""
    result: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in items:
        if item["emise"] < 0:
            continue
        amount = Decimal(item["cents"]) / 100
        if item["reglement"] is None:
            due = amount - Decimal(item["regle_cents"]) / 100
        else:
            due = amount if item["reglement"] > 0 else Decimal(0)
        if due == 0:
            continue
        days = item["retard"]
        name = next(
            name
            for name, upper in zip(BUCKETS, (0, 30, 60, 90, 10**9), strict=True)
            if days <= upper
        )
        result[item["client"]][name] += due
    return {client: dict(buckets) for client, buckets in result.items()}


@settings(max_examples=60, deadline=None)
@given(INVOICES)
def test_balance_matches_an_invoice_by_invoice_decimal_computation(items):
    """Every client bucket equals the exact Decimal sum computed invoice by invoice."""
    records = [
        facture(
            item["client"],
            montant=str(Decimal(item["cents"]) / 100),
            retard=item["retard"],
            emise_il_y_a=item["emise"],
            paid_amount=Decimal(item["regle_cents"]) / 100,
            payment_date=None
            if item["reglement"] is None
            else DATE + dt.timedelta(days=item["reglement"]),
        )
        for item in items
    ]
    balance = aged_balance(ledger(*records), DATE)
    expected = _reference_balance(items)
    got = {
        row.client: {name: row.bucket(name) for name in BUCKETS if row.bucket(name)}
        for row in balance.rows
    }
    assert got == {
        client: {name: value for name, value in buckets.items() if value}
        for client, buckets in expected.items()
    }
    assert balance.total.total == sum((row.total for row in balance.rows), Decimal("0.00"))
