"""A small writer of Compound File Binary files (MS-CFB version 3), for ``vbaProject.bin``.

olefile reads compound files but cannot resize a stream, and rewriting a VBA module changes its
size; so the add-in build writes a new file from the streams: 512-byte sectors, one FAT (up to 109
FAT sectors, about 7 MB: no DIFAT sectors), the directory as a balanced binary tree of all-black
nodes (a valid search tree in the CFB name order), and a mini stream of 64-byte sectors for the
streams shorter than 4096 bytes. Timestamps are zero, so the same streams give the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ENTRIES_PER_SECTOR = SECTOR // 128
IDS_PER_SECTOR = SECTOR // 4
HEADER_DIFAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

STORAGE, STREAM, ROOT = 1, 2, 5
BLACK = 1


class CfbError(ValueError):
    """Streams that cannot be written as a compound file by this writer."""


@dataclass
class _Node:
    """A directory entry being built."""

    name: str
    kind: int
    data: bytes = b""
    clsid: bytes = bytes(16)
    children: dict[str, _Node] = field(default_factory=dict)
    sid: int = 0
    start: int = ENDOFCHAIN
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM


def name_key(name: str) -> tuple[int, str]:
    """CFB order of sibling names: shorter first, then by upper-cased UTF-16 code units."""
    return len(name.encode("utf-16-le")), "".join(
        upper if len(upper := char.upper()) == 1 else char for char in name
    )


def compound_file(streams: Mapping[str, bytes], clsids: Mapping[str, bytes] | None = None) -> bytes:
    """The compound file holding ``streams`` (``"VBA/dir"`` → bytes; storages are implied).

    ``clsids`` gives the CLSID (16 bytes) of storages by path (``""`` is the root).
    """
    root = _tree(streams, clsids or {})
    nodes = _number(root)
    small = [n for n in nodes if n.kind == STREAM and len(n.data) < MINI_CUTOFF]
    large = [n for n in nodes if n.kind == STREAM and len(n.data) >= MINI_CUTOFF]
    mini_stream, mini_fat = _mini_stream(small)
    root.data = mini_stream
    dir_sectors = _sectors(len(nodes) * 128)
    mini_fat_sectors = _sectors(len(mini_fat) * 4)
    stream_sectors = [_sectors(len(mini_stream))] + [_sectors(len(n.data)) for n in large]
    content = dir_sectors + mini_fat_sectors + sum(stream_sectors)
    fat_sectors = 1
    while fat_sectors * IDS_PER_SECTOR < content + fat_sectors:
        fat_sectors += 1
    if fat_sectors > HEADER_DIFAT:
        raise CfbError("compound file too large for a writer without DIFAT sectors")
    fat = [FATSECT] * fat_sectors
    dir_start = _chain(fat, dir_sectors)
    mini_fat_start = _chain(fat, mini_fat_sectors)
    root.start = _chain(fat, stream_sectors[0]) if mini_stream else ENDOFCHAIN
    for node, count in zip(large, stream_sectors[1:], strict=True):
        node.start = _chain(fat, count)
    fat += [FREESECT] * (fat_sectors * IDS_PER_SECTOR - len(fat))
    header = _header(fat_sectors, dir_start, mini_fat_start, mini_fat_sectors)
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        _padded(b"".join(_entry(node) for node in nodes), dir_sectors),
        _padded(struct.pack(f"<{len(mini_fat)}I", *mini_fat), mini_fat_sectors, fill=0xFF),
        _padded(mini_stream, stream_sectors[0]),
        *(_padded(n.data, count) for n, count in zip(large, stream_sectors[1:], strict=True)),
    ]
    return header + b"".join(body)


def _tree(streams: Mapping[str, bytes], clsids: Mapping[str, bytes]) -> _Node:
    """Storages and streams from the paths."""
    root = _Node("Root Entry", ROOT, clsid=clsids.get("", bytes(16)))
    for path, data in streams.items():
        parts = path.split("/")
        if any(not part or len(part) > 31 for part in parts):
            raise CfbError(f"invalid stream path {path!r} (names of 1 to 31 characters)")
        parent = root
        for depth, part in enumerate(parts[:-1]):
            storage_path = "/".join(parts[: depth + 1])
            node = parent.children.setdefault(
                part, _Node(part, STORAGE, clsid=clsids.get(storage_path, bytes(16)))
            )
            if node.kind != STORAGE:
                raise CfbError(f"{storage_path!r} is both a stream and a storage")
            parent = node
        if parts[-1] in parent.children:
            raise CfbError(f"duplicate stream {path!r}")
        parent.children[parts[-1]] = _Node(parts[-1], STREAM, data=bytes(data))
    return root


def _number(root: _Node) -> list[_Node]:
    """Directory ids in depth-first order, and each storage's children as a balanced tree."""
    nodes = [root]
    pending = [root]
    while pending:
        storage = pending.pop(0)
        ordered = sorted(storage.children.values(), key=lambda node: name_key(node.name))
        for node in ordered:
            node.sid = len(nodes)
            nodes.append(node)
            if node.kind == STORAGE:
                pending.append(node)
        storage.child = _balance(ordered)
    return nodes


def _balance(ordered: list[_Node]) -> int:
    """Link sorted siblings as a balanced binary search tree; the id of its root."""
    if not ordered:
        return NOSTREAM
    middle = len(ordered) // 2
    node = ordered[middle]
    node.left = _balance(ordered[:middle])
    node.right = _balance(ordered[middle + 1 :])
    return node.sid


def _mini_stream(small: list[_Node]) -> tuple[bytes, list[int]]:
    """The mini stream (streams < 4096 bytes in 64-byte sectors) and its mini FAT."""
    data, mini_fat = bytearray(), []
    for node in small:
        count = -(-len(node.data) // MINI_SECTOR)
        if count == 0:
            continue
        node.start = len(mini_fat)
        mini_fat += [len(mini_fat) + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        data += node.data.ljust(count * MINI_SECTOR, b"\0")
    return bytes(data), mini_fat


def _sectors(size: int) -> int:
    return -(-size // SECTOR)


def _chain(fat: list[int], count: int) -> int:
    """Append a chain of ``count`` consecutive sectors to the FAT; its first sector."""
    if count == 0:
        return ENDOFCHAIN
    start = len(fat)
    fat += [start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
    return start


def _padded(data: bytes, sectors: int, fill: int = 0) -> bytes:
    return data.ljust(sectors * SECTOR, bytes([fill]))


def _header(fat_sectors: int, dir_start: int, mini_fat_start: int, mini_fat_count: int) -> bytes:
    difat = list(range(fat_sectors)) + [FREESECT] * (HEADER_DIFAT - fat_sectors)
    return (
        SIGNATURE
        + bytes(16)
        + struct.pack("<HHHHH6xIIIIIIIII", 0x003E, 0x0003, 0xFFFE, 9, 6, 0, fat_sectors,
                      dir_start, 0, MINI_CUTOFF, mini_fat_start, mini_fat_count, ENDOFCHAIN, 0)
        + struct.pack(f"<{HEADER_DIFAT}I", *difat)
    )  # fmt: skip


def _entry(node: _Node) -> bytes:
    """The 128-byte directory entry."""
    name = node.name.encode("utf-16-le") + b"\0\0"
    size = len(node.data) if node.kind != STORAGE else 0
    start = node.start if node.kind != STORAGE else 0
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(name), node.kind, BLACK, node.left, node.right, node.child)
        + node.clsid
        + struct.pack("<IQQIQ", 0, 0, 0, start, size)
    )
