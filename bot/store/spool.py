"""A disk spool: records kept in fsynced JSON-lines files until they can be delivered.

Used wherever Redis may be away and nothing may be lost: the outcome log
(:mod:`bot.log.outcomes`) and the customer and agent turns deferred while Redis is away
(:mod:`bot.channels.degraded`). Each kind has a prefix; each process appends to its own
file, ``<directory>/<prefix>-<pid>.jsonl``, one JSON object a line::

    append ──► <prefix>-<pid>.jsonl ──► replay(take), oldest file first, line by line

* :meth:`Spool.append` writes under an exclusive ``flock`` and fsyncs before it returns.
* :meth:`Spool.replay` hands each record to ``take`` in order; once ``take`` returns, the
  record is marked taken in place (its first byte becomes ``#``, fsynced), so a replay
  cut short — ``take`` raises, the process dies — starts again at the first record not
  taken: delivery is at least once, and twice only for a record whose ``take`` returned
  just before a crash. A file wholly taken is removed.
* A line that cannot be read (not JSON, not an object, or refused by ``check``) is moved
  to ``<directory>/quarantine/<prefix>.jsonl`` with the reason, and the replay goes on.
* One replay at a time per prefix and directory, across tasks and processes: a lock file
  ``.<prefix>.lock``; a replay that finds another under way waits for nothing and
  reports ``busy`` (the other one delivers).

Files written before this module (the same names, unmarked JSON lines) read the same.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

logger = logging.getLogger(__name__)

TAKEN = b"#"  # the first byte of a record already delivered

Record = Dict[str, Any]
Take = Callable[[Record], Awaitable[None]]


class Unreadable(ValueError):
    """A spooled line that is not a record this spool can deliver (quarantined)."""


@dataclass(frozen=True)
class Replayed:
    """What one replay did: records handed over, lines quarantined, and whether another
    replay held the lock (then this one did nothing)."""

    taken: int = 0
    quarantined: int = 0
    busy: bool = False


class Spool:
    """The spool files of one kind of record in one directory.

    ``check`` may refuse a record read back (raising ``ValueError`` with the reason): it
    is then quarantined instead of delivered. ``sync_marks=False`` leaves the marks of
    taken records to the page cache (a process crash keeps them, a power cut may not):
    for records whose delivery is idempotent, where a repeat costs nothing and an fsync
    per record would slow a long replay down.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        check: Optional[Callable[[Record], None]] = None,
        sync_marks: bool = True,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self._check = check
        self._sync_marks = sync_marks
        self._lock = asyncio.Lock()

    @property
    def own_file(self) -> Path:
        return self.directory / f"{self.prefix}-{os.getpid()}.jsonl"

    @property
    def quarantine_file(self) -> Path:
        return self.directory / "quarantine" / f"{self.prefix}.jsonl"

    # ---- writing ----

    def append(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Add records at the end of this process's file, on disk when this returns."""
        data = b"".join(_line(record) for record in records)
        if data:
            _append(self.own_file, data)

    # ---- reading ----

    def files(self) -> List[Path]:
        """The files holding records (this process's and any left by others), oldest
        first: by the time of their last append."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.glob(f"{self.prefix}-*.jsonl"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed by a replay meanwhile
                continue
            if stat.st_size > 0:
                found.append((stat.st_mtime_ns, path.name, path))
        return [path for _, _, path in sorted(found)]

    def pending(self) -> bool:
        """Whether any file may still hold records (cheap: no file is read)."""
        return bool(self.files())

    def records(self) -> List[Record]:
        """The records not yet taken, in replay order (for inspection and tests)."""
        return [
            record
            for path in self.files()
            for _, line in _lines(path, 0)
            if (record := self._read(line)[0]) is not None
        ]

    # ---- replaying ----

    async def replay(self, take: Take) -> Replayed:
        """Hand every record not yet taken to ``take``, oldest first.

        An exception from ``take`` stops the replay and is raised: that record and the
        rest stay for the next replay.
        """
        async with self._lock:
            if not self.files():
                return Replayed()
            with open(self.directory / f".{self.prefix}.lock", "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return Replayed(busy=True)
                counts = [0, 0]
                try:
                    for path in self.files():
                        await self._replay_file(path, take, counts)
                finally:
                    if counts[1]:
                        logger.error(
                            "spool %s: %d unreadable lines quarantined in %s",
                            self.prefix,
                            counts[1],
                            self.quarantine_file,
                        )
                return Replayed(taken=counts[0], quarantined=counts[1])

    async def _replay_file(self, path: Path, take: Take, counts: List[int]) -> None:
        try:
            marks = open(path, "r+b")  # kept open: one mark per record
        except FileNotFoundError:
            return
        with marks:
            end = 0
            while True:
                lines = list(_lines(path, end))
                if not lines:
                    if _remove_if_done(path, end):
                        return
                    continue  # appended to meanwhile: take those too
                for offset, line in lines:
                    end = offset + len(line) + 1
                    record, reason = self._read(line)
                    if record is None and reason is None:
                        continue  # blank, or taken already
                    if record is None:
                        self._quarantine(path, line, str(reason))
                        counts[1] += 1
                    else:
                        await take(record)
                        counts[0] += 1
                    _mark_taken(marks.fileno(), offset, self._sync_marks)

    def _read(self, line: bytes) -> Tuple[Optional[Record], Optional[str]]:
        """(record, None); (None, reason) if unreadable; (None, None) if nothing to read."""
        if not line.strip() or line.startswith(TAKEN):
            return None, None
        try:
            record = json.loads(line.decode("utf-8"))
            if not isinstance(record, dict):
                raise Unreadable("not a JSON object")
            if self._check is not None:
                self._check(record)
        except ValueError as error:  # JSON, UTF-8, Unreadable and the check's own errors
            return None, str(error) or type(error).__name__
        return record, None

    def _quarantine(self, path: Path, line: bytes, reason: str) -> None:
        entry = {"file": path.name, "reason": reason, "line": line.decode("utf-8", "replace")}
        self.quarantine_file.parent.mkdir(parents=True, exist_ok=True)
        _append(self.quarantine_file, _line(entry))


def _line(record: Mapping[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _append(path: Path, data: bytes) -> None:
    """Append under an exclusive lock, fsynced; never into a file a replay removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        with open(path, "a+b") as spool:
            fcntl.flock(spool, fcntl.LOCK_EX)
            try:
                current = os.path.samestat(os.fstat(spool.fileno()), os.stat(path))
            except FileNotFoundError:
                current = False
            if not current:
                continue  # a replay removed the file while this waited for the lock
            size = os.fstat(spool.fileno()).st_size
            if size and os.pread(spool.fileno(), 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn last line (a crash mid-write) stays apart
            spool.write(data)
            spool.flush()
            os.fsync(spool.fileno())
        if not size:
            _sync_directory(path.parent)  # a new file: its name is on disk too
        return


def _sync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lines(path: Path, start: int) -> Iterator[Tuple[int, bytes]]:
    """(offset, line without its newline) from byte ``start``; a last line without a
    newline is a torn write (writers hold the lock while they write)."""
    try:
        with open(path, "rb") as spool:
            fcntl.flock(spool, fcntl.LOCK_SH)
            spool.seek(start)
            data = spool.read()
    except FileNotFoundError:
        return
    if not data:
        return
    offset = start
    for line in data.split(b"\n")[: -1 if data.endswith(b"\n") else None]:
        yield offset, line
        offset += len(line) + 1


def _mark_taken(fd: int, offset: int, sync: bool) -> None:
    """Mark one line taken, keeping the file's time (the replay order of files)."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        before = os.fstat(fd)
        os.pwrite(fd, TAKEN, offset)
        if sync:
            os.fsync(fd)
        os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _remove_if_done(path: Path, end: int) -> bool:
    """Remove the file if nothing was appended past ``end``; False if something was."""
    try:
        with open(path, "rb") as spool:
            fcntl.flock(spool, fcntl.LOCK_EX)  # writers wait, then see the file is gone
            if os.fstat(spool.fileno()).st_size > end:
                return False
            path.unlink(missing_ok=True)
    except FileNotFoundError:
        pass
    return True
