"""The workspace of one exercise: player + text area, autosave, first play, submission.

JSON endpoints (called by ``static/editor.js``) take and give small objects; the submission
is a plain HTML form (it works without JavaScript) answered by a redirect to the report.
"""

from __future__ import annotations

import json
import logging
import re

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from ...drafts import read_draft
from ...errors import TranscribeError
from .. import store
from ..catalogue import Entry
from ..db import MODES, as_utc, utcnow
from ..feedback import grade_copy
from ..pages import render
from .common import entry_or_404, form_of, services, storable

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # store.new_token's alphabet
MODE_TITLES = {"dictee": "Saisie sous dictée", "correction": "Correction de brouillon"}


def available_modes(entry: Entry, request: Request | None = None) -> tuple[str, ...]:
    """Dictation always; draft correction when the exercise has a draft. In classroom mode, only
    the modes the learner's class was assigned (the catalogue of the request knows them)."""
    modes = ("dictee", "correction") if entry.draft else ("dictee",)
    assigned = getattr(services(request).catalogue, "modes", None) if request is not None else None
    return modes if assigned is None else tuple(m for m in modes if m in assigned(entry.exercise.id))


def mode_or_404(request: Request, entry: Entry) -> str:
    mode = request.path_params["mode"]
    if mode not in MODES or mode not in available_modes(entry, request):
        raise HTTPException(404, f"Mode « {mode} » indisponible pour cet exercice.")
    return mode


def _ms(moment) -> int | None:
    moment = as_utc(moment)
    return int(moment.timestamp() * 1000) if moment else None


def draft_text(entry: Entry, mode: str) -> str | None:
    """The draft a correction starts from (None in dictation mode)."""
    if mode != "correction":
        return None
    try:
        return read_draft(entry.draft).replace("\r\n", "\n")
    except (TranscribeError, TypeError) as exc:
        raise HTTPException(404, f"Brouillon de l'exercice illisible : {exc}") from None


def initial_text(entry: Entry, mode: str) -> str:
    return draft_text(entry, mode) or ""


async def workspace(request: Request):
    svc = services(request)
    entry = entry_or_404(request)
    mode = mode_or_404(request, entry)
    if entry.problem:
        raise HTTPException(404, f"Exercice indisponible : {entry.problem}.")
    copy = await run_in_threadpool(store.working_copy, svc.sessions, svc.learner_id, entry.exercise.id, mode,
                                   initial_text(entry, mode))
    timings = await run_in_threadpool(svc.timings.status, entry.exercise)
    return render(request, "workspace.html.j2", exercise=entry.exercise, duration=entry.duration, mode=mode,
                  mode_title=MODE_TITLES[mode], modes=available_modes(entry, request), copy=copy, started_ms=_ms(copy.started_at),
                  saved_ms=_ms(copy.updated_at), now_ms=_ms(utcnow()), timings=timings)


async def _json_body(request: Request) -> dict:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(400, "Requête incorrecte : un objet JSON est attendu.")
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "Requête incorrecte : JSON illisible.") from None
    except RecursionError:
        raise HTTPException(400, "Requête incorrecte : JSON trop imbriqué.") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "Requête incorrecte : un objet JSON est attendu.")
    return data


def _token(value) -> str:
    if not isinstance(value, str) or not TOKEN_RE.fullmatch(value):
        raise HTTPException(400, "Requête incorrecte : jeton de copie absent ou invalide.")
    return value


def _count(value, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise HTTPException(400, f"Requête incorrecte : « {name} » doit être un nombre entier.") from None
    if isinstance(value, bool) or number < 0 or number > 10_000_000:
        raise HTTPException(400, f"Requête incorrecte : « {name} » hors limites.")
    return number


def _text(value) -> str:
    if not isinstance(value, str):
        raise HTTPException(400, "Requête incorrecte : le texte de la copie est absent.")
    return storable(value).replace("\r\n", "\n")


async def save(request: Request):
    svc = services(request)
    mode_or_404(request, entry_or_404(request))
    data = await _json_body(request)
    token, text = _token(data.get("jeton")), _text(data.get("texte"))
    pastes, chars = _count(data.get("collages"), "collages"), _count(data.get("caracteres_colles"), "caracteres_colles")
    saved = await run_in_threadpool(store.save_copy, svc.sessions, svc.learner_id, token, text, pastes, chars)
    if saved is None:
        return JSONResponse({"erreur": "Cette copie a déjà été rendue (dans un autre onglet ?). "
                                       "Rechargez la page pour commencer une nouvelle tentative."}, 409)
    return JSONResponse({"enregistre": _ms(saved)})


async def start(request: Request):
    svc = services(request)
    mode_or_404(request, entry_or_404(request))
    data = await _json_body(request)
    copy = await run_in_threadpool(store.mark_started, svc.sessions, svc.learner_id, _token(data.get("jeton")))
    if copy is None:
        return JSONResponse({"erreur": "Cette copie a déjà été rendue. Rechargez la page."}, 409)
    return JSONResponse({"debut": _ms(copy.started_at)})


async def submit(request: Request):
    svc = services(request)
    entry = entry_or_404(request)
    mode = mode_or_404(request, entry)
    form = await form_of(request)
    sent = store.Submission(_token(form.get("jeton")), _text(form.get("texte")),
                            _count(form.get("collages"), "collages"),
                            _count(form.get("caracteres_colles"), "caracteres_colles"))

    draft = draft_text(entry, mode)

    def grade(text: str, elapsed: float | None):
        return grade_copy(entry.exercise, text, elapsed, draft)

    try:
        attempt, _created = await run_in_threadpool(store.submit, svc.sessions, svc.learner_id, entry.exercise.id,
                                                    mode, sent, grade, draft or "")
    except (HTTPException, SQLAlchemyError):  # the database's trouble: its own page (read-only…)
        raise
    except Exception as exc:  # grading failed: store.submit kept the text in the copy first
        logging.getLogger(__name__).exception("correction de la copie de %s impossible", entry.exercise.id)
        raise HTTPException(500, "Une erreur inattendue s'est produite pendant la correction ; votre texte est "
                                 "conservé. Réessayez.") from exc
    if attempt is None:
        raise HTTPException(409, "Cette copie n'est plus en cours (page trop ancienne, ou rendue dans un autre "
                                 "onglet) : ce texte n'a pas été enregistré ; revenez en arrière pour le copier. "
                                 "Rechargez l'exercice pour une nouvelle tentative.")
    return RedirectResponse(f"/tentatives/{attempt.id}", status_code=303)


async def timings_status(request: Request):
    svc = services(request)
    entry = entry_or_404(request)
    return JSONResponse(await run_in_threadpool(svc.timings.status, entry.exercise))


async def exercise_home(request: Request):
    entry_or_404(request)
    return RedirectResponse(f"/exercices/{request.path_params['exercise']}/dictee", status_code=307)


routes = [
    Route("/exercices/{exercise}", exercise_home),
    Route("/exercices/{exercise}/minutage", timings_status, name="timings"),
    Route("/exercices/{exercise}/{mode}", workspace, name="workspace"),
    Route("/exercices/{exercise}/{mode}/sauvegarde", save, methods=["POST"], name="save"),
    Route("/exercices/{exercise}/{mode}/debut", start, methods=["POST"], name="start"),
    Route("/exercices/{exercise}/{mode}/rendre", submit, methods=["POST"], name="submit"),
]
