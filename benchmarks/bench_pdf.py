"""Banc d'essai PDF : un seul appel LibreOffice pour tout le lot contre un appel par courrier.

Usage : ``python benchmarks/bench_pdf.py [--courriers 200] [--dossier D] [--petit]``

Makes N one-page letters with python-docx, then runs each way in its own Python process
(benchmarks._measure, so that the peak memory of its soffice processes is measured alone, through
RUSAGE_CHILDREN): one batched soffice call (relance_xl.pdf, workers=1), two batched calls in
parallel (workers=2), and one call per letter. Prints them side by side (time per letter, the
ratio batched / per letter, the peak memory of soffice), then the time to merge every PDF into
the print file.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from benchmarks._measure import (  # noqa: E402
    Comparison,
    Side,
    Target,
    compare,
    french_number,
    peak_mib,
    reset_peak,
    resident_mib,
)
from relance_xl import pdf  # noqa: E402

CASE = "Conversion des courriers en PDF"
TARGET = Target(ratio=5)
FULL = 200
SMALL = 20


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


def _setup(phase: str):
    """The letters made by the parent process, and this phase's output folder."""

    def setup(params: dict) -> tuple[str, list[Path], Path]:
        base = Path(params["dossier"])
        return phase, sorted((base / "docx").glob("*.docx")), base / phase

    return setup


def _convert(state: tuple[str, list[Path], Path]) -> list[Path]:
    """Convert the letters as the phase says."""
    phase, letters, out_dir = state
    if phase == "unitaire":
        return [pdf.convert_to_pdf([letter], out_dir, timeout=120)[0] for letter in letters]
    workers = 2 if phase == "lot_2" else 1
    return pdf.convert_to_pdf(letters, out_dir, timeout=1800, workers=workers)


def _check(state: tuple[str, list[Path], Path], pdfs: list[Path]) -> dict:
    """Every letter has its complete PDF."""
    return {"PDF complets": sum(pdf.is_complete_pdf(path) for path in pdfs)}


def _letters(params: dict) -> int:
    return int(params["courriers"])


SIDES = {
    phase: Side(label, _setup(phase), _convert, _check, _letters)
    for phase, label in (
        ("lot", "un appel pour le lot"),
        ("lot_2", "deux appels en parallèle"),
        ("unitaire", "un appel par courrier"),
    )
}


def run(
    small: bool = False, folder: Path | None = None, count: int | None = None, keep: bool = False
) -> Comparison | None:
    """Make the letters, measure the three ways, then time the merge; None without LibreOffice.
    The working folder (letters, PDFs) is deleted at the end unless ``keep``."""
    if pdf.find_soffice() is None:
        print(pdf.INSTALL_HINT)
        return None
    count = count or (SMALL if small else FULL)
    reset_peak()  # the Python peak below is that of making the letters and merging the PDFs
    start_mib = resident_mib()
    base = Path(tempfile.mkdtemp(prefix="bench_pdf_", dir=folder))
    letters = make_letters(base / "docx", count)
    print(f"{len(letters)} courriers d'une page créés dans {base / 'docx'}")
    comparison = compare(
        case=CASE,
        size=f"{count} courriers d'une page",
        module="benchmarks.bench_pdf",
        params={"dossier": str(base), "courriers": count},
        target=TARGET,
        ours="lot",
        baseline="unitaire",
        extras=("lot_2",),
        timeout=3600,
    )
    start = time.perf_counter()
    merged = pdf.merge_pdfs(sorted((base / "lot").glob("*.pdf")), base / "a_imprimer.pdf")
    seconds = time.perf_counter() - start
    python_mib = peak_mib() - start_mib
    note = (
        f"fusion de {count} PDF en {merged.name} : {french_number(seconds)} s ; mémoire "
        f"Python prise par la création des courriers et la fusion : "
        f"{french_number(python_mib, 0)} Mio"
    )
    print(note)
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    return dataclasses.replace(comparison, notes=(*comparison.notes, note))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courriers", type=int, help=f"nombre de courriers (défaut {FULL})")
    parser.add_argument("--petit", action="store_true", help=f"{SMALL} courriers, pour vérifier")
    parser.add_argument("--dossier", type=Path, help="dossier de travail (défaut : temporaire)")
    args = parser.parse_args(argv)
    if run(small=args.petit, folder=args.dossier, count=args.courriers, keep=True) is None:
        sys.exit(1)


if __name__ == "__main__":
    main()
