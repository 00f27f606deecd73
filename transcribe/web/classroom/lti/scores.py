"""Notes sent back to Moodle (Assignment and Grade Services): what to send, the queue, the sender.

What to send: per learner and Moodle activity (a row of ``lti_grades``), the note of the
attempt that counts — the best, the last or the first, as the trainer chose for the assignment
(``Assignment.grade_policy``, the best by default), among the attempts of every version of an
exercise made in the classroom server (a new version is the same activity; each attempt keeps
the note of the version it was graded on) — out of 20, with a comment: « acquis » or
« non acquis » and the criteria not reached. A submission (the workspace's ``on_submit`` hook,
installed by the classroom), a change of policy or the trainer's « renvoyer » writes the score
on the row and marks it ``en_attente``: the row *is* the queue, kept in the database, so a
score waits there while Moodle is down and across restarts, and a newer score replaces an
older one that was never sent.

The sender (a thread of each server process) takes due rows one by one — a row is claimed with
an ``UPDATE … WHERE`` so that two processes never send the same one — asks the platform for an
access token (OAuth 2 client credentials, the client authenticated by a JWT signed with the
tool's key, ``client_assertion_type`` jwt-bearer, scope ``…/lti-ags/scope/score``; kept until it
expires) and posts the score to ``<line item>/scores``: ``scoreGiven``, ``scoreMaximum`` 20,
``activityProgress`` Completed, ``gradingProgress`` FullyGraded, ``userId`` (Moodle's ``sub``)
and a ``timestamp`` always later than the row's previous one, to the second (Moodle compares
whole seconds and refuses an equal or older one with 409). Moodle's answer sets the row:
2xx → ``envoyee``; another 4xx → ``refusee`` with Moodle's message (the trainer can resend
once the cause is fixed); no answer, 408, 429 or 5xx → ``en_attente`` again, retried after 30 s,
1, 2, 4… minutes, at most an hour apart, for as long as it takes.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ....grading import CRITERIA, CRITERIA_LABELS
from ..models import DEFAULT_GRADE_POLICY, Assignment, User
from ...db import Attempt, as_utc, utcnow
from .keys import ToolKeys
from ..models import GRADE_POLICIES
from .models import PENDING, REFUSED, SENT, STATES, Course, GradeLink, Platform

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_MAXIMUM = 20
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600
CLAIM_SECONDS = 120
HTTP_TIMEOUT_SECONDS = 15
POLL_SECONDS = 10.0
MAX_MESSAGE = 500

log = logging.getLogger(__name__)


# --- what to send ------------------------------------------------------------------------------

def counted_attempt(session: Session, learner_id: int, exercise_id: str, mode: str, policy: str) -> Attempt | None:
    """The attempt Moodle gets: the best note (the first of equals), the last or the first one."""
    attempts = list(session.scalars(select(Attempt).where(Attempt.learner_id == learner_id,
                                                          Attempt.exercise_id == exercise_id, Attempt.mode == mode)
                                    .order_by(Attempt.submitted_at, Attempt.id)))
    graded = [a for a in attempts if a.note is not None]
    if not graded:
        return None
    if policy == "derniere":
        return graded[-1]
    if policy == "premiere":
        return graded[0]
    return max(graded, key=lambda a: a.note)  # max keeps the first of equal notes


def comment(attempt: Attempt) -> str:
    """« acquis », or « non acquis » and the criteria not reached (``FID (fidélité…)``)."""
    if attempt.acquis:
        return f"acquis — {_note(attempt.note)}/20"
    criteria = (attempt.score or {}).get("criteria") or {}
    failed = [f"{c} ({CRITERIA_LABELS[c].lower()})" for c in CRITERIA if (criteria.get(c) or {}).get("acquis") is False]
    reasons = f" ; critères non atteints : {', '.join(failed)}" if failed else ""
    return f"non acquis — {_note(attempt.note)}/20{reasons}"


def _note(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def refresh(session: Session, link: GradeLink, force: bool = False) -> bool:
    """Put the activity's current score on its row, to be sent; False when there is none yet.
    A score already sent is not sent again unless it changed (or ``force``: « renvoyer »)."""
    user = session.get(User, link.user_id)
    assignment = session.get(Assignment, link.assignment_id)
    if user is None or user.learner_id is None or assignment is None:
        return False
    attempt = counted_attempt(session, user.learner_id, link.exercise_id, link.mode,
                              assignment.grade_policy or DEFAULT_GRADE_POLICY)
    if attempt is None:
        return False
    score, text = round(float(attempt.note), 2), comment(attempt)
    if not force and link.state == SENT and link.score_given == score and link.comment == text:
        return False
    link.score_given, link.comment, link.attempt_id = score, text, attempt.id
    link.state, link.tries, link.message = PENDING, 0, ""
    link.next_try_at, link.updated_at = utcnow(), utcnow()
    link.version = (link.version or 0) + 1
    return True


def links_of_attempt(session: Session, learner_id: int, attempt: Attempt) -> list[GradeLink]:
    return list(session.scalars(select(GradeLink).join(User, User.id == GradeLink.user_id)
                                .where(User.learner_id == learner_id, GradeLink.exercise_id == attempt.exercise_id,
                                       GradeLink.mode == attempt.mode)))


def class_links(session: Session, class_id: int) -> list[tuple[GradeLink, User]]:
    """The class's activities opened from Moodle, per learner (for the trainer's page)."""
    rows = session.execute(select(GradeLink, User).join(User, User.id == GradeLink.user_id)
                           .join(Assignment, Assignment.id == GradeLink.assignment_id)
                           .where(Assignment.class_id == class_id)
                           .order_by(User.display_name, User.username, GradeLink.exercise_id, GradeLink.id))
    return [(g, u) for g, u in rows]


def class_view(session: Session, class_id: int) -> dict:
    """For the class page: whether the class is a Moodle course, and where its notes stand."""
    linked = session.scalar(select(Course.id).where(Course.class_id == class_id).limit(1)) is not None
    return {"linked": linked, "rows": class_links(session, class_id), "policies": GRADE_POLICIES, "states": STATES}


# --- sending -----------------------------------------------------------------------------------

class Refused(Exception):
    """Moodle answered no (the row becomes ``refusee``)."""


class Unreachable(Exception):
    """No answer, or one that says « later » (the row stays ``en_attente``)."""


@dataclass
class Job:
    id: int
    version: int
    platform: Platform
    lineitem_url: str | None
    subject: str
    score_given: float
    comment: str
    tries: int
    last_timestamp: datetime | None


def scores_url(lineitem_url: str) -> str:
    """``<line item>/scores``, the line item's query string kept (Moodle's has ``?type_id=``)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def next_timestamp(last: datetime | None, now: datetime | None = None) -> datetime:
    """Now, to the second, and at least a second after the previous one."""
    stamp = (now or utcnow()).replace(microsecond=0)
    last = as_utc(last)
    if last is not None and stamp <= last:
        stamp = last.replace(microsecond=0) + timedelta(seconds=1)
    return stamp


def _answer(exc: urllib.error.HTTPError) -> str:
    try:
        body = exc.read(4000).decode("utf-8", "replace")
    except OSError:
        body = ""
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            body = " ".join(str(data[k]) for k in ("error", "error_description", "reason", "message") if data.get(k)) \
                or body
    except ValueError:
        pass
    return " ".join(body.split())[:MAX_MESSAGE] or exc.reason or ""


def _http(request: urllib.request.Request) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return response.read(100_000)
    except urllib.error.HTTPError as exc:
        message = f"Moodle a répondu {exc.code} : {_answer(exc)}".rstrip(" :")
        if exc.code in (408, 429) or exc.code >= 500:
            raise Unreachable(message) from None
        raise Refused(message, exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"Moodle injoignable ({reason})") from None


class Sender:
    """Sends the due scores: ``run_once`` for what is due now, ``start`` for a background thread."""

    def __init__(self, sessions: sessionmaker[Session], keys: ToolKeys, poll_seconds: float = POLL_SECONDS):
        self.sessions = sessions
        self.keys = keys
        self.poll_seconds = poll_seconds
        self._tokens: dict[tuple[int, str], tuple[str, float]] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()

    # --- the thread -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="lti-scores", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=HTTP_TIMEOUT_SECONDS + 5)
            self._thread = None
        self._stop.clear()  # run_once still works (a test, a command)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 — the database may be away a moment: try again later
                log.exception("envoi des notes à Moodle")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    # --- one round --------------------------------------------------------------------------

    def run_once(self) -> int:
        """Send every score due now; the number of rows handled."""
        with self._running:
            done = 0
            while not self._stop.is_set():
                job = self._claim()
                if job is None:
                    return done
                self._finish(job, *self._send(job))
                done += 1
            return done

    def _claim(self) -> Job | None:
        now = utcnow()
        with self.sessions.begin() as session:
            due = session.scalars(select(GradeLink.id).where(
                GradeLink.state == PENDING, GradeLink.next_try_at <= now,
                or_(GradeLink.claimed_until.is_(None), GradeLink.claimed_until < now))
                .order_by(GradeLink.next_try_at, GradeLink.id).limit(20)).all()
        for link_id in due:
            with self.sessions.begin() as session:
                claimed = session.execute(update(GradeLink).where(
                    GradeLink.id == link_id, GradeLink.state == PENDING,
                    or_(GradeLink.claimed_until.is_(None), GradeLink.claimed_until < now))
                    .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
                if claimed.rowcount != 1:
                    continue  # another process took it
                link = session.get(GradeLink, link_id)
                platform = session.get(Platform, link.platform_id)
                session.expunge(platform)
                return Job(link.id, link.version, platform, link.lineitem_url, link.subject, link.score_given,
                           link.comment, link.tries, link.last_timestamp)
        return None

    def _send(self, job: Job) -> tuple[str, str, datetime | None]:
        """(state, message, timestamp sent)."""
        if not job.lineitem_url:
            return REFUSED, ("Moodle n'a pas donné de colonne de notes pour cette activité : dans Moodle, activez "
                             "« Services de notes et d'évaluations IMS LTI » pour l'outil, puis rouvrez l'activité."), None
        stamp = next_timestamp(job.last_timestamp)
        body = json.dumps({"userId": job.subject, "scoreGiven": job.score_given, "scoreMaximum": SCORE_MAXIMUM,
                           "comment": job.comment, "activityProgress": "Completed",
                           "gradingProgress": "FullyGraded", "timestamp": stamp.isoformat()}).encode()
        try:
            for retry in (False, True):
                request = urllib.request.Request(scores_url(job.lineitem_url), data=body, method="POST", headers={
                    "Content-Type": SCORE_MEDIA_TYPE, "Accept": "application/json",
                    "Authorization": "Bearer " + self._token(job.platform, SCORE_SCOPE, renew=retry),
                    "User-Agent": "transcribe-lti"})
                try:
                    _http(request)
                    return SENT, "", stamp
                except Refused as exc:
                    if exc.args[1] != 401 or retry:  # 401: the token expired early; a new one, once
                        raise
        except Refused as exc:
            return REFUSED, exc.args[0], stamp
        except Unreachable as exc:
            return PENDING, str(exc), stamp

    def _token(self, platform: Platform, scope: str, renew: bool = False) -> str:
        cache_key = (platform.id, scope)
        cached = self._tokens.get(cache_key)
        if cached and not renew and cached[1] > time.monotonic():
            return cached[0]
        now = int(time.time())
        assertion = self.keys.current().sign({"iss": platform.client_id, "sub": platform.client_id,
                                              "aud": platform.token_url, "iat": now, "exp": now + 300,
                                              "jti": secrets.token_urlsafe(16)})
        request = urllib.request.Request(platform.token_url, method="POST", data=urlencode({
            "grant_type": "client_credentials", "client_assertion_type": JWT_BEARER, "client_assertion": assertion,
            "scope": scope}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "application/json", "User-Agent": "transcribe-lti"})
        try:
            answer = json.loads(_http(request))
            token = answer["access_token"]
            lifetime = float(answer.get("expires_in") or 3600)
        except Refused as exc:
            raise Refused(f"Jeton d'accès refusé — {exc.args[0]}", exc.args[1]) from None
        except (ValueError, KeyError, TypeError):
            raise Unreachable("Moodle a donné une réponse illisible à la demande de jeton d'accès") from None
        self._tokens[cache_key] = (token, time.monotonic() + max(0.0, lifetime - 60))
        return token

    def _finish(self, job: Job, state: str, message: str, stamp: datetime | None) -> None:
        now = utcnow()
        with self.sessions.begin() as session:
            link = session.get(GradeLink, job.id)
            if link is None:  # the learner was erased meanwhile
                return
            link.claimed_until = None
            if stamp is not None:
                link.last_timestamp = stamp
            if link.version != job.version:
                return  # a newer score arrived while this one was on its way: it goes next
            link.state, link.message = state, message[:MAX_MESSAGE]
            if state == SENT:
                link.sent_at, link.tries, link.next_try_at = now, 0, None
            elif state == PENDING:
                link.tries = job.tries + 1
                delay = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** (link.tries - 1))
                link.next_try_at = now + timedelta(seconds=delay)
                local = link.next_try_at.astimezone().strftime("%H h %M")
                link.message = f"{message} — nouvel essai vers {local}"[:MAX_MESSAGE]
            else:
                link.next_try_at = None


# --- hooks -------------------------------------------------------------------------------------

def queue_attempt(sessions: sessionmaker[Session], sender: Sender | None, learner_id: int, attempt: Attempt) -> int:
    """After a submission: the learner's Moodle activities on this exercise get their new score."""
    with sessions.begin() as session:
        queued = sum(refresh(session, link) for link in links_of_attempt(session, learner_id, attempt))
    if queued and sender is not None:
        sender.wake()
    return queued

