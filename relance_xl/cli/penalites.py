"""``relance-xl penalites``: late-payment penalties of one invoice, in French or as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

from relance_xl import fr
from relance_xl.cli.common import (
    add_date_argument,
    add_json_argument,
    as_of,
    parse_date_option,
    print_json,
)
from relance_xl.model import ClientType
from relance_xl.penalties import Penalty, compute_penalty
from relance_xl.rates import parse_rate, rate_text
from relance_xl.values import ValueProblem, parse_amount

_LEGAL_BASIS = {
    ClientType.PROFESSIONNEL: "art. L441-10 II du Code de commerce",
    ClientType.ADMINISTRATION: "art. R2192-31 du Code de la commande publique",
    ClientType.PARTICULIER: "art. 1231-6 et 1344-1 du Code civil",
}
_FEE_BASIS = {
    ClientType.PROFESSIONNEL: "art. D441-5 du Code de commerce",
    ClientType.ADMINISTRATION: "art. D2192-35 du Code de la commande publique",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``penalites`` command."""
    parser = subparsers.add_parser(
        "penalites",
        help="pénalités de retard et indemnité forfaitaire d'une facture",
        description="Calcule les pénalités de retard d'une facture (taux BCE + 10 points entre "
        "professionnels, + 8 points pour un acheteur public, taux légal après mise en demeure "
        "pour un particulier) et l'indemnité forfaitaire de 40 €, avec le détail du calcul.",
    )
    parser.add_argument(
        "--montant", required=True, type=parse_amount_option, metavar="EUROS",
        help="montant TTC impayé, ex. 1000 ou 1234,56",
    )  # fmt: skip
    parser.add_argument(
        "--echeance", required=True, type=parse_date_option, metavar="AAAA-MM-JJ",
        help="date d'échéance de la facture",
    )  # fmt: skip
    end = parser.add_mutually_exclusive_group()
    end.add_argument(
        "--paiement", type=parse_date_option, metavar="AAAA-MM-JJ",
        help="date du paiement (fin du retard) ; sinon le retard court jusqu'à --date",
    )  # fmt: skip
    add_date_argument(end)
    parser.add_argument(
        "--debiteur", default=ClientType.PROFESSIONNEL.value,
        choices=[kind.value for kind in ClientType],
        help="type de débiteur (défaut : professionnel)",
    )  # fmt: skip
    parser.add_argument(
        "--taux", type=parse_rate_option, metavar="POURCENT",
        help="taux contractuel annuel en %%, ex. 15 (débiteur professionnel ; défaut : taux légal)",
    )  # fmt: skip
    parser.add_argument(
        "--mise-en-demeure", type=parse_date_option, metavar="AAAA-MM-JJ",
        help="date de la mise en demeure (particulier : intérêts à compter du lendemain)",
    )  # fmt: skip
    add_json_argument(parser)
    parser.set_defaults(func=run)


def parse_amount_option(text: str) -> Decimal:
    """argparse type for --montant: ``1000``, ``1234,56``, ``1 234,56 €`` → a positive Decimal."""
    try:
        amount, rounded = parse_amount(text)
    except ValueProblem as problem:
        raise argparse.ArgumentTypeError(f"montant invalide : {problem.message}") from None
    if amount is None or amount <= 0 or rounded:
        raise argparse.ArgumentTypeError(
            f"montant invalide « {text} » (attendu un montant positif au centime, ex. 1234,56)"
        )
    return amount


def parse_rate_option(text: str) -> Decimal:
    """argparse type for --taux."""
    try:
        return parse_rate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Compute and print; exit code 0."""
    end = args.paiement or as_of(args)
    debtor = ClientType(args.debiteur)
    penalty = compute_penalty(
        args.montant,
        args.echeance,
        end,
        debtor,
        args.taux,
        args.mise_en_demeure,
        payment_date=args.paiement,
    )
    if args.json:
        print_json(penalty.as_json())
    else:
        print("\n".join(explain(penalty, args.montant, args.echeance, end, debtor, args)))
    return 0


def explain(
    penalty: Penalty,
    amount: Decimal,
    due_date: dt.date,
    end: dt.date,
    debtor: ClientType,
    args: argparse.Namespace,
) -> list[str]:
    """The French explanation: delay, legal basis, periods, formula, fee, total, warnings."""
    ending = f"payée le {fr.date_long(end)}" if args.paiement else f"au {fr.date_long(end)}"
    delay = f"{penalty.days_late} jours de retard" if penalty.days_late else "aucun retard"
    lines = [
        f"Facture de {fr.amount(amount)} TTC, échéance le {fr.date_long(due_date)}, "
        f"{ending} : {delay}.",
        _basis(debtor, args),
    ]
    for period in penalty.periods:
        lines.append(
            f"  du {fr.date_short(period.start)} au {fr.date_short(period.end)} : "
            f"{period.days} jours à {rate_text(period.rate)}"
        )
    if penalty.periods:
        terms = [f"{rate_text(p.rate)} × {p.days}" for p in penalty.periods]
        factor = terms[0] if len(terms) == 1 else f"({' + '.join(terms)})"
        lines.append(
            f"Intérêts : {fr.amount(amount)} × {factor} / 365 = {fr.amount(penalty.interest)}"
        )
    else:
        lines.append(f"Intérêts : {fr.amount(penalty.interest)}")
    if debtor in _FEE_BASIS:
        lines.append(
            "Indemnité forfaitaire pour frais de recouvrement "
            f"({_FEE_BASIS[debtor]}) : {fr.amount(penalty.fee)}"
        )
    lines.append(f"Total des pénalités (en plus du principal) : {fr.amount(penalty.total)}")
    lines.extend(f"Avertissement : {warning}." for warning in penalty.warnings)
    return lines


def _basis(debtor: ClientType, args: argparse.Namespace) -> str:
    """One sentence: which rate, from when, and the article of law."""
    basis = _LEGAL_BASIS[debtor]
    if debtor is ClientType.PROFESSIONNEL and args.taux is not None:
        return f"Débiteur professionnel : taux contractuel de {rate_text(args.taux)} ({basis})."
    if debtor is ClientType.PROFESSIONNEL:
        return (
            "Débiteur professionnel : taux BCE du semestre + 10 points, chaque jour au taux de "
            f"son semestre, dès le lendemain de l'échéance ({basis})."
        )
    if debtor is ClientType.ADMINISTRATION:
        return (
            "Acheteur public : taux BCE au premier jour du semestre où le retard a commencé "
            f"+ 8 points, un seul taux pour tout le retard ({basis})."
        )
    if args.mise_en_demeure is None:
        return (
            "Particulier : pas d'intérêts avant l'envoi d'une mise en demeure, pas d'indemnité "
            f"forfaitaire ({basis})."
        )
    return (
        "Particulier : intérêts au taux de l'intérêt légal (autres cas) à compter du lendemain de "
        f"la mise en demeure du {fr.date_long(args.mise_en_demeure)}, pas d'indemnité "
        f"forfaitaire ({basis})."
    )
