"""Classroom mode's gate: who is asking, may they, and does the form carry its CSRF token.

An ASGI middleware placed inside ``SecurityMiddleware`` (headers, body limit, origin check):

- the login session is read from its cookie (``logins``); the account is put in
  ``scope["state"]["user"]`` and the session's CSRF token in ``scope["state"]["csrf"]``;
- the LTI tool's login, launch and keyset (``LTI_PUBLIC``) are open without an account, and
  the login and launch alone take no CSRF token: Moodle's pages post to them from another site,
  and the launch is authenticated by its signed id_token instead (``lti.launch``);
- pages are denied by path, closed by default: only ``PUBLIC`` paths are open without an
  account; ``/formateur/…`` and the other ``/lti/…`` pages (Deep Linking, configuration) are
  for trainers, and a learner gets 404 there (nothing says that the page exists); every other page is the learner's workspace, served with per-request
  services: this learner's id and a catalogue that holds only the exercises assigned to
  their classes and open now (``classes.AssignedCatalogue``). A trainer sent to the
  workspace's home lands on their dashboard;
- then every state-changing request (POST…) must carry the CSRF token, in the
  ``X-CSRF-Token`` header (the page's scripts) or as the first field of its form (``csrf``
  module); without it: 403. Before logging in (login and registration forms) the token is a
  random value kept in a signed cookie.

Both checks come before the body is read: a refused request's body is never read at all
(denied) or read for its first 64 KiB only (no token), whatever its declared size.
"""

from __future__ import annotations

import dataclasses
import secrets
from urllib.parse import quote

from itsdangerous import BadSignature, Signer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import RedirectResponse

from . import classes, csrf
from .models import LEARNER, TRAINER
from .logins import COOKIE
from ..pages import error_response

LTI_PUBLIC = ("/lti/login", "/lti/launch", "/lti/jwks.json")
CSRF_EXEMPT = ("/lti/login", "/lti/launch")  # cross-site posts from Moodle, signed instead
PUBLIC = ("/connexion", "/inscription", "/static/", "/theme.css", "/favicon.ico", *LTI_PUBLIC)
ANY_ACCOUNT = ("/deconnexion",)  # open to every logged-in account, trainer or learner
TRAINER_PREFIX = "/formateur"
LTI_PREFIX = "/lti"
ANON_CSRF_COOKIE = "transcribe_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_REFUSED = ("Requête refusée : jeton de sécurité (CSRF) absent ou invalide. Rechargez la page "
                "et recommencez.")


def is_public(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC)


def is_trainer_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in (TRAINER_PREFIX, LTI_PREFIX))


class ClassroomGate:
    def __init__(self, app, services):
        self.app = app
        self.services = services
        self.anon_signer = Signer(services.logins.signer.secret_keys[-1], salt="transcribe-anon-csrf")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope["state"] = state = dict(scope.get("state") or {})
        headers = Headers(scope=scope)
        cookies = Request(scope).cookies
        found = await run_in_threadpool(self._find, cookies.get(COOKIE))
        path = scope["path"]
        user = None
        new_anon = None
        if found is not None:
            row, user = found
            state["csrf"] = row.csrf
        else:
            state["csrf"], new_anon = self._anon_token(cookies.get(ANON_CSRF_COOKIE))
        state["user"] = user
        state["classroom"] = True

        denied = self._deny(scope, path, user)
        if denied is not None:
            return await denied(scope, receive, send)
        if scope["method"] not in SAFE_METHODS and path not in CSRF_EXEMPT:
            sent, receive = await csrf.token_sent(headers, receive)
            if not (sent and state["csrf"] and secrets.compare_digest(sent, state["csrf"])):
                return await error_response(Request(scope), 403, CSRF_REFUSED)(scope, receive, send)
        if user is not None and user.role == LEARNER:
            state["services"] = await run_in_threadpool(self._learner_services, user)

        async def send_with_cookie(message):
            if new_anon and message["type"] == "http.response.start":
                secure = "; Secure" if self.services.settings.secure_cookies or scope.get("scheme") == "https" else ""
                cookie = f"{ANON_CSRF_COOKIE}={new_anon}; Path=/; HttpOnly; SameSite=Strict{secure}"
                message["headers"] = list(message.get("headers", [])) + [(b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    # --- who and what ----------------------------------------------------------------------

    def _find(self, cookie):
        with self.services.sessions.begin() as session:
            found = self.services.logins.find(session, cookie)
            if found is not None:
                session.expunge_all()
            return found

    def _learner_services(self, user):
        svc = self.services
        catalogue = classes.AssignedCatalogue(svc.catalogue, classes.open_assignments(svc.sessions, user.id))
        return dataclasses.replace(svc, learner_id=user.learner_id, catalogue=catalogue)

    def _deny(self, scope, path: str, user):
        if is_public(path):
            return None
        if user is None:
            if scope["method"] in ("GET", "HEAD"):
                return RedirectResponse("/connexion?suite=" + quote(path, safe="/"), status_code=303)
            return error_response(Request(scope), 403, "Session expirée : reconnectez-vous.")
        if path in ANY_ACCOUNT:
            return None
        if is_trainer_path(path):
            return None if user.role == TRAINER else error_response(Request(scope), 404)
        if user.role == TRAINER:
            if path == "/":
                return RedirectResponse("/formateur", status_code=303)
            return error_response(Request(scope), 404)
        return None

    # --- CSRF -------------------------------------------------------------------------------

    def _anon_token(self, cookie: str | None) -> tuple[str, str | None]:
        """(token, cookie to set or None): the pre-login token, from its signed cookie or new."""
        if cookie and len(cookie) < 200:
            try:
                return self.anon_signer.unsign(cookie).decode(), None
            except (BadSignature, UnicodeDecodeError):
                pass
        token = secrets.token_urlsafe(32)
        return token, self.anon_signer.sign(token).decode()
