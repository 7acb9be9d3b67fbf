"""The test servers are real: PostgreSQL answers SQL behind a password, SeaweedFS stores objects."""

from __future__ import annotations

import os
import pwd

import psycopg2
import pytest

from tests.servers import PG_SYSTEM_USER, Postgres, S3Store

pytestmark = pytest.mark.servers


def test_postgres_answers_over_tcp_with_the_password(postgres_server: Postgres) -> None:
    connection = psycopg2.connect(postgres_server.url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE probe (n int)")
            cursor.execute("INSERT INTO probe SELECT generate_series(1, 10)")
            cursor.execute("SELECT current_user, current_database(), sum(n) FROM probe")
            assert cursor.fetchone() == ("newsdesk", "newsdesk", 55)
            cursor.execute("SHOW listen_addresses")
            assert cursor.fetchone() == ("127.0.0.1",)
        connection.rollback()
    finally:
        connection.close()


def test_postgres_refuses_a_wrong_password(postgres_server: Postgres) -> None:
    wrong = postgres_server.url.replace(postgres_server.password, "not-the-password")
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(wrong)


def test_postgres_runs_as_an_unprivileged_user(postgres_server: Postgres) -> None:
    # PostgreSQL refuses root; as root the fixture hands the cluster to a system user.
    owner = pwd.getpwuid(postgres_server.socket_dir.stat().st_uid).pw_name
    expected = PG_SYSTEM_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    assert owner == expected


def test_seaweedfs_stores_and_returns_an_object(s3_server: S3Store) -> None:
    client = s3_server.client()
    body = b"PAR1 not really parquet, but bytes all the same\n" * 1000
    client.put_object(Bucket=s3_server.bucket, Key="probe/x.bin", Body=body)
    listed = client.list_objects_v2(Bucket=s3_server.bucket, Prefix="probe/")
    assert [item["Key"] for item in listed["Contents"]] == ["probe/x.bin"]
    assert client.get_object(Bucket=s3_server.bucket, Key="probe/x.bin")["Body"].read() == body
    client.delete_object(Bucket=s3_server.bucket, Key="probe/x.bin")


def test_seaweedfs_refuses_a_wrong_secret(s3_server: S3Store) -> None:
    from botocore.exceptions import ClientError

    intruder = S3Store(
        endpoint_url=s3_server.endpoint_url,
        access_key=s3_server.access_key,
        secret_key="not-the-secret",
        bucket=s3_server.bucket,
    ).client()
    with pytest.raises(ClientError, match=r"SignatureDoesNotMatch|AccessDenied"):
        intruder.list_objects_v2(Bucket=s3_server.bucket)
