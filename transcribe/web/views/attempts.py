"""One attempt's report (the learner report with ▶ replay buttons) and its replay times.

The replay uses the exercise at the version the attempt was graded against. Notes that
others add to an attempt (the classroom's trainer comment) come from ``Services.attempt_notes``.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import store
from ..feedback import replay_times
from ..pages import render
from .common import services
from .workspace import MODE_TITLES


async def _attempt_or_404(request: Request):
    svc = services(request)
    raw = request.path_params["attempt"]
    attempt = None
    if raw.isascii() and raw.isdigit() and len(raw) < 12:  # « １ » is a digit too
        attempt = await run_in_threadpool(store.get_attempt, svc.sessions, svc.learner_id, int(raw))
    if attempt is None:
        raise HTTPException(404, f"Tentative « {raw} » inconnue.")
    return attempt


def attempt_entry(catalogue, attempt):
    """The exercise of an attempt at the version it was graded against, while the exercise is
    offered (its audio is served at ``/exercices/ID/audio``): None otherwise."""
    if catalogue.get(attempt.exercise_id) is None:
        return None
    return catalogue.at_version(attempt.exercise_id, attempt.exercise_version)


def replay_of(catalogue, timings_service, attempt) -> tuple[dict[int, float], dict]:
    """Replay times of the attempt's errors, and the timings status of its exercise (the
    version the attempt was graded against: its words are timed on that reference)."""
    entry = attempt_entry(catalogue, attempt)
    if entry is None or entry.exercise.audio_path is None:
        return {}, {"etat": "indisponible", "message": "L'audio de cet exercice n'est plus disponible."}
    status = timings_service.status(entry.exercise)
    timings = timings_service.get(entry.exercise) if status["etat"] == "pret" else None
    return replay_times(attempt.report, timings, attempt.reference_sha256), status


def _times(request: Request, attempt) -> tuple[dict[int, float], dict]:
    svc = services(request)
    return replay_of(svc.catalogue, svc.timings, attempt)


async def report(request: Request):
    svc = services(request)
    attempt = await _attempt_or_404(request)
    times, status = await run_in_threadpool(_times, request, attempt)
    notes = [note for hook in svc.attempt_notes for note in await run_in_threadpool(hook, attempt)]
    return render(request, "report.html.j2", attempt=attempt, mode_title=MODE_TITLES.get(attempt.mode, attempt.mode),
                  audio=status["etat"] != "indisponible", timings=status, replay=True, replay_times=times,
                  trainer_notes=notes, **attempt.report)


async def replay(request: Request):
    attempt = await _attempt_or_404(request)
    times, status = await run_in_threadpool(_times, request, attempt)
    return JSONResponse({**status, "temps": {str(n): t for n, t in times.items()}})


routes = [
    Route("/tentatives/{attempt}", report, name="report"),
    Route("/tentatives/{attempt}/reperes", replay, name="replay"),
]
