"""Pénalités de retard: the worked examples of legal_fr.md §7, the rules, and the bulk path."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relance_xl.invoices import invoice_frame, outstanding
from relance_xl.model import Client, ClientType, Ledger, Settings
from relance_xl.money import from_cents
from relance_xl.penalties import (
    Period,
    compute_penalty,
    contract_rate_for,
    invoice_penalties,
    ledger_penalties,
)
from relance_xl.rates import default_rates

D = Decimal
PRO, PART, ADMIN = ClientType.PROFESSIONNEL, ClientType.PARTICULIER, ClientType.ADMINISTRATION
day = dt.date


# --- exemples chiffrés (legal_fr.md §7) ----------------------------------------------------------

EXEMPLES = [
    (D("1000"), day(2024, 1, 1), day(2024, 1, 31), PRO, None, None, "11.92", "40.00"),
    (D("10000"), day(2026, 5, 1), day(2026, 9, 1), PRO, None, None, "413.75", "40.00"),
    (D("10000"), day(2023, 3, 24), day(2023, 8, 1), ADMIN, None, None, "373.97", "40.00"),
    (D("1000"), day(2026, 1, 15), day(2026, 4, 2), PART, None, day(2026, 2, 1), "4.31", "0.00"),
    (D("15000"), day(2026, 3, 1), day(2026, 3, 31), PRO, D("15"), None, "184.93", "40.00"),
    (D("100"), day(2016, 11, 1), day(2016, 11, 16), PRO, D("10"), None, "0.41", "40.00"),
]


@pytest.mark.parametrize(
    ("montant", "echeance", "paiement", "debiteur", "taux", "mise_en_demeure", "interets",
     "indemnite"),
    EXEMPLES,
    ids=["1 : 30 jours au 2024S1", "2 : à cheval sur 2026S1 et 2026S2",
         "3 : acheteur public, taux figé", "4 : particulier après mise en demeure",
         "5 : taux contractuel 15 %", "ERPNext : 100 € à 10 % pendant 15 jours"],
)  # fmt: skip
def test_exemple_chiffre(montant, echeance, paiement, debiteur, taux, mise_en_demeure, interets,
                         indemnite):  # fmt: skip
    """Each worked example gives the expected interest and fixed fee."""
    penalty = compute_penalty(
        montant, echeance, paiement, debiteur, taux, mise_en_demeure, payment_date=paiement
    )
    assert (penalty.interest, penalty.fee) == (D(interets), D(indemnite))
    assert penalty.warnings == ()


def test_exemple_2_chaque_jour_au_taux_de_son_semestre():
    """123 days: 60 in 2026 S1 at 12.15 %, 63 in 2026 S2 at 12.40 %, rounded once (not 413.76)."""
    penalty = compute_penalty(D("10000"), day(2026, 5, 1), day(2026, 9, 1))
    assert penalty.days_late == 123
    assert penalty.periods == (
        Period(day(2026, 5, 2), day(2026, 6, 30), 60, D("12.15")),
        Period(day(2026, 7, 1), day(2026, 9, 1), 63, D("12.40")),
    )
    assert penalty.total == D("453.75")


def test_exemple_3_acheteur_public_un_seul_taux_malgre_le_1er_juillet():
    """A public buyer's rate is fixed by the half-year the delay started in, for 130 days."""
    penalty = compute_penalty(D("10000"), day(2023, 3, 24), day(2023, 8, 1), ADMIN)
    assert penalty.periods == (Period(day(2023, 3, 25), day(2023, 8, 1), 130, D("10.50")),)


def test_json_de_l_exemple_1():
    """The JSON shape of ``relance-xl penalites --json``."""
    assert compute_penalty(D("1000"), day(2024, 1, 1), day(2024, 1, 31)).as_json() == {
        "jours": 30,
        "interets": "11.92",
        "indemnite": "40.00",
        "total": "51.92",
        "periodes": [{"du": "2024-01-02", "au": "2024-01-31", "jours": 30, "taux": "14.50"}],
        "avertissements": [],
    }


# --- jours de retard -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("echeance", "fin", "jours"),
    [
        (day(2026, 3, 31), day(2026, 3, 31), 0),
        (day(2026, 3, 31), day(2026, 4, 1), 1),
        (day(2026, 3, 31), day(2026, 3, 1), 0),
        (day(2024, 2, 28), day(2024, 3, 1), 2),
    ],
    ids=["payé le jour de l'échéance", "lendemain", "avant l'échéance", "29 février compté"],
)
def test_jours_de_retard(echeance, fin, jours):
    """Days late run from the day after the due date up to and including the end."""
    assert compute_penalty(D("1000"), echeance, fin).days_late == jours


def test_paiement_a_l_echeance_ne_doit_rien():
    """Paying on the due date is on time: no interest, no fee."""
    penalty = compute_penalty(D("1000"), day(2026, 3, 31), day(2026, 3, 31))
    assert (penalty.interest, penalty.fee, penalty.periods) == (D("0.00"), D("0.00"), ())


def test_paiement_posterieur_a_la_date_de_calcul_pas_encore_fait():
    """A payment after the computation date is not made yet: the delay ends at that date."""
    later = compute_penalty(
        D("1000"), day(2024, 1, 1), day(2024, 1, 31), payment_date=day(2024, 3, 1)
    )
    assert later.days_late == 30


def test_diviseur_365_meme_en_annee_bissextile():
    """366 days late in 2024 at 14.50 % then 14.25 % use the divisor 365."""
    penalty = compute_penalty(D("36500"), day(2023, 12, 31), day(2024, 12, 31))
    assert penalty.interest == D("14.50") * 182 + D("14.25") * 184


def test_petit_montant_doit_quand_meme_40_euros():
    """The 40 € fee is owed per late invoice however small (CJUE C-370/21)."""
    penalty = compute_penalty(D("1.00"), day(2026, 3, 1), day(2026, 3, 2))
    assert (penalty.interest, penalty.fee) == (D("0.00"), D("40.00"))


@pytest.mark.parametrize("montant", [D("0"), D("-250.00")], ids=["rien dû", "avoir"])
def test_rien_du_ou_avoir_sans_penalite(montant):
    """Nothing owed (or a credit note): no interest and no fee."""
    penalty = compute_penalty(montant, day(2026, 1, 1), day(2026, 3, 1))
    assert (penalty.interest, penalty.fee) == (D("0.00"), D("0.00"))


# --- professionnel -------------------------------------------------------------------------------


def test_retard_sur_deux_changements_de_semestre():
    """June 2023 → January 2024: three half-years, each at its own rate."""
    penalty = compute_penalty(D("1000"), day(2023, 6, 15), day(2024, 1, 15))
    assert [(p.days, p.rate) for p in penalty.periods] == [
        (15, D("12.50")),
        (184, D("14.00")),
        (15, D("14.50")),
    ]
    assert penalty.interest == D("81.67")


def test_taux_contractuel_sous_le_plancher_averti():
    """A contractual 15 % in 2024 S1 is below 3 × 5.07 % = 15.21 %: used, with a warning."""
    penalty = compute_penalty(D("15000"), day(2024, 1, 1), day(2024, 1, 31), rate=D("15"))
    assert penalty.interest == D("184.93")
    assert penalty.warnings == (
        "taux contractuel de 15,00 % inférieur au minimum légal de 15,21 % au 2024S1 "
        "(3 × le taux de l'intérêt légal, art. L441-10 II du Code de commerce)",
    )


def test_taux_contractuel_egal_au_plancher_accepte():
    """A contractual rate equal to 3 × the legal rate is lawful: no warning."""
    penalty = compute_penalty(D("1000"), day(2024, 1, 1), day(2024, 1, 31), rate=D("15.21"))
    assert penalty.warnings == ()


def test_taux_par_defaut_jamais_averti_meme_sous_trois_fois_le_legal():
    """The default ECB + 10 (14.50 % in 2024 S1) is not a contractual rate: no floor warning."""
    assert compute_penalty(D("1000"), day(2024, 1, 1), day(2024, 3, 1)).warnings == ()


def test_semestre_manquant_averti():
    """A delay running into 2027 S1 borrows 2026 S2's ECB rate and says so."""
    penalty = compute_penalty(D("500"), day(2026, 12, 1), day(2027, 2, 1))
    assert [p.rate for p in penalty.periods] == [D("12.40"), D("12.40")]
    assert penalty.warnings == (
        "taux BCE du 2027S1 inconnu : dernier taux connu (2026S2, 2,40 %) utilisé",
    )


def test_plancher_du_2026s2_sur_taux_legal_emprunte():
    """The floor check of 2026 S2 uses 2026 S1's legal rate and says it is borrowed."""
    penalty = compute_penalty(D("1000"), day(2026, 7, 1), day(2026, 8, 1), rate=D("12"))
    assert penalty.warnings == (
        "taux de l'intérêt légal (autres cas) du 2026S2 inconnu : "
        "dernier taux connu (2026S1, 2,62 %) utilisé",
    )


# --- particulier et acheteur public --------------------------------------------------------------


def test_particulier_sans_mise_en_demeure_ne_doit_rien():
    """Before any mise en demeure a consumer owes no interest, and never the 40 €."""
    penalty = compute_penalty(D("1000"), day(2026, 1, 15), day(2026, 4, 2), PART)
    assert (penalty.days_late, penalty.interest, penalty.fee) == (77, D("0.00"), D("0.00"))


@pytest.mark.parametrize(
    ("mise_en_demeure", "debut", "interets"),
    [
        (day(2026, 2, 1), day(2026, 2, 2), "4.31"),
        (day(2026, 1, 10), day(2026, 1, 16), "5.53"),
        (day(2026, 4, 2), None, "0.00"),
    ],
    ids=["après l'échéance", "avant l'échéance", "le jour du paiement"],
)
def test_particulier_interets_du_lendemain_de_la_mise_en_demeure(mise_en_demeure, debut, interets):
    """A consumer's interest runs from the day after the mise en demeure, never before the due
    date's next day."""
    penalty = compute_penalty(
        D("1000"), day(2026, 1, 15), day(2026, 4, 2), PART, formal_notice=mise_en_demeure
    )
    assert penalty.interest == D(interets)
    assert [p.start for p in penalty.periods] == ([debut] if debut else [])


@pytest.mark.parametrize(
    ("debiteur", "article"),
    [(ADMIN, "R2192-31"), (PART, "1231-6")],
    ids=["acheteur public", "particulier"],
)
def test_taux_contractuel_ignore_hors_professionnel(debiteur, article):
    """No contractual rate for a public buyer or a consumer: warned, the legal rate is used."""
    base = compute_penalty(D("1000"), day(2026, 1, 1), day(2026, 3, 1), debiteur,
                           formal_notice=day(2026, 1, 1))  # fmt: skip
    penalty = compute_penalty(D("1000"), day(2026, 1, 1), day(2026, 3, 1), debiteur, D("20"),
                              day(2026, 1, 1))  # fmt: skip
    assert penalty.interest == base.interest
    assert len(penalty.warnings) == 1 and article in penalty.warnings[0]


# --- invariants ----------------------------------------------------------------------------------

debtors = st.sampled_from(list(ClientType))
dates = st.dates(min_value=day(2014, 1, 1), max_value=day(2028, 12, 31))
amounts = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)
contract = st.none() | st.decimals(min_value=D("0"), max_value=D("30"), places=2)


@given(amounts, dates, dates, debtors, contract, st.none() | dates)
def test_jamais_negatif(amount, due, end, debtor, rate, notice):
    """Interest and fee are never negative."""
    penalty = compute_penalty(amount, due, end, debtor, rate, notice)
    assert penalty.interest >= 0 and penalty.fee >= 0


@given(amounts, dates, dates, st.integers(0, 400), debtors, contract, st.none() | dates)
def test_croissant_avec_la_date(amount, due, end, more, debtor, rate, notice):
    """Computing later never owes less."""
    before = compute_penalty(amount, due, end, debtor, rate, notice)
    after = compute_penalty(amount, due, end + dt.timedelta(days=more), debtor, rate, notice)
    assert after.interest >= before.interest and after.fee >= before.fee


@given(dates, st.integers(0, 800), st.integers(0, 800), st.sampled_from([PRO, PART]), contract)
def test_couper_le_retard_en_deux_garde_les_memes_jours(due, first, second, debtor, rate):
    """Splitting a delay at any day keeps the days, and each day's rate (professional, consumer)."""
    middle = due + dt.timedelta(days=first)
    end = middle + dt.timedelta(days=second)

    def rate_days(start, stop):
        penalty = compute_penalty(D("1000"), start, stop, debtor, rate, start)
        return penalty.days_late, sum(p.rate * p.days for p in penalty.periods)

    whole, part1, part2 = rate_days(due, end), rate_days(due, middle), rate_days(middle, end)
    assert whole == (part1[0] + part2[0], part1[1] + part2[1])


# --- calcul en masse -----------------------------------------------------------------------------

AS_OF = day(2026, 11, 23)
invoices = st.lists(
    st.fixed_dictionaries(
        {
            "amount": st.decimals(min_value=D("-500"), max_value=D("99999.99"), places=2),
            "paid_share": st.sampled_from([D("0"), D("0.3"), D("1")]),
            "due": st.dates(min_value=day(2022, 1, 1), max_value=day(2027, 1, 31)),
            "paid_after": st.none() | st.integers(-60, 60),
            "paid_flag": st.booleans(),
            "debtor": debtors,
            "rate": st.sampled_from([None, D("15"), D("7.5"), D("12.125")]),
            "notice": st.none() | st.dates(min_value=day(2023, 1, 1), max_value=day(2026, 12, 1)),
        }
    ),
    min_size=1,
    max_size=25,
)


def _frame(
    rows: list[dict], index: list[int]
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    """Invoice frame and the three aligned series from generated rows."""
    records = [
        {
            "client": f"C{i}",
            "number": f"F{i}",
            "due_date": r["due"],
            "amount": r["amount"],
            "paid_amount": (r["amount"] * r["paid_share"]).quantize(D("0.01")),
            "paid": r["paid_flag"] and r["paid_after"] is None,
            "payment_date": None
            if r["paid_after"] is None
            else AS_OF + dt.timedelta(days=r["paid_after"]),
        }
        for i, r in enumerate(rows)
    ]
    frame = invoice_frame(records).set_axis(index)
    types = pd.Series([r["debtor"].value for r in rows], index=index)
    rates = pd.Series([r["rate"] for r in rows], index=index, dtype=object)
    notices = pd.Series(pd.to_datetime([r["notice"] for r in rows]), index=index)
    return frame, types, rates, notices


@settings(max_examples=60, deadline=None)
@given(invoices)
def test_masse_identique_au_calcul_facture_par_facture(rows):
    """The bulk path gives, invoice by invoice, the scalar function's cents, fee and warnings."""
    index = [1000 + 7 * i for i in range(len(rows))][::-1]
    frame, types, rates, notices = _frame(rows, index)
    result = invoice_penalties(frame, AS_OF, types, rates, notices, default_rates())
    remaining = outstanding(frame, AS_OF)
    assert list(result.index) == index
    for key, row in zip(index, rows, strict=True):
        due_amount = from_cents(remaining[key])
        if due_amount > 0 and row["due"] < AS_OF:
            expected = compute_penalty(
                due_amount, row["due"], AS_OF, row["debtor"], row["rate"], row["notice"]
            )
        else:
            expected = compute_penalty(D("0"), row["due"], row["due"])
        got = result.loc[key]
        assert from_cents(got["interest"]) == expected.interest
        assert from_cents(got["fee"]) == expected.fee
        assert got["days_late"] == expected.days_late
        assert got["warnings"] == expected.warnings


def test_masse_ne_facture_ni_avoir_ni_payee_ni_non_echue():
    """Credit notes, paid invoices and invoices not yet due owe nothing in the bulk path."""
    frame = invoice_frame(
        [
            {"client": "A", "number": "AV1", "due_date": day(2026, 1, 1), "amount": D("-100")},
            {"client": "A", "number": "F2", "due_date": day(2026, 1, 1), "amount": D("100"),
             "paid": True},
            {"client": "A", "number": "F3", "due_date": day(2026, 12, 1), "amount": D("100")},
            {"client": "A", "number": "F4", "due_date": day(2026, 1, 1), "amount": D("100"),
             "paid_amount": D("100")},
        ]
    )  # fmt: skip
    result = invoice_penalties(
        frame, AS_OF, pd.Series(PRO.value, index=frame.index),
        pd.Series(None, index=frame.index, dtype=object),
        pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"), default_rates(),
    )  # fmt: skip
    assert result[["interest", "fee", "days_late"]].to_numpy().tolist() == [[0, 0, 0]] * 4


def test_masse_sur_reste_du_apres_paiement_partiel():
    """Interest is computed on Montant TTC − Montant réglé."""
    frame = invoice_frame(
        [{"client": "A", "number": "F1", "due_date": day(2024, 1, 1), "amount": D("1500"),
          "paid_amount": D("500")}]
    )  # fmt: skip
    result = invoice_penalties(
        frame, day(2024, 1, 31), pd.Series([PRO.value]), pd.Series([None], dtype=object),
        pd.Series([pd.NaT]), default_rates(),
    )  # fmt: skip
    assert (result["interest"][0], result["fee"][0], result["days_late"][0]) == (1192, 4000, 30)


@pytest.mark.parametrize(
    ("montant", "echeance", "type_attendu"),
    [
        (D("5000000000000000"), day(2024, 1, 1), np.int64),
        (D("90000000000000000"), day(2016, 1, 1), object),
    ],
    ids=["produit hors int64", "intérêts hors int64"],
)
def test_masse_montants_absurdes_exacts(montant, echeance, type_attendu):
    """Beyond int64, the bulk path falls back to Python integers and stays exact."""
    frame = invoice_frame(
        [
            {"client": "A", "number": "F1", "due_date": echeance, "amount": montant},
            {"client": "B", "number": "F2", "due_date": echeance, "amount": D("1000")},
        ]
    )
    result = invoice_penalties(
        frame, AS_OF, pd.Series([PRO.value] * 2), pd.Series([D("15")] * 2, dtype=object),
        pd.Series([pd.NaT] * 2), default_rates(),
    )  # fmt: skip
    assert result["interest"].dtype == type_attendu
    for position, amount in enumerate((montant, D("1000"))):
        expected = compute_penalty(amount, echeance, AS_OF, rate=D("15")).interest
        assert from_cents(result["interest"][position]) == expected


# --- taux contractuel applicable -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "global_", "attendu"),
    [
        (Client("A", PRO, contract_rate=D("20")), D("12"), D("20")),
        (Client("A", PRO), D("12"), D("12")),
        (Client("A", PRO), None, None),
        (Client("A", PART), D("12"), None),
        (Client("A", ADMIN), D("12"), None),
    ],
    ids=["taux du client", "taux global de Paramètres", "taux légal", "particulier : pas le global",
         "administration : pas le global"],
)  # fmt: skip
def test_priorite_du_taux_contractuel(client, global_, attendu):
    """Client rate > Paramètres rate (professionals only) > legal default."""
    assert contract_rate_for(client, Settings(contract_rate=global_)) == attendu


def test_penalites_du_classeur_avec_clients_et_parametres():
    """A ledger's penalties use each client's type, rate precedence and the Taux overrides."""
    frame = invoice_frame(
        [
            {"client": "Pro", "number": "F1", "due_date": day(2024, 1, 1), "amount": D("1000")},
            {"client": "Perso", "number": "F2", "due_date": day(2024, 1, 1), "amount": D("1000")},
            {"client": "Mairie", "number": "F3", "due_date": day(2024, 1, 1),
             "amount": D("1000")},
        ]
    )  # fmt: skip
    ledger = Ledger(
        invoices=frame,
        clients={
            "Pro": Client("Pro", PRO),
            "Perso": Client("Perso", PART),
            "Mairie": Client("Mairie", ADMIN),
        },
        settings=Settings(contract_rate=D("20"), rates={("bce", "2024S1"): D("5.00")}),
    )
    result = ledger_penalties(ledger, day(2024, 1, 31))
    pro = compute_penalty(D("1000"), day(2024, 1, 1), day(2024, 1, 31), rate=D("20"))
    assert result["interest"].tolist() == [to_int(pro.interest), 0, 1068]
    assert result["fee"].tolist() == [4000, 0, 4000]


def to_int(amount: Decimal) -> int:
    """Euros → cents, for expectations."""
    return int(amount * 100)


# --- données réelles -----------------------------------------------------------------------------

IBM = "ibm_ar_pbifinanceml/WA_Fn-UseC_-Accounts-Receivable.csv"


def _us_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%m/%d/%Y").date()


@pytest.mark.realdata
def test_jours_de_retard_du_fichier_ibm(realdata):
    """On 2,466 real invoices, our days late at the settlement date equal the file's DaysLate."""
    with realdata(IBM).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    late = 0
    for row in rows:
        settled = _us_date(row["SettledDate"])
        penalty = compute_penalty(
            D(row["InvoiceAmount"]), _us_date(row["DueDate"]), settled, payment_date=settled
        )
        assert penalty.days_late == int(row["DaysLate"])
        assert penalty.fee == (D("40.00") if penalty.days_late else D("0.00"))
        late += penalty.days_late > 0
    assert (len(rows), late) == (2466, 877)
