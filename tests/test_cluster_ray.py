"""`--ray`: a local Ray instance with 2 workers gives the same bench metrics as the default runner,
through the same transcript cache; a bad file is a failed row; Ray leaves nothing behind."""

import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.asr.commands import apply_commands
from transcribe.cli import main

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT / "audio_samples"
TIMING = {"duration", "elapsed", "rtf", "wall", "from_cache", "audio_s", "processing_s", "rtf_ci"}



@pytest.fixture
def corpus(tmp_path):
    """Two short clips of 00-court (its two sentences) and one unreadable file, with references."""
    import soundfile

    refs, audio = tmp_path / "refs", tmp_path / "audio"
    refs.mkdir()
    audio.mkdir()
    samples, rate = soundfile.read(str(AUDIO / "00-court.flac"))
    lines = (AUDIO / "00-court.dictee.txt").read_text(encoding="utf-8").splitlines()
    for name, spoken, part in (("a", lines[0], samples[: int(5.4 * rate)]),
                               ("b", " ".join(lines[1:]), samples[int(5.4 * rate):])):
        (refs / f"{name}.txt").write_text(apply_commands(spoken), encoding="utf-8")
        (refs / f"{name}.toml").write_text('title = "x"\nspecialty = "cardiologie"\n', encoding="utf-8")
        soundfile.write(str(audio / f"{name}.flac"), part, rate)
    (refs / "c.txt").write_text("Rien.", encoding="utf-8")
    (audio / "c.flac").write_bytes(b"pas du son")
    return refs, audio


def cache_env(monkeypatch, folder: Path):
    """A fresh transcript cache in ``folder`` (the embedded model is read in place from its packages)."""
    folder.mkdir()
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(folder))


def metrics(out: Path) -> dict:
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    items = {s["name"]: [{k: v for k, v in i.items() if k not in TIMING} for i in s["items"]]
             for s in data["systems"]}
    corpus = {s["name"]: {k: v for k, v in s["corpus"].items() if k not in TIMING and k != "from_cache"}
              for s in data["systems"]}
    return {"items": items, "corpus": corpus, "comparisons": data["comparisons"]}


@pytest.mark.slow
def test_ray_with_two_workers_gives_the_local_metrics(corpus, tmp_path, monkeypatch):
    pytest.importorskip("ray")
    refs, audio = corpus
    home_ray = Path.home() / ".ray"
    had_home_ray = home_ray.exists()
    def ours():
        folders = {Path(tempfile.gettempdir()), Path("/tmp")}
        return {p for d in folders for p in d.iterdir() if p.name.startswith(("ray-", "transcribe-ray-"))}

    before = ours()
    args = ["bench", str(audio), "--references", str(refs), "--beam", "1", "--biais", "aucun", "--biais", "specialite"]

    cache_env(monkeypatch, tmp_path / "cache-local")
    local = CliRunner().invoke(main, args + ["--out", str(tmp_path / "local")])
    assert local.exit_code == 1, local.output  # c.flac fails, a and b are scored

    cache_env(monkeypatch, tmp_path / "cache-ray")
    ray_run = CliRunner().invoke(main, args + ["--out", str(tmp_path / "ray"), "--ray", "--ray-workers", "2"])
    assert ray_run.exit_code == 1, ray_run.output
    assert "Ray : 2 processus de transcription." in ray_run.stderr
    assert metrics(tmp_path / "ray") == metrics(tmp_path / "local")
    data = json.loads((tmp_path / "ray" / "bench.json").read_text(encoding="utf-8"))
    for system in data["systems"]:
        rows = {i["id"]: i for i in system["items"]}
        assert rows["c"]["error"].startswith(str(audio / "c.flac")) and rows["a"]["error"] is None
        assert not rows["a"]["from_cache"] and system["peak_rss_mb"] > 100
    # the Ray results went into the transcript cache: a second run transcribes nothing
    again = CliRunner().invoke(main, args + ["--out", str(tmp_path / "ray2"), "--ray", "--ray-workers", "2"])
    data = json.loads((tmp_path / "ray2" / "bench.json").read_text(encoding="utf-8"))
    assert all(i["from_cache"] for s in data["systems"] for i in s["items"] if i["id"] != "c"), again.output
    assert metrics(tmp_path / "ray2") == metrics(tmp_path / "local")

    assert ours() <= before  # session files and workers' folders removed
    assert home_ray.exists() == had_home_ray  # no token written in the home folder
    assert "RAY_AUTH_TOKEN" not in os.environ


def test_ray_missing_or_misplaced_is_a_french_usage_error(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["asr", str(AUDIO / "00-court.flac"), "--ray"])
    assert result.exit_code == 2 and "Ray n'est pas installé : pip install" in result.stderr
    result = CliRunner().invoke(main, ["asr", "--ray", str(AUDIO / "00-court.flac")])
    assert result.exit_code == 2 and "écrivez --ray=ADRESSE" in result.output
