"""PDF through LibreOffice: batch conversion of the letters, and the merged print file.

LibreOffice (``soffice``) converts many files in one start-up, which is what makes it fast: one
invocation per batch, each with its own throw-away user profile (two instances sharing a profile
hand their work to each other or refuse to start). ``soffice`` exits 0 even when a file fails, so
every expected PDF is checked afterwards; a hung instance is killed with its whole process group.
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from pypdf import PdfWriter
from pypdf.errors import PyPdfError

from relance_xl.errors import OutputError, describe_os_error

SOFFICE_ENV = "RELANCE_XL_SOFFICE"
"""Environment variable naming the soffice executable, for portable or unusual installs."""

INSTALL_PATHS: tuple[str, ...] = (
    r"%ProgramFiles%\LibreOffice\program\soffice.exe",
    r"%ProgramFiles(x86)%\LibreOffice\program\soffice.exe",
    r"%LOCALAPPDATA%\Programs\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "~/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice*/program/soffice",
    "/snap/bin/libreoffice",
)
"""Where LibreOffice installs itself when ``soffice`` is not on the PATH (Windows, macOS, Linux)."""

INSTALL_HINT = (
    "LibreOffice est introuvable : les courriers Word (.docx) sont prêts, mais pas les PDF ; "
    "pour les PDF, installez LibreOffice (Debian/Ubuntu : « sudo apt-get install "
    "libreoffice-writer-nogui » ; macOS et Windows : https://fr.libreoffice.org/download/) "
    f"ou indiquez le chemin de soffice dans la variable d'environnement {SOFFICE_ENV}."
)

MAX_NAMES = 10
"""How many missing files a message names before it says « et N autres »."""


class LibreOfficeMissing(OutputError):
    """LibreOffice is not installed: the .docx letters exist, the PDF cannot be made."""


def find_soffice() -> Path | None:
    """The LibreOffice executable: $RELANCE_XL_SOFFICE, the PATH, then the usual install paths."""
    explicit = os.environ.get(SOFFICE_ENV, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        return path if _is_executable(path) else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for pattern in INSTALL_PATHS:
        expanded = os.path.expanduser(os.path.expandvars(pattern))
        if "%" in expanded:  # a Windows variable that is not set here
            continue
        for candidate in sorted(glob.glob(expanded), key=_version_order, reverse=True):
            if _is_executable(Path(candidate)):
                return Path(candidate)
    return None


def convert_to_pdf(
    docx_paths: Sequence[Path], out_dir: Path, *, timeout: float = 300, workers: int = 1
) -> list[Path]:
    """Convert the letters to ``out_dir/<name>.pdf``, in one soffice call per worker.

    Returns the PDF paths in the order of ``docx_paths``. Raises LibreOfficeMissing when soffice
    cannot be found, OutputError when the folder is not writable or when a PDF is missing or empty
    after the run (the message names the letters and says whether the time limit was hit); the
    .docx files are never touched.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    sources = [Path(path).resolve() for path in docx_paths]
    if not sources:
        return []
    _check_sources(sources)
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeMissing(INSTALL_HINT)
    out_dir = _writable_folder(Path(out_dir))
    targets = [out_dir / f"{source.stem}.pdf" for source in sources]
    missing: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(
            prefix=".relance_pdf_", dir=out_dir, ignore_cleanup_errors=True
        ) as staging_name:
            staging = Path(staging_name)
            timed_out, crashed = _run_batches(soffice, _batches(sources, workers), staging, timeout)
            for source, target in zip(sources, targets, strict=True):
                produced = staging / target.name
                if is_complete_pdf(produced):
                    os.replace(produced, target)
                else:
                    missing.append(source)
                    target.unlink(missing_ok=True)  # an older PDF of this letter is out of date
    except OSError as error:
        raise OutputError(
            f"conversion en PDF impossible dans « {out_dir} » : {describe_os_error(error)}."
        ) from error
    if missing:
        raise OutputError(_missing_message(missing, len(sources), timeout, timed_out, crashed))
    return targets


def is_complete_pdf(path: Path) -> bool:
    """True when the file starts like a PDF and ends with its ``%%EOF`` marker (not truncated)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(5)
            stream.seek(max(0, path.stat().st_size - 1024))
            tail = stream.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def merge_pdfs(pdfs: Sequence[Path], target: Path) -> Path:
    """Concatenate the PDFs, in the order given, into ``target`` (the print file)."""
    if not pdfs:
        raise OutputError(f"aucun courrier à rassembler dans « {Path(target).name} ».")
    writer = PdfWriter()
    for pdf in pdfs:
        try:
            writer.append(str(pdf))
        except (OSError, PyPdfError, ValueError) as error:
            reason = describe_os_error(error) if isinstance(error, OSError) else "fichier abîmé"
            raise OutputError(
                f"le PDF « {Path(pdf).name} » est illisible ({reason}) : "
                f"impossible de préparer « {Path(target).name} »."
            ) from error
    buffer = io.BytesIO()
    writer.write(buffer)
    writer.close()
    return save_atomically(Path(target), buffer.getvalue())


def print_file_name(as_of: dt.date) -> str:
    """``a_imprimer_2026-11-23.pdf``: every letter to post that day, in client order."""
    return f"a_imprimer_{as_of.isoformat()}.pdf"


def save_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename: never half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise OutputError(
            f"impossible d'écrire « {path} » : {describe_os_error(error)}."
        ) from error
    return path


def _version_order(path: str) -> list[str | int]:
    """``/opt/libreoffice24.2`` after ``/opt/libreoffice7.4``: numbers compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _check_sources(sources: Sequence[Path]) -> None:
    absent = [source for source in sources if not source.is_file()]
    if absent:
        raise OutputError(f"courriers Word introuvables : {_names(absent)}.")
    seen: dict[str, Path] = {}
    for source in sources:
        key = source.stem.casefold()
        if key in seen and seen[key] != source:
            raise OutputError(
                f"deux courriers donneraient le même PDF « {source.stem}.pdf » : "
                f"« {seen[key]} » et « {source} »."
            )
        seen[key] = source


def _writable_folder(folder: Path) -> Path:
    """Create the folder and prove it accepts a file (read-only folder, full disk → OutputError)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"relance_xl")
            probe.flush()
    except OSError as error:
        raise OutputError(
            f"le dossier des PDF « {folder} » n'est pas utilisable : {describe_os_error(error)}."
        ) from error
    return folder.resolve()


def _batches(sources: Sequence[Path], workers: int) -> list[list[Path]]:
    """Consecutive slices of nearly equal size, one per soffice process."""
    count = min(workers, len(sources))
    size, extra = divmod(len(sources), count)
    batches, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        batches.append(list(sources[start:end]))
        start = end
    return batches


def _run_batches(
    soffice: Path, batches: Sequence[Sequence[Path]], staging: Path, timeout: float
) -> tuple[bool, bool]:
    """Run one soffice per batch in parallel; (timed out, some soffice ended abnormally)."""
    deadline = time.monotonic() + timeout
    timed_out = False
    with ExitStack() as stack:
        processes = [stack.enter_context(_soffice(soffice, batch, staging)) for batch in batches]
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
                break
    crashed = any(process.returncode not in (0, None) for process in processes)
    return timed_out, crashed and not timed_out


@contextmanager
def _soffice(soffice: Path, batch: Sequence[Path], staging: Path) -> Iterator[subprocess.Popen]:
    """One headless soffice with a private profile; its process group is killed on the way out."""
    profile = Path(tempfile.mkdtemp(prefix="relance_lo_profil_"))
    command = [
        str(soffice),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(staging),
        *(str(path) for path in batch),
    ]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **_new_process_group(),
        )
    except OSError as error:
        shutil.rmtree(profile, ignore_errors=True)
        raise OutputError(
            f"impossible de lancer LibreOffice (« {soffice} ») : {describe_os_error(error)}."
        ) from error
    try:
        yield process
    finally:
        _kill_group(process)
        shutil.rmtree(profile, ignore_errors=True)


def _new_process_group() -> dict[str, object]:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _kill_group(process: subprocess.Popen) -> None:
    """Kill soffice and every process it started (oosplash → soffice.bin), then reap it."""
    if os.name == "nt":
        if process.poll() is None:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
    else:
        # The group outlives its leader while a child (soffice.bin) runs, so its id stays ours.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _missing_message(
    missing: Sequence[Path], total: int, timeout: float, timed_out: bool, crashed: bool
) -> str:
    if timed_out:
        cause = f"LibreOffice n'a pas terminé dans le délai de {timeout:g} s"
    elif crashed:
        cause = "LibreOffice s'est arrêté anormalement"
    else:
        cause = "LibreOffice n'a pas pu convertir certains courriers"
    return (
        f"conversion en PDF incomplète : {cause} ; {len(missing)} PDF manquant(s) sur {total}, "
        f"pour {_names(missing)} ; les courriers Word restent disponibles."
    )


def _names(paths: Sequence[Path]) -> str:
    shown = ", ".join(f"« {path.name} »" for path in paths[:MAX_NAMES])
    rest = len(paths) - MAX_NAMES
    return f"{shown} et {rest} autre(s)" if rest > 0 else shown
