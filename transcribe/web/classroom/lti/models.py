"""The LTI tool's tables: platforms, pending launches, Moodle accounts and courses, grades sent back.

- ``lti_platforms``: one Moodle site (or any LTI 1.3 platform) as its administrator registered
  it: issuer, client id, deployment ids, keyset, token and authentication URLs;
- ``lti_launch_states``: a login initiation waiting for its launch (state, nonce, expiry); the
  launch deletes its row, so a state or nonce serves once, in every server process;
- ``lti_accounts``: a Moodle user (``sub`` on a platform) in one role ↔ the account here;
- ``lti_courses``: a Moodle course (context id on a platform) ↔ its class here;
- ``lti_grades``: per learner and Moodle activity (resource link), the line item to post to, the
  score to send and where sending stands (``aucune``, ``en_attente``, ``envoyee``, ``refusee``),
  the retries and Moodle's last answer. It is the send queue: nothing is lost when Moodle is
  down or the server restarts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...db import Base, utcnow

NOT_SENT, PENDING, SENT, REFUSED = "aucune", "en_attente", "envoyee", "refusee"
STATES = {NOT_SENT: "aucune note", PENDING: "en attente", SENT: "envoyée", REFUSED: "refusée"}


class Platform(Base):
    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(400))  # « ID de la plateforme »
    client_id: Mapped[str] = mapped_column(String(400))
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    keyset_url: Mapped[str] = mapped_column(String(1000))
    token_url: Mapped[str] = mapped_column(String(1000))
    auth_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LaunchState(Base):
    __tablename__ = "lti_launch_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Account(Base):
    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("platform_id", "subject", "role", name="uq_lti_accounts_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the id_token's ``sub``
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)


class Course(Base):
    __tablename__ = "lti_courses"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", name="uq_lti_courses_context"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), unique=True)


class GradeLink(Base):
    __tablename__ = "lti_grades"
    __table_args__ = (UniqueConstraint("user_id", "platform_id", "resource_link_id", name="uq_lti_grades_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # Moodle's user id, the score's ``userId``
    resource_link_id: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=NOT_SENT)
    score_given: Mapped[float | None] = mapped_column(Float, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # +1 at each new score to send
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
