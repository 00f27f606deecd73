"""A trainer's comment on an attempt: written on the trainer's attempt page, read on the learner's report.

One comment an attempt (``attempt_comments``), which any trainer of the learner's classes
may write, change or empty (an empty comment is removed); each change goes to the audit log.
The learner's report gets it through the workspace's ``Services.attempt_notes`` hook: the
workspace shows notes without knowing where they come from.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..db import Attempt, utcnow
from . import classes
from .models import AttemptComment, User

MAX_COMMENT = 5000


def comment_of(session: Session, attempt_id: int) -> AttemptComment | None:
    return session.scalar(select(AttemptComment).where(AttemptComment.attempt_id == attempt_id))


def set_comment(session: Session, trainer: User, attempt: Attempt, learner: User, text: str) -> AttemptComment | None:
    """Write (or, empty, remove) the comment on an attempt the trainer may see."""
    text = text.replace("\r\n", "\n").strip()[:MAX_COMMENT]
    comment = comment_of(session, attempt.id)
    if not text:
        if comment is not None:
            session.delete(comment)
            classes.audit(session, trainer, "commentaire_supprime", learner.username, tentative=attempt.id)
        return None
    if comment is None:
        comment = AttemptComment(attempt_id=attempt.id)
        session.add(comment)
    comment.text, comment.author_id, comment.updated_at = text, trainer.id, utcnow()
    comment.author_name = trainer.display_name or trainer.username
    classes.audit(session, trainer, "commentaire", learner.username, tentative=attempt.id)
    session.flush()
    return comment


def attempt_notes(sessions: sessionmaker[Session]):
    """The hook the learner's report calls: the trainer's comment on the attempt, if any."""

    def notes(attempt: Attempt) -> list[dict]:
        with sessions.begin() as session:
            comment = comment_of(session, attempt.id)
            if comment is None:
                return []
            return [{"author": comment.author_name, "text": comment.text, "at": comment.updated_at}]

    return notes
