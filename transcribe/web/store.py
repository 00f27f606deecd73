"""Reading and writing the learner's work: working copies (autosaved) and attempts.

A working copy carries a random token. Submitting sends that token; an attempt is stored
under it (the column is unique), so a double click or a second tab submitting the same copy
finds the attempt already there and records nothing new. After a submission the working copy
starts afresh with a new token.

Every write to a copy names it by its token, in the statement itself (``UPDATE … WHERE token
= :sent``): an autosave sent while its copy is being submitted either lands before the
submission (and is replaced by the fresh copy) or finds the token gone and is refused — it
never writes the submitted text into the next copy.

A copy of a versioned exercise keeps the version it was made on (``exercise_version``):
its attempt is graded against that version and records it. A copy not started yet follows
the exercise to its newest version (``repin``); the copy after a submission starts on the
version offered then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .db import Attempt, WorkingCopy, as_utc, utcnow


def new_token() -> str:
    return secrets.token_urlsafe(24)


def working_copy(sessions: sessionmaker[Session], learner_id: int, exercise_id: str, mode: str,
                 initial_text: str = "", version: int | None = None) -> WorkingCopy:
    """The learner's copy in progress on this exercise and mode (created empty, or with a draft,
    on the exercise's ``version``)."""
    for _ in range(2):
        with sessions.begin() as session:
            copy = _find_copy(session, learner_id, exercise_id, mode)
            if copy is not None:
                return copy
        try:
            with sessions.begin() as session:
                copy = WorkingCopy(learner_id=learner_id, exercise_id=exercise_id, mode=mode,
                                   token=new_token(), text=initial_text, updated_at=utcnow(),
                                   exercise_version=version)
                session.add(copy)
                return copy
        except IntegrityError:  # created by a concurrent request: read it
            continue
    raise RuntimeError("working copy")


def _find_copy(session: Session, learner_id: int, exercise_id: str, mode: str) -> WorkingCopy | None:
    return session.scalar(select(WorkingCopy).where(
        WorkingCopy.learner_id == learner_id, WorkingCopy.exercise_id == exercise_id, WorkingCopy.mode == mode))


def _copy_by_token(session: Session, learner_id: int, token: str) -> WorkingCopy | None:
    return session.scalar(select(WorkingCopy).where(WorkingCopy.learner_id == learner_id, WorkingCopy.token == token))


def _update_copy(sessions: sessionmaker[Session], learner_id: int, token: str, *conditions, **values) -> bool:
    """Change the learner's copy that still has ``token``, in one statement; whether it did."""
    with sessions.begin() as session:
        done = session.execute(update(WorkingCopy).where(WorkingCopy.learner_id == learner_id,
                                                         WorkingCopy.token == token, *conditions).values(**values))
        return done.rowcount == 1


def save_copy(sessions: sessionmaker[Session], learner_id: int, token: str, text: str,
              pastes: int, pasted_chars: int) -> datetime | None:
    """Autosave: the moment saved, or None when the token is no longer the copy's (submitted)."""
    now = utcnow()
    saved = _update_copy(sessions, learner_id, token, text=text, updated_at=now,
                         pastes=case((WorkingCopy.pastes > pastes, WorkingCopy.pastes), else_=pastes),
                         pasted_chars=case((WorkingCopy.pasted_chars > pasted_chars, WorkingCopy.pasted_chars),
                                           else_=pasted_chars))
    return now if saved else None


def repin(sessions: sessionmaker[Session], learner_id: int, token: str, text: str,
          version: int | None) -> bool:
    """Move a copy not started yet to another version of its exercise (its start text with it)."""
    return _update_copy(sessions, learner_id, token, WorkingCopy.started_at.is_(None), text=text,
                        exercise_version=version, updated_at=utcnow())


def copy_version(sessions: sessionmaker[Session], learner_id: int, token: str) -> tuple[bool, int | None]:
    """(the copy exists, the version it is on) for a token."""
    with sessions.begin() as session:
        copy = _copy_by_token(session, learner_id, token)
        return (copy is not None, copy.exercise_version if copy is not None else None)


def mark_started(sessions: sessionmaker[Session], learner_id: int, token: str) -> WorkingCopy | None:
    """The first play: the clock of the DEL criterion starts (once)."""
    _update_copy(sessions, learner_id, token, WorkingCopy.started_at.is_(None), started_at=utcnow())
    with sessions.begin() as session:
        return _copy_by_token(session, learner_id, token)


def attempt_by_token(sessions: sessionmaker[Session], learner_id: int, token: str) -> Attempt | None:
    with sessions.begin() as session:
        return session.scalar(select(Attempt).where(Attempt.learner_id == learner_id, Attempt.token == token))


@dataclass
class Submission:
    token: str
    text: str
    pastes: int
    pasted_chars: int


def submit(sessions: sessionmaker[Session], learner_id: int, exercise_id: str, mode: str, sent: Submission,
           grade: Callable[[str, float | None], tuple[dict, dict, str, str]],
           reset_text: str = "", version: int | None = None,
           reset_version: int | None = None) -> tuple[Attempt | None, bool]:
    """(attempt, created). ``grade(text, elapsed_minutes)`` returns (score, report, title, reference hash),
    against the exercise's ``version``, which the attempt records; the next copy starts from
    ``reset_text`` on ``reset_version``.

    None when the token belongs to no copy of this exercise and to no attempt (a stale page).
    """
    existing = attempt_by_token(sessions, learner_id, sent.token)
    if existing is not None:
        return existing, False
    with sessions.begin() as session:
        copy = _copy_by_token(session, learner_id, sent.token)
        if copy is None or copy.exercise_id != exercise_id or copy.mode != mode:
            return None, False
        started = as_utc(copy.started_at)
        pastes, pasted_chars = max(copy.pastes, sent.pastes), max(copy.pasted_chars, sent.pasted_chars)
    # the text sent is the copy's now: if grading fails, the learner finds it on the page again
    _update_copy(sessions, learner_id, sent.token, text=sent.text, updated_at=utcnow())
    submitted = utcnow()
    elapsed = (submitted - started).total_seconds() if started else None
    # DEL is graded on the minutes to the hundredth: the exports' manifest gives the same value
    score, report, title, reference_sha = grade(sent.text, round(elapsed / 60, 2) if elapsed is not None else None)
    attempt = Attempt(learner_id=learner_id, token=sent.token, exercise_id=exercise_id, exercise_title=title,
                      mode=mode, text=sent.text, started_at=started, submitted_at=submitted,
                      elapsed_seconds=elapsed, pastes=pastes, pasted_chars=pasted_chars, note=score.get("note"),
                      acquis=score.get("acquis"), reference_sha256=reference_sha, score=score, report=report,
                      exercise_version=version)
    try:
        with sessions.begin() as session:
            session.add(attempt)
            session.flush()
            session.execute(update(WorkingCopy).where(  # the next copy starts afresh
                WorkingCopy.learner_id == learner_id, WorkingCopy.token == sent.token).values(
                token=new_token(), text=reset_text, started_at=None, pastes=0, pasted_chars=0, updated_at=utcnow(),
                exercise_version=reset_version))
    except IntegrityError:  # the same copy submitted at the same moment by another request
        return attempt_by_token(sessions, learner_id, sent.token), False
    return attempt, True


def get_attempt(sessions: sessionmaker[Session], learner_id: int, attempt_id: int) -> Attempt | None:
    with sessions.begin() as session:
        return session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.learner_id == learner_id))


def attempts(sessions: sessionmaker[Session], learner_id: int) -> list[Attempt]:
    """Every attempt of the learner, oldest first."""
    with sessions.begin() as session:
        return list(session.scalars(select(Attempt).where(Attempt.learner_id == learner_id)
                                    .order_by(Attempt.submitted_at, Attempt.id)))


def count_attempts(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return session.scalar(select(func.count(Attempt.id))) or 0


@dataclass
class ExerciseSummary:
    count: int = 0
    best: float | None = None
    last_note: float | None = None
    last_at: datetime | None = None
    last_id: int | None = None
    acquis: bool = False


def summaries(sessions: sessionmaker[Session], learner_id: int) -> dict[str, ExerciseSummary]:
    """Per exercise: number of attempts, best note, last attempt, acquired once."""
    out: dict[str, ExerciseSummary] = {}
    with sessions.begin() as session:
        rows = session.execute(select(Attempt.id, Attempt.exercise_id, Attempt.note, Attempt.acquis,
                                      Attempt.submitted_at).where(Attempt.learner_id == learner_id)
                               .order_by(Attempt.submitted_at, Attempt.id))
        for attempt_id, exercise_id, note, acquis, submitted in rows:
            s = out.setdefault(exercise_id, ExerciseSummary())
            s.count += 1
            if note is not None and (s.best is None or note > s.best):
                s.best = note
            s.last_note, s.last_at, s.last_id = note, as_utc(submitted), attempt_id
            s.acquis = s.acquis or bool(acquis)
    return out
