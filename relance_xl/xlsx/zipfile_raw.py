"""Zip layer: read members, copy their raw compressed bytes, write a plain (non-zip64) archive."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from relance_xl.errors import InputError, OutputError

_ZIP_LIMIT = 0xFFFFFFFF
_DOS_EPOCH = (1980, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6


@dataclass(frozen=True)
class Stored:
    """One member as it goes into the new archive: the compressed bytes and their header."""

    name: str
    method: int
    flags: int
    date_time: tuple[int, int, int, int, int, int]
    crc: int
    size: int
    data: bytes
    made_by: int = 20
    external_attr: int = 0


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _name_bytes(name: str, flags: int) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), flags
    except UnicodeEncodeError:
        return name.encode("utf-8"), flags | 0x800


def write_zip(out: BinaryIO, members: Iterable[Stored], comment: bytes = b"") -> None:
    """Write members (already compressed) as a zip archive: local headers, central directory."""
    central: list[bytes] = []
    offset = 0
    for member in members:
        name, flags = _name_bytes(member.name, member.flags & ~0x08)  # sizes known: no descriptor
        dos_time, dos_date = _dos_time(member.date_time)
        if max(offset, member.size, len(member.data)) >= _ZIP_LIMIT:
            raise OutputError("classeur trop volumineux (plus de 4 Go) pour être mis à jour.")
        fixed = (20, flags, member.method, dos_time, dos_date, member.crc, len(member.data))
        out.write(struct.pack("<IHHHHHIII", 0x04034B50, *fixed, member.size))
        out.write(struct.pack("<HH", len(name), 0))
        out.write(name)
        out.write(member.data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                member.made_by,
                *fixed,
                member.size,
                len(name),
                0,
                0,
                0,
                0,
                member.external_attr,
                offset,
            )
            + name
        )
        offset += 30 + len(name) + len(member.data)
    directory = b"".join(central)
    if len(central) >= 0xFFFF or offset + len(directory) >= _ZIP_LIMIT:
        raise OutputError("classeur trop volumineux (plus de 4 Go) pour être mis à jour.")
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(central),
            len(central),
            len(directory),
            offset,
            len(comment),
        )
    )
    out.write(comment)


def raw_member(source: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, read after its local header."""
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise InputError(f"archive endommagée : en-tête de « {info.filename} » illisible.")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    data = source.read(info.compress_size)
    if len(data) != info.compress_size:
        raise InputError(f"archive endommagée : « {info.filename} » est tronqué.")
    return data


def deflate(name: str, data: bytes) -> Stored:
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return Stored(name, zipfile.ZIP_DEFLATED, 0, _DOS_EPOCH, zlib.crc32(data), len(data), packed)
