"""The CSRF token a request carries, found without holding its body.

The page's scripts send it in the ``X-CSRF-Token`` header: nothing of the body is read.
A form sends it as its ``csrf`` field, placed first in every form of the pages: the body is
parsed as it streams in (python-multipart, the parser Starlette's own forms use) only until
that field has been read, ``CSRF_SCAN_BYTES`` at most. The bytes read are then handed back
to the application in front of the rest of the stream (``receive`` replayed), so that a
request is never buffered whole before its token has been checked — a 60 MB exercise upload
included, which the form parser then spools to disk.
"""

from __future__ import annotations

from python_multipart import MultipartParser, QuerystringParser
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers

CSRF_FIELD = b"csrf"
CSRF_SCAN_BYTES = 64 * 1024  # the forms' first field; anything later is not looked for
MAX_TOKEN_BYTES = 200


class _Found(Exception):
    """The token field is complete: parsing stops there."""


class _Field:
    """Callbacks that collect the ``csrf`` field of a urlencoded or multipart body."""

    def __init__(self):
        self.name = b""
        self.value = b""
        self.header = b""
        self.header_value = b""
        self.token: bytes | None = None

    def begin(self):
        self.name, self.value = b"", b""

    def add_name(self, data: bytes, start: int, end: int):
        self.name += data[start:end]

    def add_value(self, data: bytes, start: int, end: int):
        if len(self.value) <= MAX_TOKEN_BYTES:
            self.value += data[start:end]

    def end(self):
        if self.name == CSRF_FIELD:
            self.token = self.value
            raise _Found

    def add_header(self, data: bytes, start: int, end: int):
        self.header += data[start:end]

    def add_header_value(self, data: bytes, start: int, end: int):
        self.header_value += data[start:end]

    def end_header(self):
        if self.header.lower() == b"content-disposition":
            _, options = parse_options_header(self.header_value)
            self.name = options.get(b"name", b"")
        self.header, self.header_value = b"", b""

    def parser(self, content_type: str):
        kind, options = parse_options_header(content_type)
        if kind == b"application/x-www-form-urlencoded":
            return QuerystringParser({"on_field_start": self.begin, "on_field_name": self.add_name,
                                      "on_field_data": self.add_value, "on_field_end": self.end})
        if kind == b"multipart/form-data" and options.get(b"boundary"):
            return MultipartParser(options[b"boundary"], {
                "on_part_begin": self.begin, "on_part_data": self.add_value, "on_part_end": self.end,
                "on_header_field": self.add_header, "on_header_value": self.add_header_value,
                "on_header_end": self.end_header})
        return None


async def token_sent(headers: Headers, receive):
    """(the token sent or None, the ``receive`` that gives the application the whole body)."""
    sent = headers.get("x-csrf-token")
    if sent is not None:
        return sent, receive
    field = _Field()
    parser = field.parser(headers.get("content-type", ""))
    if parser is None:
        return None, receive
    read, size, more = [], 0, True
    while more and size < CSRF_SCAN_BYTES and field.token is None:
        message = await receive()  # past the body limit: BodyTooLarge, a 413
        if message["type"] != "http.request":
            return None, receive
        chunk, more = message.get("body", b""), message.get("more_body", False)
        read.append(chunk)
        size += len(chunk)
        try:
            parser.write(chunk)
            if not more:
                parser.finalize()
        except _Found:
            pass
        except Exception:  # a malformed body carries no token
            return None, receive
    token = field.token.decode("latin-1") if field.token is not None else None
    if token is not None and b"%" in field.token:  # urlencoded: a token never needs escaping
        token = None
    return token, _replay(b"".join(read), more, receive)


def _replay(prefix: bytes, more: bool, receive):
    pending = [prefix]

    async def replayed():
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": more}
        return await receive()

    return replayed
