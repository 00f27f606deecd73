"""Transcriptions spread over a Ray cluster (``--ray [ADRESSE]``), through the same transcript cache.

The driver (the machine that runs ``transcribe``) reads each audio file, looks it up in its
transcript cache, and sends only the misses to the cluster, with the file's bytes (the
workers need no shared folder). Each Ray worker is an actor that loads the model once and
transcribes every file it is given; the driver stores what comes back in its cache. A file
that fails, or a worker that dies, gives a failed row, never a lost run.

Without an address, a local Ray instance is started (its session files in a temporary
folder, removed at the end; token authentication with a token kept in memory; no usage
statistics); with one (``ray://tête:10001`` or ``tête:6379``), an existing cluster is joined.
Every node needs ``transcribe-medical-fr`` installed (it carries the embedded model);
another model given with ``--model`` must be at the same path on every node.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranscribeError

INSTALL_HINT = "Ray n'est pas installé : pip install 'transcribe-medical-fr[cluster]' (ou pip install ray)."
LOCAL = "local"
ENV_KEYS = ("RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN")
_LOCAL_TOKEN = secrets.token_hex(32)  # one per process: Ray's C++ side may keep the first it read


@dataclass
class Request:
    """One file to transcribe, with the keyword arguments of ``cache.transcribe_cached``."""

    path: Path
    engine: str = "faster-whisper"
    model: str | None = None
    use_cache: bool = True
    options: dict | None = None


@dataclass
class Outcome:
    """What came back for one request: a transcript, or the error message."""

    transcript: object | None = None  # asr.transcript.Transcript
    from_cache: bool = False
    error: str | None = None
    wall: float | None = None  # seconds on the worker, model loaded (None from the cache)
    peak_rss_mb: float | None = None  # the worker process's peak, when it transcribed


def require_ray():
    try:
        import ray
    except ImportError as exc:
        raise TranscribeError(INSTALL_HINT) from exc
    return ray


class Transcriber:
    """A Ray actor: its process keeps the loaded models (engines' caches) for all its files."""

    def __init__(self, cpu_threads: int | None = None):
        if cpu_threads:  # before any engine is loaded in this process
            os.environ["TRANSCRIBE_CPU_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(cpu_threads)
        self.tmp = tempfile.mkdtemp(prefix="transcribe-ray-")

    def run(self, job: dict) -> dict:
        """Transcribe one file sent as bytes; never raises (the error message comes back instead)."""
        import resource

        from .engines import transcribe_audio

        start = time.perf_counter()
        audio = Path(self.tmp) / ("audio" + job["suffix"])
        try:
            audio.write_bytes(job["data"])
            transcript = transcribe_audio(audio, engine=job["engine"], model=job["model"], **job["options"])
            result = {"transcript": transcript.to_dict()}
        except Exception as exc:  # one bad file never stops the worker
            result = {"error": str(exc) or type(exc).__name__}
        finally:
            audio.unlink(missing_ok=True)
        result["wall"] = round(time.perf_counter() - start, 3)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        return result

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class Pool:
    """A set of Transcriber actors on a Ray instance or cluster (use ``open_pool``)."""

    def __init__(self, ray, actors):
        self.ray, self.actors = ray, actors

    def run(self, requests: list[Request], progress=None) -> list[Outcome]:
        """Outcomes in the order of the requests; cache hits never leave the driver."""
        from .cache import cache_key, load_cached, store
        from .commands import apply_commands
        from .engines import transcription_options
        from .transcript import Transcript

        ray = self.ray
        outcomes: list[Outcome | None] = [None] * len(requests)
        jobs = []  # (index, key, job)
        for i, req in enumerate(requests):
            options = dict(req.options or {})
            try:
                from .audio import load_audio

                opts = transcription_options(engine=req.engine, **options)
                load_audio(req.path)  # bad audio fails here, on the driver, as in a local run
                key = cache_key(req.path, req.engine, req.model, opts) if req.use_cache else None
                cached = load_cached(key) if key else None
                if cached is not None:
                    cached.text = apply_commands(cached.raw_text) if opts["commands"] else cached.raw_text
                    cached.options["commands"] = opts["commands"]
                    cached.source = str(req.path)
                    outcomes[i] = Outcome(cached, True)
                    if progress:
                        progress(i)
                    continue
                data = Path(req.path).read_bytes()
            except TranscribeError as exc:
                outcomes[i] = Outcome(error=str(exc))
                if progress:
                    progress(i)
                continue
            except OSError as exc:
                outcomes[i] = Outcome(error=f"{req.path} : lecture impossible ({exc.strerror or exc}).")
                if progress:
                    progress(i)
                continue
            jobs.append((i, key, {"data": data, "suffix": Path(req.path).suffix.lower(), "engine": req.engine,
                                  "model": None if req.model is None else str(req.model), "options": options}))
        pending: dict = {}  # ray future → (actor, index, key)
        queue = list(jobs)
        idle = list(self.actors)

        def submit():
            while idle and queue:
                actor = idle.pop()
                index, key, job = queue.pop(0)
                pending[actor.run.remote(job)] = (actor, index, key)

        submit()
        while pending:
            [done], _ = ray.wait(list(pending), num_returns=1)
            actor, index, key = pending.pop(done)
            try:
                result = ray.get(done)
            except Exception as exc:  # the worker died (memory, node lost): this file fails, the run goes on
                result = {"error": f"le processus Ray a échoué : {type(exc).__name__}"}
            if "transcript" in result:
                transcript = Transcript.from_dict(result["transcript"])
                transcript.source = str(requests[index].path)
                if key:
                    store(key, transcript)
                outcomes[index] = Outcome(transcript, False, wall=result.get("wall"),
                                          peak_rss_mb=result.get("peak_rss_mb"))
            else:
                outcomes[index] = Outcome(error=result.get("error") or "échec", wall=result.get("wall"))
            idle.append(actor)
            if progress:
                progress(index)
            submit()
        return outcomes


def _is_local(address: str | None) -> bool:
    return address in (None, "", LOCAL)


def _prepare_environment(address: str | None) -> None:
    """Before Ray reads its configuration: no usage statistics; for a local instance, token
    authentication with a token of this process, kept in memory (Ray would write ~/.ray/auth_token)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no network call home
    if _is_local(address) and "RAY_AUTH_MODE" not in os.environ and "RAY_AUTH_TOKEN" not in os.environ:
        os.environ["RAY_AUTH_MODE"] = "token"
        os.environ["RAY_AUTH_TOKEN"] = _LOCAL_TOKEN


def _short_temp_base() -> str | None:
    """A temporary folder short enough for Ray's socket paths (≤ 107 bytes with ~70 of Ray's own)."""
    base = tempfile.gettempdir()
    if len(base) <= 30 or not os.access("/tmp", os.W_OK):
        return base
    return "/tmp"


def _connect(ray, address: str | None, cpus: int | None):
    """ray.init on a new local instance (in ``tmp``) or an existing cluster; returns the temp dir to remove."""
    if _is_local(address):
        tmp = tempfile.mkdtemp(prefix="ray-", dir=_short_temp_base())
        try:
            from ray._raylet import Config

            Config.initialize("")  # Ray was maybe imported before the environment above was set
        except Exception:
            pass
        try:
            ray.init(num_cpus=cpus, include_dashboard=False, _temp_dir=tmp,
                     _node_ip_address="127.0.0.1", log_to_driver=False, configure_logging=False)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise TranscribeError(f"impossible de démarrer Ray en local ({exc}).") from exc
        return tmp
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    except Exception as exc:
        raise TranscribeError(f"impossible de joindre le cluster Ray à l'adresse {address} ({exc}).") from exc
    return None


@contextmanager
def open_pool(address: str | None = None, workers: int | None = None, cpus_per_worker: int | None = None):
    """A pool of ``workers`` Transcriber actors (default: the cluster's CPUs / ``cpus_per_worker``),
    each using ``cpus_per_worker`` CTranslate2 threads; Ray is shut down (and its files removed) after.

    CTranslate2's results can change with its thread count (measured: a few words on the short
    clips at 1 vs 2 threads): the default, the thread count a local run would use on this
    machine, gives the local run's transcripts."""
    from .engines import default_cpu_threads

    cpus_per_worker = cpus_per_worker or default_cpu_threads()
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    try:
        _prepare_environment(address)
        ray = require_ray()
        tmp = _connect(ray, address, max(os.cpu_count() or 1, (workers or 1) * cpus_per_worker))
    except BaseException:
        _restore(saved)
        raise
    actors = []
    try:
        total = int(ray.cluster_resources().get("CPU", 1))
        count = workers or max(1, total // cpus_per_worker)
        remote = ray.remote(num_cpus=cpus_per_worker, max_restarts=1)(Transcriber)
        actors = [remote.remote(cpus_per_worker) for _ in range(count)]
        yield Pool(ray, actors)
    finally:
        for actor in actors:
            try:
                ray.get(actor.close.remote(), timeout=30)
            except Exception:
                pass
        ray.shutdown()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        _restore(saved)


def _restore(saved: dict) -> None:
    """The environment as it was before Ray (token, usage statistics)."""
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
