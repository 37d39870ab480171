"""Many letters from one template, fast, and exactly as docxtpl would write them.

docxtpl re-opens the template, re-patches its XML, re-compiles the Jinja code and re-compresses
every part of the .docx for each letter. Here a template is prepared once per batch (and once per
worker process): its XML parts are patched by docxtpl's own ``patch_xml`` and compiled in the
sandbox; each letter then only renders those parts, runs docxtpl's own post-processing
(``resolve_listing``, ``fix_tables``, ``fix_docpr_ids``) and serialises them as python-docx does,
so ``word/document.xml``, headers and footers are byte for byte docxtpl's. The untouched entries
of the .docx (styles, fonts, theme, images…) are copied as their raw compressed bytes.

A batch is all or nothing: every template is checked (syntax, unknown names, private attributes,
a dry render) before anything is written; letters go to a staging folder and are moved beside
the others only when every one of them is rendered.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
from docx.opc.constants import CONTENT_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from lxml import etree

from relance_xl.errors import OutputError, TemplateError, describe_os_error
from relance_xl.letters.filenames import unique_path
from relance_xl.letters.render import check_template, environment, render_checked

WORKERS = 2
"""Worker processes for big batches (the target machines have two cores)."""

POOL_THRESHOLD = 60
"""Below this many letters, one process is faster than starting workers (fork: 40 ms)."""

SPAWN_POOL_THRESHOLD = 2000
"""The same where workers are spawned (Windows, macOS): each one starts a Python and imports
relance_xl, about 2 to 4 s, worth it only for very big batches."""

CHUNK = 25
"""Letters per task sent to a worker (amortises the inter-process traffic)."""

DEFLATE_LEVEL = 1
"""zlib level of the rendered parts: three times faster than 6, a few hundred bytes more."""

REMEMBERED = 16
"""Rendered headers, footers and compressed parts kept per template, to reuse when equal."""

CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
"""Core properties docxtpl renders as templates (docxtpl.DocxTemplate.render_properties)."""

_TAG = re.compile(r"\{[{%#]")
_PARAGRAPH_BREAK = re.compile(r"\n(?=<w:p[ >])")
"""The line breaks docxtpl puts before each paragraph for Jinja, and removes after rendering."""
_LISTING_CHARS = ("\t", "\a", "\n", "\f")


@dataclass(frozen=True, slots=True)
class LetterJob:
    """One letter to write: which template, with which context, under which file name."""

    template: Path
    context: Mapping[str, object]
    target: Path


@dataclass(frozen=True, slots=True)
class _Part:
    """A rendered part of the template: where it goes in the zip and how it is rebuilt."""

    entry: str
    kind: str  # "body", "xml" (header, footer: re-parsed by python-docx), "blob" (footnotes)
    template: jinja2.Template
    encoding: str = "utf-8"


class PreparedTemplate:
    """A .docx template parsed, patched, checked and compiled once, ready to render many letters.

    Args:
        path: the .docx file.
        known: the names the contexts will provide (an unknown name in the template is an
            error now, not in the middle of a batch).
    """

    def __init__(self, path: Path, known: Sequence[str]) -> None:
        self.path = Path(path)
        self.name = self.path.name
        try:
            self._zip = _ZipSource(self.path.read_bytes(), self.name)
            self._docx = DocxTemplate(str(self.path))
            self._docx.render_init()
        except TemplateError:
            raise
        except Exception as error:  # python-docx / zipfile: not a usable Word document
            raise TemplateError(
                f"le modèle « {self.name} » n'est pas un document Word lisible ({error})."
            ) from None
        self._env = environment()
        self._known = tuple(known)
        self._root = self._docx.docx.element
        self._body = self._root.body
        self._parts = self._compile_parts()
        self._core = self._compile_core_properties()
        rendered = {part.entry for part in self._parts}
        if self._core:
            rendered.add(self._docx.docx.core_properties.part.partname.lstrip("/"))
        self._zip.check_entries(rendered, self.name)
        self._shell = _Shell.around(self._root)
        self._checked = False
        self._serialized: dict[str, bytes] = {}

    def _compile(self, source: str) -> jinja2.Template:
        return check_template(self._env, source, self.name, self._known)

    def _compile_parts(self) -> list[_Part]:
        """The body, headers, footers and footnotes, patched as docxtpl does, then compiled."""
        docx = self._docx
        main = docx.docx.part
        parts = [
            _Part(main.partname.lstrip("/"), "body", self._compile(_prepare(docx, docx.get_xml())))
        ]
        for uri in (docx.HEADER_URI, docx.FOOTER_URI):
            for _, part in docx.get_headers_footers(uri):
                xml = docx.get_part_xml(part)
                encoding = docx.get_headers_footers_encoding(xml)
                template = self._compile(_prepare(docx, xml))
                parts.append(_Part(part.partname.lstrip("/"), "xml", template, encoding))
        for part in main.package.parts:
            if part.content_type == CONTENT_TYPE.WML_FOOTNOTES:
                blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
                template = self._compile(_prepare(docx, blob))
                parts.append(_Part(part.partname.lstrip("/"), "blob", template))
        return parts

    def _compile_core_properties(self) -> dict[str, jinja2.Template]:
        """Core properties holding a Jinja tag (most templates have none: copied as they are)."""
        properties = self._docx.docx.core_properties
        return {
            name: self._compile(value)
            for name in CORE_PROPERTIES
            if _TAG.search(value := getattr(properties, name) or "")
        }

    def render(self, context: Mapping[str, object]) -> bytes:
        """The letter for ``context``, as the bytes of a .docx file."""
        rendered = {part.entry: self._render_part(part, context) for part in self._parts}
        if self._core:
            properties = self._docx.docx.core_properties
            for name, template in self._core.items():
                setattr(properties, name, render_checked(template, context, self.name))
            rendered[properties.part.partname.lstrip("/")] = serialize_part_xml(properties._element)
        return self._zip.build(rendered)

    def _render_part(self, part: _Part, context: Mapping[str, object]) -> bytes:
        """docxtpl's ``render_xml_part`` and what ``render`` / ``save`` do with its result."""
        xml = render_checked(part.template, context, self.name)
        xml = _PARAGRAPH_BREAK.sub("", xml)
        if "{_" in xml or "_}" in xml:  # docxtpl's escapes for literal {{ }} {% %}
            xml = (
                xml.replace("{_{", "{{")
                .replace("}_}", "}}")
                .replace("{_%", "{%")
                .replace("%_}", "%}")
            )
        if any(char in xml for char in _LISTING_CHARS):  # otherwise resolve_listing is a no-op
            xml = self._docx.resolve_listing(xml)
        if part.kind == "blob":
            return xml.encode("utf-8")
        if part.kind == "xml":  # headers and footers: mostly the same for every letter
            return _remember(
                self._serialized,
                xml,
                lambda: serialize_part_xml(parse_xml(xml.encode(part.encoding))),
            )
        tree = self._docx.fix_tables(xml)
        if "docPr" in xml:  # pictures: docxtpl renumbers their ids (a no-op without any)
            self._docx.docx_ids_index = 1000
            self._docx.fix_docpr_ids(tree)
        if self._shell is not None and self._checked:
            return self._shell.wrap(tree)
        fast = self._shell.wrap(tree) if self._shell is not None else None
        self._root.replace(self._body, tree)  # docxtpl's way: move the body into the document
        self._body = tree
        reference = serialize_part_xml(self._root)
        if fast != reference:  # this template's namespaces defeat the shortcut: keep docxtpl's
            self._shell = None
        self._checked = True
        return reference


class _Shell:
    """``document.xml`` around its body: the bytes before and after ``<w:body>``. Serialising a
    letter's body alone and putting it between them gives the bytes python-docx writes after
    docxtpl moved the body into the document, without that move (the slowest step of a letter).
    Moving strips the body's namespace declarations that the document already makes: so does
    :meth:`wrap`. The first letter of each template checks the shortcut against the real thing.
    """

    _DECLARATION = re.compile(rb' xmlns(?::([\w.-]+))?="([^"]*)"')

    def __init__(self, prefix: bytes, suffix: bytes, declared: dict[bytes, bytes]) -> None:
        self.prefix, self.suffix, self.declared = prefix, suffix, declared

    @classmethod
    def around(cls, root: etree._Element) -> _Shell | None:
        """The shell of a document element (None when its body cannot be located)."""
        body = root.find(qn("w:body"))
        if body is None:
            return None
        placeholder = etree.SubElement(root, body.tag)
        root.replace(body, placeholder)
        try:
            whole = serialize_part_xml(root)
            marker = b"<" + (placeholder.prefix or "").encode() + b":body/>"
        finally:
            root.replace(placeholder, body)
        if whole.count(marker) != 1:
            return None
        prefix, suffix = whole.split(marker)
        declared = {(name or "").encode(): uri.encode() for name, uri in root.nsmap.items()}
        return cls(prefix, suffix, declared)

    def wrap(self, body: etree._Element) -> bytes:
        """The whole ``document.xml`` for this body."""
        xml = etree.tostring(body, encoding="UTF-8")
        end = xml.index(b">")
        start = self._DECLARATION.sub(self._redundant, xml[:end])
        return b"".join((self.prefix, start, xml[end:], self.suffix))

    def _redundant(self, found: re.Match[bytes]) -> bytes:
        return b"" if self.declared.get(found[1] or b"") == found[2] else found[0]


def _remember(cache: dict, key: object, make: Callable[[], object]) -> object:
    """``make()`` once per ``key`` (a part rendered identically for many letters: the footer
    with the creditor's details); the cache holds the last :data:`REMEMBERED` keys."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= REMEMBERED:
            cache.pop(next(iter(cache)))
        value = cache[key] = make()
    return value


def _prepare(docx: DocxTemplate, xml: str) -> str:
    """docxtpl's ``patch_xml`` plus the line split ``render_xml_part`` does before compiling."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", docx.patch_xml(xml))


@dataclass(frozen=True, slots=True)
class _Entry:
    """One entry of the template's zip, with what does not change from letter to letter."""

    name: str
    encoded: bytes
    flags: int
    dos_time: int
    dos_date: int
    external_attr: int
    local: bytes  # local header + name + compressed data, for an entry copied as it is
    central: tuple[int, int, int, int]  # method, crc, compressed size, size, when copied


_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _refuse_unsafe(archive: zipfile.ZipFile, name: str) -> None:
    """A template must not carry what would act when a client opens the letter: macros, or a
    link fetched on opening (attached template, picture on a network share…). A hyperlink is
    fine. Also refused: an encrypted document."""
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise TemplateError(
                f"le modèle « {name} » est chiffré : enregistrez-le sans mot de passe."
            )
        if "vbaproject" in info.filename.lower():
            raise TemplateError(
                f"le modèle « {name} » contient des macros : enregistrez-le au format .docx "
                "sans macros."
            )
        if not info.filename.endswith(".rels"):
            continue
        for link in etree.fromstring(archive.read(info), _SAFE_PARSER).iter(_RELATIONSHIP):
            external = link.get("TargetMode") == "External"
            if external and not link.get("Type", "").endswith("/hyperlink"):
                raise TemplateError(
                    f"le modèle « {name} » charge « {link.get('Target')} » à l'ouverture (lien "
                    "externe) : retirez ce lien du modèle."
                )


class _ZipSource:
    """The template's zip: raw compressed entries to copy, and a writer for new letters."""

    def __init__(self, data: bytes, name: str) -> None:
        self._entries: list[_Entry] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_unsafe(archive, name)
            for info in archive.infolist():
                start = info.header_offset
                name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
                offset = start + 30 + name_length + extra_length
                raw = data[offset : offset + info.compress_size]
                year, month, day, hour, minute, second = info.date_time
                entry = _Entry(
                    name=info.filename,
                    encoded=info.filename.encode("utf-8"),
                    flags=0 if info.filename.isascii() else 0x800,
                    dos_time=(hour << 11) | (minute << 5) | (second // 2),
                    dos_date=((year - 1980) << 9) | (month << 5) | day,
                    external_attr=info.external_attr,
                    local=b"",
                    central=(info.compress_type, info.CRC, len(raw), info.file_size),
                )
                local = self._local(entry, *entry.central) + entry.encoded + raw
                self._entries.append(replace(entry, local=local))

    def check_entries(self, rendered: set[str], name: str) -> None:
        """Every rendered part must be an entry of the zip."""
        missing = sorted(rendered - {entry.name for entry in self._entries})
        if missing:
            raise TemplateError(
                f"le modèle « {name} » est incomplet (partie {missing[0]} absente)."
            )

    def _deflate(self, entry: _Entry, data: bytes) -> tuple[bytes, tuple[int, int, int, int]]:
        """Local record and central fields of a rendered part, compressed."""
        packer = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        deflated = packer.compress(data) + packer.flush()
        fields = (zipfile.ZIP_DEFLATED, zlib.crc32(data), len(deflated), len(data))
        return self._local(entry, *fields) + entry.encoded + deflated, fields

    @staticmethod
    def _local(entry: _Entry, method: int, crc: int, compressed: int, size: int) -> bytes:
        fixed = (entry.flags, method, entry.dos_time, entry.dos_date, crc, compressed, size)
        return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fixed, len(entry.encoded), 0)

    def build(self, replaced: Mapping[str, bytes]) -> bytes:
        """A new zip: the entries of ``replaced`` deflated, every other one copied raw."""
        local, central, offset = [], [], 0
        for entry in self._entries:
            data = replaced.get(entry.name)
            if data is None:
                record, (method, crc, compressed, size) = entry.local, entry.central
            else:
                record, (method, crc, compressed, size) = self._deflate(entry, data)
            fixed = (entry.flags, method, entry.dos_time, entry.dos_date, crc, compressed, size)
            header = struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, *fixed, len(entry.encoded), 0, 0, 0, 0,
                entry.external_attr, offset,
            )  # fmt: skip
            central.append(header + entry.encoded)
            local.append(record)
            offset += len(record)
        directory = b"".join(central)
        count = len(central)
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
        return b"".join(local) + directory + end


# --- the batch -----------------------------------------------------------------------------------

_Task = tuple[str, Mapping[str, object], str]
"""A letter to write: template path, context, staged file."""

Progress = Callable[[int, int], None]
"""Called with (letters done, letters in the batch) as the batch advances."""

_CACHE: dict[tuple[str, int, int, frozenset[str]], PreparedTemplate] = {}


def prepared(path: Path, known: Iterable[str]) -> PreparedTemplate:
    """The template prepared for these context names, once per process (again if the file
    changed: a user may edit a template between two batches of a long-lived Excel session)."""
    try:
        status = os.stat(path)
    except OSError as error:
        reason = describe_os_error(error)
        raise TemplateError(f"le modèle « {Path(path).name} » est illisible : {reason}.") from None
    names = frozenset(known)
    key = (os.fspath(path), status.st_mtime_ns, status.st_size, names)
    template = _CACHE.get(key)
    if template is None:
        template = _CACHE[key] = PreparedTemplate(Path(path), sorted(names))
    return template


def check_batch(jobs: Sequence[LetterJob]) -> None:
    """Prepare every template of the batch and render the first letter of each in memory: a
    broken or unsafe template stops the batch before any file is written."""
    first: dict[Path, LetterJob] = {}
    for job in jobs:
        first.setdefault(job.template, job)
    for job in first.values():
        prepared(job.template, tuple(job.context)).render(job.context)


def generate(
    jobs: Sequence[LetterJob], progress: Progress | None = None, workers: int = WORKERS
) -> list[Path]:
    """Write every letter of the batch; returns the files written, in the order of ``jobs``.

    A target that exists already (or is used twice in the batch) gets a ``-2``, ``-3``… suffix:
    no file is ever overwritten. Raises TemplateError or OutputError, leaving nothing behind.
    """
    if not jobs:
        return []
    check_batch(jobs)
    folders = {job.target.parent for job in jobs}
    for folder in folders:
        _make_folder(folder)
    folder = jobs[0].target.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".courriers-", dir=folder))
    except OSError as error:
        reason = describe_os_error(error)
        raise OutputError(f"impossible d'écrire dans le dossier « {folder} » : {reason}.") from None
    try:
        staged = [staging / f"{index:06d}.docx" for index in range(len(jobs))]
        tasks = [
            (str(job.template), job.context, str(path))
            for job, path in zip(jobs, staged, strict=True)
        ]
        if workers > 1 and len(jobs) >= _pool_threshold():
            _run_pool(tasks, workers, progress)
        else:
            _run_here(tasks, progress)
        return _publish(staged, [job.target for job in jobs])
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pool_threshold() -> int:
    forked = multiprocessing.get_start_method() == "fork"
    return POOL_THRESHOLD if forked else SPAWN_POOL_THRESHOLD


def _run_here(tasks: Sequence[_Task], progress: Progress | None) -> None:
    for done, task in enumerate(tasks, start=1):
        _write_letters([task])
        if progress:
            progress(done, len(tasks))


def _run_pool(tasks: Sequence[_Task], workers: int, progress: Progress | None) -> None:
    """Two worker processes render and write the letters, :data:`CHUNK` at a time. Forked
    workers inherit the batch and receive only where their slice starts and stops; spawned ones
    receive their letters' contexts."""
    forked = multiprocessing.get_start_method() == "fork"
    slices = [(start, min(start + CHUNK, len(tasks))) for start in range(0, len(tasks), CHUNK)]
    _INHERITED[:] = tasks if forked else ()
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_write_inherited, start, stop)
                if forked
                else pool.submit(_write_letters, tasks[start:stop])
                for start, stop in slices
            ]
            try:
                for future in as_completed(futures):
                    done += future.result()
                    if progress:
                        progress(done, len(tasks))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        _INHERITED.clear()


_INHERITED: list[_Task] = []
"""The batch being written, as forked workers inherit it."""


def _write_inherited(start: int, stop: int) -> int:
    """In a forked worker: write letters ``start`` to ``stop`` of the inherited batch."""
    return _write_letters(_INHERITED[start:stop])


def _write_letters(tasks: Sequence[_Task]) -> int:
    """Render and write letters (in a worker process or here); returns how many."""
    for template, context, target in tasks:
        data = prepared(Path(template), tuple(context)).render(context)
        try:
            with open(target, "xb") as stream:
                stream.write(data)
        except OSError as error:
            reason = describe_os_error(error)
            raise OutputError(
                f"impossible d'écrire le courrier « {Path(target).name} » : {reason}."
            ) from None
    return len(tasks)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = describe_os_error(error)
        raise OutputError(
            f"impossible de créer le dossier des courriers « {folder} » : {reason}."
        ) from None


def _publish(staged: Sequence[Path], targets: Sequence[Path]) -> list[Path]:
    """Move the staged letters to their names, never replacing an existing file."""
    taken: set[str] = set()
    written = []
    for source, target in zip(staged, targets, strict=True):
        final = _move_no_clobber(source, target, taken)
        taken.add(final.name.lower())
        written.append(final)
    return written


def _move_no_clobber(source: Path, target: Path, taken: set[str]) -> Path:
    """Rename ``source`` to ``target`` or to the first free ``target-n``; an existing file is
    never replaced, even one that appears while the batch runs."""
    refused = set(taken)
    while True:
        final = unique_path(target.parent, target.name, refused)
        try:
            try:
                os.link(source, final)  # atomic, and fails when the name exists
            except FileExistsError:
                refused.add(final.name.lower())
                continue
            except OSError:  # no hard links here (FAT, some network drives): check, then move
                if final.exists():
                    refused.add(final.name.lower())
                    continue
                shutil.move(source, final)
                return final
            source.unlink()
            return final
        except OSError as error:
            raise OutputError(
                f"impossible d'écrire le courrier « {final.name} » : {describe_os_error(error)}."
            ) from None
