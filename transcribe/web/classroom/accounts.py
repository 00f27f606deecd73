"""Accounts: names, Argon2id passwords, login with throttling, join codes, CSV import.

Account names are compared casefolded (« Dupont » and « dupont » are one account). A wrong
password and an unknown name give the same answer, and take the same time: one hash is
verified in both cases (for an unknown name, a dummy hash made once). Every Argon2
computation (64 MiB and 4 lanes for ~0.1 s) runs under one semaphore of ``MAX_HASHING``
places, so that a burst of logins queues instead of taking the server's memory.

Throttling: every attempt is recorded as a failure *before* its password is verified (and
forgotten only if it succeeds), so that attempts sent at once count like the same guesses in
a row. After ``MAX_FAILURES`` failures within ``WINDOW`` for one name, or
``MAX_FAILURES_ADDRESS`` from one address (wrong passwords, unknown join codes, registration
probes alike), logging in is refused until the window has passed, even with the right
password; a success does not erase the failures before it.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ...errors import TranscribeError
from .models import LEARNER, NO_PASSWORD, LoginFailure, Membership, SchoolClass, User
from ..db import SOLO_LEARNER, Learner, utcnow

HASHER = PasswordHasher()  # Argon2id with argon2-cffi's recommended parameters (RFC 9106)
# Each hash takes 64 MiB and 4 lanes for ~0.1 s: a class logging in at once queues here instead
# of taking the server's memory (40 request threads × 64 MiB). Per server process.
MAX_HASHING = 2
HASHING = threading.BoundedSemaphore(MAX_HASHING)
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_FAILURES = 10
MAX_FAILURES_ADDRESS = 50
WINDOW = timedelta(minutes=15)
NAME_RE = re.compile(r"^[\w][\w.\-]{1,59}$")  # letters (accents too), digits, « . - _ »
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
BAD_LOGIN = "Nom d'utilisateur ou mot de passe incorrect."
TOO_MANY = "Trop de tentatives : réessayez dans 15 minutes."
_DUMMY_HASHES: dict[tuple, str] = {}
_DUMMY_LOCK = threading.Lock()


def _dummy_hash() -> str:
    """A hash to verify when the account does not exist (the answer takes as long as a wrong
    password): made once per hasher's parameters, under the semaphore like every hash."""
    hasher = HASHER
    key = (type(hasher), hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len)
    with _DUMMY_LOCK:
        if key not in _DUMMY_HASHES:
            _DUMMY_HASHES[key] = hash_password("pas-un-vrai-mot-de-passe")
        return _DUMMY_HASHES[key]


class AccountError(TranscribeError):
    """A refused account operation; the message is shown to the user as is."""


def normalise_name(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip()).casefold()


def name_problem(name: str) -> str:
    """Why ``name`` cannot be an account name ('' when it can); it is also a folder name in exports."""
    if not NAME_RE.match(normalise_name(name)):
        return ("nom d'utilisateur refusé : de 2 à 60 caractères, lettres, chiffres, « . », « - » ou « _ », "
                "sans espace, commençant par une lettre ou un chiffre.")
    return ""


def password_problem(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        return f"mot de passe trop court : {MIN_PASSWORD} caractères au moins."
    if len(password) > MAX_PASSWORD:
        return f"mot de passe trop long : {MAX_PASSWORD} caractères au plus."
    return ""


def hash_password(password: str) -> str:
    with HASHING:
        return HASHER.hash(password)


def new_password() -> str:
    """An initial password to hand over once (12 characters, easy to read aloud)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def new_join_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    raw = re.sub(r"[\s\-]", "", code.upper())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalise_name(name)))


def name_taken(session: Session, name: str, role: str) -> str:
    """Why no new account may take this name ('' when it may): an account has it, or (for a
    learner) a workspace learner does — the solo learner « local »'s attempts are not handed
    to a new account. Cheap: asked before any hash is made."""
    username = normalise_name(name)
    if find_user(session, username) is not None or (role == LEARNER and (
            username == SOLO_LEARNER or session.scalar(select(Learner.id).where(Learner.name == username)))):
        return f"le nom d'utilisateur « {username} » est déjà pris."
    return ""


def create_user(session: Session, name: str, password: str | None, role: str, display_name: str = "",
                created_by: int | None = None, password_hash: str | None = None, email: str = "") -> User:
    """A new account (a learner account gets its workspace learner). AccountError when refused.

    ``password_hash``: already computed (outside the transaction) from ``password``;
    ``password`` None: an account without password (opened from Moodle, ``lti.people``)."""
    problem = (name_problem(name) or (password_problem(password) if password is not None else "")
               or name_taken(session, name, role))
    if problem:
        raise AccountError(problem)
    username = normalise_name(name)
    digest = NO_PASSWORD if password is None else password_hash or hash_password(password)
    user = User(username=username, display_name=display_name.strip()[:200] or name.strip(), role=role,
                password_hash=digest, created_by=created_by, email=email.strip()[:320])
    if role == LEARNER:
        learner = Learner(name=username)
        session.add(learner)
        session.flush()
        user.learner_id = learner.id
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # created at the same moment by another request
        raise AccountError(f"le nom d'utilisateur « {username} » est déjà pris.") from exc
    return user


def set_password(session: Session, user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)


# --- logging in ----------------------------------------------------------------------------

def name_key(name: str) -> str:
    return "nom:" + normalise_name(name)[:200]


def address_key(address: str) -> str:
    return "ip:" + address[:200]


def _failures(session: Session, key: str) -> int:
    return session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.key == key, LoginFailure.at > utcnow() - WINDOW)) or 0


def begin_attempt(sessions: sessionmaker[Session], limits: dict[str, int]) -> list[int] | None:
    """Record an attempt as a failure under each key (``{key: limit}``), then count: the ids of
    the rows recorded, or None (and nothing kept) when a key is past its limit.

    Recorded and committed first, counted after: of attempts sent at once, the k-th to commit
    counts at least k, so no more than ``limit`` of them go on, on any database."""
    now = utcnow()
    with sessions.begin() as session:
        rows = [LoginFailure(key=key, at=now) for key in limits]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - 2 * WINDOW))
    with sessions.begin() as session:
        if all(_failures(session, key) <= limit for key, limit in limits.items()):
            return ids
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))
    return None


def succeeded(sessions: sessionmaker[Session], attempt: list[int]) -> None:
    """The attempt succeeded: it is not a failure (the failures before it stay)."""
    with sessions.begin() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt)))


@dataclass
class LoginResult:
    user: User | None
    message: str = ""
    throttled: bool = False


def authenticate(sessions: sessionmaker[Session], name: str, password: str, address: str) -> LoginResult:
    """The account for these credentials, or the French reason (one message for both mistakes).

    The attempt is recorded as a failure first (``begin_attempt``); the password is then
    verified outside any transaction (no database connection waits on a hash), and the
    record removed if it was right.
    """
    attempt = begin_attempt(sessions, {name_key(name): MAX_FAILURES, address_key(address): MAX_FAILURES_ADDRESS})
    if attempt is None:
        return LoginResult(None, "Trop de tentatives de connexion : réessayez dans 15 minutes.", True)
    with sessions.begin() as session:
        user = find_user(session, name) if name.strip() else None
    has_password = user is not None and user.password_hash != NO_PASSWORD  # Moodle's accounts have none
    try:
        expected = user.password_hash if has_password else _dummy_hash()
        with HASHING:
            HASHER.verify(expected, password[:MAX_PASSWORD])
        ok = has_password
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        return LoginResult(None, BAD_LOGIN)
    rehashed = hash_password(password) if HASHER.check_needs_rehash(user.password_hash) else None
    if rehashed:
        with sessions.begin() as session:
            session.get(User, user.id).password_hash = rehashed
    succeeded(sessions, attempt)
    return LoginResult(user)


# --- classes ---------------------------------------------------------------------------------

def class_by_code(session: Session, code: str) -> SchoolClass | None:
    return session.scalar(select(SchoolClass).where(SchoolClass.join_code == normalise_code(code)))


def join(session: Session, user: User, school_class: SchoolClass) -> None:
    if session.scalar(select(Membership).where(Membership.class_id == school_class.id,
                                               Membership.user_id == user.id)) is None:
        session.add(Membership(class_id=school_class.id, user_id=user.id))
        session.flush()


@dataclass
class ImportRow:
    line: int
    username: str
    display_name: str
    password: str = ""  # the initial password, shown once
    problem: str = ""
    email: str = ""


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_learner_csv(data: bytes) -> list[ImportRow]:
    """Rows of a learner list: a column ``identifiant`` (or ``nom_utilisateur``, ``username``,
    ``login``), optionally ``nom`` (or ``nom_complet``, ``name``) and ``email`` (or
    ``courriel``, ``adresse e-mail``, ``Email address``: the one Moodle's CSV import can match);
    ``,`` or ``;`` separated, UTF-8 (with or without BOM) or Windows-1252. Without a header, the
    first column is the account name, the second the display name, the third the e-mail."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise AccountError("le fichier CSV est vide.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    header = [unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode().strip().lower() for c in rows[0]]
    name_col, display_col, email_col, start = 0, 1, 2, 0
    known_names = ("identifiant", "nom_utilisateur", "nom d'utilisateur", "username", "login", "utilisateur")
    known_display = ("nom", "nom_complet", "nom complet", "name", "display_name", "apprenant")
    known_email = ("email", "e-mail", "courriel", "mail", "adresse e-mail", "adresse email", "adresse de courriel",
                   "email address", "adresse electronique")
    if any(h in known_names for h in header):
        name_col = next(k for k, h in enumerate(header) if h in known_names)
        display_col = next((k for k, h in enumerate(header) if h in known_display), -1)
        email_col = next((k for k, h in enumerate(header) if h in known_email), -1)
        start = 1
    out = []
    for number, row in enumerate(rows[start:], start=start + 1):
        name = row[name_col].strip() if len(row) > name_col else ""
        display = row[display_col].strip() if 0 <= display_col < len(row) else ""
        email = row[email_col].strip()[:320] if 0 <= email_col < len(row) else ""
        problem = name_problem(name) if name else "identifiant vide."
        if not problem and email and not EMAIL_RE.match(email):
            problem = f"adresse e-mail invalide : « {email[:80]} »."
        out.append(ImportRow(number, name, display, problem=problem, email=email))
    if not out:
        raise AccountError("le fichier CSV ne contient aucun apprenant (seulement un en-tête).")
    return out


def import_learners(session: Session, rows: list[ImportRow], school_class: SchoolClass,
                    trainer: User) -> list[ImportRow]:
    """Create each account (initial password set on the row) and add it to the class."""
    seen = set()
    for row in rows:
        key = normalise_name(row.username)
        if row.problem:
            continue
        if key in seen:
            row.problem = "identifiant en double dans le fichier."
            continue
        seen.add(key)
        if find_user(session, key) is not None:
            row.problem = f"le nom d'utilisateur « {key} » existe déjà : compte non créé."
            continue
        row.password = new_password()
        user = create_user(session, key, row.password, LEARNER, row.display_name, created_by=trainer.id,
                           email=row.email)
        join(session, user, school_class)
        row.username = key
    return rows

