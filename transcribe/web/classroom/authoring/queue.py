"""The transcription queue: one job a recording, kept in the database (``authoring_jobs``).

A job is ``en_attente`` (queued), ``en_cours`` (running), ``terminee`` or ``echec``. One job
runs at a time on the whole server, whatever the number of its processes or machines:
``claim`` takes the oldest queued job only when no running job is alive, under a lock (an
advisory lock on PostgreSQL, the database's write lock on SQLite), so that two workers never
start two transcriptions. A running job is alive while its worker writes a heartbeat
(``HEARTBEAT_SECONDS``); one whose heartbeat is older than ``LEASE`` was interrupted (the
server was killed, the machine restarted): the next claim puts it back in the queue, where it
is started again from the beginning — the transcript cache makes the work already done cost
nothing — and said so to the trainer. A job started ``MAX_RUNS`` times without finishing
fails with a French message instead of looping. A server stopped cleanly puts its running
job back in the queue at once (``release``).

Every write of a worker names the job *and* the worker (``UPDATE … WHERE worker = :me``): a
worker that lost its job (its lease passed, another took it) writes nothing more to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ...db import as_utc, utcnow
from ..models import DONE, FAILED, QUEUED, RUNNING, AuthoringJob

HEARTBEAT_SECONDS = 3.0
LEASE = timedelta(seconds=20)
MAX_RUNS = 3
LOCK_ID = 746_153_202  # pg_advisory_xact_lock key (migrate's is ...201)
RESUMED = "Transcription interrompue (redémarrage du serveur ?) : elle reprend depuis le début."
RELEASED = "Transcription interrompue par l'arrêt du serveur : elle reprendra à son redémarrage."
GAVE_UP = (f"Transcription interrompue {MAX_RUNS} fois sans aboutir (le serveur s'est arrêté pendant chacune) : "
           "supprimez ce brouillon et envoyez l'enregistrement de nouveau.")


@dataclass
class Claimed:
    id: int
    creation_id: int
    options: dict
    runs: int


def _lock(session: Session) -> None:
    """Claims one at a time: PostgreSQL's advisory lock, SQLite's write lock (a write first)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOCK_ID)))
    else:
        session.execute(update(AuthoringJob).where(AuthoringJob.id == -1).values(worker=""))


def enqueue(session: Session, creation_id: int, options: dict) -> AuthoringJob:
    job = AuthoringJob(creation_id=creation_id, state=QUEUED, options=options, queued_at=utcnow(),
                       message="En attente de transcription.")
    session.add(job)
    session.flush()
    return job


def alive(job: AuthoringJob, now=None) -> bool:
    beat = as_utc(job.heartbeat_at)
    return beat is not None and (now or utcnow()) - beat < LEASE


def claim(sessions: sessionmaker[Session], worker: str) -> Claimed | None:
    """The oldest queued job, now running for ``worker``; None when one runs or none waits."""
    with sessions.begin() as session:
        _lock(session)
        now = utcnow()
        for job in session.scalars(select(AuthoringJob).where(AuthoringJob.state == RUNNING)):
            if alive(job, now):
                return None
            job.state, job.worker, job.heartbeat_at = QUEUED, "", None
            job.message = RESUMED
        for job in session.scalars(select(AuthoringJob).where(AuthoringJob.state == QUEUED)
                                   .order_by(AuthoringJob.queued_at, AuthoringJob.id)):
            if job.runs < MAX_RUNS:
                break
            job.state, job.finished_at, job.message = FAILED, now, GAVE_UP
        else:
            return None
        job.state, job.worker, job.runs = RUNNING, worker, job.runs + 1
        job.started_at = job.heartbeat_at = now
        job.stage, job.fraction = "", 0.0
        if job.runs == 1 or job.message not in (RESUMED, RELEASED):
            job.message = "Démarrage de la transcription…"
        return Claimed(job.id, job.creation_id, dict(job.options or {}), job.runs)


def _mine(session: Session, job_id: int, me: str, **values) -> bool:
    done = session.execute(update(AuthoringJob).where(AuthoringJob.id == job_id, AuthoringJob.worker == me,
                                                      AuthoringJob.state == RUNNING).values(**values))
    return done.rowcount == 1


def heartbeat(sessions: sessionmaker[Session], job_id: int, worker: str) -> bool:
    """Still ours (the job runs for this worker)? The lease renewed if so."""
    with sessions.begin() as session:
        return _mine(session, job_id, worker, heartbeat_at=utcnow())


def progress(sessions: sessionmaker[Session], job_id: int, worker: str, stage: str, fraction: float,
             message: str) -> bool:
    with sessions.begin() as session:
        return _mine(session, job_id, worker, stage=stage[:20], fraction=max(0.0, min(1.0, float(fraction))),
                     message=message[:500], heartbeat_at=utcnow())


def finish(session: Session, job_id: int, worker: str, ok: bool, message: str) -> bool:
    """The job done or failed (in the caller's transaction, with what it records); whether it was ours."""
    return _mine(session, job_id, worker, state=DONE if ok else FAILED, finished_at=utcnow(),
                 fraction=1.0 if ok else AuthoringJob.fraction, message=message[:500], heartbeat_at=None)


def release(sessions: sessionmaker[Session], job_id: int, worker: str) -> bool:
    """A running job back in the queue (the server stops): started again at the next claim."""
    with sessions.begin() as session:
        return _mine(session, job_id, worker, state=QUEUED, worker="", heartbeat_at=None, message=RELEASED)


def latest(session: Session, creation_id: int) -> AuthoringJob | None:
    return session.scalar(select(AuthoringJob).where(AuthoringJob.creation_id == creation_id)
                          .order_by(AuthoringJob.id.desc()).limit(1))


def ahead(session: Session, job: AuthoringJob) -> int:
    """How many transcriptions will run before this queued job (the one running included)."""
    if job.state != QUEUED:
        return 0
    return session.scalar(select(func.count(AuthoringJob.id)).where(
        (AuthoringJob.state == RUNNING)
        | ((AuthoringJob.state == QUEUED) & ((AuthoringJob.queued_at < job.queued_at)
                                              | ((AuthoringJob.queued_at == job.queued_at)
                                                 & (AuthoringJob.id < job.id)))))) or 0


def status(session: Session, job: AuthoringJob | None) -> dict:
    """What the page shows: state, French message, share done, place in the queue."""
    if job is None:
        return {"etat": "aucune", "message": "", "avancement": 0.0, "avant": 0}
    return {"etat": job.state, "message": job.message, "avancement": round(job.fraction or 0.0, 3),
            "etape": job.stage, "avant": ahead(session, job), "essais": job.runs}
