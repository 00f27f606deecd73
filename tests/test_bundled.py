"""`transcribe.bundled`: the packaged copy of the exercises when the install has one, else the repository's."""

from pathlib import Path

from transcribe import bundled

ROOT = Path(__file__).resolve().parent.parent


def test_a_clone_uses_the_repository_folders():
    assert bundled.references_dir() == ROOT / "references"
    assert bundled.audio_dir() == ROOT / "audio_samples"
    assert bundled.examples_dir() == ROOT / "examples"
    assert len(list(bundled.references_dir().glob("*.txt"))) == 45  # 15 references, 15 drafts, 15 templates
    assert len(list(bundled.references_dir().glob("*.brouillon.txt"))) == 15
    assert len(list(bundled.references_dir().glob("*.modele.txt"))) == 15
    assert (bundled.audio_dir() / "00-court.flac").is_file()
    assert (bundled.examples_dir() / "submissions" / "ERRORS.md").is_file()


def test_an_installed_wheel_uses_its_packaged_copy(monkeypatch, tmp_path):
    package = tmp_path / "site-packages" / "transcribe"
    for name in ("references", "audio_samples", "examples"):
        (package / bundled.PACKAGED / name).mkdir(parents=True)
    monkeypatch.setattr(bundled.resources, "files", lambda name: package if name == "transcribe" else None)
    assert bundled.references_dir() == package / "_bundled" / "references"
    assert bundled.audio_dir() == package / "_bundled" / "audio_samples"
    assert bundled.examples_dir() == package / "_bundled" / "examples"
