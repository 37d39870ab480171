"""The OPC package (part name → content, in archive order), its relationships and content types."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from lxml import etree

from relance_xl.errors import InputError
from relance_xl.xlsx.ooxml import (
    APP_NS,
    CT_NS,
    CT_RELS,
    MAIN_NS,
    OOXML,
    PKG_REL_NS,
    REL_EXTENDED,
    REL_NS,
    REL_OFFICE_DOCUMENT,
    VT_NS,
    XML_DECLARATION,
    local_name,
    parse_xml,
    xml_bytes,
)
from relance_xl.xlsx.zipfile_raw import Stored, deflate, raw_member, write_zip


class Package:
    """An OPC package: parts read from a zip file (or created), edited in memory, saved.

    Unchanged parts keep their original zip member and are copied raw by :meth:`save`.
    Part names are zip names (no leading slash); lookups ignore case, as OPC does.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._order: list[str] = []
        self._new: dict[str, bytes] = {}
        self.comment = b""
        if path is not None:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise InputError(
                    f"« {path.name} » n'est pas un classeur Excel lisible (.xlsx ou .xlsm "
                    "attendu ; un classeur protégé par mot de passe ne peut pas être mis à jour) : "
                    f"{error}."
                ) from None
            self.comment = self._zip.comment
            for info in self._zip.infolist():
                if info.is_dir():
                    continue
                self._infos[info.filename] = info
                self._order.append(info.filename)
        self._lower = {name.lower(): name for name in self._order}

    def close(self) -> None:
        """Release the source file."""
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def names(self) -> list[str]:
        """Part names in archive order."""
        return list(self._order)

    def actual(self, name: str) -> str | None:
        """The stored spelling of a part name, or None."""
        return self._lower.get(name.lower())

    def exists(self, name: str) -> bool:
        """Whether the package has this part."""
        return self.actual(name) is not None

    def read(self, name: str) -> bytes:
        """Uncompressed content of a part."""
        actual = self.actual(name)
        if actual is None:
            raise KeyError(name)
        if actual in self._new:
            return self._new[actual]
        assert self._zip is not None
        return self._zip.read(self._infos[actual])

    def write(self, name: str, data: bytes) -> None:
        """Create or replace a part (it keeps its place in the archive)."""
        actual = self.actual(name)
        if actual is None:
            actual = name
            self._order.append(name)
            self._lower[name.lower()] = name
        self._new[actual] = data

    def delete(self, name: str) -> None:
        """Remove a part."""
        actual = self.actual(name)
        if actual is None:
            return
        self._order.remove(actual)
        del self._lower[actual.lower()]
        self._new.pop(actual, None)

    def changed(self) -> set[str]:
        """Parts created or rewritten."""
        return set(self._new).intersection(self._order)

    def copied(self) -> dict[str, int]:
        """Parts copied untouched: name → CRC-32 of the content."""
        return {n: self._infos[n].CRC for n in self._order if n not in self._new}

    def save(self, out: BinaryIO) -> None:
        """Write the package: untouched members raw, new ones deflated."""
        source = open(self.path, "rb") if self.path is not None else None  # noqa: SIM115
        try:
            write_zip(out, self._stored(source), self.comment)
        finally:
            if source is not None:
                source.close()

    def _stored(self, source: BinaryIO | None) -> Iterable[Stored]:
        for name in self._order:
            if name in self._new:
                yield deflate(name, self._new[name])
                continue
            info = self._infos[name]
            assert source is not None
            yield Stored(
                name,
                info.compress_type,
                info.flag_bits,
                info.date_time,
                info.CRC,
                info.file_size,
                raw_member(source, info),
                (info.create_system << 8) | info.create_version,
                info.external_attr,
            )


def rels_name(part: str) -> str:
    """``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; the package ("") → ``_rels/.rels``."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve_target(source: str, target: str) -> str:
    """A relationship target → zip part name (relative to the source part's folder)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass(frozen=True)
class Rel:
    """One relationship; ``part`` is the resolved zip name ("" when external)."""

    id: str
    type: str
    part: str
    element: etree._Element = field(compare=False, repr=False)


class Rels:
    """The ``.rels`` part of a source part, editable."""

    def __init__(self, package: Package, source: str) -> None:
        self.package = package
        self.source = source
        self.name = rels_name(source)
        data = package.read(self.name) if package.exists(self.name) else None
        self.root = (
            parse_xml(data)
            if data
            else etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        )
        self.dirty = False

    def items(self) -> list[Rel]:
        """Every relationship, in file order."""
        rels = []
        for element in self.root:
            if not isinstance(element.tag, str):
                continue
            external = element.get("TargetMode") == "External"
            part = "" if external else resolve_target(self.source, element.get("Target", ""))
            rels.append(Rel(element.get("Id", ""), element.get("Type", ""), part, element))
        return rels

    def by_id(self, rid: str) -> Rel | None:
        """The relationship with this id."""
        return next((rel for rel in self.items() if rel.id == rid), None)

    def of_type(self, rel_type: str) -> list[Rel]:
        """Relationships of a type."""
        return [rel for rel in self.items() if rel.type == rel_type]

    def add(self, rel_type: str, part: str) -> str:
        """Add a relationship to a part (target written relative to the source); its new id."""
        used = {rel.id for rel in self.items()}
        number = len(used) + 1
        while f"rId{number}" in used:
            number += 1
        rid = f"rId{number}"
        target = posixpath.relpath(part, posixpath.dirname(self.source) or ".")
        etree.SubElement(
            self.root, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=rel_type, Target=target
        )
        self.dirty = True
        return rid

    def remove(self, rid: str) -> None:
        """Drop a relationship."""
        rel = self.by_id(rid)
        if rel is not None:
            self.root.remove(rel.element)
            self.dirty = True

    def save(self) -> None:
        """Write back if changed (an empty rels part is deleted)."""
        if not self.dirty:
            return
        if len(self.items()) == 0:
            self.package.delete(self.name)
        else:
            self.package.write(self.name, xml_bytes(self.root))


class ContentTypes:
    """``[Content_Types].xml``: only additions and the removal of parts we delete."""

    NAME = "[Content_Types].xml"

    def __init__(self, package: Package) -> None:
        self.package = package
        self.root = parse_xml(package.read(self.NAME))
        self.dirty = False

    def _overrides(self) -> dict[str, etree._Element]:
        return {
            element.get("PartName", "").lower(): element
            for element in self.root
            if isinstance(element.tag, str) and local_name(element) == "Override"
        }

    def _defaults(self) -> list[etree._Element]:
        return [e for e in self.root if isinstance(e.tag, str) and local_name(e) == "Default"]

    def type_of(self, part: str) -> str:
        """Content type of a part ("" when unknown)."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            return override.get("ContentType", "")
        extension = part.rsplit(".", 1)[-1].lower()
        for element in self._defaults():
            if element.get("Extension", "").lower() == extension:
                return element.get("ContentType", "")
        return ""

    def set(self, part: str, content_type: str) -> None:
        """Override the content type of a part (added when new)."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            if override.get("ContentType") != content_type:
                override.set("ContentType", content_type)
                self.dirty = True
            return
        etree.SubElement(
            self.root, f"{{{CT_NS}}}Override", PartName=f"/{part}", ContentType=content_type
        )
        self.dirty = True

    def ensure_default(self, extension: str, content_type: str) -> None:
        """A Default for an extension, when missing (``rels``, ``xml``)."""
        if any(e.get("Extension", "").lower() == extension for e in self._defaults()):
            return
        default = etree.Element(
            f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type
        )
        self.root.insert(0, default)
        self.dirty = True

    def remove(self, part: str) -> None:
        """Forget the override of a deleted part."""
        override = self._overrides().get(f"/{part}".lower())
        if override is not None:
            self.root.remove(override)
            self.dirty = True

    def save(self) -> None:
        """Write back if changed."""
        if self.dirty:
            self.package.write(self.NAME, xml_bytes(self.root))


def free_part_name(package: Package, pattern: str) -> str:
    """The first ``pattern.format(n)`` (n = 1, 2…) that no part uses."""
    number = 1
    while package.exists(pattern.format(number)):
        number += 1
    return pattern.format(number)


def new_package() -> Package:
    """An empty workbook package (for a CSV source written to a new .xlsx)."""
    package = Package()
    package.write(
        ContentTypes.NAME,
        (
            f'{XML_DECLARATION}<Types xmlns="{CT_NS}">'
            f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{OOXML}.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            f'ContentType="{OOXML}.extended-properties+xml"/>'
            "</Types>"
        ).encode(),
    )
    package.write(
        "_rels/.rels",
        (
            f'{XML_DECLARATION}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_EXTENDED}" Target="docProps/app.xml"/>'
            "</Relationships>"
        ).encode(),
    )
    package.write(
        "xl/workbook.xml",
        (
            f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews><sheets/></workbook>'
        ).encode(),
    )
    package.write(
        "docProps/app.xml",
        (
            f'{XML_DECLARATION}<Properties xmlns="{APP_NS}" '
            f'xmlns:vt="{VT_NS}"><Application>relance_xl</Application><HeadingPairs>'
            '<vt:vector size="2" baseType="variant"><vt:variant>'
            "<vt:lpstr>Feuilles de calcul</vt:lpstr>"
            "</vt:variant><vt:variant><vt:i4>0</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            '<TitlesOfParts><vt:vector size="0" baseType="lpstr"/></TitlesOfParts></Properties>'
        ).encode(),
    )
    return package
