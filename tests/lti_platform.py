"""An LTI 1.3 platform for the tests, independent of the tool: a small Moodle stand-in.

It signs with its own RSA keyset (jwcrypto: not the JOSE library the tool uses), and does what
Moodle does: the OIDC authentication endpoint (checks the tool's request, answers with a form
that posts the signed id_token to the tool), the Deep Linking return (verifies the tool's JWT
with the tool's published keyset), the OAuth 2 token endpoint (verifies the tool's signed client
assertion the same way) and the AGS scores endpoint, which keeps every score it receives and,
like Moodle, refuses with 409 a timestamp not later, to the second, than the one it holds.

Served by uvicorn on a free port of the loopback (``serve``), with a page of launch buttons for
the browser test (forms posted to a new window, as Moodle's « Nouvelle fenêtre »).
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import uvicorn
from jwcrypto import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from transcribe.web.server import free_port

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@contextmanager
def serve(app, host: str = "127.0.0.1"):
    """``app`` served by uvicorn in a thread on a free port of ``host``; yields its base URL."""
    port = free_port("127.0.0.1")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def new_key(kid: str) -> jwk.JWK:
    return jwk.JWK.generate(kty="RSA", size=2048, kid=kid, alg="RS256", use="sig")


@lru_cache(maxsize=1)
def platform_key() -> jwk.JWK:
    """The platform's own key, made once for the session (every test's platform signs with it)."""
    return new_key("plateforme-2026")


def sign(key: jwk.JWK, claims: dict, kid: str | None = None) -> str:
    token = jwt.JWT(header={"alg": "RS256", "kid": kid or key["kid"], "typ": "JWT"}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


@dataclass
class Person:
    sub: str
    name: str
    email: str
    role: str  # INSTRUCTOR or LEARNER


@dataclass
class Received:
    lineitem: str
    body: dict
    content_type: str


@dataclass
class Platform:
    base: str = ""  # set by start(); the issuer
    client_id: str = "outil-dictee-42"
    deployment_id: str = "3"
    course_id: str = "101"
    course_title: str = "BTS SP3S — dictées"
    key: jwk.JWK = field(default_factory=platform_key)
    published: list = field(default_factory=list)  # extra public keys (a rotation)
    tool_keyset: str = ""  # the tool's URLs, as the administrator typed them into Moodle
    tool_redirects: tuple = ()
    pending: dict = field(default_factory=dict)  # login_hint → what to launch
    links: list = field(default_factory=list)  # resource links made by Deep Linking
    scores: list[Received] = field(default_factory=list)
    tokens: set = field(default_factory=set)
    token_requests: list = field(default_factory=list)
    answer: tuple | None = None  # (status, body) the scores endpoint gives instead of storing
    held: dict = field(default_factory=dict)  # (lineitem, userId) → last timestamp (seconds)

    # --- the tool as Moodle sees it ------------------------------------------------------------

    def configure_tool(self, tool_url: str) -> None:
        self.tool_keyset = tool_url + "/lti/jwks.json"
        self.tool_redirects = (tool_url + "/lti/launch",)

    def registration(self) -> dict:
        """What the tool's administrator copies from Moodle (« Détails de l'outil »)."""
        return {"nom": "Moodle de test", "issuer": self.base, "client_id": self.client_id,
                "deploiements": self.deployment_id, "keyset_url": self.base + "/jwks",
                "token_url": self.base + "/token", "auth_url": self.base + "/auth"}

    def tool_keys(self) -> jwk.JWKSet:
        with urllib.request.urlopen(self.tool_keyset, timeout=10) as response:
            return jwk.JWKSet.from_json(response.read())

    def verify_tool_jwt(self, token: str, audience: str) -> dict:
        checked = jwt.JWT(jwt=token, key=self.tool_keys(), algs=["RS256"],
                          check_claims={"iss": self.client_id, "aud": audience, "exp": None, "iat": None})
        return json.loads(checked.claims)

    # --- launches --------------------------------------------------------------------------------

    def prepare(self, person: Person, message_type: str = "LtiResourceLinkRequest", link: dict | None = None,
                signer: jwk.JWK | None = None, kid: str | None = None, overrides: dict | None = None) -> dict:
        """The login initiation Moodle would post for this person and activity (its hint kept).
        ``overrides``: claims replaced (None: removed); ``signer``/``kid``: another key signs."""
        hint = secrets.token_hex(8)
        self.pending[hint] = {"person": person, "type": message_type, "link": link, "overrides": overrides or {},
                              "signer": signer, "kid": kid}
        return {"iss": self.base, "login_hint": hint, "target_link_uri": self.tool_redirects[0],
                "lti_message_hint": json.dumps({"cmid": 7, "launchid": "ltilaunch" + hint}),
                "client_id": self.client_id, "lti_deployment_id": self.deployment_id}

    def claims(self, spec: dict, nonce: str) -> dict:
        person, link = spec["person"], spec["link"] or {}
        now = int(time.time())
        claims = {
            "iss": self.base, "aud": self.client_id, "sub": person.sub, "iat": now, "exp": now + 60,
            "nonce": nonce, "name": person.name, "given_name": person.name.split()[0],
            "family_name": person.name.split()[-1], "email": person.email,
            LTI + "version": "1.3.0", LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": spec["type"], LTI + "roles": [person.role],
            LTI + "context": {"id": self.course_id, "label": "SP3S", "title": self.course_title,
                              "type": ["CourseSection"]},
            LTI + "tool_platform": {"guid": "moodle.test", "product_family_code": "moodle", "version": "2024100700"},
        }
        if spec["type"] == "LtiDeepLinkingRequest":
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "accept_multiple": False,
                "auto_create": True, "data": "depot-" + spec.get("data", "7")}
        else:
            claims[LTI + "resource_link"] = {"id": link.get("id", "lien-1"), "title": link.get("title", "")}
            claims[LTI + "target_link_uri"] = link.get("url", self.tool_redirects[0])
            if link.get("custom"):
                claims[LTI + "custom"] = link["custom"]
            if link.get("lineitem"):
                claims[AGS] = {"scope": [SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
                               "lineitems": self.base + "/lineitems?type_id=1", "lineitem": link["lineitem"]}
        for name, value in spec["overrides"].items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def id_token(self, params: dict) -> tuple[str, str]:
        """(id_token, redirect_uri) for the tool's authentication request, checked as Moodle does."""
        assert params["scope"] == "openid" and params["response_type"] == "id_token"
        assert params["response_mode"] == "form_post" and params["prompt"] == "none"
        assert params["client_id"] == self.client_id, params
        assert params["redirect_uri"] in self.tool_redirects, params["redirect_uri"]
        assert params["state"] and params["nonce"]
        assert json.loads(params["lti_message_hint"])["cmid"] == 7
        spec = self.pending.pop(params["login_hint"])
        claims = self.claims(spec, params["nonce"])
        return sign(spec["signer"] or self.key, claims, spec["kid"]), params["redirect_uri"]

    # --- the web side ----------------------------------------------------------------------------

    def app(self) -> Starlette:
        async def keyset(request):
            return JSONResponse({"keys": [self.key.export_public(as_dict=True)] +
                                 [k.export_public(as_dict=True) for k in self.published]})

        async def auth(request: Request):
            params = dict(request.query_params) if request.method == "GET" else dict(await request.form())
            token, redirect = self.id_token(params)
            return HTMLResponse(
                f'<!DOCTYPE html><html lang="fr"><body><form id="lti" method="post" action="{html.escape(redirect)}">'
                f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
                f'<input type="hidden" name="state" value="{html.escape(params["state"])}"></form>'
                '<script>document.getElementById("lti").submit();</script></body></html>')

        async def deep_link_return(request: Request):
            form = await request.form()
            claims = self.verify_tool_jwt(form["JWT"], self.base)
            assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
            assert claims[LTI + "version"] == "1.3.0"
            assert claims[LTI + "deployment_id"] == self.deployment_id
            items = claims[DL + "content_items"]
            for item in items:
                n = len(self.links) + 1
                self.links.append({**item, "id": f"lien-{n}",
                                   "lineitem": f"{self.base}/lineitems/{n}/lineitem?type_id=1",
                                   "data": claims.get(DL + "data")})
            titles = ", ".join(html.escape(i["title"]) for i in items)
            return HTMLResponse(f'<!DOCTYPE html><html lang="fr"><body><h1 id="ajout">Activité ajoutée : {titles}</h1>'
                                '</body></html>')

        async def token(request: Request):
            form = dict(await request.form())
            self.token_requests.append(form)
            if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != \
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return JSONResponse({"error": "unsupported_grant_type"}, 400)
            try:
                claims = self.verify_tool_jwt(form["client_assertion"], self.base + "/token")
            except Exception as exc:  # noqa: BLE001
                return JSONResponse({"error": "invalid_client", "error_description": str(exc)}, 400)
            assert claims["sub"] == self.client_id and claims["jti"]
            if SCORE_SCOPE not in form.get("scope", "").split():
                return JSONResponse({"error": "invalid_scope"}, 400)
            value = secrets.token_urlsafe(16)
            self.tokens.add(value)
            return JSONResponse({"access_token": value, "token_type": "Bearer", "expires_in": 3600,
                                 "scope": form["scope"]})

        async def scores(request: Request):
            if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
                return JSONResponse({"error": "invalid_token"}, 401)
            if self.answer is not None:
                return Response(self.answer[1], self.answer[0], media_type="application/json")
            body = json.loads(await request.body())
            lineitem = f"{self.base}/lineitems/{request.path_params['n']}/lineitem?{request.url.query}"
            stamp = int(datetime.fromisoformat(body["timestamp"]).timestamp())
            held = self.held.get((lineitem, body["userId"]))
            if held is not None and held >= stamp:
                return Response(f"Refusing score with an earlier timestamp for item 1 and user {body['userId']}", 409)
            self.held[(lineitem, body["userId"])] = stamp
            self.scores.append(Received(lineitem, body, request.headers.get("content-type", "")))
            return JSONResponse({})

        async def home(request: Request):
            """Launch buttons, each a form posted to the tool's login in a new window."""
            buttons = []
            for label, spec in self.buttons.items():
                launch = spec()
                if not launch:  # not possible yet (no activity)
                    continue
                fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                                 for k, v in launch.items())
                buttons.append(f'<form method="post" action="{html.escape(self.tool_login)}" target="_blank">{fields}'
                               f'<button type="submit" id="{label}">{label}</button></form>')
            return HTMLResponse('<!DOCTYPE html><html lang="fr"><body><h1>Moodle de test</h1>' + "".join(buttons)
                                + "</body></html>")

        async def favicon(request):
            return Response(status_code=204)

        return Starlette(routes=[
            Route("/", home), Route("/favicon.ico", favicon), Route("/jwks", keyset), Route("/auth", auth, methods=["GET", "POST"]),
            Route("/deep-link-return", deep_link_return, methods=["POST"]), Route("/token", token, methods=["POST"]),
            Route("/lineitems/{n}/lineitem/scores", scores, methods=["POST"]),
        ])

    buttons: dict = field(default_factory=dict)  # id → () → login initiation fields (browser test)
    tool_login: str = ""


def auth_form(page: str) -> tuple[str, dict]:
    """(action, fields) of the auto-submitted form of the platform's authentication answer."""
    import re

    action = html.unescape(re.search(r'<form id="lti" method="post" action="([^"]+)"', page).group(1))
    fields = {html.unescape(k): html.unescape(v) for k, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}
    return action, fields


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
