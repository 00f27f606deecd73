"""Shared fixtures: the bundled corpus folders and a small exercise written on the fly.

The whole session runs in one temporary folder, removed at the end: the home directory, the
XDG cache/data/config/state folders, our cache (TRANSCRIBE_CACHE_DIR: transcripts and
openai-whisper's converted checkpoint) and data folder (TRANSCRIBE_DATA_DIR), hypothesis's
example database and the system temporary folder (TMPDIR, pytest's tmp_path) all point into
it, for this process and the ones it starts. No test writes in the user's home or leaves
anything in /tmp (only pytest's own .pytest_cache stays in the repository, for --lf).
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
AUDIO = ROOT / "audio_samples"
EXAMPLES = ROOT / "examples" / "submissions"

ISOLATED = {"HOME": "home", "XDG_CACHE_HOME": "xdg-cache", "XDG_DATA_HOME": "xdg-data",
            "XDG_CONFIG_HOME": "xdg-config", "XDG_STATE_HOME": "xdg-state",
            "TRANSCRIBE_CACHE_DIR": "transcribe-cache", "TRANSCRIBE_DATA_DIR": "transcribe-data",
            "TMPDIR": "tmp", "HYPOTHESIS_STORAGE_DIRECTORY": "hypothesis"}
_session = {}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Point every folder a test could write to into one session folder (before tmp_path is set up)."""
    from multiprocessing import util

    root = Path(tempfile.mkdtemp(prefix="transcribe-tests-"))
    _session.update(environ={name: os.environ.get(name) for name in ISOLATED}, tempdir=tempfile.tempdir)
    for name, sub in ISOLATED.items():
        (root / sub).mkdir()
        os.environ[name] = str(root / sub)
    tempfile.tempdir = str(root / "tmp")
    if not config.option.basetemp:
        config.option.basetemp = str(root / "pytest")
    # Removed at exit, after multiprocessing's own clean-up of the folder it made in TMPDIR
    # (its finalizers run by decreasing priority: its temporary folder is -100).
    util.Finalize(None, shutil.rmtree, args=(str(root),), kwargs={"ignore_errors": True}, exitpriority=-1000)


def pytest_unconfigure(config):
    for name, value in _session.get("environ", {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if "tempdir" in _session:
        tempfile.tempdir = _session["tempdir"]


MINI_REFERENCE = """CENTRE HOSPITALIER DE TEST - Service de cardiologie
Patient : M. Marcel DURAND, né le 14/09/1951
Motif de consultation :
Douleur thoracique depuis trois jours.
Antécédents :
Hypertension artérielle traitée par amlodipine 5 mg. Fibrillation atriale.
Conclusion :
Échographie cardiaque normale, FEVG à 60 %. Contrôle dans 2,5 mois au cœur de l'hiver.
Dr Claire MARTIN
"""

MINI_TOML = """title = "Mini consultation"
specialty = "cardiologie"
time_limit_minutes = 10
sections = ["Motif de consultation", "Antécédents", "Conclusion"]
terms = ["fibrillation atriale", "amlodipine"]
critical_values = ["5 mg"]
[patient]
nom = "DURAND"
prenom = "Marcel"
date_naissance = "14/09/1951"
"""


@pytest.fixture
def mini_exercise(tmp_path):
    ref = tmp_path / "mini.txt"
    ref.write_text(MINI_REFERENCE, encoding="utf-8")
    (tmp_path / "mini.toml").write_text(MINI_TOML, encoding="utf-8")
    return ref


@pytest.fixture
def fake_engine(monkeypatch, tmp_path):
    """The ASR engine replaced by a fixed decoding (« Bonjour virgule monsieur point »), the
    transcript cache in tmp_path; returns the list of calls (their options) made to it."""
    from transcribe.asr import cache, engines
    from transcribe.asr.commands import apply_commands
    from transcribe.asr.transcript import Segment, Transcript, Word

    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "model_identity", lambda model: "fake-model")
    calls = []

    def fake_transcribe(path, engine="faster-whisper", model=None, **options):
        calls.append({"path": str(path), "engine": engine, **options})
        raw = "Bonjour virgule monsieur point"
        opts = engines.transcription_options(engine=engine, **options)
        return Transcript(text=apply_commands(raw) if opts["commands"] else raw, raw_text=raw,
                          engine=engine, model="fake", options=opts, duration=1.0, elapsed=0.5,
                          segments=[Segment(0, 0.0, 1.0, " " + raw,
                                            [Word(0.0, 0.3, " Bonjour", 0.9), Word(0.3, 0.5, " virgule", 0.9),
                                             Word(0.5, 0.8, " monsieur", 0.3), Word(0.8, 1.0, " point", 0.9)])])

    monkeypatch.setattr(engines, "transcribe_audio", fake_transcribe)
    return calls


# --- databases: SQLite always, PostgreSQL when its binaries are installed ---------------------

@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the whole test session (tests/pgcluster.py)."""
    pytest.importorskip("psycopg")
    import pgcluster

    cluster = pgcluster.start()
    if cluster is None:
        pytest.skip("PostgreSQL n'est pas installé ici (initdb introuvable)")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The same test on both databases: a SQLite file, or a fresh schema of the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    import uuid

    return request.getfixturevalue("pg_cluster").create_schema(f"t{uuid.uuid4().hex[:12]}")
