"""MS-OVBA: the compression of VBA streams (§2.4.1) and the records of the ``VBA/dir`` stream.

A VBA project (``vbaProject.bin``) keeps each module's source compressed with a small LZ77 variant
(RLE of 4096-byte chunks, copy tokens whose offset/length split grows with the position in the
chunk). The ``VBA/dir`` stream, compressed the same way, lists the modules and, for each, the
offset of its source in its stream (MODULEOFFSET): the bytes before it are the performance cache.

Build-time only (scripts/build_addin.py); the tests check it round-trips against oletools.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

CHUNK = 4096
"""Decompressed size of a full chunk."""

SIGNATURE = 0x01
_RAW_CHUNK_HEADER = 0x3000 | 0x0FFF  # flag 0 (raw), signature 0b011, size 4095 (= 4098 - 3)
_MAX_CANDIDATES = 64
"""Earlier positions tried for a match (nearest first): bounds the time on repetitive text."""


class OvbaError(ValueError):
    """A stream that is not valid MS-OVBA data."""


# -------------------------------------------------------------------------------------------
# Compression (§2.4.1.3)
# -------------------------------------------------------------------------------------------


def _split(difference: int) -> tuple[int, int]:
    """(offset bit count, maximum length) at ``difference`` bytes into a chunk (§2.4.1.3.19.1)."""
    bit_count = max(4, (difference - 1).bit_length())
    return bit_count, (0xFFFF >> bit_count) + 3


def compress(data: bytes) -> bytes:
    """A CompressedContainer: the signature byte, then one compressed chunk per 4096 bytes."""
    out = bytearray([SIGNATURE])
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start : start + CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """One chunk; stored raw when it does not shrink (§2.4.1.3.10).

    A raw chunk always holds 4096 bytes: a shorter last chunk that does not shrink would come
    back padded with zeros, so it is refused (VBA sources and dir streams always shrink).
    """
    body = bytearray()
    seen: dict[bytes, list[int]] = {}
    position, size = 0, len(chunk)
    while position < size:
        flag_at = len(body)
        body.append(0)
        for bit in range(8):
            if position >= size:
                break
            offset, length = _longest_match(chunk, position, seen)
            if length >= 3:
                bit_count, _ = _split(position)
                token = ((offset - 1) << (16 - bit_count)) | (length - 3)
                body += struct.pack("<H", token)
                body[flag_at] |= 1 << bit
            else:
                length = 1
                body.append(chunk[position])
            for index in range(position, position + length):
                seen.setdefault(chunk[index : index + 3], []).append(index)
            position += length
    if len(body) > CHUNK:
        if len(chunk) < CHUNK:
            raise OvbaError(
                f"incompressible last chunk of {len(chunk)} bytes: a raw chunk would pad it"
            )
        return struct.pack("<H", _RAW_CHUNK_HEADER) + chunk
    return struct.pack("<H", 0x8000 | 0x3000 | (len(body) - 1)) + bytes(body)


def _longest_match(chunk: bytes, position: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier match, the nearest on ties; length 0 when none."""
    if position == 0:
        return 0, 0
    _, maximum = _split(position)
    limit = min(maximum, len(chunk) - position)
    best_offset, best_length = 0, 0
    for candidate in reversed(seen.get(chunk[position : position + 3], [])[-_MAX_CANDIDATES:]):
        length = 0
        while length < limit and chunk[candidate + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = position - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def decompress(data: bytes) -> bytes:
    """The DecompressedBuffer of a CompressedContainer (§2.4.1.3.1)."""
    if not data or data[0] != SIGNATURE:
        raise OvbaError("not a compressed VBA container (signature byte 0x01 missing)")
    out = bytearray()
    current = 1
    while current < len(data):
        if current + 2 > len(data):
            raise OvbaError("truncated chunk header")
        (header,) = struct.unpack_from("<H", data, current)
        chunk_end = min(len(data), current + (header & 0x0FFF) + 3)
        if (header >> 12) & 0b0111 != 0b011:
            raise OvbaError(f"bad chunk signature at byte {current}")
        current += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += data[current : current + CHUNK]
            current += CHUNK
            continue
        while current < chunk_end:
            flags = data[current]
            current += 1
            for bit in range(8):
                if current >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(data[current])
                    current += 1
                    continue
                (token,) = struct.unpack_from("<H", data, current)
                current += 2
                bit_count, _ = _split(len(out) - chunk_start)
                offset = (token >> (16 - bit_count)) + 1
                length = (token & (0xFFFF >> bit_count)) + 3
                if offset > len(out) - chunk_start:
                    raise OvbaError("copy token points before the chunk")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# -------------------------------------------------------------------------------------------
# The dir stream (§2.3.4.2): a flat list of records
# -------------------------------------------------------------------------------------------

PROJECT_CODEPAGE = 0x0003
PROJECT_VERSION = 0x0009
MODULE_NAME = 0x0019
MODULE_STREAM_NAME = 0x001A
MODULE_OFFSET = 0x0031
MODULE_TYPE_PROCEDURAL = 0x0021
MODULE_TYPE_DOCUMENT = 0x0022
MODULE_TERMINATOR = 0x002B


@dataclass(frozen=True)
class Record:
    """One record of the dir stream, kept as its exact bytes (id, size field, data)."""

    raw: bytes

    @property
    def id(self) -> int:
        """The record's Id."""
        return struct.unpack_from("<H", self.raw)[0]

    @property
    def data(self) -> bytes:
        """What follows the Id and the 4-byte size (or Reserved) field."""
        return self.raw[6:]


def parse_dir(data: bytes) -> list[Record]:
    """The records of a decompressed dir stream, in order.

    Every record is Id (2 bytes), Size (4 bytes), Size bytes of data — except PROJECTVERSION,
    whose 4-byte field is a Reserved 4 followed by 6 bytes of version.
    """
    records, position = [], 0
    while position < len(data):
        if position + 6 > len(data):
            raise OvbaError(f"truncated dir record at byte {position}")
        record_id, size = struct.unpack_from("<HI", data, position)
        if record_id == PROJECT_VERSION:
            size = 6
        end = position + 6 + size
        if end > len(data):
            raise OvbaError(f"dir record 0x{record_id:04X} overruns the stream")
        records.append(Record(data[position:end]))
        position = end
    return records


def build_dir(records: Iterable[Record]) -> bytes:
    """The decompressed dir stream of ``records``."""
    return b"".join(record.raw for record in records)


@dataclass(frozen=True)
class Module:
    """A module as the dir stream describes it."""

    name: str
    stream: str
    offset: int
    document: bool


def codepage(records: Sequence[Record]) -> str:
    """The project's code page as a Python codec name (``cp1252``)."""
    for record in records:
        if record.id == PROJECT_CODEPAGE:
            return f"cp{struct.unpack_from('<H', record.data)[0]}"
    raise OvbaError("PROJECTCODEPAGE record missing")


def modules(records: Sequence[Record]) -> list[Module]:
    """Every module of the project, in dir order."""
    encoding = codepage(records)
    found = []
    for group in _module_groups(records):
        fields = {record.id: record for record in group}
        if MODULE_STREAM_NAME not in fields or MODULE_OFFSET not in fields:
            raise OvbaError("module without MODULESTREAMNAME or MODULEOFFSET")
        found.append(
            Module(
                name=fields[MODULE_NAME].data.decode(encoding),
                stream=fields[MODULE_STREAM_NAME].data.decode(encoding),
                offset=struct.unpack("<I", fields[MODULE_OFFSET].data)[0],
                document=MODULE_TYPE_DOCUMENT in fields,
            )
        )
    return found


def _module_groups(records: Sequence[Record]) -> Iterator[list[Record]]:
    """The records of each module: from MODULENAME to its terminator."""
    group: list[Record] | None = None
    for record in records:
        if record.id == MODULE_NAME:
            group = []
        if group is not None:
            group.append(record)
            if record.id == MODULE_TERMINATOR:
                yield group
                group = None


def with_offset(records: Sequence[Record], stream: str, offset: int) -> list[Record]:
    """The records with the MODULEOFFSET of the module stored in ``stream`` set to ``offset``."""
    encoding = codepage(records)
    current, patched, result = None, False, []
    for record in records:
        if record.id == MODULE_STREAM_NAME:
            current = record.data.decode(encoding)
        elif record.id == MODULE_TERMINATOR:
            current = None
        if record.id == MODULE_OFFSET and current == stream:
            record = Record(struct.pack("<HII", MODULE_OFFSET, 4, offset))
            patched = True
        result.append(record)
    if not patched:
        raise OvbaError(f"no module stored in stream {stream!r}")
    return result
