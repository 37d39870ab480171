"""Tous les bancs d'essai d'un coup, et le compte rendu ``benchmarks/RESULTS.md``.

Usage : ``python -m benchmarks.run_all [--petit] [--cas lecture calcul …] [--dossier D]
[--sortie F]`` (or ``python benchmarks/run_all.py``).

Runs every case (each side in its own process, see benchmarks._measure), prints each side by
side, then writes the figures, the targets, pass/miss per target and the machine's description
to RESULTS.md. ``--petit`` runs small sizes for a quick check and writes nothing unless
``--sortie`` is given. Whatever follows the line :data:`ANALYSIS_MARKER` in an existing
RESULTS.md (the written analysis of the figures) is kept as it is.

Not part of the test suite: a missed target is reported, not failed. The exit code is 1 only when
a case could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from benchmarks import data  # noqa: E402
from benchmarks._measure import BenchmarkError, Comparison, french_number, side_by_side  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
ANALYSIS_MARKER = "<!-- analyse : le texte ci-dessous est écrit à la main et conservé -->"
CASES: dict[str, tuple[str, str]] = {
    "lecture": ("benchmarks.bench_reader", "Lecture du classeur"),
    "calcul": ("benchmarks.bench_compute", "Balance âgée + actions + pénalités"),
    "ecriture": ("benchmarks.bench_writeback", "Écriture des résultats"),
    "courriers": ("benchmarks.bench_letters", "Courriers Word"),
    "pdf": ("benchmarks.bench_pdf", "Conversion PDF"),
}
"""Case key (``--cas``) → (module with ``run(small, folder)``, short French title)."""
LIBRARIES = (
    "pandas",
    "numpy",
    "openpyxl",
    "python-calamine",
    "docxtpl",
    "python-docx",
    "lxml",
    "Babel",
    "holidays",
)


def machine() -> dict[str, str]:
    """What the figures were measured on: processor, cores, memory, system, versions, load."""
    cpu = _first_value(Path("/proc/cpuinfo"), "model name") or platform.processor() or "inconnu"
    memory = _first_value(Path("/proc/meminfo"), "MemTotal")
    memory_text = "inconnue"
    if memory:
        memory_text = f"{french_number(int(memory.split()[0]) / 1024 / 1024, 1)} Gio"
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    load = ", ".join(french_number(value) for value in os.getloadavg())
    return {
        "Processeur": cpu,
        "Cœurs": f"{os.cpu_count()} logiques, {len(os.sched_getaffinity(0))} utilisables",
        "Mémoire": memory_text,
        "Système": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Bibliothèques": ", ".join(versions),
        "LibreOffice": _libreoffice_version(),
        "Charge moyenne au départ (1, 5, 15 min)": load,
    }


def _first_value(path: Path, key: str) -> str | None:
    """The value of the first ``key : value`` line of a /proc file, or None."""
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _libreoffice_version() -> str:
    from relance_xl import pdf

    soffice = pdf.find_soffice()
    if soffice is None:
        return "absent"
    try:
        found = subprocess.run(
            [str(soffice), "--version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return f"présent ({soffice}), version illisible"
    return found.stdout.strip() or f"présent ({soffice})"


def run_cases(keys: list[str], small: bool, folder: Path) -> dict[str, Comparison | str]:
    """Run the cases in order: key → comparison, or a French sentence saying why it is missing."""
    results: dict[str, Comparison | str] = {}
    for key in keys:
        module_name, title = CASES[key]
        try:
            module = importlib.import_module(module_name)
            outcome = module.run(small=small, folder=folder)
        except ModuleNotFoundError as error:
            outcome = f"non mesuré : module absent ({error.name})"
        except BenchmarkError as error:
            outcome = f"échec : {str(error).splitlines()[0]}"
        results[key] = outcome if outcome is not None else "non mesuré (LibreOffice absent)"
        if isinstance(results[key], str):
            print(f"\n== {title} : {results[key]}", flush=True)
    return results


def summary_table(results: dict[str, Comparison | str]) -> list[str]:
    """The Markdown table: one line per case, figures, target, verdict."""
    lines = [
        "| Cas | Taille | relance_xl | Référence | Rapport | Rapport (CPU) | Objectif | Résultat |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, outcome in results.items():
        title = CASES[key][1]
        if isinstance(outcome, str):
            lines.append(f"| {title} | — | — | — | — | — | — | {outcome} |")
            continue
        ours, baseline = outcome.ours, outcome.baseline
        lines.append(
            f"| {title} | {outcome.size} | {french_number(ours.seconds)} s | "
            f"{french_number(baseline.seconds)} s ({outcome.baseline_label}) | "
            f"{french_number(outcome.ratio, 1)}× | {french_number(outcome.cpu_ratio, 1)}× | "
            f"{outcome.target.describe()} | **{outcome.verdict()}**"
            f"{'' if outcome.same_results else ' (résultats différents !)'} |"
        )
    return lines


def report(
    results: dict[str, Comparison | str],
    host: dict[str, str],
    small: bool,
    started: dt.datetime,
    seconds: float,
    analysis: str,
) -> str:
    """The whole RESULTS.md text."""
    size = "petite taille (`--petit`)" if small else "taille normale"
    lines = [
        "# Résultats des bancs d'essai",
        "",
        f"Produit par `python -m benchmarks.run_all{' --petit' if small else ''}` le "
        f"{started:%d/%m/%Y à %H:%M}, {size}, en {french_number(seconds / 60, 1)} min. Chaque "
        "côté tourne dans son propre processus Python ; durée = horloge murale de l'exécution "
        "mesurée (la préparation des données n'est pas comptée), CPU = temps processeur du "
        "processus et de ses sous-processus ; pic mémoire = mémoire résidente maximale pendant "
        "la mesure (`VmHWM` remis à zéro juste avant), données d'entrée comprises. Le rapport "
        "est celui des durées (référence / relance_xl) ; il est donné aussi en temps processeur, "
        "moins sensible à la charge de la machine (partagée).",
        "",
        "## Synthèse",
        "",
        *summary_table(results),
        "",
        "## Machine",
        "",
        *(f"- {name} : {value}" for name, value in host.items()),
        "",
        "## Détail par cas",
    ]
    for key, outcome in results.items():
        lines.extend(["", f"### {CASES[key][1]}", ""])
        if isinstance(outcome, str):
            lines.append(outcome)
            continue
        lines.extend([f"{outcome.case} — {outcome.size}.", "", "```", side_by_side(outcome), "```"])
    lines.extend(["", ANALYSIS_MARKER, analysis.rstrip("\n"), ""])
    return "\n".join(lines)


def kept_analysis(path: Path) -> str:
    """The hand-written part of an existing RESULTS.md (after the marker), else a heading."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if ANALYSIS_MARKER in text:
            return text.split(ANALYSIS_MARKER, 1)[1].strip("\n")
    return "\n## Analyse\n\n(à écrire après lecture des chiffres)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petit", action="store_true", help="petites tailles, vérification rapide")
    parser.add_argument(
        "--cas",
        nargs="+",
        choices=list(CASES),
        default=list(CASES),
        help="cas à mesurer (défaut : tous)",
    )
    parser.add_argument(
        "--dossier", type=Path, default=data.CACHE, help=f"données générées (défaut : {data.CACHE})"
    )
    parser.add_argument(
        "--sortie",
        type=Path,
        help="compte rendu Markdown (défaut : benchmarks/RESULTS.md, aucun avec --petit)",
    )
    args = parser.parse_args(argv)
    output = args.sortie or (None if args.petit else RESULTS)
    started = dt.datetime.now()
    host = machine()
    clock = time.perf_counter()
    results = run_cases(args.cas, args.petit, args.dossier)
    seconds = time.perf_counter() - clock
    print("\n" + "\n".join(summary_table(results)))
    if output is not None:
        text = report(results, host, args.petit, started, seconds, kept_analysis(output))
        output.write_text(text, encoding="utf-8")
        print(f"\nCompte rendu écrit : {output}")
    return 1 if any(isinstance(o, str) and o.startswith("échec") for o in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
