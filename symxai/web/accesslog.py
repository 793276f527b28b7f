"""ASGI middleware: request size limits and a structured (JSON lines) access log.

The log names the sheet, the task, the answer names and the exit code of a
check, but not the answers' text unless the server was started with
``--log-answers``.  A body larger than ``max_body`` is refused with 413
before any of it is parsed.

>>> entry = {"path": "/api/check", "answers": {"phi_1": "2/3"}}
>>> redact(entry, log_answers=False)["answers"]
['phi_1']
"""

from __future__ import annotations

import json
import sys
import time


class TooLarge(Exception):
    """The request body is over the limit."""


def redact(entry: dict, log_answers: bool) -> dict:
    """The entry with answer texts replaced by their names (unless ``log_answers``)."""
    if log_answers:
        return entry
    out = dict(entry)
    if isinstance(out.get("answers"), dict):
        out["answers"] = sorted(out["answers"])
    out.pop("texts", None)
    return out


class AccessLog:
    """Wrap an ASGI app: cap request bodies at ``max_body`` bytes, log one JSON line per request."""

    def __init__(self, app, *, max_body: int = 65536, log_answers: bool = False, stream=None):
        self.app, self.max_body, self.log_answers = app, max_body, log_answers
        self.stream = stream or sys.stderr

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        seen, status = 0, [0]
        scope["symxai.log"] = log = {}
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._refuse(send, status)
            return self._write(scope, status[0], start, seen, log)

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise TooLarge
            return message

        async def watched(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except TooLarge:
            if not status[0]:
                await self._refuse(send, status)
        self._write(scope, status[0], start, seen, log)

    async def _refuse(self, send, status):
        body = json.dumps({"error": f"the request is larger than {self.max_body} bytes"}).encode()
        status[0] = 413
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _write(self, scope, status, start, seen, log):
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "method": scope.get("method"),
                 "path": scope.get("path"), "status": status, "ms": round(1000 * (time.perf_counter() - start), 1),
                 "bytes_in": seen, **redact(log, self.log_answers)}
        self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.stream.flush()
