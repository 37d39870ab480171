"""``relance-xl actions``: the prochaines actions of a workbook at a date, as a list or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from relance_xl import fr
from relance_xl.cli.common import (
    add_date_argument,
    add_json_argument,
    add_source_arguments,
    anomalies_exit_code,
    as_of,
    load_ledger,
    print_json,
)
from relance_xl.escalation import A_FAIRE, A_TRANSMETTRE, A_VENIR, STATES, next_actions
from relance_xl.model import Action
from relance_xl.money import as_text

STATE_TITLES = {
    A_FAIRE: "À faire",
    A_VENIR: "À venir (7 jours)",
    A_TRANSMETTRE: "À transmettre",
}
"""Section titles of the terminal list, one per action state."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``actions`` sub-command."""
    parser = subparsers.add_parser(
        "actions",
        help="prochaines actions par client : à faire, à venir (7 jours), à transmettre",
        description="Prochaines actions de relance à la date de calcul : une par client, au "
        "niveau le plus élevé dû parmi ses factures échues, d'après les procédures de "
        "Paramètres et l'Historique (seules les étapes « envoyé » comptent). Les étapes des "
        "7 prochains jours sont « à venir » ; après le dernier niveau, le dossier est "
        "« à transmettre ». Les samedis, dimanches et jours fériés reportent une étape au jour "
        "ouvré suivant.",
    )
    add_source_arguments(parser)
    add_date_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the actions; exit code 1 when the workbook has anomalies."""
    ledger = load_ledger(args)
    day = as_of(args)
    actions = next_actions(ledger, day)
    if args.json:
        print_json({"date": day.isoformat(), "actions": [action_json(a) for a in actions]})
    else:
        sys.stdout.write(render_actions(actions, day))
    return anomalies_exit_code(ledger, args)


def action_json(action: Action) -> dict[str, object]:
    """One action in the JSON of ``relance-xl actions --json`` (amounts as two-decimal text)."""
    return {
        "client": action.client,
        "etat": action.state,
        "niveau": action.level,
        "action": action.action,
        "canal": action.channel,
        "date_prevue": action.planned_date.isoformat(),
        "factures": [line.number for line in action.invoices],
        "montant_du": as_text(action.amount_due),
        "interets": as_text(action.interest),
        "indemnite": as_text(action.fee),
    }


def render_actions(actions: Sequence[Action], day: dt.date) -> str:
    """The actions as terminal text, one block per state (à faire, à venir, à transmettre)."""
    title = f"Prochaines actions au {fr.date_long(day)}"
    if not actions:
        return f"{title}\n\nAucune action : rien n'est à relancer à cette date.\n"
    lines = [title]
    for state in STATES:
        chosen = [a for a in actions if a.state == state]
        if chosen:
            lines += ["", f"{STATE_TITLES[state]} ({len(chosen)})"]
            for action in chosen:
                lines += _action_lines(action)
    return "\n".join(lines) + "\n"


def _action_lines(action: Action) -> list[str]:
    """Planned date, client, level and action; invoices and amounts; contact; call guide."""
    numbers = ", ".join(line.number for line in action.invoices)
    amounts = f"dû {fr.amount(action.amount_due)}"
    if action.interest:
        amounts += f" + pénalités {fr.amount(action.interest)}"
    if action.fee:
        amounts += f" + indemnité {fr.amount(action.fee)}"
    lines = [
        f"  {fr.date_short(action.planned_date)}  {action.client} — niveau {action.level} : "
        f"{action.action} ({action.channel})",
        f"      factures : {numbers} — {amounts}",
    ]
    contact = " · ".join(c for c in (action.email, action.phone, action.ap_contact) if c)
    if contact:
        lines.append(f"      contact : {contact}")
    if action.call_guide:
        lines.append("      guide d'appel :")
        lines += [f"        {n}. {step}" for n, step in enumerate(action.call_guide, 1)]
    return lines
