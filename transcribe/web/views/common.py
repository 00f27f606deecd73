"""What every view uses: the services of the app, and the exercise of a URL or a 404."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..catalogue import Entry


def services(request: Request):
    """The app's services; in classroom mode, the logged-in learner's (set by ``classroom.gate``)."""
    return request.scope.get("state", {}).get("services") or request.app.state.services


def entry_or_404(request: Request) -> Entry:
    entry = services(request).catalogue.get(request.path_params["exercise"])
    if entry is None:
        raise HTTPException(404, f"Exercice « {request.path_params['exercise']} » inconnu.")
    return entry
