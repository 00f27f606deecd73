"""`transcribe serve`: the learner's dictation workspace, in the browser, on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import TranscribeError


@click.command(short_help="Ouvre l'espace de dictée dans le navigateur (serveur local).")
@click.option("--references", "-r", "references", type=click.Path(path_type=Path), default=None,
              help="Dossier d'exercices d'un formateur (<id>.txt, <id>.toml, audio), comme pour « grade ». "
                   "Défaut : les exercices fournis.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=None, metavar="PORT",
              help="Port d'écoute. Défaut : un port libre choisi automatiquement.")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADRESSE",
              help="Adresse d'écoute (en mode solo, uniquement cet ordinateur : 127.0.0.1, ::1 ou localhost ; "
                   "une autre adresse, par exemple 0.0.0.0, demande --classe).")
@click.option("--classe", "classroom", is_flag=True,
              help="Mode classe : comptes formateurs et apprenants, classes, devoirs, tableau de bord "
                   "du formateur. Obligatoire pour écouter le réseau.")
@click.option("--cookies-securises", "secure_cookies", is_flag=True,
              help="Mode classe derrière un proxy HTTPS : cookies marqués Secure (même si le proxy ne dit pas "
                   "X-Forwarded-Proto: https).")
@click.option("--proxy", "proxies", default="127.0.0.1", show_default=True, metavar="ADRESSES",
              help="Adresses IP (ou réseaux, 10.0.0.0/24) des proxys de confiance, séparées par des virgules : "
                   "leurs en-têtes X-Forwarded-For et X-Forwarded-Proto donnent l'adresse réelle de chaque client "
                   "(limite de connexions par adresse) et le HTTPS (cookies Secure). « aucun » : n'en croire aucun. "
                   "Voir docs/securite.md.")
@click.option("--database", "database", default=None, metavar="URL",
              help="Base de données (URL SQLAlchemy). Défaut : un fichier SQLite dans le dossier de "
                   "données de l'utilisateur.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, metavar="N",
              help="Nombre de processus serveur.")
@click.option("--open", "open_browser", is_flag=True, help="Ouvre la page dans le navigateur.")
def serve(references: Path | None, port: int | None, host: str, classroom: bool, secure_cookies: bool,
          proxies: str, database: str | None, workers: int, open_browser: bool):
    """Lance l'espace de dictée : liste des exercices, lecteur audio piloté au clavier, zone de
    saisie enregistrée automatiquement, correction immédiate et suivi de progression.

    Tout reste sur cet ordinateur : les tentatives sont enregistrées dans le dossier de données
    de l'utilisateur. Arrêt : Ctrl+C.
    """
    from ..web import server
    from ..web.catalogue import check_folder
    from ..web.config import Settings

    if not server.is_loopback(host) and not classroom:
        raise TranscribeError(f"l'adresse {host} n'est pas locale : en mode solo, l'espace de dictée "
                              "n'écoute que cet ordinateur (127.0.0.1). Pour accueillir une classe sur le "
                              "réseau, ajoutez --classe (comptes et mots de passe).")
    proxies = server.trusted_proxies(proxies)
    if references is not None:
        if not references.is_dir():
            raise TranscribeError("dossier de références introuvable.", references)
        check_folder(references)
    settings = Settings.default(references.resolve() if references else None, database, classroom, secure_cookies)
    if port is None:
        port = server.free_port(host)
    else:
        server.check_port(host, port)
    from ..web.app import create_app

    create_app(settings)  # the database is created (or its problem reported) before listening

    def announce(url: str) -> None:
        click.echo(f"{'Serveur de classe' if classroom else 'Espace de dictée'} : {url}")
        from sqlalchemy.engine import make_url

        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        click.echo(f"Base de données : {shown}", err=True)
        click.echo("Arrêt : Ctrl+C.", err=True)

    server.run(settings, host, port, workers, open_browser, announce=announce, proxies=proxies)
