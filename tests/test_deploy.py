"""deploy/: the Helm values and the Dockerfile name this project's real module, tag and settings.

Neither file can be tried here (no cluster, no container runtime): both are labelled
UNTESTED CONFIGURATION. What these checks keep true is that they do not drift from the
code they deploy: the code location module exists and is the one pyproject.toml names,
the run queue limits the tag the crawl jobs really carry, with the same limits as
dagster_project/dagster.postgres.yaml, the Dagster database is external with its
password in a Secret, and no password or key is written in plain text.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from dagster_project.jobs import EDITION_TAG, edition_tags
from newsdesk.warehouse import Warehouse, WarehouseIsLake

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INSTANCE = ROOT / "dagster_project" / "dagster.postgres.yaml"

# Env names whose value must come from a Secret, never from the values file.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY", re.IGNORECASE)
# Chart keys holding a secret itself (not the name of a Secret, like postgresqlSecretName).
SECRET_KEY = re.compile(r"(password|secretkey|secret_key|accesskey|token)$", re.IGNORECASE)


def _values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def _deployment(values: dict[str, Any]) -> dict[str, Any]:
    user = values["dagster-user-deployments"]
    assert user["enabled"] is True
    (deployment,) = user["deployments"]  # one code location
    return deployment


def _module_after_m(args: list[str]) -> str:
    return args[args.index("-m") + 1]


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a parsed YAML document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_both_files_are_labelled_untested() -> None:
    assert "UNTESTED CONFIGURATION" in VALUES.read_text(encoding="utf-8").splitlines()[0]
    assert "UNTESTED CONFIGURATION" in DOCKERFILE.read_text(encoding="utf-8").splitlines()[0]


def test_code_location_is_the_project_module() -> None:
    deployment = _deployment(_values())
    module = _module_after_m(deployment["dagsterApiGrpcArgs"])
    assert importlib.util.find_spec(module) is not None, module
    dagster_settings = _pyproject()["tool"]["dagster"]
    assert module == dagster_settings["module_name"]
    # `dagster api grpc` serves the location under the deployment's name in the UI.
    assert deployment["name"] == dagster_settings["code_location_name"]
    # Run pods inherit the code server's env, secrets and volumes only with this on;
    # its resources would be inherited too, over the run sizes set on the launcher.
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert "resources" not in deployment
    run_config = _values()["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    assert run_config["containerConfig"]["resources"]["limits"]["memory"]


def test_run_queue_limits_the_edition_tag_like_the_instance_file() -> None:
    values = _values()
    instance = yaml.safe_load(INSTANCE.read_text(encoding="utf-8"))["concurrency"]
    concurrency = values["concurrency"]
    assert concurrency["enabled"] is True
    limits = concurrency["runs"]["tagConcurrencyLimits"]
    by_key = {limit["key"]: limit for limit in limits}
    # The tag the crawl jobs put on every run, one run per value (per edition).
    assert edition_tags("es") == {EDITION_TAG: "es"}
    assert by_key[EDITION_TAG] == {
        "key": EDITION_TAG,
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    }
    # The same queue and pool limits as the single-server PostgreSQL instance.
    assert limits == instance["runs"]["tag_concurrency_limits"]
    assert concurrency["runs"]["maxConcurrentRuns"] == instance["runs"]["max_concurrent_runs"]
    assert concurrency["pools"]["defaultLimit"] == instance["pools"]["default_limit"] == 1
    # The chart refuses limits set both here and on the run coordinator.
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] is True
    assert coordinator["type"] == "QueuedRunCoordinator"
    queued = coordinator["config"]["queuedRunCoordinator"]
    assert queued.get("maxConcurrentRuns") is None
    assert not queued.get("tagConcurrencyLimits")
    assert values["runLauncher"]["type"] == "K8sRunLauncher"


def test_dagster_postgres_is_external_with_the_password_in_a_secret() -> None:
    values = _values()
    postgres = values["postgresql"]
    assert postgres["enabled"] is False
    assert postgres["postgresqlHost"]
    assert not postgres.get("postgresqlPassword")
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    instance = yaml.safe_load(INSTANCE.read_text(encoding="utf-8"))
    assert postgres["postgresqlScheme"] == instance["storage"]["postgres"]["postgres_db"]["scheme"]


def test_no_password_or_key_in_plain_text() -> None:
    values = _values()
    for mapping in _walk(values):
        name = mapping.get("name")
        if isinstance(name, str) and "value" in mapping:
            assert not SECRET_NAME.search(name), f"{name} has a plain value; use a Secret"
        for key, value in mapping.items():
            if isinstance(value, str) and SECRET_KEY.search(key):
                assert value == "", f"{key} is written in the values file"
    # The lake's S3 keys and catalog password reach the pods from a Secret.
    assert _deployment(values)["envSecrets"]


def test_warehouse_and_lake_toml_are_mounted() -> None:
    deployment = _deployment(_values())
    env = {e["name"]: e["value"] for e in deployment["env"] if "value" in e}
    mounts = {PurePosixPath(m["mountPath"]): m["name"] for m in deployment["volumeMounts"]}
    volumes = {v["name"]: v for v in deployment["volumes"]}

    warehouse = PurePosixPath(env["NEWSDESK_WAREHOUSE"])
    assert "persistentVolumeClaim" in volumes[mounts[warehouse]]
    # The Dagster jobs take it as a local warehouse folder ...
    assert Warehouse.at(str(warehouse)).root == Path(str(warehouse))

    lake = PurePosixPath(env["NEWSDESK_LAKE"])
    source = volumes[mounts[lake.parent]]
    assert "configMap" in source or "secret" in source
    # ... which the lake's toml is not: this version's crawl refuses it.
    with pytest.raises(WarehouseIsLake):
        Warehouse.at(str(lake))


def _dockerfile() -> list[str]:
    # Continuation lines joined, comments dropped: one instruction per entry.
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [i.strip() for i in "\n".join(lines).replace("\\\n", " ").splitlines() if i.strip()]


def test_dockerfile_installs_the_lock_and_serves_the_module() -> None:
    instructions = _dockerfile()
    assert any("uv sync --locked" in i for i in instructions if i.startswith("RUN "))
    (cmd,) = [i for i in instructions if i.startswith("CMD ")]
    module = _module_after_m(json.loads(cmd.removeprefix("CMD ")))
    assert importlib.util.find_spec(module) is not None, module
    assert module == _module_after_m(_deployment(_values())["dagsterApiGrpcArgs"])
    for copy in (i for i in instructions if i.startswith("COPY ") and "--from" not in i):
        for source in copy.split()[1:-1]:
            assert (ROOT / source).exists(), f"{copy}: no {source} in the repository"


def test_the_image_installs_dagster_k8s_from_the_lock() -> None:
    """dagster-k8s is the `k8s` dependency group (in uv.lock), pinned like the other
    dagster libraries, and the image syncs that group."""
    project = _pyproject()
    pins = dict(dep.split("==", 1) for dep in project["project"]["dependencies"] if "==" in dep)
    group = dict(dep.split("==", 1) for dep in project["dependency-groups"]["k8s"])
    assert group["dagster-k8s"] == pins["dagster-postgres"]
    installs = [i for i in _dockerfile() if i.startswith("RUN ")]
    assert any("uv sync --locked" in i and "--group k8s" in i for i in installs)
    assert "dagster-k8s" in (ROOT / "uv.lock").read_text()
