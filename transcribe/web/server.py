"""Running the application: a free port on the loopback, uvicorn, the browser opened on request."""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
import webbrowser

from ..errors import TranscribeError
from .config import Settings

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise TranscribeError(f"le port {port} n'est pas disponible sur {host} ({exc.strerror}) ; "
                                  "choisissez-en un autre avec --port, ou laissez-le choisir.") from exc


DEFAULT_PROXIES = "127.0.0.1"  # a TLS proxy on this machine
NO_PROXY = "aucun"


def trusted_proxies(text: str) -> str:
    """The ``--proxy`` option checked: IP addresses or networks, comma separated, whose
    ``X-Forwarded-For`` / ``X-Forwarded-Proto`` headers uvicorn believes ('' for none)."""
    if text.strip().lower() == NO_PROXY:
        return ""
    items = [item.strip() for item in text.split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)
        except ValueError:
            raise TranscribeError(f"adresse de proxy invalide : « {item} » (attendu : des adresses IP ou des réseaux "
                                  "séparés par des virgules, par exemple 10.0.0.5 ou 10.0.0.0/24 ; « aucun » pour "
                                  "n'en croire aucun).") from None
    return ",".join(items)


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run(settings: Settings, host: str, port: int, workers: int = 1, open_browser: bool = False,
        announce=print, proxies: str = DEFAULT_PROXIES) -> None:
    """Serve until interrupted. Several workers re-create the app from environment variables.

    ``proxies`` (``trusted_proxies``): the client's address and scheme are taken from the
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers of requests coming from these
    addresses only (uvicorn's ProxyHeadersMiddleware): the throttling of logins per address
    and the Secure cookies behind a TLS proxy depend on it."""
    import uvicorn

    url = url_of(host, port)
    announce(url)
    if open_browser:
        threading.Thread(target=_open_when_up, args=(host, port, url), daemon=True).start()
    options = {"host": host, "port": port, "log_level": "warning", "server_header": False,
               "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}
    if workers > 1:
        os.environ.update(settings.to_env())
        uvicorn.run("transcribe.web.app:app_from_env", factory=True, workers=workers, **options)
        return
    from .app import create_app

    uvicorn.run(create_app(settings), **options)


def _open_when_up(host: str, port: int, url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.2)
