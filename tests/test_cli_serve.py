"""`transcribe serve`: what it refuses before listening, in French, with exit code 2."""

import socket

from click.testing import CliRunner

from transcribe.cli import main


def serve(tmp_path, *args):
    env = {"TRANSCRIBE_DATA_DIR": str(tmp_path / "donnees")}
    return CliRunner().invoke(main, ["serve", *args], env=env)


def test_a_non_loopback_address_is_refused_in_solo_mode(tmp_path):
    result = serve(tmp_path, "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.stderr == ("Erreur : l'adresse 0.0.0.0 n'est pas locale : en mode solo, l'espace de dictée "
                             "n'écoute que cet ordinateur (127.0.0.1). Pour accueillir une classe sur le réseau, "
                             "ajoutez --classe (comptes et mots de passe).\n")


def test_a_missing_or_empty_references_folder_is_refused(tmp_path):
    result = serve(tmp_path, "--references", str(tmp_path / "nulle-part"))
    assert result.exit_code == 2
    assert "dossier de références introuvable" in result.stderr and "nulle-part" in result.stderr
    (tmp_path / "vide").mkdir()
    result = serve(tmp_path, "--references", str(tmp_path / "vide"))
    assert result.exit_code == 2
    assert "aucun exercice (fichier .txt) dans ce dossier de références" in result.stderr


def test_a_bad_database_url_is_refused(tmp_path):
    result = serve(tmp_path, "--database", "pas-une-url")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : adresse de base de données invalide : 'pas-une-url'")


def test_a_port_in_use_is_refused(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = serve(tmp_path, "--port", str(port))
    assert result.exit_code == 2
    assert f"le port {port} n'est pas disponible sur 127.0.0.1" in result.stderr
    assert not (tmp_path / "donnees").exists()  # refused before creating the database


def test_a_read_only_database_is_refused_before_listening(tmp_path):
    from transcribe.web import db, migrate

    path = tmp_path / "base.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    migrate.create_schema(engine)
    engine.dispose()
    result = serve(tmp_path, "--database", f"sqlite:///file:{path}?mode=ro&uri=true")
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : base de données en lecture seule (sqlite:///file")
    assert "le serveur ne pourrait rien y enregistrer" in result.stderr


def test_the_trusted_proxies_reach_uvicorn(tmp_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert serve(tmp_path, "--classe", "--proxy", "10.0.0.5, 192.168.0.0/24").exit_code == 0
    assert serve(tmp_path, "--classe", "--proxy", "aucun").exit_code == 0
    assert serve(tmp_path, "--classe").exit_code == 0
    assert [(c["proxy_headers"], c["forwarded_allow_ips"]) for c in calls] == [
        (True, "10.0.0.5,192.168.0.0/24"), (False, None), (True, "127.0.0.1")]
    refused = serve(tmp_path, "--classe", "--proxy", "10.0.0.5,proxy.lan")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Erreur : adresse de proxy invalide : « proxy.lan » (attendu : des adresses IP")
