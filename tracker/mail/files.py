"""Mail on disk -> RawMail: .eml files, mbox files, Maildir folders, folders of mail.

A path is recognised by what it holds, not by its name: a file starting with a
From_ line is an mbox, a file starting with mail headers is one message, a
folder with cur/ and new/ is a Maildir, any other folder is walked for mail.

mbox files are streamed with our own From_-line splitter over fixed-size
binary chunks (`mailbox.mbox` builds a table of contents of the whole file
first), so a multi-gigabyte mbox is read in memory bounded by its largest
message; a single message file is read up to the same bound
(`limits.MAX_MESSAGE_BYTES`), the rest is cut and recorded as an error.

Inside a folder, symbolic links are not followed (a Maildir is often shared or
synced, and a link could point anywhere on the disk): each is recorded as an
error. A path that exists but holds no mail -- an empty file, a photo, an
unreadable file, a folder without mail -- is recorded the same way, whether it
was named on the command line or found in a folder, and the run goes on.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from tracker.errors import SourceError
from tracker.mail.limits import MAX_MESSAGE_BYTES
from tracker.mail.message import MAIL_HEADERS
from tracker.records import RawMail

CHUNK = 1 << 20
SNIFF = 16 * 1024
MAIL_SUFFIXES = (".eml", ".msg", ".mail")
NOT_FOLLOWED = "symbolic link, not followed"

# "From sender Thu Nov 20 14:03:00 2026" (also "From - ..." as Thunderbird
# writes it). The time and year are required so that an unescaped "From the
# team..." line in a body does not split a message.
FROM_LINE = re.compile(rb"^From \S*\s+(.*\d{1,2}:\d{2}(?::\d{2})?.*\d{4}.*?)\s*$")
# "From sender" or a bare "From " with no date (some exporters write them):
# a separator only when the next line is a mail header.
BARE_FROM_LINE = re.compile(rb"^From (?:\S+)?[ \t]*\r?\n?$")
_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:")
KNOWN_HEADERS = frozenset(name.encode() for name in MAIL_HEADERS)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_UNESCAPE = re.compile(rb"(?m)^>(>*From )")


def iter_raw_mail(paths: list[Path]) -> Iterator[RawMail]:
    """Every message under `paths`, in order.

    Raises SourceError before yielding anything if a path does not exist (a
    typo: nothing is read). A path that holds no mail gives one RawMail with
    `error` set, like a message cut short at the end of an mbox; the run goes on.
    """
    paths = [Path(p).expanduser() for p in paths]
    check_paths(paths)
    for path in paths:
        yield from _iter_path(path)


def check_paths(paths: list[Path]) -> None:
    """SourceError naming the first of `paths` that does not exist."""
    for path in paths:
        path = Path(path).expanduser()
        if not path.exists():
            raise SourceError(f"no such file or folder: {path}")


def source_kind(path: Path) -> tuple[str | None, str | None]:
    """What `path` is ("eml", "mbox", "maildir" or "folder") or, if no mail, why not.

    >>> source_kind(Path("/dev/null"))
    (None, 'empty file')
    """
    if path.is_dir():
        if _is_maildir(path):
            return "maildir", None
        if next(_walk_folder(path), None) is None:
            return None, "no mail found (no .eml, mbox or Maildir inside)"
        return "folder", None
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror}"
    if not head.strip():
        return None, "empty file"
    kind = _file_kind(path, head)
    if kind is None:
        return None, "not a mail file (neither a message nor an mbox)"
    return kind, None


def sniff(head: bytes) -> str | None:
    """ "mbox", "eml" or None for the first bytes of a file.

    The header block ends at the first line that is no header field: a body
    that lacks its blank line, or a folded line that lost its whitespace, does
    not make mail "not mail". NULs count only there (a UTF-16 body has them).
    """
    head = head.lstrip(b"\xef\xbb\xbf\r\n")
    lines = head.split(b"\n", 200)[:200]
    first = lines[0].rstrip(b"\r")
    if FROM_LINE.match(first) or (
        BARE_FROM_LINE.match(first) and len(lines) > 1 and _known_field(lines[1])
    ):
        return "mbox"
    known = False
    for line in lines:
        line = line.rstrip(b"\r")
        if not line or b"\x00" in line:
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if not _HEADER.match(line):
            break
        known = known or _known_field(line)
    return "eml" if known else None


def _header_block(data: bytes) -> bool:
    """True when `data` opens with a message's header fields: a run of known fields
    (and their continuations), two at least, From or Message-ID among them. A body
    line "From Paris" followed by "Date: Saturday" is no separator (mbox writers
    that do not escape "From " in bodies exist)."""
    names: list[bytes] = []
    for line in data[: 64 << 10].splitlines()[:200]:
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded continuation
        if not _known_field(line):
            break
        names.append(line.removeprefix(b"\xef\xbb\xbf").split(b":", 1)[0].strip().lower())
    return len(names) >= 2 and bool({b"from", b"message-id"} & set(names))


def _known_field(line: bytes) -> bool:
    """True when `line` starts with a mail header field (a byte order mark before it is allowed)."""
    line = line.removeprefix(b"\xef\xbb\xbf")
    return bool(_HEADER.match(line)) and line.split(b":", 1)[0].strip().lower() in KNOWN_HEADERS


def _iter_path(path: Path) -> Iterator[RawMail]:
    kind, problem = source_kind(path)
    if problem:
        yield RawMail(str(path), _head(path), _mtime(path), problem)
    elif kind in ("maildir", "folder"):
        yield from _iter_folder(path)
    elif kind == "mbox":
        yield from iter_mbox(path)
    else:
        yield _read_eml(path, follow=True)


def _head(path: Path) -> bytes:
    """The first bytes of a named file that holds no mail: its record is keyed by them."""
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF)
    except OSError:  # a folder, or unreadable
        return b""


def _read_eml(path: Path, fallback: datetime | None = None, follow: bool = False) -> RawMail:
    """One message file, read up to MAX_MESSAGE_BYTES (a bigger one is cut, with
    `error` set); a symbolic link is opened only when `follow` (named by the user)."""
    fallback = fallback or _mtime(path)
    try:
        with open(os.open(path, os.O_RDONLY if follow else _OPEN_FLAGS), "rb") as fh:
            data = fh.read(MAX_MESSAGE_BYTES)
            cut = bool(fh.read(1))
    except OSError as exc:
        problem = NOT_FOLLOWED if path.is_symlink() else f"cannot read: {exc.strerror}"
        return RawMail(str(path), b"", fallback, problem)
    error = f"message larger than {MAX_MESSAGE_BYTES >> 20} MB, cut" if cut else None
    return RawMail(str(path), data, fallback, error)


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except (OSError, ValueError, OverflowError):
        return None


# --- folders and Maildir -------------------------------------------------------


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _iter_folder(path: Path) -> Iterator[RawMail]:
    for kind, file in _walk_folder(path):
        if kind == "link":
            yield RawMail(str(file), b"", None, NOT_FOLLOWED)
        elif kind == "maildir":
            yield _read_eml(file, _maildir_time(file))
        elif kind == "mbox":
            yield from iter_mbox(file)
        else:
            yield _read_eml(file)


def _walk_folder(root: Path) -> Iterator[tuple[str, Path]]:
    """(kind, file) for every mail file under `root`, in a stable order.

    Files in a Maildir's cur/ and new/ are messages whatever they hold (a
    broken one becomes an error record); tmp/ holds deliveries in progress
    and is skipped. Elsewhere, files named *.eml are messages, other files are
    sniffed and skipped unless they look like mail. Symbolic links come out
    as kind "link" and are never opened.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        maildir = _is_maildir(Path(folder))
        subdirs = []
        for entry in entries:
            if entry.is_symlink():
                if not maildir:
                    yield "link", Path(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                if maildir and entry.name in ("cur", "new"):
                    yield from _maildir_files(Path(entry.path))
                elif not (maildir and entry.name == "tmp"):
                    subdirs.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False) and not maildir:
                kind = _file_kind(Path(entry.path))
                if kind:
                    yield kind, Path(entry.path)
        stack.extend(reversed(subdirs))


def _maildir_files(folder: Path) -> Iterator[tuple[str, Path]]:
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            yield "link", Path(entry.path)
        elif entry.is_file(follow_symlinks=False):
            yield "maildir", Path(entry.path)


def _file_kind(path: Path, head: bytes | None = None) -> str | None:
    """ "mbox", "eml" or None; a file named *.eml counts as a message, even empty."""
    if head is None:
        try:
            with open(os.open(path, _OPEN_FLAGS), "rb") as fh:
                head = fh.read(SNIFF)
        except OSError:
            return None
    kind = sniff(head)
    if kind is None and path.suffix.lower() in MAIL_SUFFIXES:
        return "eml"  # named as mail: a broken or empty one is recorded, not skipped
    return kind


def _maildir_time(path: Path) -> datetime | None:
    """Delivery time from a Maildir name ("1700000000.M1P2.host:2,S"), else mtime."""
    stamp = path.name.split(".", 1)[0]
    if stamp.isdigit():
        try:
            return datetime.fromtimestamp(int(stamp), UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return _mtime(path)


# --- mbox ---------------------------------------------------------------------------


def iter_mbox(path: Path) -> Iterator[RawMail]:
    """Stream the messages of an mbox; `source` is "path#N" (N from 1).

    A last message cut short (the file does not end with a newline, or stops
    inside the headers) is yielded with `error` set.
    """
    number = 0
    for from_line, parts, complete, last in _split_mbox(path):
        data = b"".join(parts)
        if not from_line and not data.strip():
            continue  # blank lines before the first From_ line
        number += 1
        source = f"{path}#{number}"
        fallback = parse_from_line(from_line)
        error = None
        if not complete:
            error = f"message larger than {MAX_MESSAGE_BYTES >> 20} MB, cut"
        elif last and (not data.endswith(b"\n") or _cut_in_headers(data)):
            error = "truncated mbox: the message is cut short"
        data = _UNESCAPE.sub(rb"\1", data)
        if data.endswith(b"\n\n"):
            data = data[:-1]  # the blank line that separates mbox messages
        elif data.endswith(b"\r\n\r\n"):
            data = data[:-2]
        yield RawMail(source, data, fallback, error)


def _cut_in_headers(data: bytes) -> bool:
    """True when a message stops inside its headers: no blank line, and the last
    line is a field, a folded line or a piece of a field name. A last line of
    text is a body that lacks its blank line, which real mailers write."""
    if b"\n\n" in data or b"\n\r\n" in data:
        return False
    last = data.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    return bool(_HEADER.match(last)) or last[:1] in (b" ", b"\t") or b" " not in last.strip()


def _split_mbox(path: Path) -> Iterator[tuple[bytes, list[bytes], bool, bool]]:
    """(From_ line, pieces, complete, last) per message, reading CHUNK bytes at a time."""
    from_line: bytes | None = None
    parts: list[bytes] = []
    size = 0
    complete = True
    for separates, piece in _separated(path):
        if separates:
            if from_line is not None:
                yield from_line, parts, complete, False
            from_line, parts, size, complete = piece, [], 0, True
            continue
        if from_line is None:
            from_line = b""  # junk before the first From_ line is its own message
        if size + len(piece) > MAX_MESSAGE_BYTES:
            complete = False
            continue
        parts.append(piece)
        size += len(piece)
    if from_line is not None:
        yield from_line, parts, complete, True


def _separated(path: Path) -> Iterator[tuple[bool, bytes]]:
    """(separates messages, piece): a From_ line with a date separates; one
    without a date ("From sender") only when a mail header follows it."""
    held: bytes | None = None
    for line_start, piece in _pieces(path):
        if held is not None:
            yield line_start and _header_block(piece), held
            held = None
        if line_start and _is_from_line(piece):
            yield True, piece
        elif line_start and len(piece) < 1000 and BARE_FROM_LINE.match(piece):
            held = piece
        else:
            yield False, piece
    if held is not None:
        yield False, held


def _is_from_line(piece: bytes) -> bool:
    return len(piece) < 1000 and piece.startswith(b"From ") and bool(FROM_LINE.match(piece))


def _pieces(path: Path) -> Iterator[tuple[bool, bytes]]:
    """(starts a line, bytes) runs of whole lines; a line longer than CHUNK comes in pieces.

    Runs of lines that cannot hold a From_ line are passed on as one piece,
    so the Python-level work is per From_ candidate, not per line.
    """
    tail = b""
    line_start = True
    with path.open("rb") as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                if tail:
                    yield line_start, tail
                return
            data = tail + block
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) > max(CHUNK, 4096):  # never shorter than a From_ line
                yield line_start, data  # one very long line: hand it on in pieces
                line_start, tail = False, b""
                continue
            whole, tail = data[:cut], data[cut:]
            if whole:
                yield from _split_candidates(whole, line_start)
                line_start = True


def _split_candidates(whole: bytes, line_start: bool) -> Iterator[tuple[bool, bytes]]:
    """Split a run of whole lines before every line that starts with "From "."""
    start = 0
    if not (line_start and whole.startswith(b"From ")):
        pos = whole.find(b"\nFrom ")
        if pos < 0:
            yield line_start, whole
            return
        yield line_start, whole[: pos + 1]
        start = pos + 1
    while True:
        end = whole.find(b"\n", start) + 1  # the candidate From_ line itself
        yield True, whole[start:end]
        pos = whole.find(b"\nFrom ", end - 1)
        if pos < 0:
            if end < len(whole):
                yield True, whole[end:]
            return
        if pos + 1 > end:
            yield True, whole[end : pos + 1]
        start = pos + 1


# The asctime() date nearly every mbox writer puts on its From_ lines
# ("Thu Nov 20 14:03:00 2026"), read without dateutil (a tenth of the time).
_ASCTIME = re.compile(
    rb"(?:[A-Za-z]{3},? +)?([A-Za-z]{3}) +(\d{1,2}) +(\d{1,2}):(\d{2}):(\d{2}) +(\d{4})"
)
_MONTHS = {
    m: i for i, m in enumerate(b"jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}


def parse_from_line(line: bytes) -> datetime | None:
    """The date of an mbox From_ line, as UTC (the line has no zone: UTC is assumed)."""
    match = FROM_LINE.match(line) if len(line) < 1000 else None
    if not match:
        return None
    quick = _ASCTIME.fullmatch(match.group(1).strip())
    if quick:
        month = _MONTHS.get(quick.group(1).lower())
        day, hour, minute, second, year = map(int, quick.groups()[1:])
        try:
            if month:
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass  # an impossible date: let dateutil have its say
    from dateutil import parser

    text = match.group(1).decode("ascii", "replace")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = parser.parse(text, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
