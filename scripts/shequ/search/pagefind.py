"""Pagefind's service, driven directly: records and pages in, the index's files out."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterable

from shequ.errors import ShequError


class SearchIndexError(ShequError):
    """The search index could not be written; the message says why."""
def executable() -> Path:
    """The Pagefind binary of the ``pagefind[extended]`` package."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore
    except ImportError:
        get_executable = None
    if get_executable is not None:
        path = Path(get_executable())
        if path.is_file():
            return path
    try:
        from pagefind.service import get_executable as find  # type: ignore
        path = find()
    except ImportError:
        path = None
    if path is None:
        raise SearchIndexError("the search index needs Pagefind's extended binary: pip install 'pagefind[extended]'")
    return Path(path)


class Pagefind:
    """Pagefind's ``--service`` protocol: base64 JSON messages, each ended by a comma.

    The ``pagefind`` Python package speaks the same protocol, but it waits 0.1 s
    between two responses, so 10,000 records would take 17 minutes; here a thread
    writes the requests while the caller reads the responses as they come.
    """

    def __init__(self):
        self.process = subprocess.Popen([str(executable()), "--service"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._buffer = bytearray()
        self._next_id = 0

    def _write(self, payload: dict) -> None:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        self.process.stdin.write(base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b",")

    def _read(self) -> dict:
        while b"," not in self._buffer:
            chunk = self.process.stdout.read1(1 << 16)
            if not chunk:
                raise SearchIndexError("Pagefind stopped before it answered")
            self._buffer += chunk
        end = self._buffer.index(b",")
        raw, self._buffer = bytes(self._buffer[:end]), self._buffer[end + 1:]
        payload = json.loads(base64.b64decode(raw))["payload"]
        if payload.get("type") == "Error":
            raise SearchIndexError(f"Pagefind: {payload.get('message')}")
        return payload

    def call(self, payload: dict) -> dict:
        self._write(payload)
        self.process.stdin.flush()
        return self._read()

    def stream(self, payloads: Iterable[dict], advance=None) -> int:
        """Send every payload while reading the answers; the number sent."""
        sent = [0]
        failure: list[BaseException] = []

        def writer():
            try:
                for payload in payloads:
                    self._write(payload)
                    sent[0] += 1
                self.process.stdin.flush()
            except BaseException as exc:  # noqa: BLE001  (reported by the reader)
                failure.append(exc)
            finally:
                done.set()

        done = threading.Event()
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        answered = 0
        while not (done.is_set() and answered >= sent[0]):
            if done.is_set() and failure:
                break
            if answered >= sent[0]:
                time.sleep(0.001)
                continue
            self._read()
            answered += 1
            if advance is not None:
                advance()
        thread.join()
        if failure:
            raise SearchIndexError(f"Pagefind: {failure[0]}")
        return answered

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


#: Files of Pagefind's bundle the site does not use: its own script shows the results.
UNUSED = {"pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js"}


def write_files(output: Path, files: list[dict]) -> None:
    root = output.resolve()
    for item in sorted(files, key=lambda f: f["path"]):
        relative = item["path"]
        if relative in UNUSED:
            continue
        target = (root / relative).resolve()
        if root not in target.parents:
            raise SearchIndexError(f"Pagefind named a file outside its folder: {relative!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(item["content"]))

