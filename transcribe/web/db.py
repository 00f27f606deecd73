"""The database: SQLAlchemy 2 models and the engine (SQLite by default, any URL later).

Three tables. ``learners``: who works (solo mode has one, « local »; the classroom adds
accounts on top). ``working_copies``: the copy in progress of one learner on one exercise
in one mode, autosaved, with the idempotency token that its submission will carry.
``attempts``: every submitted copy with its score (the score contract as JSON) and the
learner report's data, never modified afterwards.

An exercise made in the classroom server is versioned (``catalogue.Entry.version``): a
working copy keeps the version it was started on (``exercise_version``) and its attempt is
graded against that version and records it; files exercises have none (``None``).

Constraint names follow a naming convention for Alembic; ``migrate.create_schema`` creates the
schema or migrates it; a model change comes with a script in ``migrations/versions`` (the
classroom's tables: ``classroom/models.py``, scripts in ``classroom/migrations``).
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Integer, MetaData, String, Text,
                        UniqueConstraint, create_engine, event, select)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from ..errors import TranscribeError, os_reason
from ..files import private_folder

SOLO_LEARNER = "local"
MODES = ("dictee", "correction")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Learner(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkingCopy(Base):
    __tablename__ = "working_copies"
    __table_args__ = (UniqueConstraint("learner_id", "exercise_id", "mode", name="uq_working_copies_owner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    pastes: Mapped[int] = mapped_column(Integer, default=0)
    pasted_chars: Mapped[int] = mapped_column(Integer, default=0)
    exercise_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version started on


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # one attempt per working copy
    exercise_id: Mapped[str] = mapped_column(String(200), index=True)
    exercise_title: Mapped[str] = mapped_column(String(400), default="")
    mode: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    elapsed_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    pastes: Mapped[int] = mapped_column(Integer, default=0)
    pasted_chars: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[float | None] = mapped_column(Float, nullable=True)
    acquis: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reference_sha256: Mapped[str] = mapped_column(String(64), default="")
    exercise_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version graded against
    score: Mapped[dict] = mapped_column(JSON)  # the score contract
    report: Mapped[dict] = mapped_column(JSON)  # the learner report's context (report.html)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")  # several server processes share the file
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_private(path: Path) -> None:
    """A new SQLite file and its folder, readable by their owner only (0600, 0700): the
    database holds password hashes, the cookies' signing key and every learner's texts.
    SQLite gives its -wal and -shm files the database's own permissions. Existing files are
    left as they are."""
    try:
        private_folder(path.parent)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(descriptor)
    except FileExistsError:
        pass
    except OSError as exc:
        raise TranscribeError(f"impossible de créer la base de données : {os_reason(exc)}.", path) from exc


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a new SQLite file is created private, with the pragmas a server needs."""
    try:
        make_url(url)
    except ArgumentError as exc:
        raise TranscribeError(f"adresse de base de données invalide : {url!r} (exemple : "
                              "sqlite:///chemin/base.sqlite3 ou postgresql://utilisateur@hôte/base).") from exc
    if url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            create_private(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):  # psycopg 3, not SQLAlchemy's default psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "postgresql+psycopg":
        try:
            import psycopg  # noqa: F401
        except ModuleNotFoundError:
            raise TranscribeError("PostgreSQL demande le pilote psycopg : pip install "
                                  "'transcribe-medical-fr[postgres]'.") from None
    return create_engine(parsed, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def solo_learner(session: Session) -> Learner:
    """The one learner of solo mode (created on first use)."""
    learner = session.scalar(select(Learner).where(Learner.name == SOLO_LEARNER))
    if learner is None:
        learner = Learner(name=SOLO_LEARNER)
        session.add(learner)
        session.flush()
    return learner
