"""Who is who after a verified launch: the account, the class of the course, the learner's activity.

- The account: found from the platform and Moodle's ``sub`` (and the role: one Moodle person who
  teaches a course and follows another has a trainer account and a learner account here), or
  created without a password, with the name and e-mail Moodle shares (updated at each launch).
  Its account name is made from the person's name (« paul.martin », then « paul.martin-2 »).
- Roles: Instructor (or an administrator) → trainer; Learner → learner; nothing else is let in.
- The class of the Moodle course (context id): made by the first trainer's launch (the Deep
  Linking request that adds an activity is one), named after the course. A learner who comes
  before any trainer is told to wait; a second trainer of the same course is told who has it.
- The learner joins the class; the activity's exercise and mode (the resource link's custom
  parameters ``exercice`` and ``mode``, written by Deep Linking) become an assignment of the
  class, and the learner's row in ``lti_grades`` remembers the line item to send the note to.

Everything happens in the caller's transaction: a refusal (``LaunchRefused``) leaves nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import accounts, classes
from ..models import LEARNER, TRAINER, Assignment, SchoolClass, User
from ...db import MODES, Learner, utcnow
from .launch import DEEP_LINKING, Launch, LaunchRefused
from .models import Account, Course, GradeLink

MAX_NAME = 40


@dataclass
class Arrival:
    user: User
    school_class: SchoolClass
    exercise_id: str = ""  # a learner's activity (empty: the learner's home)
    mode: str = ""


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", ".", ascii_text).strip(".")[:MAX_NAME].strip(".")


def _free_name(session: Session, launch: Launch) -> str:
    base = _slug(launch.name) or _slug(launch.email.split("@")[0]) or "moodle"
    if len(base) < 2 or not base[0].isalnum():
        base = f"moodle.{base}".strip(".")
    for n in range(1, 10_000):
        name = base if n == 1 else f"{base}-{n}"
        taken = (accounts.find_user(session, name) is not None
                 or session.scalar(select(Learner.id).where(Learner.name == name)) is not None)
        if not taken and not accounts.name_problem(name):
            return name
    raise LaunchRefused("Impossible de trouver un nom de compte libre pour cet utilisateur.")


def account(session: Session, launch: Launch, role: str) -> User:
    """The account of this Moodle user in this role (created on the first launch)."""
    found = session.scalar(select(Account).where(Account.platform_id == launch.platform_id,
                                                 Account.subject == launch.subject, Account.role == role))
    if found is not None:
        user = session.get(User, found.user_id)
        if launch.name:
            user.display_name = launch.name
        if launch.email:
            user.email = launch.email
        return user
    user = accounts.create_user(session, _free_name(session, launch), None, role, launch.name or "",
                                email=launch.email)
    session.add(Account(platform_id=launch.platform_id, subject=launch.subject, role=role, user_id=user.id))
    session.flush()
    return user


def course_class(session: Session, launch: Launch, trainer: User | None) -> SchoolClass | None:
    """The class of the launch's course; made for ``trainer`` when there is none yet."""
    course = session.scalar(select(Course).where(Course.platform_id == launch.platform_id,
                                                 Course.context_id == launch.context_id))
    if course is not None:
        return session.get(SchoolClass, course.class_id)
    if trainer is None:
        return None
    code = accounts.new_join_code()
    while accounts.class_by_code(session, code) is not None:
        code = accounts.new_join_code()
    school_class = SchoolClass(name=launch.context_title or f"Cours Moodle {launch.context_id}",
                               trainer_id=trainer.id, join_code=code)
    session.add(school_class)
    session.flush()
    session.add(Course(platform_id=launch.platform_id, context_id=launch.context_id, class_id=school_class.id))
    classes.audit(session, trainer, "classe_creee_moodle", school_class.name, classe=school_class.id,
                  cours=launch.context_id)
    return school_class


def ensure_assignment(session: Session, class_id: int, exercise_id: str, mode: str) -> Assignment:
    """The class's assignment of this exercise in this mode (made, always open, when missing)."""
    found = session.scalar(select(Assignment).where(Assignment.class_id == class_id, Assignment.exercise_id == exercise_id,
                                                    Assignment.mode == mode).order_by(Assignment.id).limit(1))
    if found is None:
        found = Assignment(class_id=class_id, exercise_id=exercise_id, mode=mode)
        session.add(found)
        session.flush()
    return found


def _grade_link(session: Session, launch: Launch, user: User, assignment: Assignment) -> GradeLink:
    link = session.scalar(select(GradeLink).where(GradeLink.user_id == user.id, GradeLink.platform_id == launch.platform_id,
                                                  GradeLink.resource_link_id == launch.resource_link_id))
    if link is None:
        link = GradeLink(user_id=user.id, platform_id=launch.platform_id, resource_link_id=launch.resource_link_id,
                         subject=launch.subject, updated_at=utcnow())
        session.add(link)
    link.lineitem_url = launch.lineitem_url or link.lineitem_url
    link.assignment_id, link.exercise_id, link.mode = assignment.id, assignment.exercise_id, assignment.mode
    session.flush()
    return link


def arrive(session: Session, launch: Launch, exercise_known) -> Arrival:
    """Account, class, membership and activity for this launch; ``exercise_known(id, mode)``
    says whether the server offers that exercise in that mode."""
    if launch.message_type == DEEP_LINKING or launch.is_instructor:
        if not launch.is_instructor:
            raise LaunchRefused("Lancement refusé : seul un enseignant du cours peut choisir un exercice.")
        user = account(session, launch, TRAINER)
        school_class = course_class(session, launch, user)
        if school_class.trainer_id != user.id:
            owner = session.get(User, school_class.trainer_id)
            raise LaunchRefused(f"Ce cours Moodle est suivi ici par le formateur « {owner.display_name or owner.username} » : "
                                "c'est lui qui voit la classe et ses résultats sur ce serveur.")
        return Arrival(user, school_class)
    if not launch.is_learner:
        raise LaunchRefused("Lancement refusé : votre rôle dans ce cours Moodle n'est ni enseignant ni étudiant.")
    school_class = course_class(session, launch, None)
    if school_class is None:
        raise LaunchRefused("Cette activité n'est pas encore prête : l'enseignant du cours doit l'ouvrir une "
                            "première fois depuis Moodle. Réessayez ensuite.")
    exercise_id, mode = launch.custom.get("exercice", "").strip(), launch.custom.get("mode", "dictee").strip()
    if exercise_id and (mode not in MODES or not exercise_known(exercise_id, mode)):
        raise LaunchRefused(f"L'exercice « {exercise_id[:200]} » ({mode[:40]}) de cette activité n'existe pas sur ce "
                            "serveur : prévenez l'enseignant du cours.")
    user = account(session, launch, LEARNER)
    accounts.join(session, user, school_class)
    if not exercise_id:
        return Arrival(user, school_class)
    assignment = ensure_assignment(session, school_class.id, exercise_id, mode)
    _grade_link(session, launch, user, assignment)
    return Arrival(user, school_class, exercise_id, mode)
