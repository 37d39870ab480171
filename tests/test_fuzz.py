"""Fuzzing the whole chain with hypothesis: files → reader → review → sheets, and the rules.

Invariants, whatever the workbook:
- reading never raises anything but a French InputError; every anomaly points at a real row;
- the balance totals equal the sum of its rows, and the invoice-by-invoice sum of what is due;
- a paid invoice never appears in the actions; one action per client; an action's amount is the
  sum of its invoices; its penalties are the penalty rules applied invoice by invoice;
- week after week, with each step recorded, a client moves at most one level per run;
- what is written into the workbook reads back to the same totals.

Sized for CI (the default hypothesis profile, fewer examples for the tests that write files);
``RELANCE_FUZZ=long`` selects the ``long`` profile of tests/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from hostile import AS_OF, Formula, clients_of, parameters, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from relance_xl.errors import RelanceError
from relance_xl.escalation import next_actions, procedure_for
from relance_xl.invoices import issued_by, outstanding, to_decimal
from relance_xl.model import ClientType, HistoryEntry, ReadOptions, Status
from relance_xl.money import from_cents
from relance_xl.penalties import compute_penalty
from relance_xl.pipeline import load, review
from relance_xl.reader import read_sheets
from relance_xl.sheets import result_sheets
from relance_xl.workbook import parse_workbook
from relance_xl.writeback import update_workbook

EXAMPLES = settings.default.max_examples
"""100 with hypothesis' default profile, 2 000 with ``RELANCE_FUZZ=long``."""
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = settings(FUZZ, max_examples=max(15, EXAMPLES // 5))
"""A review (reading, balance, escalation, penalties) per example: a fifth of the examples."""
FILES = settings(FUZZ, max_examples=max(8, EXAMPLES // 10))
"""A workbook written and read per example: a tenth."""

HEADER = ["Client", "N° facture", "Date facture", "Échéance", "Montant TTC", "Payé",
          "Montant réglé", "Date de règlement", "Litige"]  # fmt: skip
NAMES = ["Dupont SARL", "Martin SA", "Hôtel du Parc", "M. Bernard", "Mairie de Lyon"]


# --- stratégies -------------------------------------------------------------------------------


cents = st.integers(min_value=-50_000, max_value=5_000_000)
days = st.integers(min_value=-30, max_value=400)


@st.composite
def invoice_rows(draw, paid_amounts: bool = True) -> list[list[object]]:
    """A Factures sheet as a user keeps it: credit notes, paid, partly paid, disputed rows."""
    rows: list[list[object]] = [HEADER]
    for n in range(draw(st.integers(min_value=0, max_value=10))):
        issued = AS_OF - dt.timedelta(days=draw(days))
        due = issued + dt.timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        amount = from_cents(draw(cents))
        state = draw(st.sampled_from(["ouvert", "payé", "payé le", "partiel", "litige"]))
        paid = "oui" if state == "payé" else "non"
        settled = None
        partial = None
        if state == "payé le":
            settled = due + dt.timedelta(days=draw(st.integers(min_value=-10, max_value=120)))
        if state == "partiel" and paid_amounts and amount > 0:
            partial = from_cents(draw(st.integers(min_value=0, max_value=int(amount * 100))))
        rows.append([
            draw(st.sampled_from(NAMES)), f"F-{n:03d}", issued, due, amount, paid, partial,
            settled, "oui" if state == "litige" else "non",
        ])  # fmt: skip
    return rows


@st.composite
def workbooks(draw, paid_amounts: bool = True) -> dict[str, list[list[object]]]:
    """Factures, Clients (random types and contract rates) and Paramètres."""
    rows = draw(invoice_rows(paid_amounts))
    types = st.sampled_from([t.value for t in ClientType])
    chosen = {name: draw(types) for name in NAMES}
    clients = clients_of(rows, Type=lambda n, name: chosen[name])
    minimum = draw(st.sampled_from([0, 10, 500]))
    return {
        "Factures": rows,
        "Clients": clients,
        "Paramètres": parameters(**{"Montant minimum à relancer": minimum}),
    }


def ledger_of(sheets: dict[str, list[list[object]]]):
    """Parse the grids as the reader hands them over (dates as dates, numbers as floats)."""
    grids = {
        name: [[float(c) if isinstance(c, Decimal) else c for c in row] for row in rows]
        for name, rows in sheets.items()
    }
    return parse_workbook(grids, ReadOptions(), source="fuzz.xlsx")


# --- lecteur : fichiers arbitraires ---------------------------------------------------------------


cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from([Formula("NA()", "#N/A"), Formula("1/0", "#DIV/0!"), Formula("A1", "#REF!")]),
)


@FILES
@given(
    body=st.lists(st.lists(cell, max_size=10), max_size=12),
    header=st.sampled_from([HEADER, HEADER[:5], ["Customer", "Invoice", "Due date", "Amount"], []]),
    date1904=st.booleans(),
)
def test_tout_classeur_se_lit_ou_donne_une_erreur_francaise(body, header, date1904):
    """Any workbook is read into a ledger or refused with a French InputError; every anomaly
    names an existing row; no row is both an invoice and an error."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "f.xlsx", {"Factures": [header, *body]},
                          date1904=date1904)  # fmt: skip
        try:
            ledger = load(path)
        except RelanceError as error:
            assert error.message and "\n" not in error.message
            return
    last_row = len(body) + 1
    rows = set(ledger.invoices["row"])
    for anomaly in ledger.anomalies:
        assert anomaly.message and anomaly.message[0] != " "
        assert anomaly.row is None or 1 <= anomaly.row <= last_row
        if anomaly.severity == "erreur" and anomaly.sheet == ledger.invoice_sheet:
            assert anomaly.row not in rows
    assert len(rows) == len(ledger.invoices)


@FILES
@given(st.binary(max_size=400), st.sampled_from([b"", b"\xef\xbb\xbf", b"Client;Montant\r\n"]))
def test_tout_csv_se_lit_ou_donne_une_erreur_francaise(data, prefix):
    """Any bytes named .csv are a grid or a French InputError, then a ledger or a French
    error: never another exception."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(prefix + data)
        try:
            sheets = read_sheets(path)
            parse_workbook(sheets, ReadOptions(), source=path.name)
        except RelanceError as error:
            assert error.message and "\n" not in error.message


# --- revue : totaux, factures payées, une action par client ---------------------------------------


@RULES
@given(workbooks())
def test_totaux_egaux_a_la_somme_des_lignes(sheets):
    """The totals row is the sum of the client rows, bucket by bucket, and equals the
    invoice-by-invoice sum of what is due at the date (credit notes netted)."""
    ledger = ledger_of(sheets)
    balance = review(ledger, AS_OF).balance
    for index, total in enumerate(balance.total.buckets):
        assert total == sum((row.buckets[index] for row in balance.rows), Decimal("0.00"))
    assert balance.total.total == sum((row.total for row in balance.rows), Decimal("0.00"))
    frame = ledger.invoices[issued_by(ledger.invoices, AS_OF)]
    due = sum((to_decimal(c) for c in outstanding(frame, AS_OF)), Decimal("0.00"))
    assert balance.total.total == due


@RULES
@given(workbooks())
def test_une_facture_payee_n_est_jamais_relancee(sheets):
    """No action lists an invoice with nothing left to pay, and a client has one action."""
    ledger = ledger_of(sheets)
    actions = review(ledger, AS_OF).actions
    frame = ledger.invoices
    left = dict(zip(frame["number"], outstanding(frame, AS_OF), strict=True))
    for action in actions:
        for line in action.invoices:
            assert left[line.number] != 0, (action.client, line.number)
    clients = [action.client for action in actions]
    assert len(clients) == len(set(clients))


@RULES
@given(workbooks(paid_amounts=False))
def test_montant_et_penalites_d_une_action(sheets):
    """An action's amount is the sum of its invoices; its interest and fee are the penalty
    rules applied to each invoice (compute_penalty), for the client's type."""
    ledger = ledger_of(sheets)
    for action in review(ledger, AS_OF).actions:
        assert action.amount_due == sum((line.outstanding for line in action.invoices),
                                        Decimal("0.00"))  # fmt: skip
        assert action.interest == sum((line.interest for line in action.invoices), Decimal(0))
        assert action.fee == sum((line.fee for line in action.invoices), Decimal(0))
        client = ledger.clients[action.client]
        if client.type is ClientType.PARTICULIER:
            continue  # from the mise en demeure only: covered by test_penalties
        for line in action.invoices:
            expected = compute_penalty(line.outstanding, line.due_date, AS_OF, client.type)
            assert (line.interest, line.fee) == (expected.interest, expected.fee), line.number


@RULES
@given(workbooks(), st.lists(st.integers(min_value=1, max_value=14), min_size=2, max_size=6))
def test_un_niveau_par_passage_semaine_apres_semaine(sheets, gaps):
    """Recording every step « à faire » as « envoyé » after each run: a client's next step is
    never more than one level above the highest level already sent to it (levels are never
    skipped), whatever the days between runs."""
    ledger = ledger_of(sheets)
    day = AS_OF - dt.timedelta(days=sum(gaps))
    sent: dict[str, int] = {}
    history = list(ledger.history)
    for gap in gaps:
        day += dt.timedelta(days=gap)
        current = replace(ledger, history=tuple(history))
        for action in next_actions(current, day):
            position = _position(ledger, action.client, action.level)
            if action.state != "à faire" or position is None:
                continue
            assert position <= sent.get(action.client, 0) + 1, (day, action)
            sent[action.client] = max(sent.get(action.client, 0), position)
            history += [
                HistoryEntry(day, action.client, line.number, action.level, action.action,
                             action.channel, Status.ENVOYE)
                for line in action.invoices
            ]  # fmt: skip


def _position(ledger, client: str, level: str) -> int | None:
    """1-based place of ``level`` among the non-preventive levels of the client's procedure
    (None for a preventive call, which only some clients get)."""
    procedure = procedure_for(ledger.clients[client], ledger.settings)
    levels = [item.level for item in procedure.levels if not item.preventive]
    return levels.index(level) + 1 if level in levels else None


@RULES
@given(workbooks())
def test_meme_jour_memes_actions(sheets):
    """Running twice on the same day proposes exactly the same actions."""
    ledger = ledger_of(sheets)
    assert next_actions(ledger, AS_OF) == next_actions(ledger, AS_OF)


# --- de bout en bout : écrit dans le classeur, relu identique -----------------------------------


@FILES
@given(workbooks())
def test_le_classeur_ecrit_se_relit_avec_les_memes_totaux(sheets):
    """The sheets written into the workbook read back (calamine) with the same totals row and
    one line per client and per action; the user's sheets are untouched."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "f.xlsx", sheets)
        result = review(load(path), AS_OF)
        update_workbook(path, replace_sheets=result_sheets(result))
        book = CalamineWorkbook.from_path(str(path))
        reread = load(path)
        balance = book.get_sheet_by_name("Balance âgée").to_python()
    assert list(reread.invoices["number"]) == list(result.ledger.invoices["number"])
    totals = next(row for row in balance if row and row[0] == "Total")
    numbers = [Decimal(str(c)).quantize(Decimal("0.01")) for c in totals if isinstance(c, float)]
    expected = [*result.balance.total.buckets, result.balance.total.total]
    assert numbers[: len(expected)] == expected
