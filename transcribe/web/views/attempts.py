"""One attempt's report (the learner report with ▶ replay buttons) and its replay times."""

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


def _times(request: Request, attempt) -> tuple[dict[int, float], dict]:
    """Replay times of the attempt's errors, and the timings status of its exercise."""
    svc = services(request)
    entry = svc.catalogue.get(attempt.exercise_id)
    if entry is None or entry.exercise.audio_path is None:
        return {}, {"etat": "indisponible", "message": "L'audio de cet exercice n'est plus disponible."}
    status = svc.timings.status(entry.exercise)
    timings = svc.timings.get(entry.exercise) if status["etat"] == "pret" else None
    return replay_times(attempt.report, timings, attempt.reference_sha256), status


async def report(request: Request):
    attempt = await _attempt_or_404(request)
    times, status = await run_in_threadpool(_times, request, attempt)
    entry = services(request).catalogue.get(attempt.exercise_id)
    return render(request, "report.html.j2", attempt=attempt, mode_title=MODE_TITLES.get(attempt.mode, attempt.mode),
                  audio=entry is not None and entry.exercise.audio_path is not None, timings=status,
                  replay=True, replay_times=times, **attempt.report)


async def replay(request: Request):
    attempt = await _attempt_or_404(request)
    times, status = await run_in_threadpool(_times, request, attempt)
    return JSONResponse({**status, "temps": {str(n): t for n, t in times.items()}})


routes = [
    Route("/tentatives/{attempt}", report, name="report"),
    Route("/tentatives/{attempt}/reperes", replay, name="replay"),
]
