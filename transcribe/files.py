"""Writing outputs safely: atomically (temporary file + rename), never over an input.

``write_atomic`` writes a temporary file beside the target and renames it, so a crash or a
full disk leaves the old file or nothing, never half a file. ``write_output`` is for the
files a user names (``-o``): refused when it would replace one of the command's inputs or
is a folder, and a system failure becomes one French message.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from .errors import TranscribeError, os_reason


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes | BinaryIO, encoding: str = "utf-8") -> Path:
    """Write to a temporary file in the same folder, then rename it over ``path`` (``data``
    may be an open binary file: copied from where it stands, in blocks)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short temporary name: a target name near the system's limit must still be writable.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:32]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(data, "read"):
                shutil.copyfileobj(data, handle)
            else:
                handle.write(data.encode(encoding) if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def private_folder(path: str | Path) -> Path:
    """A folder that only its owner may enter (0700) when it is made now; an existing one is
    left as it is (its parents are made as usual)."""
    path = Path(path)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # whatever the umask
        except FileExistsError:
            pass
    return path


def resolved(path: str | Path) -> Path:
    """The path with links and ``..`` resolved; as given (made absolute) when it cannot be
    (a link loop, a name too long)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file (links and ``..`` resolved, hard links too)."""
    a, b = Path(a), Path(b)
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, RuntimeError, ValueError):
        return False


def check_not_input(output: str | Path, inputs: Iterable[str | Path | None], option: str = "-o") -> None:
    """Refuse an output path that is one of the inputs (the learner's copy, the audio…)."""
    output = Path(output)
    for source in inputs:
        if source is not None and same_file(output, source):
            raise TranscribeError(f"ce fichier de sortie est un fichier d'entrée de la commande ({source}) : il "
                                  f"serait remplacé. Choisissez un autre nom avec {option}.", output)


def check_output_file(output: str | Path, inputs: Iterable[str | Path | None] = (), option: str = "-o") -> None:
    """An output file the user named: not an input, not a folder."""
    output = Path(output)
    check_not_input(output, inputs, option)
    try:
        is_dir = output.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        raise TranscribeError(f"écriture impossible ({os_reason(exc)}) ; aucun fichier n'a été écrit.",
                              output) from exc
    if is_dir:
        raise TranscribeError(f"c'est un dossier : donnez un nom de fichier avec {option}.", output)
    if not output.name or output.name in (".", ".."):
        raise TranscribeError(f"nom de fichier de sortie invalide : donnez un nom de fichier avec {option}.", output)


def write_output(path: str | Path, data: str | bytes, inputs: Iterable[str | Path | None] = (),
                 option: str = "-o") -> Path:
    """Write a file the user named, atomically; refused over an input; French errors."""
    path = Path(path)
    check_output_file(path, inputs, option)
    try:
        if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: no rename over them
            return _write_special(path, data)
        return write_atomic(path, data)
    except (OSError, ValueError) as exc:
        raise TranscribeError(f"écriture impossible ({os_reason(exc)}) ; aucun fichier n'a été écrit.", path) from exc


def _write_special(path: Path, data: str | bytes) -> Path:
    """Write into a device or a named pipe in place (never blocks when no program reads it)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
    os.set_blocking(fd, True)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path
