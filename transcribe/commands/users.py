"""`transcribe users`: the classroom server's accounts, from the server's machine.

The password is always prompted (hidden, typed twice), never taken from the command line,
where it would stay in the shell's history and in the process list.
"""

from __future__ import annotations

import click

from ..errors import TranscribeError

DATABASE_OPTION = click.option(
    "--database", "database", default=None, metavar="URL",
    help="Base de données du serveur (la même que « serve --database »). Défaut : la base SQLite du "
         "dossier de données de l'utilisateur.")


def _sessions(database: str | None):
    from ..web import db, migrate
    from ..web.config import Settings

    settings = Settings.default(database_url=database)
    engine = db.make_engine(settings.database_url)
    migrate.create_schema(engine)
    return engine, db.session_factory(engine)


@click.group(short_help="Comptes du serveur de classe (formateurs).")
def users():
    """Gère les comptes du serveur de classe (« transcribe serve --classe »)."""


@users.command("add", short_help="Crée un compte formateur.")
@click.option("--formateur", "trainer", required=True, metavar="NOM",
              help="Nom d'utilisateur du formateur (lettres, chiffres, « . », « - », « _ »).")
@click.option("--nom-complet", "display_name", default="", metavar="TEXTE", help="Nom affiché (par défaut : NOM).")
@DATABASE_OPTION
def add(trainer: str, display_name: str, database: str | None):
    """Crée un compte formateur. Le mot de passe est demandé (saisie masquée, deux fois)."""
    from ..web.classroom import accounts
    from ..web.classroom.models import TRAINER

    problem = accounts.name_problem(trainer)
    if problem:
        raise TranscribeError(problem[:1].upper() + problem[1:])
    engine, sessions = _sessions(database)
    with sessions.begin() as session:
        if accounts.find_user(session, trainer) is not None:
            raise TranscribeError(f"le compte « {accounts.normalise_name(trainer)} » existe déjà.")
    password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe",
                            err=True)
    try:
        with sessions.begin() as session:
            user = accounts.create_user(session, trainer, password, TRAINER, display_name)
            name = user.username
    except accounts.AccountError as exc:
        raise TranscribeError(exc.message[:1].upper() + exc.message[1:]) from None
    finally:
        engine.dispose()
    click.echo(f"Compte formateur « {name} » créé.", err=True)


@users.command("password", short_help="Change le mot de passe d'un compte.")
@click.argument("name", metavar="NOM")
@DATABASE_OPTION
def password(name: str, database: str | None):
    """Change le mot de passe du compte NOM (formateur ou apprenant) et ferme ses sessions ouvertes."""
    from ..web.classroom import accounts
    from ..web.classroom.logins import Logins

    engine, sessions = _sessions(database)
    try:
        with sessions.begin() as session:
            if accounts.find_user(session, name) is None:
                raise TranscribeError(f"aucun compte « {accounts.normalise_name(name)} ».")
        new = click.prompt("Nouveau mot de passe", hide_input=True,
                           confirmation_prompt="Confirmez le mot de passe", err=True)
        with sessions.begin() as session:
            user = accounts.find_user(session, name)
            accounts.set_password(session, user, new)
            Logins.end_all(session, user.id)
    except accounts.AccountError as exc:
        raise TranscribeError(exc.message[:1].upper() + exc.message[1:]) from None
    finally:
        engine.dispose()
    click.echo("Mot de passe changé ; les sessions ouvertes de ce compte sont fermées.", err=True)


@users.command("list", short_help="Liste les comptes.")
@DATABASE_OPTION
def list_users(database: str | None):
    """Liste les comptes : nom d'utilisateur, rôle, nom affiché."""
    from sqlalchemy import select

    from ..web.classroom.models import User

    engine, sessions = _sessions(database)
    try:
        with sessions.begin() as session:
            for user in session.scalars(select(User).order_by(User.role.desc(), User.username)):
                click.echo(f"{user.username}\t{user.role}\t{user.display_name}")
    finally:
        engine.dispose()
