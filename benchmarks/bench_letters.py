"""Banc d'essai des courriers : le chemin rapide de relance_xl contre docxtpl seul.

Usage : ``python benchmarks/bench_letters.py [--lettres 1000] [--modele mise_en_demeure]
[--reference 1000] [--dossier D]``

Builds ``--lettres`` different contexts (client names with ``&`` and ``<>``, one to five
invoices, a history), then runs each phase in its own Python child process, so that wall time
and peak memory (RUSAGE_SELF + RUSAGE_CHILDREN: the workers) are measured alone:

- ``rapide``: relance_xl.letters.bulk.generate (template prepared once, raw zip copy, two
  worker processes);
- ``docxtpl``: for each letter a new ``DocxTemplate``, ``render`` in the same sandbox, ``save``.

Prints letters/s of both, the ratio, the wall times and the peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

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


def run_phase(phase: str, template: Path, count: int, folder: Path) -> dict[str, float]:
    """One phase, in this process: returns seconds and peak memory."""
    items = contexts(count)
    names = [folder / letter_name(AS_OF, f"client {i:05d}", template.stem) for i in range(count)]
    start = time.perf_counter()
    if phase == "rapide":
        generate([LetterJob(template, c, n) for c, n in zip(items, names, strict=True)])
    else:
        from docxtpl import DocxTemplate

        folder.mkdir(parents=True, exist_ok=True)
        for context, name in zip(items, names, strict=True):
            document = DocxTemplate(str(template))
            document.render(context, environment(), autoescape=True)
            document.save(str(name))
    seconds = time.perf_counter() - start
    written = len(list(folder.glob("*.docx")))
    if written != count:
        raise SystemExit(f"{phase} : {written} courriers écrits au lieu de {count}")
    return {
        "secondes": seconds,
        "memoire_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "memoire_workers_mo": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def child(phase: str, template: Path, count: int, folder: Path) -> dict[str, float]:
    """Run a phase in a fresh Python process and read its measures."""
    command = [
        sys.executable, __file__, "--phase", phase, "--modele", template.stem,
        "--lettres", str(count), "--dossier", str(folder),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description="Chemin rapide contre docxtpl seul.")
    parser.add_argument("--lettres", type=int, default=1000, help="courriers du chemin rapide")
    parser.add_argument("--reference", type=int, help="courriers docxtpl (défaut : --lettres)")
    parser.add_argument("--modele", default="mise_en_demeure", help="modèle fourni à utiliser")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    parser.add_argument("--phase", choices=["rapide", "docxtpl"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    template = bundled_templates_folder() / f"{args.modele}.docx"
    if args.phase:
        print(json.dumps(run_phase(args.phase, template, args.lettres, args.dossier)))
        return 0
    with tempfile.TemporaryDirectory(dir=args.dossier) as work:
        started = time.perf_counter()
        fast = child("rapide", template, args.lettres, Path(work) / "rapide")
        reference_count = args.reference or args.lettres
        slow = child("docxtpl", template, reference_count, Path(work) / "docxtpl")
        wall = time.perf_counter() - started
    fast_rate = args.lettres / fast["secondes"]
    slow_rate = reference_count / slow["secondes"]
    print(f"Modèle : {template.name} ; courriers : {args.lettres} (docxtpl : {reference_count})")
    for label, measures, rate in (("rapide ", fast, fast_rate), ("docxtpl", slow, slow_rate)):
        print(
            f"  {label} : {rate:8.1f} courriers/s, {measures['secondes']:7.2f} s, mémoire "
            f"max {measures['memoire_mo']:.0f} Mo (processus) / "
            f"{measures['memoire_workers_mo']:.0f} Mo (workers)"
        )
    print(f"  rapport : {fast_rate / slow_rate:.1f} × plus rapide")
    print(f"  durée totale du banc d'essai : {wall:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
