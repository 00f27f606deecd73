"""What every view uses: the services of the app, the exercise of a URL or a 404, a form."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..catalogue import Entry
from ..security import BodyTooLarge

MAX_FIELD_BYTES = 1_000_000  # a text field (a copy's text); files are spooled to disk instead


def services(request: Request):
    """The app's services; in classroom mode, the logged-in learner's (set by ``classroom.gate``)."""
    return request.scope.get("state", {}).get("services") or request.app.state.services


def entry_or_404(request: Request) -> Entry:
    entry = services(request).catalogue.get(request.path_params["exercise"])
    if entry is None:
        raise HTTPException(404, f"Exercice « {request.path_params['exercise']} » inconnu.")
    return entry


def storable(value: str, what: str = "le texte") -> str:
    """``value`` if a database can store it, else a 400 in French: no lone surrogate (half an
    emoji, as ``JSON.stringify`` sends a cut one), no NUL character (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise HTTPException(400, f"Requête incorrecte : {what} contient un caractère nul ; il n'a pas été enregistré.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HTTPException(400, f"Requête incorrecte : {what} contient un caractère invalide (un emoji coupé ?) ; "
                                 "il n'a pas été enregistré.") from None
    return value


async def form_of(request: Request, max_files: int = 0, max_fields: int = 20,
                  max_field_bytes: int = MAX_FIELD_BYTES) -> FormData:
    """The request's form; a malformed one is a 400 in French, a body over the limit a 413.

    Files are left where the form parser put them (a temporary file past 1 MB): the caller
    reads them, then closes the form."""
    try:
        form = await request.form(max_files=max_files, max_fields=max_fields, max_part_size=max_field_bytes)
    except BodyTooLarge:
        raise
    except Exception:
        raise HTTPException(400, "Requête incorrecte : formulaire illisible.") from None
    for name, value in form.multi_items():
        if isinstance(value, str):
            storable(value, f"le champ « {storable(name, 'un nom de champ')} »")
    return form
