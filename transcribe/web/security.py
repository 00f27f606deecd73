"""Protections every response gets: security headers, a body size limit, same-origin posts.

- Content-Security-Policy: scripts, styles, audio and requests only from the server itself
  (audio also from ``blob:``: a trainer hears their recording, made in the page, before
  sending it); no inline script, no inline event handler, no inline style; no framing.
- A request body larger than the limit is refused with 413: at once when its declared length
  says so, else as soon as the bytes read pass the limit (a chunked body), whoever reads it.
- A state-changing request from another site (an ``Origin`` header naming another host) is
  refused with 403: a local server must not take orders from a page on the internet. Only the
  paths given as ``cross_site`` take one (the classroom's LTI login and launch, which Moodle's
  pages post to, authenticated by a signed token instead).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request

from .pages import error_response

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BodyTooLarge(HTTPException):
    def __init__(self):
        super().__init__(413)


class SecurityMiddleware:
    """Pure ASGI middleware (it must see the body as it streams in)."""

    def __init__(self, app, max_body_bytes: int, larger: dict[str, int] | None = None,
                 cross_site: tuple[str, ...] = ()):
        self.app = app
        self.max_body = max_body_bytes
        self.larger = larger or {}  # path → its own limit (the classroom's exercise upload)
        self.cross_site = cross_site  # paths that take posts from other sites

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        headers = Headers(scope=scope)
        max_body = self.larger.get(scope["path"], self.max_body)
        refused = None
        if scope["method"] not in SAFE_METHODS and scope["path"] not in self.cross_site and not same_origin(headers):
            refused = (403, "Requête refusée : elle ne vient pas de cette application.")
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body:
            refused = (413, None)
        if refused:
            response = error_response(Request(scope), *refused)
            return await response(scope, receive, send_with_headers)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:  # raised while a middleware (not a route) read the body: answered here
            if started:
                raise
            await error_response(Request(scope), 413)(scope, receive, send_with_headers)


def same_origin(headers: Headers) -> bool:
    """No Origin (a form from a non-browser client), or an Origin naming this very host."""
    origin = headers.get("origin")
    if not origin:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
