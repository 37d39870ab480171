"""Banc d'essai PDF : un seul appel LibreOffice pour tout le lot contre un appel par courrier.

Usage : ``python benchmarks/bench_pdf.py [--courriers 200] [--dossier D]``

Makes N one-page letters with python-docx, then runs each phase in its own Python child process
(so that the peak memory of its soffice processes is measured alone, through RUSAGE_CHILDREN):
one batched soffice call, two batched calls in parallel (workers=2), and one call per letter.
Prints letters/s of each, the ratio batched / per letter, the wall times, the peak memory, and the
time to merge every PDF into the print file.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from relance_xl import pdf  # noqa: E402

PHASES = ("lot", "lot_2", "unitaire")
LABELS = {
    "lot": "un appel pour le lot (workers=1)",
    "lot_2": "deux appels en parallèle (workers=2)",
    "unitaire": "un appel par courrier",
}


def make_letters(folder: Path, count: int) -> list[Path]:
    """``count`` one-page letters: header, address, subject, body, a table of three invoices."""
    from docx import Document

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        document = Document()
        document.add_paragraph("Plomberie Martin SARL\n12 rue des Lilas\n69003 Lyon")
        document.add_paragraph(f"Client n° {index:03d} – Dupont & Fils\n4 avenue Foch\n75008 Paris")
        document.add_paragraph("Lyon, le 23 novembre 2026")
        document.add_heading("Objet : 1re lettre de relance", level=2)
        document.add_paragraph(
            "Madame, Monsieur, sauf erreur de notre part, les factures ci-dessous restent "
            "impayées à ce jour. Nous vous remercions de bien vouloir procéder à leur règlement."
        )
        table = document.add_table(rows=1, cols=4)
        titles = ("N°", "Échéance", "Montant", "Reste dû")
        for cell, title in zip(table.rows[0].cells, titles, strict=True):
            cell.text = title
        for line in range(3):
            cells = table.add_row().cells
            cells[0].text = f"F-2026-{index:03d}{line}"
            cells[1].text = "15/10/2026"
            cells[2].text = "1 234,56 €"
            cells[3].text = "1 234,56 €"
        document.add_paragraph("Veuillez agréer, Madame, Monsieur, nos salutations distinguées.")
        path = folder / f"courrier_{index:03d}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


def run_phase(phase: str, letters: list[Path], out_dir: Path) -> dict[str, float]:
    """Convert the letters as the phase says; seconds and the peak soffice memory (MiB)."""
    start = time.perf_counter()
    if phase == "unitaire":
        pdfs = [pdf.convert_to_pdf([letter], out_dir, timeout=120)[0] for letter in letters]
    else:
        workers = 2 if phase == "lot_2" else 1
        pdfs = pdf.convert_to_pdf(letters, out_dir, timeout=1800, workers=workers)
    seconds = time.perf_counter() - start
    assert len(pdfs) == len(letters) and all(pdf.is_complete_pdf(p) for p in pdfs)
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"secondes": seconds, "pic_soffice_mio": children_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courriers", type=int, default=200)
    parser.add_argument("--dossier", type=Path)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if pdf.find_soffice() is None:
        sys.exit(pdf.INSTALL_HINT)
    base = args.dossier or Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    letters_dir = base / "docx"
    if args.phase:
        letters = sorted(letters_dir.glob("*.docx"))
        print(json.dumps(run_phase(args.phase, letters, base / args.phase)))
        return

    wall = time.perf_counter()
    letters = make_letters(letters_dir, args.courriers)
    print(f"{len(letters)} courriers d'une page créés dans {letters_dir}")
    results = {}
    for phase in PHASES:
        child = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--dossier", str(base)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[phase] = json.loads(child.stdout.strip().splitlines()[-1])
        rate = len(letters) / results[phase]["secondes"]
        print(
            f"{LABELS[phase]:<40} {results[phase]['secondes']:8.1f} s  {rate:7.2f} courriers/s  "
            f"pic mémoire soffice {results[phase]['pic_soffice_mio']:6.0f} Mio"
        )
    start = time.perf_counter()
    merged = pdf.merge_pdfs(sorted((base / "lot").glob("*.pdf")), base / "a_imprimer.pdf")
    merge_seconds = time.perf_counter() - start
    ratio = results["unitaire"]["secondes"] / results["lot"]["secondes"]
    ratio_2 = results["unitaire"]["secondes"] / results["lot_2"]["secondes"]
    python_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rapport lot / unitaire : {ratio:.1f}× (workers=2 : {ratio_2:.1f}×)")
    print(f"fusion de {len(letters)} PDF en {merged.name} : {merge_seconds:.2f} s")
    print(f"pic mémoire Python (création + fusion) : {python_mib:.0f} Mio")
    print(f"durée totale du banc d'essai : {time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
