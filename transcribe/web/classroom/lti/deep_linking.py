"""Deep Linking: the teacher's choice, carried to our page and back to Moodle, signed.

The Deep Linking request's settings (return URL, ``data``, deployment) ride from the launch to
the choosing page in a token signed with the server's secret (``itsdangerous``), bound to the
teacher's account and valid one hour: nothing to store, nothing another account can reuse.
The answer is an ``LtiDeepLinkingResponse`` JWT signed with the tool's current key (Moodle
verifies it with ``/lti/jwks.json``): one ``ltiResourceLink`` whose custom parameters name the
exercise and the mode, with a ``lineItem`` (out of 20, labelled with the exercise's title) so
that Moodle makes the gradebook column the scores will be posted to.
"""

from __future__ import annotations

import secrets
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .keys import ToolKey
from .launch import DL, LTI

REQUEST_LIFETIME_SECONDS = 3600
SCORE_MAXIMUM = 20
MODE_NAMES = {"dictee": "saisie sous dictée", "correction": "correction de brouillon"}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="transcribe-lti-deep-linking")


def request_token(secret: str, user_id: int, class_id: int, platform_id: int, issuer: str, client_id: str,
                  deployment_id: str, settings: dict) -> str:
    return _serializer(secret).dumps({"u": user_id, "c": class_id, "p": platform_id, "i": issuer, "a": client_id,
                                      "d": deployment_id, "r": settings["deep_link_return_url"],
                                      "x": settings.get("data")})


def read_request(secret: str, token: str, user_id: int) -> dict | None:
    """The request of this token, if it is intact, recent and this account's."""
    try:
        data = _serializer(secret).loads(token, max_age=REQUEST_LIFETIME_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) and data.get("u") == user_id else None


def resource_link(launch_url: str, exercise_id: str, mode: str, title: str) -> dict:
    return {
        "type": "ltiResourceLink",
        "title": f"{title} ({MODE_NAMES.get(mode, mode)})",
        "text": f"Dictée médicale : {title}, en {MODE_NAMES.get(mode, mode)}, notée sur {SCORE_MAXIMUM}.",
        "url": launch_url,
        "custom": {"exercice": exercise_id, "mode": mode},
        "lineItem": {"scoreMaximum": SCORE_MAXIMUM, "label": title, "resourceId": f"{exercise_id}:{mode}",
                     "tag": "transcribe"},
        "window": {"targetName": "_blank"},
    }


def response_jwt(key: ToolKey, request: dict, items: list[dict]) -> str:
    """The signed ``LtiDeepLinkingResponse`` (issuer: our client id; audience: the platform)."""
    now = int(time.time())
    claims = {"iss": request["a"], "aud": request["i"], "iat": now, "exp": now + 600,
              "nonce": secrets.token_urlsafe(16),
              LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
              LTI + "deployment_id": request["d"], DL + "content_items": items}
    if request.get("x") is not None:
        claims[DL + "data"] = request["x"]
    return key.sign(claims)
