"""Session-wide fixtures: the real servers some tests need (see tests/servers.py).

Each server starts on first use, once per test session, and stops at its end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import Postgres, S3Store, run_postgres, run_seaweedfs


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    """PostgreSQL on a free loopback port: an application role with a password and a database."""
    base = tmp_path_factory.mktemp("postgres")
    # As root the server runs as another user, who must get through pytest's private root.
    with run_postgres(base, traverse_up_to=tmp_path_factory.getbasetemp().parent) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Store]:
    """SeaweedFS's S3 gateway on a free loopback port, with one key and an empty bucket."""
    with run_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as store:
        yield store
