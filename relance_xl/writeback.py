"""Lossless, atomic write-back of the result sheets into the user's workbook file.

Only relance_xl's own sheets (Balance âgée, Actions, Anomalies, Tableau de bord) and the rows
appended to Historique change; every other part of the file stays byte-identical (the zip work is
in :mod:`relance_xl.xlsx`). The safety is here:

1. a workbook open in Excel (``~$CLASSEUR.xlsx``) or LibreOffice (``.~lock.CLASSEUR.xlsx#``) is
   refused with :class:`~relance_xl.errors.WorkbookLockedError`, unless ``force``;
2. the new file is written to a temporary file in the same folder (the original is only read);
3. the temporary file is re-read and checked: every untouched part with the same CRC, our sheets
   readable by an independent reader (calamine) with the expected number of rows;
4. the previous version is kept as ``CLASSEUR.bak.xlsx`` (``.bak.xlsm`` for a macro workbook);
5. ``os.replace`` swaps the new file in atomically.

An interruption at any point leaves the old file or the new one, plus the backup.

A ``.csv`` source cannot receive sheets: without ``output`` it is an InputError; with
``output=AUTRE.xlsx`` a new workbook holding only the result sheets (and Historique) is written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from relance_xl.errors import InputError, OutputError, WorkbookLockedError, describe_os_error
from relance_xl.xlsx import (
    HISTORY_COLUMNS,
    HISTORY_SHEET,
    BarChart,
    Book,
    Column,
    Layout,
    Package,
    SheetData,
    apply_changes,
    new_package,
    parse_xml,
)

__all__ = [
    "HISTORY_COLUMNS",
    "HISTORY_HEADERS",
    "HISTORY_SHEET",
    "BarChart",
    "Column",
    "SheetData",
    "backup_path",
    "lock_files",
    "update_workbook",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
HISTORY_HEADERS = tuple(column.header for column in HISTORY_COLUMNS)
"""``Date, Client, N° facture, Niveau, Action, Canal, Statut, Montant réclamé, Fichier, Note``."""


def lock_files(path: Path) -> list[Path]:
    """The lock files present beside a workbook: Excel's ``~$name`` and LibreOffice's
    ``.~lock.name#``."""
    candidates = (f"~${path.name}", f".~lock.{path.name}#")
    return [path.with_name(name) for name in candidates if path.with_name(name).exists()]


def backup_path(path: Path) -> Path:
    """``Relances.xlsx`` → ``Relances.bak.xlsx`` (same suffix, so an .xlsm stays a macro file)."""
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def update_workbook(
    path: Path,
    *,
    replace_sheets: Sequence[SheetData] = (),
    append_rows: Mapping[str, list[list[object]]] | None = None,
    output: Path | None = None,
    force: bool = False,
) -> Path:
    """Write our sheets into the workbook and append rows to Historique; the path written.

    Args:
        path: the user's ``.xlsx`` / ``.xlsm`` (or a ``.csv`` when ``output`` is given).
        replace_sheets: result sheets, each replacing the sheet of that name or added at the end.
        append_rows: sheet name → rows to append (``"Historique"``: canonical column order, see
            HISTORY_COLUMNS; the sheet is created when missing).
        output: write a copy there instead of updating ``path`` (the original is untouched).
        force: write even when a lock file says the workbook is open.

    Raises:
        InputError: the source is missing, not a workbook, or a CSV without ``output``.
        WorkbookLockedError: the destination is open in Excel or LibreOffice (and not ``force``).
        OutputError: the new file could not be written or failed its check.
    """
    path = Path(path)
    appends = {name: rows for name, rows in (append_rows or {}).items() if rows}
    source_is_csv = path.suffix.lower() == ".csv"
    destination = _destination(path, output, source_is_csv)
    if not replace_sheets and not appends and output is None:
        return destination  # nothing to write: the file is left as it is
    if not force:
        _refuse_if_locked(destination)
    package = new_package() if source_is_csv else Package(path)
    with package:
        book = apply_changes(package, replace_sheets, appends)
        _check_suffix(book, destination)
        temporary = _write_temporary(package, destination, source=None if source_is_csv else path)
    try:
        _verify(temporary, package, replace_sheets, appends)
        if destination.exists():
            _keep_backup(destination)
        os.replace(temporary, destination)
    except OSError as error:
        raise OutputError(_os_message(destination, error)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    _sync_folder(destination.parent)
    return destination


def _destination(path: Path, output: Path | None, source_is_csv: bool) -> Path:
    if not path.is_file():
        raise InputError(f"classeur introuvable : « {path} ».")
    if source_is_csv and output is None:
        raise InputError(
            "un fichier CSV ne peut pas recevoir les feuilles de résultats : "
            "utilisez --sortie AUTRE.xlsx"
        )
    if not source_is_csv and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError(
            f"« {path.name} » : seuls les classeurs .xlsx et .xlsm peuvent être mis à jour "
            "(enregistrez-le au format .xlsx depuis Excel)."
        )
    destination = Path(output) if output is not None else path
    if not destination.parent.is_dir():
        raise OutputError(f"dossier de sortie introuvable : « {destination.parent} ».")
    return destination


def _refuse_if_locked(destination: Path) -> None:
    locks = lock_files(destination)
    if locks:
        raise WorkbookLockedError(
            f"le classeur « {destination.name} » est ouvert dans Excel ou LibreOffice "
            f"(fichier de verrou « {locks[0].name} ») : fermez-le puis relancez, "
            "ou ajoutez --forcer pour l'écrire quand même."
        )


def _check_suffix(book: Book, destination: Path) -> None:
    """An .xlsm must stay .xlsm (Excel refuses a macro workbook named .xlsx, and vice versa)."""
    suffix = destination.suffix.lower()
    if book.macro_enabled and suffix != ".xlsm":
        raise OutputError(
            f"« {destination.name} » : un classeur avec macros doit être enregistré en .xlsm."
        )
    if not book.macro_enabled and suffix != ".xlsx":
        raise OutputError(f"« {destination.name} » : le classeur doit être enregistré en .xlsx.")


def _write_temporary(package: Package, destination: Path, source: Path | None) -> Path:
    """Save the package beside the destination (same file system, so os.replace is atomic)."""
    temporary = destination.with_name(
        f".~relance-{secrets.token_hex(4)}.{destination.stem}{destination.suffix}"
    )
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
        with os.fdopen(descriptor, "wb") as out:
            package.save(out)
            out.flush()
            os.fsync(out.fileno())
        model = destination if destination.exists() else source  # keep the file's permissions
        if model is not None:
            os.chmod(temporary, stat.S_IMODE(model.stat().st_mode))
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise OutputError(_os_message(destination, error)) from None
        raise
    return temporary


def _verify(
    temporary: Path,
    package: Package,
    sheets: Sequence[SheetData],
    appends: Mapping[str, list[list[object]]],
) -> None:
    """Re-read the written file: zip integrity, untouched parts, our parts and sheets."""
    problem = _verification_problem(temporary, package, sheets, appends)
    if problem:
        raise OutputError(f"le classeur écrit est incorrect ({problem}) : l'original est intact.")


def _verification_problem(
    temporary: Path,
    package: Package,
    sheets: Sequence[SheetData],
    appends: Mapping[str, list[list[object]]],
) -> str:
    try:
        with zipfile.ZipFile(temporary) as written:
            infos = {info.filename: info for info in written.infolist()}
            if list(infos) != package.names():
                return "liste des parties différente"
            for name, crc in package.copied().items():
                if crc != infos[name].CRC:
                    return f"partie « {name} » modifiée"
            bad = written.testzip()
            if bad is not None:
                return f"partie « {bad} » corrompue"
            for name in package.changed():  # the sheets themselves are read by calamine below
                if name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/"):
                    parse_xml(written.read(name))
        reader = CalamineWorkbook.from_path(str(temporary))
        names = {name.casefold(): name for name in reader.sheet_names}
        for sheet in sheets:
            if sheet.name.casefold() not in names:
                return f"feuille « {sheet.name} » absente"
            found = len(reader.get_sheet_by_name(names[sheet.name.casefold()]).to_python())
            expected = _last_written_row(sheet)
            if found != expected:
                return f"feuille « {sheet.name} » : {found} lignes au lieu de {expected}"
        for name in appends:
            if name.casefold() not in names:
                return f"feuille « {name} » absente"
    except (
        Exception
    ) as error:  # any failure to re-read means the file must not replace the original
        return f"{type(error).__name__} : {error}"
    return ""


def _last_written_row(sheet: SheetData) -> int:
    """Row number of the last non-empty row of a result sheet (what a reader sees)."""
    layout = Layout.of(sheet)
    filled = [layout.header_row]
    filled += [layout.first_row + i for i, row in enumerate(sheet.rows) if _filled(row)]
    if sheet.totals is not None and _filled(sheet.totals):
        filled.append(layout.bottom)
    return max(filled)


def _filled(row: Sequence[object]) -> bool:
    return any(value is not None and value != "" for value in row)


def _keep_backup(destination: Path) -> None:
    """The previous file → ``.bak`` (hard link when possible, else a copy), itself atomically."""
    backup = backup_path(destination)
    staging = backup.with_name(f".~relance-{secrets.token_hex(4)}.{backup.name}")
    try:
        try:
            os.link(destination, staging)
        except OSError:
            shutil.copy2(destination, staging)
        os.replace(staging, backup)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); nothing to do where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _os_message(destination: Path, error: OSError) -> str:
    """Why the workbook could not be written, in French (disque plein, accès refusé…)."""
    reason = describe_os_error(error)
    if isinstance(error, PermissionError):
        return (
            f"impossible d'écrire « {destination.name} » ({reason}) : le fichier est peut-être "
            "ouvert dans Excel ou en lecture seule."
        )
    return f"impossible d'écrire « {destination.name} » ({reason})."
