"""Read and rewrite the modules of a ``vbaProject.bin`` (MS-OVBA in an MS-CFB file).

Rewriting a module: its new source, compressed, goes at offset 0 of its stream (the performance
cache before it is dropped) and its MODULEOFFSET in ``VBA/dir`` becomes 0; ``VBA/_VBA_PROJECT`` is
reset to the 7-byte header whose version 0xFFFF tells Office that no compiled cache is valid, and
the ``__SRP_*`` streams (more cache) are removed, so that Office recompiles from the sources.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping

import cfb
import olefile
import ovba

VBA = "VBA"
DIR = f"{VBA}/dir"
PROJECT_CACHE = f"{VBA}/_VBA_PROJECT"
NO_CACHE = bytes.fromhex("CC61FFFF000000")
"""``_VBA_PROJECT`` without a performance cache: Reserved1 0x61CC, Version 0xFFFF, 0, 0, 0."""


def read_streams(data: bytes) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(stream path → bytes, storage path → CLSID bytes) of a compound file."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        streams = {
            "/".join(path): ole.openstream(path).read()
            for path in ole.listdir(streams=True, storages=False)
        }
        clsids = {"": _clsid(ole.root.clsid)}
        for path in ole.listdir(streams=False, storages=True):
            clsids["/".join(path)] = _clsid(ole.getclsid(path))
    return streams, clsids


def _clsid(text: str) -> bytes:
    return uuid.UUID(text).bytes_le if text else bytes(16)


def module_sources(data: bytes) -> dict[str, str]:
    """Module name → source text (with its ``Attribute`` lines), as stored in the project."""
    streams, _ = read_streams(data)
    records = ovba.parse_dir(ovba.decompress(streams[DIR]))
    encoding = ovba.codepage(records)
    return {
        module.name: ovba.decompress(streams[f"{VBA}/{module.stream}"][module.offset :]).decode(
            encoding
        )
        for module in ovba.modules(records)
    }


def replace_modules(data: bytes, sources: Mapping[str, str]) -> bytes:
    """The project with the source of the named modules replaced (CRLF line ends are applied)."""
    streams, clsids = read_streams(data)
    records = ovba.parse_dir(ovba.decompress(streams[DIR]))
    encoding = ovba.codepage(records)
    by_name = {module.name: module for module in ovba.modules(records)}
    unknown = sorted(set(sources) - set(by_name))
    if unknown:
        raise ovba.OvbaError(f"modules not in the project: {', '.join(unknown)}")
    for name, source in sources.items():
        module = by_name[name]
        text = "\r\n".join(source.replace("\r\n", "\n").split("\n"))
        streams[f"{VBA}/{module.stream}"] = ovba.compress(text.encode(encoding))
        records = ovba.with_offset(records, module.stream, 0)
    streams[DIR] = ovba.compress(ovba.build_dir(records))
    streams[PROJECT_CACHE] = NO_CACHE
    for path in [p for p in streams if p.split("/")[-1].startswith("__SRP_")]:
        del streams[path]
    return cfb.compound_file(streams, clsids)
