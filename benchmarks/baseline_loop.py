"""Référence du banc de calcul : les mêmes règles, écrites en boucle Python ligne à ligne.

What a careful accountant-programmer writes without numpy: one pass over the invoices with
``Decimal`` amounts, ``date`` objects and dicts keyed by client, then one pass per client. It
implements the rules of :func:`relance_xl.pipeline.review` — balance âgée with its indicators,
prochaines actions (domain.md §5, the six rules, as documented in relance_xl.escalation) and the
pénalités de retard of each invoice of an action (legal_fr.md §2–4) — and must give the same
result: ``tests/test_baseline_loop.py`` checks it on a few hundred invoices.

It reuses relance_xl's data and small lookups only (rate tables, half-year split, working days,
level ranks, procedure and contract-rate choice, the DSO count-back formula), never its
vectorised engines. The input is the ledger as plain records (:func:`records_of`), built before
the clock starts, as an accountant's script would hold its rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from relance_xl.aging import (
    BUCKET_UPPER_DAYS,
    TOTAL_LABEL,
    AgedBalance,
    BalanceRow,
    Indicators,
    count_back_dso,
)
from relance_xl.dates import half_year, split_by_half_year
from relance_xl.escalation import (
    A_FAIRE,
    A_TRANSMETTRE,
    A_VENIR,
    CALL_GUIDE,
    FORMAL_NOTICE,
    PHONE_CHANNEL,
    STATES,
    level_rank,
)
from relance_xl.escalation import procedure_for as escalation_procedure
from relance_xl.model import (
    Action,
    Client,
    ClientType,
    HistoryEntry,
    InvoiceLine,
    Ledger,
    ProcedureLevel,
    Status,
)
from relance_xl.money import CENT
from relance_xl.penalties import DAYS_PER_YEAR, FIXED_FEE, contract_rate_for
from relance_xl.procedures import ECHEANCE, FACTURE, PRECEDENTE
from relance_xl.rates import AUTRES, RateTables, default_rates
from relance_xl.text import normalize
from relance_xl.workdays import next_working_day

ZERO = Decimal("0.00")
HORIZON_DAYS = 7
"""À venir: the steps of the next seven days (the default of relance_xl's next_actions)."""
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Invoice:
    """One usable invoice row, as plain Python values."""

    position: int
    client: str
    number: str
    invoice_date: dt.date | None
    due_date: dt.date
    amount: Decimal
    paid_amount: Decimal
    paid: bool
    payment_date: dt.date | None
    disputed: bool
    promise_date: dt.date | None
    subject: str
    order_date: dt.date | None
    order_ref: str


@dataclass(frozen=True)
class Books:
    """The baseline's input: invoices as records, clients, settings, history, instalments."""

    invoices: list[Invoice]
    ledger: Ledger


@dataclass(frozen=True)
class Result:
    """Balance âgée and prochaines actions, as relance_xl.pipeline.Review holds them."""

    balance: AgedBalance
    actions: tuple[Action, ...]


def records_of(ledger: Ledger) -> Books:
    """The ledger's invoice frame as a list of :class:`Invoice` (Decimal euros, dates)."""
    frame = ledger.invoices

    def dates(column: str) -> list[dt.date | None]:
        return frame[column].to_numpy(dtype="datetime64[D]").astype(object).tolist()

    def euros(column: str) -> list[Decimal]:
        return [Decimal(int(v)).scaleb(-2) for v in frame[column].tolist()]

    columns = zip(
        range(len(frame)),
        frame["client"].tolist(),
        frame["number"].tolist(),
        dates("invoice_date"),
        dates("due_date"),
        euros("amount"),
        euros("paid_amount"),
        frame["paid"].tolist(),
        dates("payment_date"),
        frame["disputed"].tolist(),
        dates("promise_date"),
        frame["subject"].tolist(),
        dates("order_date"),
        frame["order_ref"].tolist(),
        strict=True,
    )
    return Books([Invoice(*values) for values in columns], ledger)


def review_loop(books: Books, as_of: dt.date) -> Result:
    """Balance âgée and prochaines actions at ``as_of``, row by row."""
    return Result(aged_balance_loop(books, as_of), tuple(next_actions_loop(books, as_of)))


# --- balance âgée --------------------------------------------------------------------------------


def outstanding(invoice: Invoice, as_of: dt.date) -> Decimal:
    """Reste dû at ``as_of``: paid (Payé without date, or settled by then) → 0; settled later →
    the whole amount; else amount − Montant réglé. Credit notes stay negative."""
    if invoice.payment_date is None:
        return ZERO if invoice.paid else invoice.amount - invoice.paid_amount
    if invoice.payment_date <= as_of:
        return ZERO
    return invoice.amount


def bucket_of(days: int) -> int:
    """Non échu (≤ 0), 1–30, 31–60, 61–90, > 90: the first bucket whose upper bound holds it."""
    for index, upper in enumerate(BUCKET_UPPER_DAYS):
        if days <= upper:
            return index
    return len(BUCKET_UPPER_DAYS)


def aged_balance_loop(books: Books, as_of: dt.date) -> AgedBalance:
    """Balance âgée: per client, outstanding by bucket, oldest delay, overdue count."""
    buckets: dict[str, list[Decimal]] = {}
    late_max: dict[str, int] = {}
    late_count: dict[str, int] = {}
    invoiced = [ZERO, ZERO, ZERO]
    for invoice in books.invoices:
        if invoice.invoice_date is not None:
            age = (as_of - invoice.invoice_date).days
            if 0 <= age < 90:
                invoiced[age // 30] += invoice.amount
            if invoice.invoice_date > as_of:
                continue
        remaining = outstanding(invoice, as_of)
        if remaining == 0:
            continue
        days = (as_of - invoice.due_date).days
        if invoice.client not in buckets:
            buckets[invoice.client] = [ZERO] * 5
            late_max[invoice.client] = 0
            late_count[invoice.client] = 0
        buckets[invoice.client][bucket_of(days)] += remaining
        if remaining > 0:
            late_max[invoice.client] = max(late_max[invoice.client], days)
            if days > 0:
                late_count[invoice.client] += 1
    rows = [
        BalanceRow(key, tuple(amounts), sum(amounts, ZERO), late_max[key], late_count[key])
        for key, amounts in buckets.items()
    ]
    rows.sort(key=lambda row: row.client)
    rows.sort(key=lambda row: (-row.days_late_max, -row.total))
    sums = [sum((row.buckets[b] for row in rows), ZERO) for b in range(5)]
    total = BalanceRow(
        TOTAL_LABEL,
        tuple(sums),
        sum(sums, ZERO),
        max((row.days_late_max for row in rows), default=0),
        sum(row.overdue_invoices for row in rows),
    )
    outstanding_total = total.total
    overdue = sum(sums[1:], ZERO)
    share = None
    if outstanding_total > 0:
        share = (overdue * 100 / outstanding_total).quantize(CENT, rounding=ROUND_HALF_UP)
    indicators = Indicators(
        outstanding=outstanding_total,
        overdue=overdue,
        overdue_share=share,
        dso_days=count_back_dso(_cents(outstanding_total), [_cents(v) for v in invoiced]),
        invoiced_90_days=sum(invoiced, ZERO),
        clients=len(rows),
        clients_in_arrears=sum(1 for row in rows if sum(row.buckets[1:], ZERO) > 0),
        overdue_invoices=total.overdue_invoices,
    )
    return AgedBalance(as_of, tuple(rows), total, indicators)


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


# --- pénalités -----------------------------------------------------------------------------------


def penalty(
    remaining: Decimal,
    due: dt.date,
    as_of: dt.date,
    debtor: ClientType,
    rate: Decimal | None,
    notice: dt.date | None,
    rates: RateTables,
) -> tuple[Decimal, Decimal]:
    """(interest, fee) of one unpaid overdue invoice: Σ remaining × rate × days / 36 500 over its
    periods, rounded half up once; 40 € unless the debtor is a consumer."""
    first = due + ONE_DAY
    rate_days = Decimal(0)
    if debtor is ClientType.PROFESSIONNEL:
        for start, stop in split_by_half_year(first, as_of):
            applied = rate if rate is not None else rates.b2b_rate(half_year(start)).rate
            rate_days += applied * ((stop - start).days + 1)
    elif debtor is ClientType.ADMINISTRATION:
        if first <= as_of:
            applied = rates.public_buyer_rate(half_year(first)).rate
            rate_days += applied * ((as_of - first).days + 1)
    elif notice is not None:
        for start, stop in split_by_half_year(max(first, notice + ONE_DAY), as_of):
            rate_days += rates.legal_rate(half_year(start), AUTRES).rate * ((stop - start).days + 1)
    interest = (remaining * rate_days / (100 * DAYS_PER_YEAR)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return interest, ZERO if debtor is ClientType.PARTICULIER else FIXED_FEE


# --- prochaines actions --------------------------------------------------------------------------


@dataclass
class _Row:
    """An open invoice during the escalation pass."""

    invoice: Invoice
    remaining: Decimal
    days: int
    current: int | None = None
    last: dt.date | None = None
    eligible: bool = False
    next_level: int | None = None  # index in the client's sorted steps
    next_date: dt.date | None = None
    final: bool = False


def next_actions_loop(books: Books, as_of: dt.date) -> list[Action]:
    """Prochaines actions at ``as_of``: one per client (à faire, à venir, à transmettre)."""
    ledger = books.ledger
    settings = ledger.settings
    for client in ledger.clients.values():
        if client.procedure:
            escalation_procedure(client, settings)  # an unknown procedure name is fatal
    sent_rank: dict[tuple[str, str], tuple[int, dt.date]] = {}
    client_last: dict[str, dt.date] = {}
    notices: dict[tuple[str, str], dt.date] = {}
    for entry in ledger.history:
        rank = level_rank(entry.level)
        if entry.status != Status.ENVOYE or entry.date > as_of or rank is None:
            continue
        key = (entry.client, entry.invoice)
        if key not in sent_rank or (rank, entry.date) >= sent_rank[key]:
            sent_rank[key] = (rank, entry.date)
        client_last[entry.client] = max(entry.date, client_last.get(entry.client, entry.date))
    notice_words: dict[str, bool] = {}
    for entry in ledger.history:
        if (
            entry.status == Status.ENVOYE
            and entry.date <= as_of
            and _is_notice(ledger, entry, notice_words)
        ):
            key = (entry.client, entry.invoice)
            notices[key] = min(entry.date, notices.get(key, entry.date))
    required: dict[tuple[str, str], Decimal] = {}
    for instalment in ledger.instalments:
        key = (instalment.client, instalment.invoice)
        due_part = instalment.amount if instalment.date <= as_of else ZERO
        required[key] = required.get(key, ZERO) + due_part

    by_client: dict[str, list[_Row]] = defaultdict(list)
    for invoice in books.invoices:
        if invoice.invoice_date is not None and invoice.invoice_date > as_of:
            continue
        remaining = outstanding(invoice, as_of)
        if remaining == 0:
            continue
        row = _Row(invoice, remaining, (as_of - invoice.due_date).days)
        found = sent_rank.get((invoice.client, invoice.number))
        if found is not None:
            row.current, row.last = found
        key = (invoice.client, invoice.number)
        honoured = key in required and invoice.paid_amount >= required[key]
        row.eligible = (
            remaining > 0
            and not invoice.disputed
            and not (invoice.promise_date is not None and invoice.promise_date >= as_of)
            and not honoured
        )
        by_client[invoice.client].append(row)

    rates = default_rates().with_overrides(settings.rates)
    minimum = settings.minimum_amount
    procedures: dict[tuple[str | None, ClientType], list[_Step]] = {}
    actions = []
    for key, rows in by_client.items():
        client = ledger.clients.get(key) or Client(key)
        kind = (client.procedure, client.type)
        if kind not in procedures:
            procedures[kind] = _steps(escalation_procedure(client, settings).levels)
        context = (as_of, client_last.get(key), notices, rates, ledger)
        action = _client_action(client, procedures[kind], rows, *context)
        if action is not None and action.amount_due > 0 and action.amount_due >= minimum:
            actions.append(action)
    actions.sort(key=lambda a: (STATES.index(a.state), a.planned_date, -a.amount_due, a.client))
    return actions


@dataclass(frozen=True, slots=True)
class _Step:
    """A level of a procedure with what the loop asks of it, worked out once per procedure."""

    rank: int
    level: ProcedureLevel
    reference: str  # FACTURE, ECHEANCE or PRECEDENTE
    preventive: bool


def _steps(levels: tuple[ProcedureLevel, ...]) -> list[_Step]:
    """The levels sorted by rank, references in their canonical spelling."""
    references = {normalize(name): name for name in (FACTURE, ECHEANCE, PRECEDENTE)}
    steps = [
        _Step(
            level_rank(level.level), level, references[normalize(level.reference)], level.preventive
        )
        for level in levels
    ]
    return sorted(steps, key=lambda step: step.rank)


def _client_action(
    client: Client,
    levels: list[_Step],
    rows: list[_Row],
    as_of: dt.date,
    contacted: dt.date | None,
    notices: dict[tuple[str, str], dt.date],
    rates: RateTables,
    ledger: Ledger,
) -> Action | None:
    """The client's action (None when nothing is due this week), before the minimum amount."""
    watched = client.watch or ledger.settings.preventive_for_all
    horizon = as_of + dt.timedelta(days=HORIZON_DAYS)
    for row in rows:
        if client.do_not_chase:
            row.eligible = False
        if not row.eligible:
            continue
        floor = row.last + ONE_DAY if row.last is not None else None
        if contacted is not None and contacted >= as_of:
            floor = max(floor, as_of + ONE_DAY) if floor else as_of + ONE_DAY
        row.next_level = _next_level(row, levels, watched, floor, as_of)
        if row.next_level is not None:
            row.next_date = _step_date(row, levels[row.next_level], floor)
        row.final = row.next_level is None and row.current is not None

    due_now = [r for r in rows if r.next_date is not None and r.next_date <= as_of]
    soon = [r for r in rows if r.next_date is not None and r.next_date <= horizon]
    finals = [r for r in rows if r.final]
    if finals:
        state, level = A_TRANSMETTRE, levels[-1].level
        trigger = finals
        planned = min(r.last for r in finals)
    elif due_now or soon:
        state = A_FAIRE if due_now else A_VENIR
        candidates = due_now or soon
        rank = max(levels[r.next_level].rank for r in candidates)
        step = next(step for step in levels if step.rank == rank)
        level = step.level
        if step.preventive:  # one call for every invoice with a preventive call due
            trigger = [r for r in candidates if levels[r.next_level].preventive]
        else:
            trigger = [r for r in candidates if levels[r.next_level].rank == rank]
        planned = min(r.next_date for r in trigger)
    else:
        return None
    chosen = {id(r) for r in trigger}
    members = [r for r in rows if id(r) in chosen or (r.eligible and r.days > 0) or r.remaining < 0]
    members.sort(key=lambda r: (r.invoice.due_date, r.invoice.position))
    lines = []
    for r in members:
        interest = fee = ZERO
        if r.remaining > 0 and r.days > 0:
            interest, fee = penalty(
                r.remaining,
                r.invoice.due_date,
                as_of,
                client.type,
                contract_rate_for(client, ledger.settings),
                notices.get((client.key, r.invoice.number)),
                rates,
            )
        invoice = r.invoice
        lines.append(
            InvoiceLine(
                invoice.number,
                invoice.invoice_date,
                invoice.due_date,
                invoice.amount,
                invoice.paid_amount,
                r.remaining,
                max(r.days, 0),
                interest,
                fee,
                invoice.subject,
                invoice.order_date,
                invoice.order_ref,
            )
        )
    phone = normalize(level.channel) == PHONE_CHANNEL
    return Action(
        client=client.key,
        level=level.level,
        action=level.action,
        channel=level.channel,
        planned_date=planned,
        state=state,
        invoices=tuple(lines),
        amount_due=sum((r.remaining for r in members), ZERO),
        interest=sum((line.interest for line in lines), ZERO),
        fee=sum((line.fee for line in lines), ZERO),
        template=level.template,
        email=client.email,
        phone=client.phone,
        ap_contact=client.ap_contact,
        call_guide=CALL_GUIDE if phone else (),
    )


def _next_level(
    row: _Row,
    levels: list[_Step],
    watched: bool,
    floor: dt.date | None,
    as_of: dt.date,
) -> int | None:
    """Index of the next level: the first regular level above the current one, or a preventive
    call (watched client, before the due date, call date before the due date) not yet passed by
    a later preventive call."""
    due = row.invoice.due_date
    regular = None
    preventive = None
    later_reached = False
    for index in reversed(range(len(levels))):
        step = levels[index]
        above = row.current is None or step.rank > row.current
        if not step.preventive:
            if above:
                regular = index
            continue
        if not (watched and as_of < due and above):
            continue
        date = _step_date(row, step, floor)
        if date >= due:
            continue
        if not later_reached:
            preventive = index
        later_reached = later_reached or date <= as_of
    return preventive if preventive is not None else regular


def _step_date(row: _Row, step: _Step, floor: dt.date | None) -> dt.date:
    """Reference + delay, not before the floor, moved to the next working day."""
    invoice = row.invoice
    if step.reference == ECHEANCE:
        base = invoice.due_date
    elif step.reference == FACTURE:
        base = invoice.invoice_date or invoice.due_date
    else:
        base = row.last or invoice.due_date
    day = base + dt.timedelta(days=step.level.delay_days)
    if floor is not None and floor > day:
        day = floor
    return next_working_day(day)


def _is_notice(ledger: Ledger, entry: HistoryEntry, words: dict[str, bool]) -> bool:
    """A mise en demeure sent to a consumer (the action text, else the procedure's level);
    ``words`` remembers the answer for each action text."""
    client = ledger.clients.get(entry.client) or Client(entry.client)
    if client.type is not ClientType.PARTICULIER:
        return False
    action = entry.action
    if not action.strip():
        levels = escalation_procedure(client, ledger.settings).levels
        action = next((level.action for level in levels if level.level == entry.level), "")
    found = words.get(action)
    if found is None:
        found = words[action] = FORMAL_NOTICE in normalize(action)
    return found
