"""Login sessions: a signed cookie holding a random key, a database row holding the rest.

The cookie (``transcribe_session``) carries a random key signed with the server's secret
(itsdangerous): HttpOnly (no script reads it), SameSite=Lax (not sent by another site's
forms), Secure when the page came over HTTPS (``Settings.secure_cookies`` forces it behind a
proxy). The database keeps only the key's SHA-256, the account, the CSRF token of the session
and an expiry: logging out deletes the row, so the cookie is worth nothing afterwards, even
if it was copied. The secret is created once and kept in the database, so that every worker
process and every machine behind a proxy accepts the same cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .models import LoginSession, ServerSecret, User
from ..db import as_utc, utcnow

COOKIE = "transcribe_session"
LIFETIME = timedelta(hours=12)


def server_secret(sessions: sessionmaker[Session]) -> str:
    """The signing secret (created by the first process that needs it)."""
    for _ in range(2):
        with sessions.begin() as session:
            row = session.get(ServerSecret, "cookie")
            if row is not None:
                return row.value
        try:
            with sessions.begin() as session:
                session.add(ServerSecret(name="cookie", value=secrets.token_urlsafe(48)))
        except IntegrityError:  # another process created it first: read theirs
            continue
    raise RuntimeError("server secret")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Logins:
    """Opens, finds and ends login sessions."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self.signer = Signer(server_secret(sessions), salt="transcribe-session")

    def open(self, session: Session, user: User) -> tuple[str, LoginSession]:
        """(cookie value, row) for a new login; expired rows are swept on the way."""
        key = secrets.token_urlsafe(32)
        row = LoginSession(key_hash=_digest(key), user_id=user.id, csrf=secrets.token_urlsafe(32),
                           created_at=utcnow(), expires_at=utcnow() + LIFETIME)
        session.add(row)
        session.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
        session.flush()
        return self.signer.sign(key).decode(), row

    def find(self, session: Session, cookie: str | None) -> tuple[LoginSession, User] | None:
        if not cookie or len(cookie) > 200:
            return None
        try:
            key = self.signer.unsign(cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        row = session.scalar(select(LoginSession).where(LoginSession.key_hash == _digest(key)))
        if row is None or as_utc(row.expires_at) < utcnow():
            return None
        user = session.get(User, row.user_id)
        return (row, user) if user is not None else None

    def end(self, session: Session, cookie: str | None) -> None:
        found = self.find(session, cookie)
        if found is not None:
            session.delete(found[0])

    @staticmethod
    def end_all(session: Session, user_id: int) -> None:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def cookie_header(value: str, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def set_cookie(response, value: str, secure: bool) -> None:
    response.headers.append("set-cookie", cookie_header(value, secure, int(LIFETIME.total_seconds())))


def clear_cookie(response, secure: bool) -> None:
    response.headers.append("set-cookie", cookie_header("", secure, 0))
