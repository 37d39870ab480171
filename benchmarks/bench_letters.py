"""Banc d'essai des courriers : le chemin rapide de relance_xl contre docxtpl seul.

Usage : ``python benchmarks/bench_letters.py [--lettres 1000] [--modele mise_en_demeure]
[--reference 1000] [--dossier D] [--petit]``

Builds ``--lettres`` different contexts (client names with ``&`` and ``<>``, one to five
invoices, a history), then runs each phase in its own Python child process (benchmarks._measure),
so that wall time, processor time and peak memory (the process, and RUSAGE_CHILDREN: the workers)
are measured alone; the contexts are built before the clock starts:

- ``rapide``: relance_xl.letters.bulk.generate (template prepared once, raw zip copy, two
  worker processes);
- ``docxtpl``: for each letter a new ``DocxTemplate``, ``render`` in the same sandbox, ``save``.

Prints both side by side: time per letter, the ratio, the wall times, the peak memory, and the
processor time (its ratio does not depend on what else the machine is doing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from benchmarks._measure import Comparison, Side, Target, compare  # noqa: E402
from relance_xl.letters.bulk import LetterJob, generate  # noqa: E402
from relance_xl.letters.context import build_context  # noqa: E402
from relance_xl.letters.filenames import letter_name  # noqa: E402
from relance_xl.letters.render import bundled_templates_folder, environment  # noqa: E402
from relance_xl.model import (  # noqa: E402
    Action,
    Client,
    ClientType,
    Creditor,
    HistoryEntry,
    InvoiceLine,
)

AS_OF = dt.date(2026, 11, 23)
CREDITOR = Creditor(
    "Menuiserie Berthier SARL", "4 chemin des Érables", "69390", "Vourles", "812 345 678",
    "Jean Berthier, gérant", "contact@berthier.example", "06 12 34 56 78",
    "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP",
)  # fmt: skip
KINDS = (ClientType.PROFESSIONNEL, ClientType.PARTICULIER, ClientType.ADMINISTRATION)


def contexts(count: int) -> list[dict[str, object]]:
    """``count`` letters' contexts, all different: names, invoices, amounts, types."""
    result = []
    for index in range(count):
        kind = KINDS[index % 3]
        key = f"Dupont & Fils <SARL> n° {index:04d}"
        lines = []
        for n in range(1 + index % 5):
            due = AS_OF - dt.timedelta(days=40 + 7 * n + index % 30)
            amount = Decimal(100 + (index * 37 + n * 101) % 9000) + Decimal("0.45")
            charged = kind is not ClientType.PARTICULIER
            lines.append(
                InvoiceLine(
                    f"F-2026-{index:04d}-{n}", due - dt.timedelta(days=30), due, amount,
                    Decimal("0.00"), amount, (AS_OF - due).days,
                    Decimal("12.34") if charged else Decimal("0.00"),
                    Decimal("40.00") if charged else Decimal("0.00"),
                    "Travaux de menuiserie", due - dt.timedelta(days=60), f"BC-{index}",
                )
            )  # fmt: skip
        action = Action(
            key, "4", "mise en demeure", "recommandé AR", AS_OF, "à faire", tuple(lines),
            sum((line.outstanding for line in lines), Decimal("0.00")),
            sum((line.interest for line in lines), Decimal("0.00")),
            sum((line.fee for line in lines), Decimal("0.00")),
            "mise_en_demeure",
        )  # fmt: skip
        client = Client(key, kind, key, f"{index} rue de la République", "69002", "Lyon")
        history = [
            HistoryEntry(AS_OF - dt.timedelta(days=30), key, lines[0].number, "1",
                         "relance amiable", "email"),
            HistoryEntry(AS_OF - dt.timedelta(days=15), key, lines[0].number, "2",
                         "1re lettre de relance", "courrier"),
        ]  # fmt: skip
        result.append(build_context(action, client, CREDITOR, history, AS_OF))
    return result


CASE = "Courriers Word (chemin rapide)"
TARGET = Target(ratio=20)
FULL = 1000
SMALL = 50


def _setup(phase: str):
    """The phase's jobs: contexts, template and file names (built before the clock starts)."""

    def setup(params: dict) -> tuple[str, Path, list[dict[str, object]], list[Path]]:
        template = bundled_templates_folder() / f"{params['modele']}.docx"
        count = int(params[phase])
        folder = Path(params["dossier"]) / phase
        folder.mkdir(parents=True, exist_ok=True)
        names = [
            folder / letter_name(AS_OF, f"client {i:05d}", template.stem) for i in range(count)
        ]
        return phase, template, contexts(count), names

    return setup


def _render(state: tuple[str, Path, list[dict[str, object]], list[Path]]) -> None:
    """Write the letters: relance_xl's fast path, or docxtpl one letter at a time."""
    phase, template, items, names = state
    if phase == "rapide":
        generate([LetterJob(template, c, n) for c, n in zip(items, names, strict=True)])
        return
    from docxtpl import DocxTemplate

    for context, name in zip(items, names, strict=True):
        document = DocxTemplate(str(template))
        document.render(context, environment(), autoescape=True)
        document.save(str(name))


def _check(state: tuple[str, Path, list[dict[str, object]], list[Path]], _result: object) -> dict:
    """Every letter was written."""
    names = state[3]
    return {"tous les courriers écrits": "oui" if all(name.exists() for name in names) else "non"}


def _units(phase: str):
    return lambda params: int(params[phase])


SIDES = {
    "rapide": Side(
        "relance_xl (chemin rapide)", _setup("rapide"), _render, _check, _units("rapide")
    ),
    "docxtpl": Side("docxtpl seul", _setup("docxtpl"), _render, _check, _units("docxtpl")),
}


def run(
    small: bool = False,
    folder: Path | None = None,
    letters: int | None = None,
    reference: int | None = None,
    template: str = "mise_en_demeure",
) -> Comparison:
    """Measure both ways on ``letters`` (docxtpl: ``reference``) letters of ``template``."""
    letters = letters or (SMALL if small else FULL)
    reference = reference or letters
    work = Path(tempfile.mkdtemp(prefix="bench_lettres_", dir=folder))
    try:
        return compare(
            case=CASE,
            size=f"modèle {template}, {letters} courriers (docxtpl : {reference})",
            module="benchmarks.bench_letters",
            params={
                "dossier": str(work),
                "modele": template,
                "rapide": letters,
                "docxtpl": reference,
            },
            target=TARGET,
            ours="rapide",
            baseline="docxtpl",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chemin rapide contre docxtpl seul.")
    parser.add_argument("--lettres", type=int, help=f"courriers du chemin rapide (défaut {FULL})")
    parser.add_argument("--reference", type=int, help="courriers docxtpl (défaut : --lettres)")
    parser.add_argument("--modele", default="mise_en_demeure", help="modèle fourni à utiliser")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    parser.add_argument("--petit", action="store_true", help=f"{SMALL} courriers, pour vérifier")
    args = parser.parse_args(argv)
    run(args.petit, args.dossier, args.lettres, args.reference, args.modele)
    return 0


if __name__ == "__main__":
    sys.exit(main())
