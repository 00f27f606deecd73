"""`transcribe serve`: the application answers, lists the bundled exercises, in French."""

import re

from starlette.testclient import TestClient

from transcribe.web.app import create_app
from transcribe.web.config import Settings


def test_exercise_list_shows_every_bundled_exercise(tmp_path):
    app = create_app(Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, tmp_path))
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in page.text
    assert page.text.count('<tr id="ex-') == 15
    row = re.search(r'<tr id="ex-14-ordonnance">(.*?)</tr>', page.text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[:5] == [["Ordonnance", "14-ordonnance"], ["médecine", "générale"], ["facile"],
                         ["1", "min", "07", "s"], ["10", "min"]]
    assert cells[5:7] == [["—"], ["jamais"]]


def test_the_solo_workspace_never_imports_the_classroom_package(tmp_path):
    """Classroom mode lives in ``transcribe.web.classroom``: a solo server (its pages, a
    submission, the migrations of a new database) runs without importing any of it."""
    import subprocess
    import sys

    script = f"""
import sys
from starlette.testclient import TestClient
from transcribe.web.app import create_app
from transcribe.web.config import Settings
app = create_app(Settings(database_url="sqlite:///{tmp_path / 'solo.sqlite3'}", data_dir=__import__("pathlib").Path("{tmp_path}")))
with TestClient(app) as client:
    assert client.get("/").status_code == 200
    assert client.get("/exercices/14-ordonnance/dictee").status_code == 200
    assert client.get("/progression").status_code == 200
loaded = sorted(m for m in sys.modules if m.startswith("transcribe.web.classroom"))
print(loaded)
sys.exit(1 if loaded else 0)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "[]"
