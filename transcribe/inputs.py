"""The input gate: every file a user hands us is checked here before anything reads it.

- **Regular files only.** A named pipe, a device or a socket is refused without waiting on
  it: ``os.stat`` first, then an ``O_NONBLOCK`` open whose descriptor is checked again.
- **Size limits**, in megabytes, settable by environment variables (decimals accepted):

  ============================  =======  ====================================================
  variable                      default  what it limits
  ============================  =======  ====================================================
  ``TRANSCRIBE_MAX_TEXT_MB``    2        text files (copies, references, manifests, ``.toml``,
                                         ``.trn``) and the text taken out of a .docx or .odt
  ``TRANSCRIBE_MAX_OFFICE_MB``  20       a .docx or .odt file; its unpacked content may be at
                                         most 5 times this
  ``TRANSCRIBE_MAX_AUDIO_MB``   1000     an audio file
  ============================  =======  ====================================================

  Two megabytes of text is some 300,000 words: a hundred times the longest compte rendu.
- **Office documents** are zip archives: the members' declared sizes and compression ratios
  are checked before anything is unpacked (a zip bomb is refused, not unpacked), and every
  XML member is parsed with ``defusedxml`` (no DTD, no entity, no network) before
  python-docx or odfpy see it.

Every failure is a :class:`TranscribeError` whose French message names the file.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .errors import TranscribeError, os_reason

MB = 1_000_000
LIMITS = {  # kind: (environment variable, default in MB)
    "texte": ("TRANSCRIBE_MAX_TEXT_MB", 2.0),
    "bureautique": ("TRANSCRIBE_MAX_OFFICE_MB", 20.0),
    "audio": ("TRANSCRIBE_MAX_AUDIO_MB", 1000.0),
}
UNPACKED_FACTOR = 5  # an office file's members may unpack to this many times its size limit
MAX_RATIO = 100  # a member of more than 1 MB compressed more than this is a bomb (XML: 5-20×)
OFFICE_NAMES = {".docx": "document Word (.docx)", ".odt": "document OpenDocument (.odt)"}


def max_bytes(kind: str) -> int:
    """The size limit of a kind of input, in bytes (its environment variable, else the default)."""
    variable, default = LIMITS[kind]
    text = os.environ.get(variable, "").strip()
    if not text:
        return int(default * MB)
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise TranscribeError(f"variable d'environnement {variable} invalide « {text} » : un nombre de "
                              "mégaoctets positif est attendu (par exemple 5 ou 0,5).")
    return int(value * MB)


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",") + " Mo"


def _too_big(path: Path, kind: str, size: int | None = None, what: str = "fichier trop volumineux") -> TranscribeError:
    variable = LIMITS[kind][0]
    found = f"{_megabytes(size)}, " if size is not None else ""
    return TranscribeError(f"{what} ({found}limite {_megabytes(max_bytes(kind))}, réglable par la variable "
                           f"d'environnement {variable}).", path)


def _check_mode(mode: int, path: Path) -> None:
    if stat.S_ISDIR(mode):
        raise TranscribeError("c'est un dossier, pas un fichier.", path)
    if not stat.S_ISREG(mode):
        raise TranscribeError("ce n'est pas un fichier ordinaire (tube nommé, périphérique ou socket) : refusé.",
                              path)


def check_file(path: str | Path, kind: str | None = "texte") -> os.stat_result:
    """A regular file within the size limit of ``kind`` (None: any size); ``os.stat`` only,
    never opens it."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise TranscribeError("fichier introuvable.", path) from exc
    except (OSError, ValueError) as exc:
        raise TranscribeError(f"fichier inaccessible ({os_reason(exc)}).", path) from exc
    _check_mode(info.st_mode, path)
    if kind is not None and info.st_size > max_bytes(kind):
        raise _too_big(path, kind, info.st_size)
    return info


def read_bytes(path: str | Path, kind: str = "texte") -> bytes:
    """The bytes of a regular file within the size limit of ``kind``."""
    path = Path(path)
    check_file(path, kind)
    limit = max_bytes(kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TranscribeError(f"lecture impossible ({os_reason(exc)}).", path) from exc
    try:
        with os.fdopen(fd, "rb") as handle:
            _check_mode(os.fstat(handle.fileno()).st_mode, path)  # replaced since the stat?
            data = handle.read(limit + 1)
    except OSError as exc:
        raise TranscribeError(f"lecture impossible ({os_reason(exc)}).", path) from exc
    if len(data) > limit:
        raise _too_big(path, kind)
    return data


def check_text_size(text: str, path: str | Path) -> str:
    """The text taken out of a document, refused past the text limit."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes("texte"):
        raise _too_big(Path(path), "texte", what="texte trop long")
    return text


def check_office(path: str | Path) -> None:
    """A .docx or .odt fit to hand to python-docx or odfpy: sizes, ratios and XML checked."""
    path = Path(path)
    name = OFFICE_NAMES.get(path.suffix.lower(), "document bureautique")
    check_file(path, "bureautique")
    unpacked_limit = UNPACKED_FACTOR * max_bytes("bureautique")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > unpacked_limit:
                raise TranscribeError(f"{name} refusé : son contenu décompressé ferait {_megabytes(total)} "
                                      f"(limite {_megabytes(unpacked_limit)}, {UNPACKED_FACTOR} fois "
                                      f"{LIMITS['bureautique'][0]}).", path)
            for member in members:
                if member.file_size > MB and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                    raise TranscribeError(f"{name} refusé : « {member.filename} » se décompresse plus de "
                                          f"{MAX_RATIO} fois (archive piégée ?).", path)
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    _check_xml(archive.read(member), member.filename, name, path)
    except TranscribeError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError,
            ValueError) as exc:
        raise TranscribeError(f"{name} illisible ou corrompu.", path) from exc
    except OSError as exc:
        raise TranscribeError(f"{name} illisible ({os_reason(exc)}).", path) from exc
    except Exception as exc:  # zlib.error and the like, from a damaged archive
        raise TranscribeError(f"{name} illisible ou corrompu ({type(exc).__name__}).", path) from exc


def _check_xml(data: bytes, member: str, name: str, path: Path) -> None:
    """Parse one XML member with defusedxml: well-formed, no DTD, no entity, no network."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise TranscribeError(f"{name} refusé : « {member} » déclare une DTD ou des entités XML (interdit "
                              "dans un document bureautique).", path) from exc
    except ParseError as exc:
        raise TranscribeError(f"{name} illisible ou corrompu : XML invalide dans « {member} » "
                              f"({_position(exc)}).", path) from exc


def _position(exc: ParseError) -> str:
    line, column = getattr(exc, "position", (0, 0))
    return f"ligne {line}, colonne {column}" if line else "document vide ou tronqué"
