"""Who may use the service: users with a role and a unit, API tokens, sessions, login throttle.

Takes the data folder (and the time, passed in); gives `Accounts` over one SQLite file
(`accounts.db`, WAL) beside the case store: users (`clerk` of one unit, `supervisor`, `admin`)
with argon2id password hashes, API tokens for systems and browser sessions (both kept only as
sha256 hashes, so the file alone lets nobody in), per-session CSRF secrets, and the failed
logins that throttle guessing. `Principal` says what a signed-in user may read and write.

Must not: keep cases or trail rows (the case store is their only record), read the clock, or
keep a password or token in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..diagnostics import Text

__all__ = ["ROLES", "AccountError", "Accounts", "Principal", "same_secret"]

ROLES = ("clerk", "supervisor", "admin")
SESSION_HOURS = 8
FAIL_WINDOW = dt.timedelta(minutes=15)
FAIL_LIMIT = 5
"""Failed logins of one user name within `FAIL_WINDOW` before its logins are refused."""
FAIL_LIMIT_IP = 20
"""Failed logins from one address (several people may share it) before it is refused."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, unit TEXT,
  pw_hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL
  REFERENCES users(name), label TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (hash TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL,
  expires TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS login_failures (who TEXT NOT NULL, time TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_who ON login_failures (who, time)
"""


class AccountError(ValueError):
    """A user or token request that cannot be done (unknown role, clerk without a unit …),
    said in English and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.text = Text(en, zh)


@dataclass(frozen=True)
class Principal:
    """A signed-in user: what they may read and write."""

    name: str
    role: str
    unit: str | None

    def can_read(self, unit: str | None) -> bool:
        return self.role in ("supervisor", "admin") or (unit is not None and unit == self.unit)

    def can_write(self, unit: str | None) -> bool:
        return self.role == "admin" or (self.role == "clerk" and unit is not None
                                        and unit == self.unit)

    @property
    def sees_all(self) -> bool:
        return self.role in ("supervisor", "admin")


def _utc(t: dt.datetime) -> str:
    """A time as UTC text, so stored times compare as strings."""
    return t.astimezone(dt.UTC).isoformat()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Accounts:
    """Users, tokens and sessions in `folder/accounts.db` (created on first use)."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / "accounts.db"
        self.hasher = PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_hex(16))
        self._local = threading.local()
        with self._db() as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (kept: the token is checked on every API request), in a
        transaction."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(self.path, timeout=30)
        with db:
            yield db

    # -- users and tokens (the CLI)
    def add_user(self, name: str, role: str, unit: str | None, password: str,
                 now: dt.datetime) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}",
                               f"未知角色 {role!r}，应为 {'、'.join(ROLES)} 之一")
        if role == "clerk" and not unit:
            raise AccountError("a clerk needs a unit (--unit)", "经办人员须指定单位（--unit）")
        if len(password) < 10:
            raise AccountError("the password is shorter than 10 characters", "密码少于 10 个字符")
        if not name.strip() or len(name) > 64 or any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise AccountError("a user name is 1-64 characters without control characters",
                               "用户名为 1-64 个字符，不含控制字符")
        with self._db() as db:
            try:
                db.execute("INSERT INTO users VALUES (?,?,?,?,?)",
                           (name, role, unit, self.hasher.hash(password), now.isoformat()))
            except sqlite3.IntegrityError:
                raise AccountError(f"user {name!r} exists", f"用户 {name!r} 已存在") from None

    def add_token(self, name: str, label: str, now: dt.datetime) -> str:
        """A new API token for user `name`; returned once, kept only as its hash."""
        if self.user(name) is None:
            raise AccountError(f"no user {name!r}", f"没有用户 {name!r}")
        token = "pf_" + secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute("INSERT INTO tokens VALUES (?,?,?,?)",
                       (_digest(token), name, label, now.isoformat()))
        return token

    def user(self, name: str) -> Principal | None:
        with self._db() as db:
            r = db.execute("SELECT name, role, unit FROM users WHERE name=?", (name,)).fetchone()
        return Principal(*r) if r else None

    def by_token(self, token: str) -> Principal | None:
        with self._db() as db:
            r = db.execute("SELECT u.name, u.role, u.unit FROM tokens t JOIN users u "
                           "ON u.name = t.name WHERE t.hash=?", (_digest(token),)).fetchone()
        return Principal(*r) if r else None

    # -- login and sessions (the pages)
    def throttled(self, name: str, ip: str, now: dt.datetime) -> bool:
        """Whether too many logins failed lately for this user name or from this address."""
        since = _utc(now - FAIL_WINDOW)
        with self._db() as db:
            by_user, by_ip = db.execute(
                "SELECT count(*) FILTER (WHERE who = ?), count(*) FILTER (WHERE who = ?) "
                "FROM login_failures WHERE time > ?", ("user:" + name, "ip:" + ip, since)
            ).fetchone()
        return int(by_user) >= FAIL_LIMIT or int(by_ip) >= FAIL_LIMIT_IP

    def login(self, name: str, password: str, ip: str,
              now: dt.datetime) -> tuple[str, str] | None:
        """A new session (cookie secret, CSRF secret) when the password is right; a failure
        is recorded (the same work is done for an unknown name, so timing tells nothing)."""
        with self._db() as db:
            r = db.execute("SELECT pw_hash FROM users WHERE name=?", (name,)).fetchone()
        try:
            ok = self.hasher.verify(r[0] if r else self._dummy, password) and r is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with self._db() as db:
            if not ok:
                db.executemany("INSERT INTO login_failures VALUES (?, ?)",
                               [("user:" + name, _utc(now)), ("ip:" + ip, _utc(now))])
                return None
            db.execute("DELETE FROM login_failures WHERE who=?", ("user:" + name,))
            secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = _utc(now + dt.timedelta(hours=SESSION_HOURS))
            db.execute("INSERT INTO sessions VALUES (?,?,?,?)", (_digest(secret), name, csrf,
                                                                 expires))
        return secret, csrf

    def session(self, secret: str, now: dt.datetime) -> tuple[Principal, str] | None:
        """The user and CSRF secret of a live session."""
        with self._db() as db:
            r = db.execute("SELECT u.name, u.role, u.unit, s.csrf, s.expires FROM sessions s "
                           "JOIN users u ON u.name = s.name WHERE s.hash=?",
                           (_digest(secret),)).fetchone()
        if r is None or r[4] <= _utc(now):
            return None
        return Principal(r[0], r[1], r[2]), str(r[3])

    def logout(self, secret: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE hash=?", (_digest(secret),))


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
