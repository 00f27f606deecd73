"""The classroom's tables, beside the workspace's (``db``): accounts, classes, assignments, audit.

- ``users``: trainer and learner accounts (Argon2id hash); a learner account owns one row of
  ``learners``, so the workspace's attempts are theirs without any change to the workspace.
- ``login_sessions``: one row per logged-in browser (the cookie carries a signed random key,
  the row its SHA-256): logging out deletes the row, so a copied cookie is worth nothing.
- ``login_failures``: recent wrong passwords, by account name and by address (throttling is
  shared by every server process, since it lives in the database).
- ``classes`` (with a join code), ``memberships`` (learner ↔ class), ``assignments``
  (an exercise set to a class, in a mode, with an opening period).
- ``audit_log``: what trainers did (exports, deletions, imports…), never modified.
- ``server_secrets``: the key that signs cookies, shared by every process and machine.
- ``creations``: an exercise a trainer makes in the browser from a recording — the form as
  typed (``draft``, autosaved), its state (``brouillon`` never published, ``publie``,
  ``retire``) and the version offered; ``creation_versions``: each published version (its
  files are ``authoring.store``'s); ``authoring_jobs``: the transcription queue (one job a
  recording), kept in the database so that it survives a restart.
- ``attempt_comments``: a trainer's comment on an attempt, shown on the learner's report.

The LTI tool's tables (platforms, launches, Moodle accounts and courses, grades sent back) are in
``lti/models.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow

TRAINER = "formateur"
LEARNER = "apprenant"
ROLES = (TRAINER, LEARNER)
GRADE_POLICIES = {"meilleure": "la meilleure", "derniere": "la dernière", "premiere": "la première"}
DEFAULT_GRADE_POLICY = "meilleure"
NO_PASSWORD = "!lti"  # the hash of an account opened from Moodle: no password ever matches it


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)  # stored casefolded
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(400))  # NO_PASSWORD: an account opened from Moodle
    email: Mapped[str] = mapped_column(String(320), default="", server_default="")
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), unique=True,
                                                   nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(250), index=True)  # "nom:<account>" or "ip:<address>"
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class SchoolClass(Base):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    join_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_memberships_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # which attempt Moodle's gradebook gets (GRADE_POLICIES)
    grade_policy: Mapped[str] = mapped_column(String(20), default=DEFAULT_GRADE_POLICY,
                                              server_default=DEFAULT_GRADE_POLICY)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                                                index=True)
    username: Mapped[str] = mapped_column(String(200))  # kept when the account is gone
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(400), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class ServerSecret(Base):
    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


DRAFT, PUBLISHED, WITHDRAWN = "brouillon", "publie", "retire"  # Creation.state
QUEUED, RUNNING, DONE, FAILED = "en_attente", "en_cours", "terminee", "echec"  # AuthoringJob.state


class Creation(Base):
    __tablename__ = "creations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(80), unique=True)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the version offered to learners (0: none yet)
    draft: Mapped[dict] = mapped_column(JSON, default=dict)  # the form, as typed (authoring.form.FIELDS)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # one more at each autosave
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review: Mapped[dict] = mapped_column(JSON, default=dict)  # what Whisper was unsure of, near-misses
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)  # seconds of recording
    recording_format: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreationVersion(Base):
    __tablename__ = "creation_versions"
    __table_args__ = (UniqueConstraint("creation_id", "version", name="uq_creation_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creation_id: Mapped[int] = mapped_column(ForeignKey("creations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(400), default="")
    reference_sha256: Mapped[str] = mapped_column(String(64), default="")
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthoringJob(Base):
    __tablename__ = "authoring_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creation_id: Mapped[int] = mapped_column(ForeignKey("creations.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # title, specialty, vocabulary given at upload
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str] = mapped_column(String(120), default="")  # who runs it (host, process, random)
    runs: Mapped[int] = mapped_column(Integer, default=0)  # how many times it was started
    stage: Mapped[str] = mapped_column(String(20), default="")
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")


class AttemptComment(Base):
    __tablename__ = "attempt_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
