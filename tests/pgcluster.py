"""A throwaway PostgreSQL cluster for tests and benchmarks (Debian's initdb/pg_ctl, a temp dir).

``start()`` returns a running cluster listening on a Unix socket in its own folder only (no
TCP port), trust authentication for the user ``transcribe``; ``None`` when PostgreSQL is not
installed. PostgreSQL refuses to run as root: as root, the cluster runs as the system user
``postgres`` (created by Debian's package) or ``nobody``, through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "transcribe"


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    folder: Path
    bin: Path
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.run_as, "--"] if self.run_as else []) + list(args)

    def url(self, database: str = "postgres", schema: str | None = None) -> str:
        url = f"postgresql://{USER}@/{database}?host={self.folder}"
        return url + (f"&options=-csearch_path%3D{schema}" if schema else "")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.folder), user=USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_schema(self, name: str, database: str = "postgres") -> str:
        """A fresh empty schema, much faster than a database: the URL makes it the search path."""
        import psycopg

        with psycopg.connect(host=str(self.folder), user=USER, dbname=database, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return self.url(database, name)

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                                 "stop"), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cluster | None:
    binaries = bin_dir()
    if binaries is None:
        return None
    run_as = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                run_as = name
                break
            except KeyError:
                continue
    # The server's user must reach the folder: the tests' own temporary folder is private to root,
    # so as root the cluster lives in the system's /tmp (removed by ``stop``).
    folder = Path(tempfile.mkdtemp(prefix="transcribe-pg-", dir="/tmp" if run_as else None))
    if run_as:
        entry = pwd.getpwnam(run_as)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(folder, binaries, run_as)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(cluster._cmd(str(binaries / "initdb"), "-D", str(folder / "data"), "-U", USER, "--auth=trust",
                                "-E", "UTF8", "--no-sync"), check=True, capture_output=True, env=env, cwd="/")
    subprocess.run(cluster._cmd(str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l",
                                str(folder / "log.txt"), "-o",
                                f"-c listen_addresses='' -k {folder} -c fsync=off -c max_connections=200",
                                "start"), check=True, capture_output=True, env=env, cwd="/")
    return cluster
