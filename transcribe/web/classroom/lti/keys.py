"""The tool's RSA keys: made at first start, kept in the data folder, rotated on request.

Moodle checks what the tool signs (the Deep Linking answer, the token requests of the grade
service) with the public keys it reads at the tool's keyset URL (``/lti/jwks.json``). The
private keys live in ``<data folder>/lti/``: ``cle-actuelle.pem`` signs, ``cle-precedente.pem``
(after a rotation) is still published so that what was signed just before the rotation, or a
keyset Moodle cached, still verifies. Folder 0700, files 0600, written whole then renamed, so
that several server processes starting at once share one key and a reader never sees half a
file. Each key's ``kid`` is its RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from ....errors import TranscribeError

FOLDER = "lti"
CURRENT = "cle-actuelle.pem"
PREVIOUS = "cle-precedente.pem"
KEY_BITS = 2048
ALGORITHM = "RS256"


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638: SHA-256 of the members e, kty, n in that order, no spaces, base64url."""
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


class ToolKeys:
    """The keys of one data folder (re-read when another process rotated them)."""

    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / FOLDER
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple, ToolKey]] = {}

    # --- files ----------------------------------------------------------------------------

    def _write_private(self, name: str, data: bytes, replace: bool) -> None:
        """``data`` into ``name``, 0600, atomically; without ``replace``, an existing file wins."""
        tmp = self.folder / f".{name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if replace:
                os.replace(tmp, self.folder / name)
            else:
                try:
                    os.link(tmp, self.folder / name)  # fails if another process made it first
                except FileExistsError:
                    pass
                except OSError:  # a file system without hard links: a rename, if still missing
                    if not (self.folder / name).exists():
                        os.replace(tmp, self.folder / name)
        finally:
            tmp.unlink(missing_ok=True)

    def ensure(self) -> ToolKey:
        """The current key, made on the first start."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.folder, 0o700)
            if not (self.folder / CURRENT).exists():
                key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
                self._write_private(CURRENT, _pem(key), replace=False)
        except OSError as exc:
            raise TranscribeError(f"impossible d'écrire la clé LTI de l'outil : {exc.strerror}.", self.folder) from exc
        return self.current()

    def _load(self, name: str) -> ToolKey | None:
        path = self.folder / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(name)
            if cached and cached[0] == signature:
                return cached[1]
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:  # rotated meanwhile
            return self._load(name)
        except (OSError, ValueError) as exc:
            raise TranscribeError(f"clé LTI illisible : {exc}.", path) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TranscribeError("la clé LTI n'est pas une clé RSA.", path)
        loaded = ToolKey(thumbprint(key.public_key()), key)
        with self._lock:
            self._cache[name] = (signature, loaded)
        return loaded

    # --- use --------------------------------------------------------------------------------

    def current(self) -> ToolKey:
        key = self._load(CURRENT)
        return key if key is not None else self.ensure()

    def previous(self) -> ToolKey | None:
        return self._load(PREVIOUS)

    def jwks(self) -> dict:
        """The public keyset: the current key, then the previous one during a rotation."""
        keys = [self.current()]
        previous = self.previous()
        if previous is not None and previous.kid != keys[0].kid:
            keys.append(previous)
        return {"keys": [k.public_jwk() for k in keys]}

    def rotate(self) -> ToolKey:
        """A new current key; the current one becomes the previous one (the older is dropped).
        Both files exist at every moment: a process reading during the rotation finds a key."""
        old = self.current()
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        self._write_private(PREVIOUS, _pem(old.private_key), replace=True)
        self._write_private(CURRENT, _pem(key), replace=True)
        return self.current()
