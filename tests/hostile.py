"""Hostile workbooks for the reliability suite, built by hand so that every byte is known.

:func:`write_xlsx` streams a minimal but valid SpreadsheetML package (inline strings, a date
style, optional merged cells, optional 1904 date system, formula cells with cached error values)
row by row into a zip, so that even the 1 048 576-row sheet is written with little memory. The
other builders make the files no spreadsheet program would write but users still send: empty,
truncated, encrypted, zip bombs, an old ``.xls``.
"""

from __future__ import annotations

import builtins
import datetime as dt
import email
import email.policy
import errno
import io
import os
import socket
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

MAX_ROWS = 1_048_576
"""The last row of an Excel sheet."""

INVOICE_HEADER = ("Client", "N° facture", "Date facture", "Échéance", "Montant TTC", "Payé")
CLIENT_HEADER = ("Client", "Type", "Raison sociale", "Adresse", "Code postal", "Ville", "Email")
AS_OF = dt.date(2026, 11, 23)
"""The date every hostile workbook is reviewed at."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
    '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" '
    'borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


@dataclass(frozen=True)
class Formula:
    """A formula cell as Excel saves it: the formula and its cached result (``#N/A``… when the
    result is an error)."""

    formula: str
    cached: str


Row = Sequence[object]


def column_letter(index: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell(ref: str, value: object, date1904: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        kind = ' t="e"' if value.cached.startswith("#") else ""
        return f'<c r="{ref}"{kind}><f>{escape(value.formula)}</f><v>{escape(value.cached)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        serial = (value - (_EPOCH_1904 if date1904 else _EPOCH_1900)).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    text = escape(_ooxml_escaped(str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _ooxml_escaped(text: str) -> str:
    """Characters XML 1.0 cannot hold, written ``_xHHHH_`` as Excel does."""
    return "".join(
        f"_x{ord(c):04X}_" if (ord(c) < 32 and c not in "\t\n\r") or ord(c) in (0xFFFE, 0xFFFF)
        else c
        for c in text
    )  # fmt: skip


def row_xml(number: int, row: Row, date1904: bool = False) -> str:
    """``<row r="number">…</row>``, or "" when every cell is empty."""
    cells = "".join(
        _cell(f"{column_letter(i)}{number}", value, date1904) for i, value in enumerate(row)
    )
    return f'<row r="{number}">{cells}</row>' if cells else ""


_SHEET_START = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
    "<sheetData>"
)


def _sheet_chunks(rows: Iterable[Row], merged: Sequence[str], date1904: bool) -> Iterable[str]:
    yield _SHEET_START
    for number, row in enumerate(rows, 1):
        yield row_xml(number, row, date1904)
    yield "</sheetData>"
    if merged:
        yield f'<mergeCells count="{len(merged)}">'
        yield "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
        yield "</mergeCells>"
    yield "</worksheet>"


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Iterable[Row]],
    *,
    date1904: bool = False,
    merged: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write a workbook of ``sheets`` (name → rows from A1), streaming each sheet into the zip.

    Cells: None (empty), str (inline string), bool, int / float / Decimal, date (serial with a
    date format, in the 1904 system when ``date1904``), :class:`Formula`.
    """
    merged = merged or {}
    chunks = {
        name: _sheet_chunks(rows, merged.get(name, ()), date1904) for name, rows in sheets.items()
    }
    return _write_package(path, chunks, date1904)


def _write_package(path: Path, chunks: Mapping[str, Iterable[str]], date1904: bool) -> Path:
    """The package parts around the sheets, each sheet written from its XML chunks."""
    names = list(chunks)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas'
            '.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType'
            '="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
            ' ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        entries = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, 1)
        )
        pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{pr}<sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        styles_rel = f'<Relationship Id="rId0" Type="{_REL}/styles" Target="styles.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG_REL}">{rels}{styles_rel}</Relationships>',
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for i, name in enumerate(names, 1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as member:
                buffer: list[str] = []
                for chunk in chunks[name]:
                    buffer.append(chunk)
                    if len(buffer) >= 4096:
                        member.write("".join(buffer).encode("utf-8"))
                        buffer.clear()
                member.write("".join(buffer).encode("utf-8"))
    return path


def invoice(
    client: str,
    number: str,
    due: dt.date = dt.date(2026, 9, 30),
    amount: object = Decimal("1200.00"),
    paid: object = "non",
    issued: object = None,
) -> list[object]:
    """One Factures row in the order of :data:`INVOICE_HEADER`."""
    return [client, number, issued or due - dt.timedelta(days=30), due, amount, paid]


def ordinary_rows() -> list[list[object]]:
    """A small, clean Factures sheet: three clients, one paid invoice."""
    return [
        list(INVOICE_HEADER),
        invoice("Dupont SARL", "F-001", dt.date(2026, 9, 30), Decimal("1200.00")),
        invoice("Martin SA", "F-002", dt.date(2026, 10, 31), Decimal("450.50")),
        invoice("Martin SA", "F-003", dt.date(2026, 8, 31), Decimal("99.90"), "oui"),
        invoice("Bernard", "F-004", dt.date(2026, 12, 15), Decimal("300.00")),
    ]


CREDITOR = {
    "Raison sociale": "Menuiserie Exemple SARL",
    "Adresse": "1 rue des Essais",
    "Code postal": "69001",
    "Ville": "Lyon",
    "Email": "compta@menuiserie-exemple.fr",
    "Signataire": "Claire Exemple",
}


def parameters(**values: object) -> list[list[object]]:
    """A Paramètres sheet: the creditor of :data:`CREDITOR`, then ``values`` (key → value)."""
    return [["Paramètre", "Valeur"], *([k, v] for k, v in {**CREDITOR, **values}.items())]


def clients_of(invoice_rows: Sequence[Row], **columns: Callable[[int, str], object]) -> list[Row]:
    """A Clients sheet with every client of ``invoice_rows`` (professionnel, an address, an
    email ``client{n}@example.fr``); ``columns`` overrides a column: header → f(n, name)."""
    names = list(dict.fromkeys(row[0] for row in invoice_rows[1:] if isinstance(row[0], str)))
    header = [*CLIENT_HEADER, *(h for h in columns if h not in CLIENT_HEADER)]
    rows: list[Row] = [header]
    for n, name in enumerate(names, 1):
        default = {
            "Client": name, "Type": "professionnel", "Raison sociale": name,
            "Adresse": f"{n} avenue des Tests", "Code postal": "69002", "Ville": "Lyon",
            "Email": f"client{n}@example.fr",
        }  # fmt: skip
        rows.append([columns[h](n, name) if h in columns else default.get(h) for h in header])
    return rows


def complete_workbook(
    path: Path,
    invoice_rows: Sequence[Row] | None = None,
    *,
    settings: Mapping[str, object] | None = None,
    clients: Sequence[Row] | None = None,
    **options: object,
) -> Path:
    """A workbook as a real user keeps it: Factures (default :func:`ordinary_rows`), Clients
    (every client, with an email) and Paramètres (the creditor, with an email)."""
    invoice_rows = ordinary_rows() if invoice_rows is None else invoice_rows
    sheets = {
        "Factures": invoice_rows,
        "Clients": clients_of(invoice_rows) if clients is None else clients,
        "Paramètres": parameters(**(settings or {})),
    }
    return write_xlsx(path, sheets, **options)  # type: ignore[arg-type]


def ordinary_workbook(path: Path, **sheets: Iterable[Row]) -> Path:
    """:func:`ordinary_rows` as Factures, plus any other sheets given by keyword."""
    return write_xlsx(path, {"Factures": ordinary_rows(), **sheets})


def million_rows(path: Path) -> Path:
    """A Factures sheet filled to Excel's last row: a header, 1 048 574 invoices of 2 000 clients
    (every hundredth one paid) and, on row 1 048 576, an invoice whose amount is text. The rows
    are formatted straight to XML, so the file (45 Mio) is written in a few seconds."""

    def chunks() -> Iterable[str]:
        yield _SHEET_START + row_xml(1, INVOICE_HEADER)
        first = (dt.date(2025, 1, 1) - _EPOCH_1900).days
        for number in range(2, MAX_ROWS):
            due = first + number % 600
            paid = "oui" if number % 100 == 0 else "non"
            cents = 1000 + number * 7919 % 500_000
            yield (
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>Client '
                f'{number % 2000:04d}</t></is></c><c r="B{number}" t="inlineStr"><is><t>F'
                f'{number:07d}</t></is></c><c r="C{number}" s="1"><v>{due - 30}</v></c>'
                f'<c r="D{number}" s="1"><v>{due}</v></c><c r="E{number}"><v>{cents // 100}.'
                f'{cents % 100:02d}</v></c><c r="F{number}" t="inlineStr">'
                f"<is><t>{paid}</t></is></c></row>"
            )
        last = invoice("Dernier client", "F-DERNIERE", dt.date(2026, 1, 31), "douze euros")
        yield row_xml(MAX_ROWS, last) + "</sheetData></worksheet>"

    return _write_package(path, {"Factures": chunks()}, False)


def zip_bomb(path: Path, inflated_mib: int = 64) -> Path:
    """A workbook whose sheet inflates from a few dozen Kio to ``inflated_mib`` Mio of blanks
    (a compression ratio near 1 000): refused from the zip's directory, before inflating."""
    ordinary_workbook(path)
    block = b" " * (1 << 20)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/padding.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated_mib):
            member.write(block)
    return path


def many_members(path: Path, count: int = 10_001) -> Path:
    """A workbook padded with ``count`` empty zip members (the other kind of zip bomb)."""
    ordinary_workbook(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"xl/media/vide{n}.bin", b"")
    return path


def truncated(path: Path, source: Path) -> Path:
    """The first half of a valid workbook (a download or a copy cut short)."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted(path: Path, source: Path, password: str = "secret") -> Path:
    """``source`` protected by a password as Excel does it (an OLE2 container around an
    encrypted package), with msoffcrypto-tool when it is installed; otherwise the OLE2 header
    followed by the package bytes, which is what the first sector of such a file looks like."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        path.write_bytes(_OLE2_MAGIC + b"\0" * 504 + source.read_bytes())
        return path
    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
    return path


def old_xls(path: Path) -> Path:
    """An Excel 97-2003 file: the OLE2 signature and a sector of a compound document."""
    path.write_bytes(_OLE2_MAGIC + bytes(504) + b"Workbook".ljust(512, b"\0"))
    return path


def docx_like(path: Path) -> Path:
    """A Word document saved under an .xlsx name: a valid zip without a workbook."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes): to prove nothing was changed."""
    return {
        str(file.relative_to(folder)): file.read_bytes()
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    }


@dataclass(frozen=True)
class Outcome:
    """What a command gave: exit code, standard output and standard error."""

    code: int
    out: str
    err: str


def run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    """``relance-xl argv`` in-process, as the console script runs it (argparse exits included);
    fails the test when anything looks like a traceback."""
    from relance_xl.cli import main

    capsys.readouterr()
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 2
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "Traceback" not in stream, stream
        assert 'File "' not in stream, stream
    return Outcome(code, captured.out, captured.err)


def french_error(outcome: Outcome, fragment: str = "") -> str:
    """Check the shape of a fatal error (exit 2, one line « Erreur : … » on stderr) and return
    the message."""
    lines = outcome.err.strip().splitlines()
    assert outcome.code == 2, outcome
    assert len(lines) == 1 and lines[0].startswith("Erreur : "), outcome.err
    assert "inattendue" not in lines[0], lines[0]
    assert fragment in lines[0], lines[0]
    return lines[0]


# --- faults ---------------------------------------------------------------------------------------


class Disk:
    """A folder whose writes fail like a real device: ``ENOSPC`` once ``budget`` bytes have been
    written (disque plein), or ``EACCES`` on every creation (dossier en lecture seule, ``budget``
    None).

    The tests run as root here, and root ignores ``chmod 0o500``: so the refusal is injected at the
    Python boundary every writer goes through (``open`` / ``io.open`` / ``os.fdopen`` for bytes,
    ``os.open``, ``os.mkdir``, ``os.link``, ``os.replace`` for creations), for paths under the
    folder only. Everything else on the machine keeps working.
    """

    def __init__(self, folder: Path, budget: int | None) -> None:
        self.folder = Path(folder).resolve()
        self.budget = budget
        self.written = 0

    def inside(self, target: object) -> bool:
        if isinstance(target, int):
            try:
                target = os.readlink(f"/proc/self/fd/{target}")
            except OSError:
                return False
        try:
            path = Path(os.fsdecode(target)).resolve()  # type: ignore[arg-type]
        except (TypeError, ValueError, OSError):
            return False
        return path == self.folder or self.folder in path.parents

    def refuse(self) -> OSError:
        if self.budget is None:
            return PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Disk:
        real_open, real_fdopen, real_os_open = io.open, os.fdopen, os.open
        real_mkdir, real_link, real_replace = os.mkdir, os.link, os.replace

        def wrap(handle: object, target: object, mode: str) -> object:
            writing = any(flag in mode for flag in "wax+")
            return _MeteredFile(handle, self) if writing and self.inside(target) else handle

        def guarded_open(file, mode="r", *args, **kwargs):
            if self.budget is None and any(f in mode for f in "wax+") and self.inside(file):
                raise self.refuse()
            return wrap(real_open(file, mode, *args, **kwargs), file, mode)

        def guarded_fdopen(fd, mode="r", *args, **kwargs):
            return wrap(real_fdopen(fd, mode, *args, **kwargs), fd, mode)

        def guarded_os_open(path, flags, *args, **kwargs):
            creating = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if self.budget is None and creating and self.inside(path):
                raise self.refuse()
            return real_os_open(path, flags, *args, **kwargs)

        def guarded(real):
            def call(*args, **kwargs):
                if self.budget is None and any(self.inside(a) for a in args[:2]):
                    raise self.refuse()
                return real(*args, **kwargs)

            return call

        monkeypatch.setattr(io, "open", guarded_open)
        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(os, "fdopen", guarded_fdopen)
        monkeypatch.setattr(os, "open", guarded_os_open)
        monkeypatch.setattr(os, "mkdir", guarded(real_mkdir))
        monkeypatch.setattr(os, "link", guarded(real_link))
        monkeypatch.setattr(os, "replace", guarded(real_replace))
        return self


class _MeteredFile:
    """A file object that counts the bytes written against the disk's budget."""

    def __init__(self, handle: object, disk: Disk) -> None:
        self._handle = handle
        self._disk = disk

    def write(self, data: bytes | str) -> int:
        size = len(data)
        budget = self._disk.budget
        if budget is not None and self._disk.written + size > budget:
            room = max(budget - self._disk.written, 0)
            if room:
                self._handle.write(data[:room])  # type: ignore[attr-defined]
                self._disk.written += room
            raise self._disk.refuse()
        self._disk.written += size
        return self._handle.write(data)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._handle, name)

    def __iter__(self):
        return iter(self._handle)  # type: ignore[call-overload]

    def __enter__(self) -> _MeteredFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()  # type: ignore[attr-defined]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, and can refuse one recipient or drop the
    connection at the ``drop_at``-th message (« coupure brutale »)."""

    def __init__(self, refuse: str = "", drop_at: int = -1) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.refuse = refuse
        self.drop_at = drop_at

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if len(self.received) == self.drop_at:
            self.drop_at = -1
            server.transport.close()
            return "421 4.3.2 fermeture"
        self.envelopes.append(list(envelope.rcpt_tos))
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"

    def recipients(self) -> list[str]:
        return [address for envelope in self.envelopes for address in envelope]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
