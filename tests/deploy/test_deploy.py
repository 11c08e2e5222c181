"""The deployment files' structure: no container engine runs here, so the Dockerfile, compose.yaml and
nginx's configuration are read and checked against the Makefile, the settings and docs/deployment.md."""

from __future__ import annotations

import re

import yaml

from assistant.settings import PROJECT_ROOT, documented_fields, env_name

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
NGINX = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
DEPLOY_PAGE = (PROJECT_ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
REPLICAS = ("assistant-1", "assistant-2")
SETTINGS = {env_name(part, field) for _, part, field in documented_fields().values()}
OTEL = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME"}


def stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.M)[1:]


def instructions(stage: str, keyword: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", stage)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def test_the_image_is_built_in_stages_with_the_make_targets_ci_runs() -> None:
    build, runtime = stages()
    assert " AS build" in build.splitlines()[0] and " AS runtime" in runtime.splitlines()[0]
    assert any("make install" in run for run in instructions(build, "RUN"))
    assert "download.pytorch.org/whl/cpu" in build  # CPU torch, not the CUDA build
    assert "COPY --from=build" in runtime and "build-essential" not in runtime
    targets = set(re.findall(r"^([a-z]+):", MAKEFILE, re.M))
    assert {"install", "index", "run", "test"} <= targets
    assert instructions(runtime, "CMD") == ['["make", "run", "EXTRAS="]']  # make run = make index + serve
    assert re.search(r"^run: index$", MAKEFILE, re.M) and re.search(r"^index: install$", MAKEFILE, re.M)


def test_the_image_runs_as_a_user_with_a_health_check() -> None:
    runtime = stages()[-1]
    users = instructions(runtime, "USER")
    assert users and users[-1] not in {"root", "0"}
    assert "useradd" in runtime
    health = instructions(runtime, "HEALTHCHECK")
    assert health and "/api/health" in health[0] and "--start-period" in health[0]
    assert "tini" in instructions(runtime, "ENTRYPOINT")[0]
    assert "ASSISTANT_WEB_HOST=0.0.0.0" in runtime and "EXPOSE 7860" in runtime


def test_compose_runs_two_replicas_on_shared_servers() -> None:
    services = COMPOSE["services"]
    assert set(services) == {*REPLICAS, "chroma", "postgres", "redis", "lb"}
    for name in REPLICAS:
        replica = services[name]
        assert replica["build"]["dockerfile"] == "Dockerfile" and replica["hostname"] == name
        env = replica["environment"]
        assert env["CHROMA_HOST"] == "chroma" and env["CHROMA_PORT"] == "8000"
        assert "@postgres:5432/" in env["ASSISTANT_DATABASE_URL"]
        assert env["ASSISTANT_DATABASE_URL"].startswith("postgresql://")
        assert env["ASSISTANT_REDIS_URL"].startswith("redis://redis:6379")
        assert env["ASSISTANT_WEB_HOST"] == "0.0.0.0" and env["ASSISTANT_WEB_PORT"] == "7860"
        assert "uploads:/app/data/uploads" in replica["volumes"]
        assert "retrieval:/app/indexes" in replica["volumes"]  # one copy of each generation's retrieval files
        assert env["ASSISTANT_UPLOAD_DIR"] == "/app/data/uploads"
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert replica["depends_on"]["redis"]["condition"] == "service_healthy"
        assert set(env) <= SETTINGS | OTEL, set(env) - SETTINGS - OTEL
    assert services["postgres"]["image"].startswith("postgres:15") and "healthcheck" in services["postgres"]
    assert services["redis"]["image"].startswith("redis:") and "healthcheck" in services["redis"]
    assert services["chroma"]["image"].startswith("chromadb/chroma:")


def test_the_chroma_server_matches_the_client() -> None:
    pinned = re.search(r"^chromadb==([\d.]+)$", (PROJECT_ROOT / "constraints.txt").read_text(), re.M)
    assert pinned and COMPOSE["services"]["chroma"]["image"] == f"chromadb/chroma:{pinned.group(1)}"


def test_state_lives_in_named_volumes() -> None:
    declared = set(COMPOSE["volumes"])
    assert declared == {"uploads", "retrieval", "chroma", "postgres", "redis"}
    used = {volume.split(":")[0] for service in COMPOSE["services"].values() for volume in service.get("volumes", [])
            if not volume.startswith(".")}
    assert used == declared


def test_the_load_balancer_is_in_front_of_both_replicas() -> None:
    lb = COMPOSE["services"]["lb"]
    assert lb["image"].startswith("nginx:") and lb["ports"] and set(lb["depends_on"]) == set(REPLICAS)
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in lb["volumes"]
    for upstream in re.findall(r"upstream \w+ \{(.*?)\}", NGINX, re.S):
        assert all(f"server {name}:7860" in upstream for name in REPLICAS)
    assert "hash $remote_addr consistent" in NGINX  # the page's queue stays on one replica
    assert "proxy_buffering off" in NGINX and re.search(r"location = /metrics \{\s*deny all;", NGINX)
    assert "client_max_body_size 12m" in NGINX


def test_the_deploy_page_names_every_setting_involved() -> None:
    deploy = DEPLOY_PAGE
    named = {name for replica in REPLICAS for name in COMPOSE["services"][replica]["environment"]}
    named |= set(re.findall(r"\b((?:ASSISTANT|OTEL)_[A-Z_]+)=", DOCKERFILE))
    named |= set(re.findall(r"\$\{([A-Z_]+)", (PROJECT_ROOT / "compose.yaml").read_text()))
    missing = sorted(name for name in named if f"`{name}`" not in deploy)
    assert missing == []
    for setting in ("ASSISTANT_DATABASE_URL", "ASSISTANT_REDIS_URL", "ASSISTANT_WEB_USER_RATE_LIMIT",
                    "ASSISTANT_WEB_RATE_WINDOW_S", "CHROMA_HOST", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        assert f"`{setting}`" in deploy
