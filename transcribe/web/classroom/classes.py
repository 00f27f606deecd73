"""The classroom's data: classes, assignments, the class matrix, one learner's data, the audit log.

Every query that takes an id from a URL also takes the trainer (``trainer_id``): a class,
learner or attempt outside the trainer's classes is simply not found (the view answers 404),
so no page can show another trainer's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue import Catalogue, Entry
from .models import Assignment, AuditEntry, LoginSession, Membership, SchoolClass, User
from ..db import Attempt, Learner, WorkingCopy, as_utc, utcnow

MODE_LABELS = {"dictee": "saisie sous dictée", "correction": "correction de brouillon"}


# --- what a learner may work on ----------------------------------------------------------------

def is_open(assignment: Assignment, now: datetime | None = None) -> bool:
    now = now or utcnow()
    opens, closes = as_utc(assignment.opens_at), as_utc(assignment.closes_at)
    return (opens is None or opens <= now) and (closes is None or now < closes)


def open_assignments(sessions: sessionmaker[Session], user_id: int) -> dict[str, set[str]]:
    """Exercise id → modes, for the assignments of the learner's classes open right now."""
    with sessions.begin() as session:
        rows = session.scalars(select(Assignment).join(Membership, Membership.class_id == Assignment.class_id)
                               .where(Membership.user_id == user_id))
        out: dict[str, set[str]] = {}
        for a in rows:
            if is_open(a):
                out.setdefault(a.exercise_id, set()).add(a.mode)
        return out


class AssignedCatalogue:
    """The server's catalogue seen by one learner: only the exercises assigned to them, open now."""

    def __init__(self, catalogue, allowed: dict[str, set[str]]):
        self.catalogue = catalogue
        self.allowed = allowed

    def entries(self) -> list[Entry]:
        return [e for e in self.catalogue.entries() if e.exercise.id in self.allowed]

    def get(self, exercise_id: str) -> Entry | None:
        return self.catalogue.get(exercise_id) if exercise_id in self.allowed else None

    def at_version(self, exercise_id: str, version: int | None) -> Entry | None:
        return self.catalogue.at_version(exercise_id, version) if exercise_id in self.allowed else None

    def problems(self) -> list[str]:
        return []  # unreadable files are the trainer's business

    def modes(self, exercise_id: str) -> set[str]:
        return set(self.allowed.get(exercise_id, ()))


class CombinedCatalogue:
    """The exercises of several folders (the server's, then the ones trainers uploaded)."""

    def __init__(self, *catalogues: Catalogue):
        self.catalogues = catalogues
        self.folder = catalogues[0].folder

    def entries(self) -> list[Entry]:
        seen, out = set(), []
        for catalogue in self.catalogues:
            for entry in catalogue.entries():
                if entry.exercise.id not in seen:
                    seen.add(entry.exercise.id)
                    out.append(entry)
        return out

    def get(self, exercise_id: str) -> Entry | None:
        for catalogue in self.catalogues:
            entry = catalogue.get(exercise_id)
            if entry is not None:
                return entry
        return None

    def at_version(self, exercise_id: str, version: int | None) -> Entry | None:
        for catalogue in self.catalogues:
            entry = catalogue.at_version(exercise_id, version)
            if entry is not None:
                return entry
        return None

    def problems(self) -> list[str]:
        return [p for catalogue in self.catalogues for p in catalogue.problems()]


# --- a trainer's classes -----------------------------------------------------------------------

def trainer_classes(session: Session, trainer_id: int) -> list[SchoolClass]:
    return list(session.scalars(select(SchoolClass).where(SchoolClass.trainer_id == trainer_id)
                                .order_by(SchoolClass.name, SchoolClass.id)))


def get_class(session: Session, trainer_id: int, class_id: int) -> SchoolClass | None:
    return session.scalar(select(SchoolClass).where(SchoolClass.id == class_id,
                                                    SchoolClass.trainer_id == trainer_id))


def class_learners(session: Session, class_id: int) -> list[User]:
    return list(session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                .where(Membership.class_id == class_id).order_by(User.username)))


def class_assignments(session: Session, class_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.class_id == class_id)
                                .order_by(Assignment.created_at, Assignment.id)))


def trainer_learner(session: Session, trainer_id: int, user_id: int) -> User | None:
    """A learner account that belongs to one of the trainer's classes."""
    return session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                          .join(SchoolClass, SchoolClass.id == Membership.class_id)
                          .where(User.id == user_id, SchoolClass.trainer_id == trainer_id).limit(1))


def trainer_attempt(session: Session, trainer_id: int, attempt_id: int) -> tuple[Attempt, User] | None:
    """An attempt by a learner of one of the trainer's classes."""
    row = session.execute(select(Attempt, User).join(User, User.learner_id == Attempt.learner_id)
                          .join(Membership, Membership.user_id == User.id)
                          .join(SchoolClass, SchoolClass.id == Membership.class_id)
                          .where(Attempt.id == attempt_id, SchoolClass.trainer_id == trainer_id).limit(1)).first()
    return (row[0], row[1]) if row else None


# --- the class matrix --------------------------------------------------------------------------

@dataclass
class Cell:
    count: int = 0
    best: float | None = None
    last: Attempt | None = None
    acquis: bool = False
    seconds: float | None = None  # time spent, over the attempts that were timed
    pastes: int = 0


@dataclass
class Matrix:
    learners: list[User]
    assignments: list[Assignment]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (user id, assignment id)

    def cell(self, user: User, assignment: Assignment) -> Cell | None:
        return self.cells.get((user.id, assignment.id))


def class_attempts(session: Session, class_id: int) -> list[tuple[User, Attempt]]:
    """Every attempt of the class's learners on the class's assigned exercises, oldest first."""
    assignments = class_assignments(session, class_id)
    wanted = {(a.exercise_id, a.mode) for a in assignments}
    if not wanted:
        return []
    rows = session.execute(select(User, Attempt).join(Membership, Membership.user_id == User.id)
                           .join(Attempt, Attempt.learner_id == User.learner_id)
                           .where(Membership.class_id == class_id,
                                  Attempt.exercise_id.in_({e for e, _ in wanted}))
                           .order_by(Attempt.submitted_at, Attempt.id))
    return [(u, a) for u, a in rows if (a.exercise_id, a.mode) in wanted]


def matrix(session: Session, class_id: int) -> Matrix:
    m = Matrix(class_learners(session, class_id), class_assignments(session, class_id))
    by_key = {(a.exercise_id, a.mode): a for a in m.assignments}
    for user, attempt in class_attempts(session, class_id):
        assignment = by_key[(attempt.exercise_id, attempt.mode)]
        cell = m.cells.setdefault((user.id, assignment.id), Cell())
        cell.count += 1
        if attempt.note is not None and (cell.best is None or attempt.note > cell.best):
            cell.best = attempt.note
        cell.last = attempt
        cell.acquis = cell.acquis or bool(attempt.acquis)
        if attempt.elapsed_seconds is not None:
            cell.seconds = (cell.seconds or 0.0) + attempt.elapsed_seconds
        cell.pastes += attempt.pastes
    return m


def last_attempts(session: Session, class_id: int) -> list[tuple[User, Attempt]]:
    """Per learner and assigned exercise (and mode), the last attempt: what the exports hold."""
    last: dict[tuple, tuple[User, Attempt]] = {}
    for user, attempt in class_attempts(session, class_id):
        last[(user.id, attempt.exercise_id, attempt.mode)] = (user, attempt)
    return sorted(last.values(), key=lambda ua: (ua[0].username, ua[1].exercise_id, ua[1].mode))


# --- one learner's personal data (RGPD) --------------------------------------------------------

def learner_data(session: Session, user: User) -> dict:
    """Everything the server holds about one learner, as JSON data (right of access)."""
    classes = session.scalars(select(SchoolClass).join(Membership, Membership.class_id == SchoolClass.id)
                              .where(Membership.user_id == user.id).order_by(SchoolClass.id))
    attempts = session.scalars(select(Attempt).where(Attempt.learner_id == user.learner_id)
                               .order_by(Attempt.submitted_at, Attempt.id))
    copies = session.scalars(select(WorkingCopy).where(WorkingCopy.learner_id == user.learner_id)
                             .order_by(WorkingCopy.id))

    def moment(value):
        value = as_utc(value)
        return value.isoformat() if value else None

    return {
        "compte": {"identifiant": user.username, "nom": user.display_name, "role": user.role,
                   "courriel": user.email, "cree_le": moment(user.created_at)},
        "classes": [{"nom": c.name, "formateur_id": c.trainer_id} for c in classes],
        "tentatives": [{"id": a.id, "exercice": a.exercise_id, "titre": a.exercise_title, "mode": a.mode,
                        "texte": a.text, "debut": moment(a.started_at), "rendue_le": moment(a.submitted_at),
                        "duree_secondes": a.elapsed_seconds, "collages": a.pastes,
                        "caracteres_colles": a.pasted_chars, "note": a.note, "acquis": a.acquis,
                        "score": a.score} for a in attempts],
        "copies_en_cours": [{"exercice": c.exercise_id, "mode": c.mode, "texte": c.text,
                             "modifiee_le": moment(c.updated_at), "collages": c.pastes} for c in copies],
    }


def other_trainers(session: Session, user: User, trainer_id: int) -> bool:
    """Whether the learner also belongs to a class of another trainer."""
    return session.scalar(select(SchoolClass.id).join(Membership, Membership.class_id == SchoolClass.id)
                          .where(Membership.user_id == user.id, SchoolClass.trainer_id != trainer_id)
                          .limit(1)) is not None


def delete_learner(session: Session, user: User) -> int:
    """Erase the account, its login sessions, working copies and attempts; the number of attempts."""
    learner_id = user.learner_id
    count = 0
    if learner_id is not None:
        count = len(session.scalars(select(Attempt.id).where(Attempt.learner_id == learner_id)).all())
        session.execute(delete(Attempt).where(Attempt.learner_id == learner_id))
        session.execute(delete(WorkingCopy).where(WorkingCopy.learner_id == learner_id))
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.execute(delete(Membership).where(Membership.user_id == user.id))
    session.delete(user)
    session.flush()
    if learner_id is not None:
        session.execute(delete(Learner).where(Learner.id == learner_id))
    return count


# --- audit log ---------------------------------------------------------------------------------

def audit(session: Session, user: User, action: str, target: str = "", **detail) -> None:
    session.add(AuditEntry(at=utcnow(), user_id=user.id, username=user.username, action=action,
                           target=target[:400], detail=detail))


def audit_entries(session: Session, trainer_id: int, limit: int = 500) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.user_id == trainer_id)
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))
