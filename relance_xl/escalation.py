"""Prochaines actions: the escalation engine (domain.md §5, the six rules).

Pure: a :class:`~relance_xl.model.Ledger` and a date in, a list of
:class:`~relance_xl.model.Action` out. The per-invoice work is vectorised (numpy day arrays over
the invoice frame); Python runs once per client at the end, only for the clients that get an
action.

The rules, as implemented (the run date is ``as_of``):

1. *Current level* of an invoice: the highest level (P1 < P2 < 1 < 2 …, :func:`level_rank`) of
   its ``envoyé`` lines in Historique dated on or before the run date, matched on client and
   N° facture (``proposé`` never counts as done, ``annulé`` is ignored, later lines are not
   known yet). Its *next level* is the following level of the client's procedure
   (:func:`procedure_for`): one level per run, never skipped; a proposal that was not sent is
   proposed again, not escalated. No next level after a sent level: the invoice is *final*.
2. *Next date*: reference + delay, where the reference is the invoice date (``facture``; the
   due date when absent), the due date (``échéance``) or the date of the last sent step of the
   invoice (``précédente``; the due date when none). Never earlier than the day after that last
   step, nor than the day after the run date for a client with a step sent on the run date.
   Then moved to the next working day (:mod:`relance_xl.workdays`): the planned date shows it.
3. An invoice is *chased* when it is issued by the run date, has something outstanding, is not
   disputed (*litige*), has no payment promise (*promesse de paiement*) dated on or after the
   run date, is not under an honoured payment plan (*échéancier*: Montant réglé ≥ the
   instalments dated on or before the run date) and its client is not *ne pas relancer*.
4. One action per client. State ``à transmettre`` when a chased invoice is final; else
   ``à faire`` at the highest next level dated on or before the run date; else ``à venir`` at
   the highest next level dated within the horizon (7 days). Its planned date is the earliest
   date of the invoices at that level (for ``à transmettre``: of their last step). It lists, by
   due date then sheet order, those invoices, every other overdue chased invoice, and the
   client's credit notes and unallocated payments (negative outstanding). A preventive action
   lists every invoice with a preventive call due instead of only those at its level.
5. Amount due = the sum of the listed outstanding amounts (credits netted); nothing for the
   client when it is zero, negative or below the minimum amount of Paramètres. Interest and fee
   are those of :mod:`relance_xl.penalties` at the run date (a consumer owes interest from the
   day after a sent step whose action says « mise en demeure »).
6. Recording (:func:`records_for`): one ``envoyé`` line per invoice of each ``à faire`` action,
   at the action's level, except invoices already sent at that level or higher, so that
   recording twice the same day adds nothing; :func:`check_record_date` refuses a recording
   dated before the last sent step.

Preventive calls (*appels préventifs* P1, P2) apply to watched clients (*nouveau*, *mauvais
payeur*) or to everyone when Paramètres says so, and only before the due date: a preventive
level is a candidate while the run date is before the due date and the level's date is before
the due date. A preventive call that was not made stays proposed until the date of a later
preventive call is reached (then that one replaces it) or the due date comes (then it is
dropped): never a preventive call after the due date, never two at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from relance_xl import fr
from relance_xl.errors import ConfigError, InputError
from relance_xl.invoices import issued_by, outstanding
from relance_xl.model import (
    Action,
    Client,
    ClientType,
    HistoryEntry,
    InvoiceLine,
    Ledger,
    Procedure,
    ProcedureLevel,
    Settings,
    Status,
)
from relance_xl.money import from_cents, to_cents
from relance_xl.penalties import contract_rate_for, invoice_penalties
from relance_xl.procedures import DEFAULT_PROCEDURES, ECHEANCE, FACTURE, PRECEDENTE
from relance_xl.rates import default_rates
from relance_xl.text import normalize
from relance_xl.workdays import next_working_days_array

A_FAIRE = "à faire"
A_VENIR = "à venir"
A_TRANSMETTRE = "à transmettre"
STATES: tuple[str, ...] = (A_FAIRE, A_VENIR, A_TRANSMETTRE)
"""Action states, in the order of the list: today's work, this week's, files to hand over."""

CALL_GUIDE: tuple[str, ...] = (
    "Présentez-vous : votre nom, votre entreprise, et la facture qui motive l'appel.",
    "Demandez, par une question ouverte, ce qui retarde le règlement, puis écoutez.",
    "Vérifiez que la facture a bien été reçue, par le bon service, et qu'elle est conforme "
    "(commande, montant, mentions obligatoires).",
    "En cas de difficulté, proposez un échéancier de paiement et notez les dates convenues.",
    "Concluez par un engagement précis (montant et date de règlement) et notez-le dans "
    "l'Historique.",
)
"""Guide d'appel: the short script shown with every phone step."""

FORMAL_NOTICE = "mise en demeure"
"""Normalised words of the *mise en demeure* step (C. civ. 1344): a consumer owes interest at the
legal rate only from the day after it (art. 1231-6 C. civ.)."""

PHONE_CHANNEL = "telephone"
"""Normalised channel name of the phone steps (they carry the call guide)."""

_NO_LEVEL = np.int64(-1_000_000)
_DAY = np.timedelta64(1, "D")
_NAT = np.datetime64("NaT", "D")
_PREVENTIVE = re.compile(r"^p\s*(\d+)$")
_NUMERIC = re.compile(r"^(\d+)(?:[.,]0+)?$")
_REFERENCES = {normalize(name): name for name in (FACTURE, ECHEANCE, PRECEDENTE)}


@lru_cache(maxsize=256)
def level_rank(label: str) -> int | None:
    """Order of a level label: ``"P1"`` < ``"P2"`` < ``"1"`` < ``"2"`` …; None if not a level."""
    text = str(label).strip().lower()
    if match := _PREVENTIVE.match(text):
        return int(match.group(1)) - 1000
    if match := _NUMERIC.match(text):
        return int(match.group(1))
    return None


def procedure_for(client: Client, settings: Settings) -> Procedure:
    """The client's procédure: its named one, else the one of its type in Paramètres, else the
    default of its type. An unknown name is a :class:`ConfigError` naming the client."""
    by_name = {normalize(name): procedure for name, procedure in settings.procedures.items()}
    if client.procedure:
        found = by_name.get(normalize(client.procedure))
        if found is None:
            raise ConfigError(
                f"Le client « {client.key} » (feuille Clients) demande la procédure "
                f"« {client.procedure} », absente du tableau Procédures de Paramètres."
            )
        return found
    return by_name.get(normalize(client.type.value)) or DEFAULT_PROCEDURES[client.type.value]


@dataclass(frozen=True)
class _Steps:
    """One procedure's levels sorted by rank, with the reference of each checked."""

    procedure: Procedure
    levels: tuple[ProcedureLevel, ...]
    ranks: tuple[int, ...]
    references: tuple[str, ...]


def _compile(procedure: Procedure) -> _Steps:
    ranked = []
    for level in procedure.levels:
        rank = level_rank(level.level)
        reference = _REFERENCES.get(normalize(level.reference))
        if rank is None or reference is None:
            raise ConfigError(
                f"Procédure « {procedure.name} », niveau « {level.level} » : niveau (P1, P2, 1, "
                f"2…) ou référence (facture, échéance, précédente) invalide."
            )
        ranked.append((rank, reference, level))
    ranked.sort(key=lambda item: item[0])
    return _Steps(
        procedure,
        tuple(level for _, _, level in ranked),
        tuple(rank for rank, _, _ in ranked),
        tuple(reference for _, reference, _ in ranked),
    )


def _days(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[D]")


def _history_frame(history: Iterable[HistoryEntry], as_of: dt.date) -> pd.DataFrame:
    """Sent steps known at ``as_of``: client, invoice, rank, date (``proposé``/``annulé`` out)."""
    rows = [
        (entry.client, entry.invoice, rank, entry.date)
        for entry in history
        if entry.status == Status.ENVOYE
        and entry.date <= as_of
        and (rank := level_rank(entry.level)) is not None
    ]
    frame = pd.DataFrame(rows, columns=["client", "invoice", "rank", "date"])
    frame["date"] = frame["date"].astype("datetime64[s]")
    frame["rank"] = frame["rank"].astype(np.int64)
    return frame


def _lookup(
    rows: pd.DataFrame, table: pd.DataFrame, missing: dict[str, object]
) -> dict[str, np.ndarray]:
    """``table``'s columns for each invoice row, joined on client and N° facture, with the
    ``missing`` value of each column where the table has no line (one line per invoice)."""
    result = {column: np.full(len(rows), value) for column, value in missing.items()}
    hit = rows["number"].isin(table["invoice"]).to_numpy()
    if not hit.any():
        return result
    found = rows.loc[hit, ["client", "number"]].merge(
        table[["client", "invoice", *missing]],
        how="left",
        left_on=["client", "number"],
        right_on=["client", "invoice"],
    )
    matched = found["invoice"].notna().to_numpy()
    for column, values in result.items():
        part = values[hit]
        part[matched] = found.loc[matched, column].to_numpy(dtype=values.dtype)
        values[hit] = part
    return result


def _client_table(ledger: Ledger, keys: pd.Index) -> tuple[list[Client], list[_Steps], np.ndarray]:
    """Clients of ``keys`` (defaults when absent), the compiled procedures and each client's."""
    settings = ledger.settings
    for client in ledger.clients.values():
        if client.procedure:
            procedure_for(client, settings)  # an unknown procedure name is fatal for every client
    clients = [ledger.clients.get(key) or Client(key) for key in keys]
    chosen: dict[tuple[str | None, str], int] = {}
    compiled: dict[int, int] = {}
    steps: list[_Steps] = []
    index = np.empty(len(clients), dtype=np.int64)
    for position, client in enumerate(clients):
        kind = (client.procedure, client.type.value)
        if kind not in chosen:
            procedure = procedure_for(client, settings)
            if id(procedure) not in compiled:
                compiled[id(procedure)] = len(steps)
                steps.append(_compile(procedure))
            chosen[kind] = compiled[id(procedure)]
        index[position] = chosen[kind]
    return clients, steps, index


def _step_dates(
    steps: _Steps,
    position: int,
    invoice: np.ndarray,
    due: np.ndarray,
    last: np.ndarray,
    floor: np.ndarray,
) -> np.ndarray:
    """Planned date of one level for some invoices: reference + delay, floored, working day."""
    reference = steps.references[position]
    if reference == ECHEANCE:
        base = due
    elif reference == FACTURE:
        base = np.where(np.isnat(invoice), due, invoice)
    else:
        base = np.where(np.isnat(last), due, last)
    raw = base + np.timedelta64(steps.levels[position].delay_days, "D")
    return next_working_days_array(np.fmax(raw, floor))


@dataclass
class _Plan:
    """Per open invoice (arrays aligned on ``rows``): its next level and state."""

    rows: pd.DataFrame
    codes: np.ndarray
    clients: list[Client]
    steps: list[_Steps]
    client_steps: np.ndarray
    next_pos: np.ndarray
    next_rank: np.ndarray
    next_date: np.ndarray
    last_date: np.ndarray
    eligible: np.ndarray
    final: np.ndarray


def _plan(ledger: Ledger, as_of: dt.date) -> _Plan:
    """The vectorised part: eligibility and next level/date of every open invoice."""
    frame = ledger.invoices
    out = outstanding(frame, as_of).to_numpy()
    picked = np.flatnonzero(issued_by(frame, as_of).to_numpy() & (out != 0))
    rows = pd.DataFrame(
        {
            "client": frame["client"].to_numpy()[picked],
            "number": frame["number"].to_numpy()[picked],
            "out": out[picked],
            "source": picked,
        }
    )
    today = np.datetime64(as_of, "D")
    due = _days(frame["due_date"])[picked]
    invoice = _days(frame["invoice_date"])[picked]
    promise = _days(frame["promise_date"])[picked]
    paid_amount = frame["paid_amount"].to_numpy()[picked]
    disputed = frame["disputed"].to_numpy()[picked]

    codes, keys = pd.factorize(rows["client"])
    clients, steps, client_steps = _client_table(ledger, pd.Index(keys))
    watched = np.array(
        [c.watch or ledger.settings.preventive_for_all for c in clients], dtype=bool
    )[codes]
    do_not_chase = np.array([c.do_not_chase for c in clients], dtype=bool)[codes]

    history = _history_frame(ledger.history, as_of)
    latest = history.sort_values(["rank", "date"]).drop_duplicates(
        ["client", "invoice"], keep="last"
    )
    found = _lookup(rows, latest, {"rank": _NO_LEVEL, "date": _NAT})
    current, last = found["rank"], found["date"]
    contacted_today = rows["client"].isin(history.loc[history["date"] >= today, "client"])
    floor = np.fmax(last + _DAY, np.where(contacted_today.to_numpy(), today + _DAY, _NAT))

    honoured_plan = _honoured_plans(ledger, rows, paid_amount, as_of)
    eligible = (
        (rows["out"].to_numpy() > 0)
        & ~disputed
        & ~(promise >= today)
        & ~honoured_plan
        & ~do_not_chase
    )

    next_pos = np.full(len(rows), -1, dtype=np.int64)
    next_date = np.full(len(rows), _NAT)
    row_steps = client_steps[codes]
    for index, procedure in enumerate(steps):
        (members,) = np.nonzero((row_steps == index) & eligible)
        if not len(members):
            continue
        position = _next_positions(
            procedure,
            current[members],
            invoice[members],
            due[members],
            last[members],
            floor[members],
            watched[members],
            today,
        )
        next_pos[members] = position
        for level in np.unique(position[position >= 0]):
            chosen = members[position == level]
            next_date[chosen] = _step_dates(
                procedure, int(level), invoice[chosen], due[chosen], last[chosen], floor[chosen]
            )
    rank_table = [np.array([*s.ranks, _NO_LEVEL], dtype=np.int64) for s in steps]
    next_rank = np.full(len(rows), _NO_LEVEL, dtype=np.int64)
    for index, table in enumerate(rank_table):
        mask = row_steps == index
        next_rank[mask] = table[next_pos[mask]]
    has_levels = np.array([bool(s.levels) for s in steps], dtype=bool)[row_steps]
    final = eligible & (next_pos < 0) & (current != _NO_LEVEL) & has_levels
    rows["due"] = due
    rows["days"] = (today - due).astype(np.int64)
    return _Plan(
        rows,
        codes,
        clients,
        steps,
        client_steps,
        next_pos,
        next_rank,
        next_date,
        last,
        eligible,
        final,
    )


def _next_positions(
    steps: _Steps,
    current: np.ndarray,
    invoice: np.ndarray,
    due: np.ndarray,
    last: np.ndarray,
    floor: np.ndarray,
    watched: np.ndarray,
    today: np.datetime64,
) -> np.ndarray:
    """Position of the next level in ``steps`` for each invoice (−1: none, the file is final)."""
    position = np.full(len(current), -1, dtype=np.int64)
    preventive_pos = np.full(len(current), -1, dtype=np.int64)
    later_reached = np.zeros(len(current), dtype=bool)
    before_due = watched & (today < due)
    for index in reversed(range(len(steps.levels))):
        rank = steps.ranks[index]
        if not steps.levels[index].preventive:
            position = np.where(rank > current, index, position)
            continue
        dates = _step_dates(steps, index, invoice, due, last, floor)
        possible = before_due & (rank > current) & (dates < due)
        preventive_pos = np.where(possible & ~later_reached, index, preventive_pos)
        later_reached |= possible & (dates <= today)
    return np.where(preventive_pos >= 0, preventive_pos, position)


def _honoured_plans(
    ledger: Ledger, rows: pd.DataFrame, paid_amount: np.ndarray, as_of: dt.date
) -> np.ndarray:
    """Invoices under an *échéancier* honoured at ``as_of``: Montant réglé ≥ Σ instalments due."""
    if not ledger.instalments:
        return np.zeros(len(rows), dtype=bool)
    plans = pd.DataFrame(
        [
            (i.client, i.invoice, to_cents(i.amount) if i.date <= as_of else 0)
            for i in ledger.instalments
        ],
        columns=["client", "invoice", "due_cents"],
    )
    plans = plans.groupby(["client", "invoice"], as_index=False)["due_cents"].sum()
    required = _lookup(rows, plans, {"due_cents": np.int64(-1)})["due_cents"]
    return (required >= 0) & (paid_amount >= required)


def _group_max(codes: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    result = np.full(size, _NO_LEVEL, dtype=np.int64)
    np.maximum.at(result, codes, values)
    return result


def _group_min_date(
    codes: np.ndarray, dates: np.ndarray, mask: np.ndarray, size: int
) -> np.ndarray:
    frame = pd.DataFrame({"code": codes[mask], "date": dates[mask]})
    earliest = frame.groupby("code")["date"].min()
    result = np.full(size, _NAT)
    result[earliest.index.to_numpy()] = earliest.to_numpy(dtype="datetime64[D]")
    return result


def next_actions(ledger: Ledger, as_of: dt.date, horizon_days: int = 7) -> list[Action]:
    """*Prochaines actions* at ``as_of``: one per client, the steps due (``à faire``), those of
    the next ``horizon_days`` days (``à venir``) and the files after the last level
    (``à transmettre``), sorted by state, planned date, then amount (largest first)."""
    if ledger.invoices.empty:
        return []
    plan = _plan(ledger, as_of)
    size = len(plan.clients)
    codes = plan.codes
    today = np.datetime64(as_of, "D")
    has_next = plan.next_pos >= 0
    due_now = plan.eligible & has_next & (plan.next_date <= today)
    soon = plan.eligible & has_next & (plan.next_date <= today + np.timedelta64(horizon_days, "D"))

    final_client = np.bincount(codes[plan.final], minlength=size) > 0
    due_rank = _group_max(codes, np.where(due_now, plan.next_rank, _NO_LEVEL), size)
    soon_rank = _group_max(codes, np.where(soon, plan.next_rank, _NO_LEVEL), size)
    state = np.select(
        [final_client, due_rank > _NO_LEVEL, soon_rank > _NO_LEVEL], [2, 0, 1], default=-1
    )
    action_rank = np.where(state == 0, due_rank, soon_rank)
    row_state = state[codes]
    row_rank = action_rank[codes]
    same_step = np.where(row_rank < 0, plan.next_rank < 0, plan.next_rank == row_rank)
    trigger = np.where(
        row_state == 2, plan.final, np.where(row_state == 0, due_now, soon) & same_step
    )
    planned = np.where(
        state == 2,
        _group_min_date(codes, plan.last_date, plan.final, size),
        _group_min_date(codes, plan.next_date, trigger & (row_state != 2), size),
    )
    out = plan.rows["out"].to_numpy()
    days = plan.rows["days"].to_numpy()
    members = (row_state >= 0) & (trigger | (plan.eligible & (days > 0)) | (out < 0))
    amount = np.zeros(size, dtype=np.int64)
    np.add.at(amount, codes[members], out[members])
    minimum = to_cents(ledger.settings.minimum_amount)
    chosen = (state >= 0) & (amount > 0) & (amount >= minimum)
    members &= chosen[codes]
    lines, interest, fee = _invoice_lines(ledger, plan, np.flatnonzero(members), as_of)
    dates = planned.astype(object)
    amounts = amount.tolist()
    actions = []
    for code in np.flatnonzero(chosen).tolist():
        client = plan.clients[code]
        steps = plan.steps[plan.client_steps[code]]
        if state[code] == 2:
            level = steps.levels[-1]
        else:
            level = steps.levels[steps.ranks.index(int(action_rank[code]))]
        actions.append(
            _action(
                client,
                level,
                STATES[state[code]],
                dates[code],
                lines.get(code, ()),
                (amounts[code], interest.get(code, 0), fee.get(code, 0)),
            )
        )
    actions.sort(key=lambda a: (STATES.index(a.state), a.planned_date, -a.amount_due, a.client))
    return actions


def _action(
    client: Client,
    level: ProcedureLevel,
    state: str,
    planned: dt.date,
    invoices: tuple[InvoiceLine, ...],
    cents: tuple[int, int, int],
) -> Action:
    """The Action of one client; ``cents`` = amount due, interest, fee."""
    amount_due, interest, fee = (from_cents(value) for value in cents)
    return Action(
        client=client.key,
        level=level.level,
        action=level.action,
        channel=level.channel,
        planned_date=planned,
        state=state,
        invoices=invoices,
        amount_due=amount_due,
        interest=interest,
        fee=fee,
        template=level.template,
        email=client.email,
        phone=client.phone,
        ap_contact=client.ap_contact,
        call_guide=CALL_GUIDE if _is_phone(level.channel) else (),
    )


@lru_cache(maxsize=64)
def _is_phone(channel: str) -> bool:
    return normalize(channel) == PHONE_CHANNEL


def _cents_to_decimals(values: np.ndarray, known: dict[int, Decimal]) -> list[Decimal]:
    """Integer cents → two-decimal Decimals, exact; each distinct amount converted once
    (``known`` is shared by the columns of one call)."""
    result = []
    for cents in np.asarray(values).tolist():
        amount = known.get(cents)
        if amount is None:
            amount = known[cents] = from_cents(cents)
        result.append(amount)
    return result


def _invoice_lines(
    ledger: Ledger, plan: _Plan, positions: np.ndarray, as_of: dt.date
) -> tuple[dict[int, tuple[InvoiceLine, ...]], dict[int, int], dict[int, int]]:
    """The InvoiceLines of the chosen clients by client code (by due date, then in the order of
    the invoice sheet), and each client's interest and fee in cents."""
    rows = plan.rows.iloc[positions]
    order = np.lexsort((rows["source"].to_numpy(), rows["due"].to_numpy(), plan.codes[positions]))
    rows = rows.iloc[order]
    codes = plan.codes[positions][order]
    source = ledger.invoices.iloc[rows["source"].to_numpy()]
    interest, fee = _penalty_cents(ledger, plan, rows, codes, as_of)
    positive = rows["out"].to_numpy() > 0
    interest = np.where(positive, interest, 0)
    fee = np.where(positive, fee, 0)
    known: dict[int, Decimal] = {}
    columns = zip(
        rows["number"].tolist(),
        _days(source["invoice_date"]).astype(object).tolist(),
        _days(rows["due"]).astype(object).tolist(),
        _cents_to_decimals(source["amount"].to_numpy(), known),
        _cents_to_decimals(source["paid_amount"].to_numpy(), known),
        _cents_to_decimals(rows["out"].to_numpy(), known),
        np.maximum(rows["days"].to_numpy(), 0).tolist(),
        _cents_to_decimals(interest, known),
        _cents_to_decimals(fee, known),
        source["subject"].tolist(),
        _days(source["order_date"]).astype(object).tolist(),
        source["order_ref"].tolist(),
        strict=True,
    )
    lines = [InvoiceLine(*values) for values in columns]
    grouped: dict[int, tuple[InvoiceLine, ...]] = {}
    interest_sum: dict[int, int] = {}
    fee_sum: dict[int, int] = {}
    bounds = np.flatnonzero(np.diff(codes)) + 1
    starts, stops = np.r_[0, bounds].tolist(), np.r_[bounds, len(codes)].tolist()
    for start, stop in zip(starts, stops, strict=True):
        if stop > start:
            code = int(codes[start])
            grouped[code] = tuple(lines[start:stop])
            interest_sum[code] = sum(interest[start:stop].tolist())
            fee_sum[code] = sum(fee[start:stop].tolist())
    return grouped, interest_sum, fee_sum


def invoice_lines(
    ledger: Ledger, as_of: dt.date, client: str, numbers: Collection[str]
) -> tuple[InvoiceLine, ...]:
    """The InvoiceLines at ``as_of`` of some invoices (N° facture ``numbers``) of the client
    ``client`` (its key), built as for the actions: outstanding amount, days late, penalties,
    by due date then sheet order. Invoices unknown, settled or not issued by ``as_of`` are left
    out (for a letter outside the procedure, e.g. the *proposition d'échéancier*)."""
    if ledger.invoices.empty or not numbers:
        return ()
    plan = _plan(ledger, as_of)
    wanted = (plan.rows["client"] == client) & plan.rows["number"].isin(list(numbers))
    positions = np.flatnonzero(wanted.to_numpy())
    if not len(positions):
        return ()
    lines, _, _ = _invoice_lines(ledger, plan, positions, as_of)
    return next(iter(lines.values()))


def records_for(
    actions: Iterable[Action],
    as_of: dt.date,
    clients: Iterable[str] | None = None,
    history: Iterable[HistoryEntry] = (),
) -> list[HistoryEntry]:
    """Historique lines recording the ``à faire`` actions as sent on ``as_of``: one per invoice
    of the letter (credit notes aside), at the letter's level, for all clients or those named
    (compared without case or accents). An invoice already sent at this level or a higher one
    (in ``history`` or earlier in the list) is not logged again."""
    wanted = None if clients is None else {normalize(name) for name in clients}
    reached: dict[tuple[str, str], int] = {}
    for entry in history:
        rank = level_rank(entry.level)
        if entry.status == Status.ENVOYE and rank is not None:
            key = (entry.client, entry.invoice)
            reached[key] = max(rank, reached.get(key, rank))
    records = []
    for action in actions:
        if action.state != A_FAIRE or (
            wanted is not None and normalize(action.client) not in wanted
        ):
            continue
        rank = level_rank(action.level)
        for line in action.invoices:
            key = (action.client, line.number)
            if line.outstanding <= 0 or rank is None or reached.get(key, rank - 1) >= rank:
                continue
            reached[key] = rank
            records.append(
                HistoryEntry(
                    date=as_of,
                    client=action.client,
                    invoice=line.number,
                    level=action.level,
                    action=action.action,
                    channel=action.channel,
                    status=Status.ENVOYE,
                    amount=line.outstanding,
                )
            )
    return records


def check_record_date(ledger: Ledger, as_of: dt.date) -> None:
    """Refuse to record steps dated before the last step sent in Historique (InputError);
    Historique lines without a level (notes, calls) are not steps."""
    sent = [
        entry
        for entry in ledger.history
        if entry.status == Status.ENVOYE and level_rank(entry.level) is not None
    ]
    if not sent:
        return
    last = max(sent, key=lambda entry: entry.date)
    if as_of < last.date:
        where = f" (ligne {last.row})" if last.row else ""
        raise InputError(
            f"impossible d'enregistrer des relances au {fr.date_short(as_of)} : l'Historique "
            f"contient une relance envoyée le {fr.date_short(last.date)}{where}. Choisissez une "
            f"date à partir du {fr.date_short(last.date)}."
        )


def _penalty_cents(
    ledger: Ledger, plan: _Plan, rows: pd.DataFrame, codes: np.ndarray, as_of: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    """Interest and fee in cents at ``as_of`` of some invoice rows (penalties engine), with the
    date of each invoice's *mise en demeure* for consumers (interest from the day after it)."""
    source = ledger.invoices.iloc[rows["source"].to_numpy()].reset_index(drop=True)
    types = np.array([c.type.value for c in plan.clients], dtype=object)[codes]
    contract = np.array(
        [contract_rate_for(c, ledger.settings) for c in plan.clients], dtype=object
    )[codes]
    notices = _lookup(rows, _formal_notices(ledger, plan, as_of), {"date": _NAT})["date"]
    result = invoice_penalties(
        source,
        as_of,
        pd.Series(types, index=source.index),
        pd.Series(contract, index=source.index),
        pd.Series(notices.astype("datetime64[ns]"), index=source.index),
        default_rates().with_overrides(ledger.settings.rates),
    )
    return result["interest"].to_numpy(), result["fee"].to_numpy()


def _formal_notices(ledger: Ledger, plan: _Plan, as_of: dt.date) -> pd.DataFrame:
    """First *mise en demeure* sent to a consumer per invoice (client, invoice, date): a sent
    Historique line whose action, or else the client's procedure level, says so."""
    consumers = {
        client.key: plan.steps[plan.client_steps[code]]
        for code, client in enumerate(plan.clients)
        if client.type is ClientType.PARTICULIER
    }
    rows = []
    for entry in ledger.history:
        steps = consumers.get(entry.client)
        if steps is None or entry.status != Status.ENVOYE or entry.date > as_of:
            continue
        action = entry.action
        if not action.strip():
            action = next((s.action for s in steps.levels if s.level == entry.level), "")
        if _is_formal_notice(action):
            rows.append((entry.client, entry.invoice, entry.date))
    frame = pd.DataFrame(rows, columns=["client", "invoice", "date"])
    frame["date"] = frame["date"].astype("datetime64[s]")
    return frame.sort_values("date").drop_duplicates(["client", "invoice"])


@lru_cache(maxsize=256)
def _is_formal_notice(action: str) -> bool:
    return FORMAL_NOTICE in normalize(action)
