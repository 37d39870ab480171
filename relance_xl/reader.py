"""Files → Sheets: ``.xlsx`` / ``.xlsm`` with python-calamine, ``.csv`` as Excel writes it.

Every grid starts at cell A1 (row index + 1 = the Excel row). Workbook cells are what calamine
gives (cached formula values; ``""`` for empty cells; ``date`` for date-formatted cells, already
converted with the workbook's date system), except cached formula errors, which calamine blanks
and which are put back as their text (``#N/A``, ``#REF!``…); CSV cells are text.

Everything that makes the file unusable is one :class:`~relance_xl.errors.InputError` in French:
missing file, folder, unsupported or old format, password-protected workbook, corrupted or
truncated zip, zip bomb (checked on the central directory *before* anything is inflated), empty
file, workbook without sheets. No calamine, zip or codec exception escapes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import unescape

import python_calamine

from relance_xl.errors import InputError, describe_os_error

Grid = list[list[object]]
Sheets = dict[str, Grid]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
MAX_UNCOMPRESSED = 1 << 30
"""Largest total uncompressed size of a workbook's zip (1 Gio: ten times 100 000 invoices)."""
MAX_RATIO = 200
"""Largest compression ratio of one zip member bigger than :data:`RATIO_FLOOR`."""
RATIO_FLOOR = 10 << 20
MAX_MEMBERS = 10_000
MAX_CSV_BYTES = 200 << 20

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")
_CSV_DELIMITERS = ";,\t|"
_ERROR_FLAGS = (b't="e"', b"t='e'")
"""How Excel, LibreOffice and openpyxl mark a cell holding an error value."""
_ERROR_CELL = re.compile(
    rb"""<(?:\w+:)?c\b(?=[^>]*\bt\s*=\s*["']e["'])[^>]*\br\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']"""
    rb"[^>]*(?<!/)>(.*?)</(?:\w+:)?c>",
    re.S,
)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_QUOTES = {"&quot;": '"', "&apos;": "'"}


def read_sheets(path: str | Path) -> Sheets:
    """Sheet name → grid for a workbook; ``{file name: grid}`` for a CSV file."""
    path = Path(path)
    suffix = _checked_suffix(path)
    data_head = _head(path)
    if suffix in CSV_SUFFIXES:
        return {path.name: read_csv(path)}
    _check_workbook_zip(path, data_head)
    return _read_workbook(path)


def uses_date1904(path: str | Path) -> bool:
    """True when the workbook counts dates from 1904 (old Mac workbooks); False for a CSV."""
    path = Path(path)
    if _checked_suffix(path) in CSV_SUFFIXES:
        return False
    _check_workbook_zip(path, _head(path))
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/workbook.xml")
            with archive.open(info) as member:
                head = member.read(64 << 10)
    except Exception:  # any zip failure means a damaged file
        raise InputError(f"le classeur « {path.name} » est endommagé (fichier corrompu).") from None
    return bool(_DATE1904.search(head))


def _checked_suffix(path: Path) -> str:
    """The file's kind, or an InputError for a missing file, a folder, or another format."""
    if not path.exists():
        raise InputError(f"fichier introuvable : « {path} ».")
    if path.is_dir():
        raise InputError(f"« {path} » est un dossier, pas un classeur Excel ni un fichier CSV.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError(
            f"« {path.name} » est au format Excel 97-2003 (.xls), non pris en charge : ouvrez-le "
            "dans Excel et enregistrez-le au format .xlsx."
        )
    if suffix not in WORKBOOK_SUFFIXES + CSV_SUFFIXES:
        raise InputError(
            f"« {path.name} » n'est pas un classeur Excel ni un fichier CSV : formats acceptés "
            ".xlsx, .xlsm et .csv."
        )
    return suffix


def _head(path: Path) -> bytes:
    """The first bytes of the file; InputError when it is empty or unreadable."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise InputError(
            f"impossible de lire « {path.name} » : {describe_os_error(error)}."
        ) from None
    if not head:
        raise InputError(f"le fichier « {path.name} » est vide.")
    return head


def _check_workbook_zip(path: Path, head: bytes) -> None:
    """Refuse encrypted, non-zip, corrupted or zip-bomb workbooks before calamine sees them."""
    if head.startswith(_OLE2_MAGIC):
        raise InputError(
            f"le classeur « {path.name} » est protégé par un mot de passe (ou est un ancien "
            "fichier .xls renommé) : enregistrez-le sans mot de passe au format .xlsx."
        )
    if not head.startswith(b"PK"):
        raise InputError(
            f"« {path.name} » n'est pas un classeur Excel valide (fichier corrompu ?)."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception:  # a damaged archive raises BadZipFile, EOFError, struct.error and more
        raise InputError(
            f"le classeur « {path.name} » est endommagé ou incomplet (archive illisible)."
        ) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise InputError(f"« {path.name} » n'est pas un classeur Excel (document d'un autre type).")
    total = sum(member.file_size for member in members)
    suspicious = any(
        member.file_size > RATIO_FLOOR
        and member.file_size > MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or suspicious:
        raise InputError(
            f"le classeur « {path.name} » est refusé : sa taille une fois décompressé est "
            "anormale (archive piégée ?)."
        )


def _read_workbook(path: Path) -> Sheets:
    """Every worksheet (not chart sheets) as a grid from A1, cached formula values."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets: Sheets = {}
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            sheets[meta.name] = sheet.to_python(skip_empty_area=False)
        _restore_error_cells(path, sheets)
    except python_calamine.PasswordError:
        raise InputError(
            f"le classeur « {path.name} » est protégé par un mot de passe : enregistrez-le sans "
            "mot de passe."
        ) from None
    except Exception as error:  # calamine raises several types: all mean an unreadable file
        raise InputError(
            f"le classeur « {path.name} » est illisible ({type(error).__name__}) : fichier "
            "corrompu ou incomplet."
        ) from None
    if not sheets:
        raise InputError(f"le classeur « {path.name} » ne contient aucune feuille de calcul.")
    return sheets


def _restore_error_cells(path: Path, sheets: Sheets) -> None:
    """Put back the cached formula errors (``#N/A``, ``#REF!``…) that calamine turns into "".

    An error must reach the parsers as such, never as a blank cell (a ``#REF!`` in Payé is not
    « non payé »). Each sheet is scanned in chunks for an error flag; only a sheet that has one
    is searched cell by cell.
    """
    with zipfile.ZipFile(path) as archive:
        for name, part in _sheet_parts(archive).items():
            if name not in sheets or not _has_error_cells(archive, part):
                continue
            grid = sheets[name]
            for match in _ERROR_CELL.finditer(archive.read(part)):
                value = _CACHED_VALUE.search(match[3])
                row, col = int(match[2]) - 1, _column_index(match[1].decode())
                while len(grid) <= row:
                    grid.append([])
                grid[row].extend([""] * (col + 1 - len(grid[row])))
                grid[row][col] = unescape(value[1].decode()) if value else "#N/A"


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, from the workbook and its relationships."""
    targets = {
        _attribute(tag, b"Id"): _attribute(tag, b"Target")
        for tag in _RELATIONSHIP.findall(archive.read("xl/_rels/workbook.xml.rels"))
    }
    parts = {}
    for tag in _SHEET.findall(archive.read("xl/workbook.xml")):
        target = targets.get(_attribute(tag, rb"\w+:id"), "")
        if target:
            parts[unescape(_attribute(tag, b"name"), _QUOTES)] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
    return parts


def _attribute(tag: bytes, name: bytes) -> str:
    match = re.search(rb"\b" + name + rb"""\s*=\s*(["'])(.*?)\1""", tag, re.S)
    return match[2].decode() if match else ""


def _has_error_cells(archive: zipfile.ZipFile, part: str) -> bool:
    """True when the sheet XML holds a cell of type error (streamed, nothing kept)."""
    tail = b""
    with archive.open(part) as member:
        while chunk := member.read(1 << 20):
            window = tail + chunk
            if any(flag in window for flag in _ERROR_FLAGS):
                return True
            tail = chunk[-8:]
    return False


def _column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_csv(path: Path) -> Grid:
    """A CSV file → grid of text cells (encoding and delimiter detected)."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputError(f"le fichier « {path.name} » est trop volumineux pour un CSV.")
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"impossible de lire « {path.name} » : {describe_os_error(error)}."
        ) from None
    text = decode_csv(data)
    if "\x00" in text:
        raise InputError(f"« {path.name} » n'est pas un fichier texte CSV (contenu binaire).")
    lines = text.splitlines()
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = sniff_delimiter(lines[:50])
    try:
        grid: Grid = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise InputError(f"le fichier CSV « {path.name} » est mal formé ({error}).") from None
    if not any(any(cell.strip() for cell in row) for row in grid):
        raise InputError(f"le fichier « {path.name} » est vide.")
    return grid


def decode_csv(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the most lines with the same number (> 1) of fields.

    French Excel writes ``;`` (amounts keep their decimal comma), others ``,``; ties go to ``;``.
    """
    sample = [line for line in lines if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in _CSV_DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode) if mode > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
