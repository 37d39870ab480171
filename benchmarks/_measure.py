"""Mesure commune des bancs d'essai : durée, pic mémoire, côte à côte, chaque côté à part.

Every side of a comparison (relance_xl, the baseline, and any extra variant) runs in its own fresh
Python process (``python -m benchmarks._measure MODULE SIDE PARAMS``), so that neither inherits
the other's memory, caches or imports. In that process:

1. ``setup(params)`` builds the input (reads the generated data): not measured;
2. the peak memory is reset (``/proc/self/clear_refs``, Linux) and the garbage collector run;
3. ``run(state)`` is timed with the wall clock (``time.perf_counter``) and the CPU clock
   (``time.process_time``), ``repeat`` times (the fastest run is kept);
4. the peak resident memory during the runs is read (``VmHWM``), with the resident memory before
   (the input held), and the peak of the child processes (``RUSAGE_CHILDREN``: LibreOffice).

Nothing slows one side more than the other (no tracemalloc, whose cost grows with the number of
Python allocations and would penalise the pure-Python baselines). A benchmark module defines
``SIDES`` (side key → :class:`Side`); :func:`compare` runs two or more sides and prints them side
by side with the ratio and the target.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from relance_xl import fr  # noqa: E402

MIB = 1024 * 1024


class BenchmarkError(RuntimeError):
    """A side of a benchmark failed (its process's error output is in the message)."""


@dataclass(frozen=True)
class Side:
    """One way of doing the job: ``setup(params)`` (not measured) then ``run(state)`` (measured).

    The facts of the result — a small JSON-able dict (counts, a checksum) printed and compared
    between sides, so that a fast wrong answer is visible — are what ``run`` returns, or, when
    ``check`` is given, what ``check(state, result)`` returns after the clock stopped (reading a
    written file back, cleaning up).
    """

    label: str
    setup: Callable[[dict], object]
    run: Callable[[object], object]
    check: Callable[[object, object], dict] | None = None
    units: Callable[[dict], int] | None = None
    """How many items (letters…) one run handles, when the sides handle different numbers:
    the ratio is then per item."""


@dataclass(frozen=True)
class Measure:
    """What one side cost.

    Attributes:
        seconds: wall-clock time of the fastest run.
        cpu_seconds: CPU time of the process during that run (children included).
        peak_mib: peak resident memory of the process during the runs (input included).
        start_mib: resident memory just before the first run (the input held).
        children_mib: peak resident memory of a child process (LibreOffice…), 0 if none.
        facts: what the run returned (counts, checksum).
        units: items handled by one run (1 when the ratio compares whole runs).
    """

    seconds: float
    cpu_seconds: float
    peak_mib: float
    start_mib: float
    children_mib: float
    facts: dict = field(default_factory=dict)
    units: int = 1

    @property
    def seconds_per_unit(self) -> float:
        """Wall-clock seconds per item."""
        return self.seconds / self.units

    @property
    def cpu_per_unit(self) -> float:
        """CPU seconds per item."""
        return self.cpu_seconds / self.units

    @property
    def work_mib(self) -> float:
        """Memory taken by the work itself, above the input."""
        return max(0.0, self.peak_mib - self.start_mib)


@dataclass(frozen=True)
class Target:
    """Objectif: relance_xl at least ``ratio`` times faster, and (optionally) under ``seconds``."""

    ratio: float
    seconds: float | None = None

    def describe(self) -> str:
        """``≥ 30×`` or ``≥ 30× et < 10 s``."""
        text = f"≥ {french_number(self.ratio, 0)}×"
        return text if self.seconds is None else f"{text} et < {french_number(self.seconds, 0)} s"


@dataclass(frozen=True)
class Comparison:
    """relance_xl against a baseline (and extra variants) on one case."""

    case: str
    size: str
    ours_label: str
    ours: Measure
    baseline_label: str
    baseline: Measure
    target: Target
    extras: tuple[tuple[str, Measure], ...] = ()
    notes: tuple[str, ...] = ()
    wall_seconds: float = 0.0

    @property
    def ratio(self) -> float:
        """How many times faster relance_xl is: baseline time / relance_xl time (per item)."""
        return _ratio(self.baseline.seconds_per_unit, self.ours.seconds_per_unit)

    @property
    def cpu_ratio(self) -> float:
        """The same with CPU time, which depends less on what else the machine is doing."""
        return _ratio(self.baseline.cpu_per_unit, self.ours.cpu_per_unit)

    @property
    def met(self) -> bool:
        """The target is met: ratio reached and, when asked, under the time limit."""
        fast_enough = self.target.seconds is None or self.ours.seconds < self.target.seconds
        return self.ratio >= self.target.ratio and fast_enough

    @property
    def same_results(self) -> bool:
        """Every side returned the same facts (counts, fingerprint)."""
        return all(m.facts == self.ours.facts for m in (self.baseline, *dict(self.extras).values()))

    def verdict(self) -> str:
        """``atteint`` or ``manqué``."""
        return "atteint" if self.met else "manqué"

    def as_json(self) -> dict:
        """Everything, for RESULTS.md and archives."""
        payload = asdict(self)
        payload.update(
            ratio=self.ratio,
            ratio_cpu=self.cpu_ratio,
            atteint=self.met,
            memes_resultats=self.same_results,
        )
        return payload


def _ratio(slow: float, fast: float) -> float:
    return slow / fast if fast else float("inf")


def measure(side: Side, params: dict, repeat: int = 1) -> Measure:
    """Run one side here (this process should be fresh): setup, then ``repeat`` timed runs."""
    state = side.setup(params)
    gc.collect()
    start_mib = _resident_mib("VmRSS")
    exact_peak = reset_peak()
    best = cpu = float("inf")
    result: object = None
    for _ in range(max(1, repeat)):
        gc.collect()
        cpu_start = _cpu_seconds()
        wall_start = time.perf_counter()
        result = side.run(state)
        wall = time.perf_counter() - wall_start
        if wall < best:
            best, cpu = wall, _cpu_seconds() - cpu_start
    peak = peak_mib() if exact_peak else _max_rss_mib(resource.RUSAGE_SELF)
    children = _max_rss_mib(resource.RUSAGE_CHILDREN)
    facts = side.check(state, result) if side.check else result
    units = side.units(params) if side.units else 1
    return Measure(best, cpu, peak, start_mib, children, dict(facts), units)


def measure_in_child(
    module: str, side: str, params: dict, repeat: int = 1, timeout: float | None = None
) -> Measure:
    """:func:`measure` in a fresh Python process; raises BenchmarkError when it fails."""
    command = [
        sys.executable,
        "-m",
        "benchmarks._measure",
        module,
        side,
        json.dumps(params),
        str(repeat),
    ]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, (str(PROJECT), environment.get("PYTHONPATH")))
    )
    try:
        child = subprocess.run(
            command,
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"{module} / {side} : délai de {timeout:.0f} s dépassé.") from None
    if child.returncode != 0:
        raise BenchmarkError(
            f"{module} / {side} a échoué (code {child.returncode}) :\n{child.stderr[-4000:]}"
        )
    return Measure(**json.loads(child.stdout.strip().splitlines()[-1]))


def compare(
    *,
    case: str,
    size: str,
    module: str,
    params: dict,
    target: Target,
    ours: str,
    baseline: str,
    extras: Sequence[str] = (),
    repeat: int = 1,
    notes: Sequence[str] = (),
    timeout: float | None = None,
) -> Comparison:
    """Measure relance_xl's side, the baseline and the extras of ``module`` (each in its own
    process), print them side by side and return the comparison."""
    sides = importlib.import_module(module).SIDES
    wall = time.perf_counter()
    print(f"\n== {case} ({size}) ==", flush=True)
    measures = {}
    for key in (ours, baseline, *extras):
        print(f"   … {sides[key].label}", flush=True)
        measures[key] = measure_in_child(module, key, params, repeat, timeout)
    comparison = Comparison(
        case=case,
        size=size,
        ours_label=sides[ours].label,
        ours=measures[ours],
        baseline_label=sides[baseline].label,
        baseline=measures[baseline],
        target=target,
        extras=tuple((sides[key].label, measures[key]) for key in extras),
        notes=tuple(notes),
        wall_seconds=time.perf_counter() - wall,
    )
    print(side_by_side(comparison), flush=True)
    return comparison


def side_by_side(comparison: Comparison) -> str:
    """The comparison as a small aligned table, then the ratio and the verdict, in French."""
    columns = [
        (comparison.ours_label, comparison.ours),
        (comparison.baseline_label, comparison.baseline),
        *comparison.extras,
    ]
    measures = [measure for _, measure in columns]
    rows: list[tuple[str, list[str]]] = [
        ("durée (horloge)", [f"{french_number(m.seconds)} s" for m in measures]),
        ("durée (CPU)", [f"{french_number(m.cpu_seconds)} s" for m in measures]),
        ("pic mémoire", [f"{french_number(m.peak_mib, 0)} Mio" for m in measures]),
        ("  dont le travail", [f"{french_number(m.work_mib, 0)} Mio" for m in measures]),
    ]
    if any(m.units > 1 for m in measures):
        rows.append(("unités traitées", [str(m.units) for m in measures]))
        rows.append(
            ("par unité", [f"{french_number(m.seconds_per_unit * 1000, 1)} ms" for m in measures])
        )
    if any(m.children_mib for m in measures):
        rows.append(
            ("pic sous-processus", [f"{french_number(m.children_mib, 0)} Mio" for m in measures])
        )
    rows.extend(
        (key, [str(m.facts.get(key, "—")) for m in measures]) for key in comparison.ours.facts
    )
    head = max(len(title) for title, _ in rows) + 2
    width = max(24, *(len(label) + 2 for label, _ in columns))
    lines = [" " * head + "".join(label.rjust(width) for label, _ in columns)]
    lines.extend(
        title.ljust(head) + "".join(c.rjust(width) for c in cells) for title, cells in rows
    )
    lines.append(f"mêmes résultats : {'oui' if comparison.same_results else 'NON'}")
    lines.append(
        f"rapport : {french_number(comparison.ratio, 1)}× plus rapide (temps processeur : "
        f"{french_number(comparison.cpu_ratio, 1)}×) — objectif {comparison.target.describe()} : "
        f"{comparison.verdict()}"
    )
    lines.extend(comparison.notes)
    return "\n".join(lines)


def french_number(value: float, decimals: int = 2) -> str:
    """``1 234,56`` (French grouping) for a float."""
    return fr.number(Decimal(repr(round(value, decimals))), decimals)


def reset_peak() -> bool:
    """Reset the process's peak resident memory (Linux ≥ 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def resident_mib() -> float:
    """Resident memory of this process now."""
    return _resident_mib("VmRSS")


def peak_mib() -> float:
    """Peak resident memory of this process since the start or the last :func:`reset_peak`."""
    return _resident_mib("VmHWM")


def _resident_mib(key: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in MiB (0 when unknown)."""
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.exists() else []
    for line in lines:
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return _max_rss_mib(resource.RUSAGE_SELF) if key == "VmHWM" else 0.0


def _max_rss_mib(who: int) -> float:
    """Peak resident memory from getrusage (kilobytes on Linux), in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def _child_main(argv: Sequence[str]) -> None:
    """``MODULE SIDE PARAMS_JSON [REPEAT]``: measure one side, print the Measure as JSON."""
    module, side, params = argv[0], argv[1], json.loads(argv[2])
    repeat = int(argv[3]) if len(argv) > 3 else 1
    result = measure(importlib.import_module(module).SIDES[side], params, repeat)
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    _child_main(sys.argv[1:])


def sized_main(
    argv: Sequence[str] | None,
    description: str,
    sizes: tuple[dict[str, int], dict[str, int]],
    run: Callable[..., Comparison],
    folder: Path,
) -> None:
    """Command line of a benchmark sized in invoices and clients: ``--factures``, ``--clients``,
    ``--petit`` (the small sizes), ``--dossier`` (generated data); then ``run``."""
    full, small = sizes
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--factures", type=int, help=f"nombre de factures (défaut {full['factures']:_})"
    )
    parser.add_argument(
        "--clients", type=int, help=f"nombre de clients (défaut {full['clients']:_})"
    )
    parser.add_argument("--petit", action="store_true", help="petite taille, pour vérifier")
    parser.add_argument("--dossier", type=Path, default=folder, help="données générées")
    args = parser.parse_args(argv)
    chosen = small if args.petit else full
    run(
        folder=args.dossier,
        sizes={
            "factures": args.factures or chosen["factures"],
            "clients": args.clients or chosen["clients"],
        },
    )
