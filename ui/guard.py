"""What stands between the web and the server's files and passwords.

- ``LoginThrottle``: wrong passwords (the chat's and the staff tab's) hold their client
  address and their account for a delay, one try at a time, and too many from one address
  lock it out for a while (logged).
- ``StaffSessions``: the browsers logged in to the staff tab (a cookie set after the staff
  password).
- ``AccessGuard``: an ASGI middleware on Gradio's FastAPI app that refuses its upload route
  to anyone not logged in as staff, and serves from its file route only the indexed
  documents (never what was uploaded, nor Gradio's cache).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from assistant.api import LoginLockedError, Settings

log = logging.getLogger("rv.login")

#: The cookie that marks a browser logged in to the staff tab.
STAFF_COOKIE = "rv-staff"
#: Hours a staff login lasts.
STAFF_SESSION_HOURS = 12.0
#: Entries kept per table before the stale ones are swept out (an attacker varying names
#: or addresses cannot grow them without end).
_SWEEP_AT = 10_000

#: The client address of the request being handled (set by ``AccessGuard`` for Gradio's
#: login route, whose password check is not given the request).
client_address: contextvars.ContextVar[str] = contextvars.ContextVar(
    "client_address", default="unknown"
)


class LoginThrottle:
    """Checks passwords one at a time per client address and per account; a wrong one holds
    both for ``delay`` seconds, and ``max_failures`` within ``window`` seconds from one
    address lock it out for ``lockout`` seconds."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 600.0,
        lockout: float = 900.0,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.delay = delay
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            settings.login_max_failures,
            settings.login_failure_window,
            settings.login_lockout_seconds,
            settings.login_delay,
        )

    def locked_for(self, address: str) -> float:
        """Seconds ``address`` stays locked out (0: it may try)."""
        until = self._locked_until.get(address)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            del self._locked_until[address]
            return 0.0
        return left

    async def attempt(self, address: str, account: str, check: Callable[[], bool]) -> bool:
        """Whether ``check`` (the password comparison) passed; raises ``LoginLockedError``
        while ``address`` is locked out, without checking."""
        if left := self.locked_for(address):
            raise LoginLockedError(left)
        async with self._held("address", address), self._held("account", account):
            if left := self.locked_for(address):  # locked out while this try waited
                raise LoginLockedError(left)
            if check():
                self._failures.pop(address, None)
                return True
            self._fail(address, account)
            await asyncio.sleep(self.delay)
            return False

    def _fail(self, address: str, account: str) -> None:
        now = self._clock()
        if len(self._failures) > _SWEEP_AT:
            self._sweep(now)
        failures = self._failures.setdefault(address, deque())
        failures.append(now)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) >= self.max_failures:
            self._locked_until[address] = now + self.lockout
            failures.clear()
            log.warning(
                "login: %s locked out for %g s after %d wrong passwords within %g s "
                "(last account tried: %s)",
                address, self.lockout, self.max_failures, self.window, account[:40],
            )  # fmt: skip

    def _sweep(self, now: float) -> None:
        for address in [
            a for a, f in self._failures.items() if not f or f[-1] <= now - self.window
        ]:
            del self._failures[address]
        for address in [a for a, u in self._locked_until.items() if u <= now]:
            del self._locked_until[address]

    @asynccontextmanager
    async def _held(self, kind: str, name: str) -> AsyncIterator[None]:
        """One try at a time for this address (or account); the lock is forgotten when no
        try holds or awaits it."""
        key = (kind, name)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class StaffSessions:
    """The staff tab's logins: a random token per browser, kept in its cookie."""

    def __init__(self, hours: float = STAFF_SESSION_HOURS) -> None:
        self._seconds = hours * 3600
        self._tokens: dict[str, float] = {}

    def start(self) -> str:
        now = time.monotonic()
        if len(self._tokens) > _SWEEP_AT:
            self._tokens = {t: u for t, u in self._tokens.items() if u > now}
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + self._seconds
        return token

    def valid(self, token: str | None) -> bool:
        until = self._tokens.get(token or "")
        return until is not None and until > time.monotonic()


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_API = "/gradio_api"
_FILE_ROUTES = (f"{_API}/file=", f"{_API}/file/")


class AccessGuard:
    """ASGI middleware for Gradio's app: uploads for staff only, files for the indexed
    documents only; it also tells the login route's password check who is asking."""

    def __init__(
        self,
        app: ASGIApp,
        sessions: StaffSessions,
        served_files: Callable[[], list[str]],
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.served_files = served_files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route(scope)
        if path.rstrip("/") == f"{_API}/upload" and not self.sessions.valid(_cookie(scope)):
            await _refuse(send, "Uploads are for staff only: log in on the staff tab.")
            return
        for route in _FILE_ROUTES:
            if path.startswith(route) and not self._served(path[len(route) :]):
                await _refuse(send, "File not allowed: only the indexed documents are served.")
                return
        if path.rstrip("/") == "/login":
            client = scope.get("client")
            token = client_address.set(str(client[0]) if client else "unknown")
            try:
                await self.app(scope, receive, send)
            finally:
                client_address.reset(token)
            return
        await self.app(scope, receive, send)

    def _served(self, asked: str) -> bool:
        if "://" in asked or not asked:
            return False
        wanted = _real(asked)
        return any(_real(served) == wanted for served in self.served_files())


def _route(scope: Scope) -> str:
    """The request's path within the app (its root path, if mounted under one, removed)."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :]
    return path  # as the router sees it: already percent-decoded once, by the server


def _real(path: str) -> str:
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except (OSError, RuntimeError, ValueError):
        return ""


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies: SimpleCookie = SimpleCookie()
            try:
                cookies.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header carries no session
                continue
            if STAFF_COOKIE in cookies:
                return cookies[STAFF_COOKIE].value
    return None


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def staff_cookie_js() -> str:
    """The page's script that keeps the staff login's token in the browser's cookie."""
    return (
        "(token) => { if (token) { document.cookie = "
        f"'{STAFF_COOKIE}=' + token + '; path=/; SameSite=Strict'; }} }}"
    )


__all__ = [
    "STAFF_COOKIE",
    "AccessGuard",
    "LoginThrottle",
    "StaffSessions",
    "client_address",
    "staff_cookie_js",
]
