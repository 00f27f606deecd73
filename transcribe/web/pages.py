"""Rendering pages: the report templates' Jinja2 environment, and the French error pages."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from .. import __version__
from ..report.html import fr_number
from .migrate import is_read_only

ERROR_TITLES = {
    400: "Requête incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    413: "Envoi trop volumineux",
    429: "Trop de tentatives",
    500: "Erreur interne",
    503: "Service indisponible",
}
ERROR_MESSAGES = {
    404: "Cette page n'existe pas : l'exercice ou la tentative demandés sont inconnus.",
    405: "Cette adresse ne s'utilise pas ainsi.",
    413: "Le texte envoyé dépasse la taille autorisée.",
    500: "Une erreur inattendue s'est produite. Réessayez.",
}
READ_ONLY = ("La base de données du serveur est en lecture seule : rien n'a été enregistré. Prévenez la personne "
             "qui gère le serveur.")


def date_fr(moment: datetime | str | None) -> str:
    """A stored (UTC) moment in the machine's local time: « 03/03/2026 à 14 h 05 » — the one
    format of every page's dates (an ISO text, as the JSON exports hold them, too)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if moment is None:
        return "—"
    if moment.tzinfo is None:  # SQLite gives back naive datetimes: they were stored in UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%d/%m/%Y à %H h %M")


def duration_fr(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    text = f"{rest // 60} min {rest % 60:02d} s"
    return f"{hours} h {text}" if hours else text


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The report templates' loader and settings, with the web pages' filters."""
    env = Environment(loader=PackageLoader("transcribe", "templates"),
                      autoescape=select_autoescape(["html", "html.j2", "j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(fr=fr_number, date_fr=date_fr, duration_fr=duration_fr)
    return env


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    page = environment().get_template(f"web/{template}").render(
        request=request, version=__version__, **context)
    return HTMLResponse(page, status_code=status_code)


JSON_ENDPOINTS = ("sauvegarde", "debut", "minutage", "reperes")  # called by the pages' scripts


def wants_json(request: Request) -> bool:
    if request.url.path.rsplit("/", 1)[-1] in JSON_ENDPOINTS:
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status_code: int, message: str | None = None):
    """A French error: a page for a browser, ``{"erreur": …}`` for the page's scripts."""
    title = ERROR_TITLES.get(status_code, "Erreur")
    text = message or ERROR_MESSAGES.get(status_code, title)
    if wants_json(request):
        return JSONResponse({"erreur": text}, status_code=status_code)
    return render(request, "error.html.j2", status_code, title=title, message=text, status=status_code)


async def http_error(request: Request, exc: HTTPException):
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed",
                                                                               "Request Entity Too Large") else None
    response = error_response(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception):
    """The French page of an unexpected error; a database that became read-only says so (503)."""
    if isinstance(exc, DBAPIError) and is_read_only(exc):
        return error_response(request, 503, READ_ONLY)
    return error_response(request, 500)
