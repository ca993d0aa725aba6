"""deploy/: the Kubernetes manifests against the Kubernetes schemas (offline, pinned version),
the ConfigMap's serving.yaml against the project's schema, and the rules the issue sets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from configs import default_config_path, load_config
from configs.env_reference import SCHEMAS
from configs.environment import ENV_PREFIX, NESTING, config_name
from configs.monitor import MonitorConfig
from configs.paths import PROJECT_ROOT
from configs.serving import ServingConfig
from tests.servers import system_binary

K8S = PROJECT_ROOT / "deploy" / "k8s"
SCRAPE = PROJECT_ROOT / "deploy" / "prometheus" / "scrape.yml"
KUBERNETES_VERSION = "1.32.0"  # the oldest Kubernetes still in upstream support when written
# where the ConfigMap may differ: every pod polls the alias, drains longer, writes shadow pairs to Redis
CLUSTER_ONLY = {("reload", "poll_interval_s"), ("shutdown", "drain_s"), ("shadow", "backend"), ("shadow", "url")}


def manifests() -> dict[str, dict]:
    """Every document under deploy/k8s by ``Kind/name``."""
    documents = [doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in documents}


def pod_spec() -> dict:
    return manifests()["Deployment/yunmao"]["spec"]["template"]["spec"]


def container_env() -> dict[str, dict]:
    return {entry["name"]: entry for entry in pod_spec()["containers"][0]["env"]}


def cluster_serving_config(tmp_path: Path) -> ServingConfig:
    path = tmp_path / "serving.yaml"
    path.write_text(manifests()["ConfigMap/yunmao-serving"]["data"]["serving.yaml"])
    return load_config(path, ServingConfig, environ={})


@pytest.mark.parametrize("path", sorted(K8S.glob("*.yaml")), ids=lambda p: p.name)
def test_manifest_validates_against_the_kubernetes_schema(path: Path) -> None:
    import kubernetes_validate

    for document in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)  # raises naming the field


def test_the_schema_check_catches_a_misspelt_field() -> None:
    """The validation above is strict: a field Kubernetes would silently drop fails it."""
    import kubernetes_validate

    deployment = manifests()["Deployment/yunmao"]
    deployment["spec"]["template"]["spec"]["terminationGracePeriod"] = 45
    with pytest.raises(kubernetes_validate.ValidationError, match="terminationGracePeriod"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_piece_the_issue_asks_for_is_there() -> None:
    assert set(manifests()) == {
        "ConfigMap/yunmao-serving", "ConfigMap/yunmao-front", "Deployment/yunmao", "PodDisruptionBudget/yunmao",
        "Service/yunmao", "Service/yunmao-pods",
    }


def test_configmap_serving_yaml_validates_and_differs_only_where_a_cluster_needs(tmp_path: Path) -> None:
    cluster = cluster_serving_config(tmp_path).model_dump()
    shipped = load_config(default_config_path("serving"), ServingConfig, environ={}).model_dump()
    differing = {(section, key) for section, values in cluster.items() if isinstance(values, dict)
                 for key, value in values.items() if shipped[section][key] != value}
    differing |= {(key,) for key, value in cluster.items() if not isinstance(value, dict) and shipped[key] != value}
    assert differing == CLUSTER_ONLY


def test_grace_period_outlasts_the_longest_request_plus_the_drain(tmp_path: Path) -> None:
    config = cluster_serving_config(tmp_path)
    assert pod_spec()["terminationGracePeriodSeconds"] > config.timeout_s + config.shutdown.drain_s
    readiness = pod_spec()["containers"][0]["readinessProbe"]
    # the drain outlasts enough readiness periods for the probe to fail before the port closes
    assert config.shutdown.drain_s >= 2 * readiness["periodSeconds"] * readiness["failureThreshold"]


def test_probes_non_root_read_only_root_and_writable_paths_on_empty_dirs() -> None:
    spec = pod_spec()
    container = spec["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    for mount in container["volumeMounts"]:
        assert mount.get("readOnly") or "emptyDir" in volumes[mount["name"]], mount
    writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    env = container_env()
    assert {env[name]["value"] for name in ("YUNMAO_DATA_DIR", "TMPDIR", "BENTOML_HOME")} <= writable
    assert {"requests", "limits"} <= set(container["resources"])


def test_api_keys_come_from_a_secret_and_no_state_is_per_pod(tmp_path: Path) -> None:
    env = container_env()
    for name in ("YUNMAO_API_KEY", "YUNMAO_ADMIN_API_KEY", "YUNMAO_DECISION_KEY", "YUNMAO_SHADOW_KEY"):
        assert "secretKeyRef" in env[name]["valueFrom"]
    assert "api_key: null" in manifests()["ConfigMap/yunmao-serving"]["data"]["serving.yaml"]
    urls = [entry["value"] for name, entry in env.items() if name.endswith(("_URL", "__URL"))]
    assert urls and all(url.startswith("redis://") for url in urls)
    assert not any("sqlite" in str(entry.get("value", "")) for entry in env.values())
    # the decision log and the shadow pairs: one Redis stream for all pods, not a file per pod
    overrides = {name: entry["value"] for name, entry in env.items() if "value" in entry}
    decision_log = load_config(default_config_path("monitor"), MonitorConfig, environ=overrides).decision_log
    shadow = cluster_serving_config(tmp_path).shadow
    assert (decision_log.backend, shadow.backend) == ("redis", "redis")
    assert decision_log.url in urls and shadow.url in urls


def test_every_override_variable_of_the_deployment_names_a_real_setting() -> None:
    """A typo in a YUNMAO_NAME__… variable would stop every pod at start: caught here instead."""
    env = {name: entry["value"] for name, entry in container_env().items() if NESTING in name and "value" in entry}
    assert env
    for model in SCHEMAS:
        load_config(default_config_path(config_name(model)), model, environ=env)  # raises ConfigError naming the variable
    prefixes = {ENV_PREFIX + config_name(model).upper() + NESTING for model in SCHEMAS}
    assert all(any(variable.startswith(p) for p in prefixes) for variable in env)


def container_ports() -> set[tuple[str, int]]:
    """(name, port) of every container port of the scoring pod (the workers' and the front's)."""
    return {(p["name"], p["containerPort"]) for container in pod_spec()["containers"] for p in container["ports"]}


def test_services_and_scrape_config_reach_the_pods_port() -> None:
    ports = container_ports()
    selector = manifests()["Deployment/yunmao"]["spec"]["selector"]["matchLabels"]
    for name in ("Service/yunmao", "Service/yunmao-pods"):
        service = manifests()[name]["spec"]
        assert service["selector"] == selector
        assert {p["targetPort"] for p in service["ports"]} <= {port_name for port_name, _ in ports}
    assert [p["targetPort"] for p in manifests()["Service/yunmao"]["spec"]["ports"]] == ["front"]  # hooks go through the front
    assert manifests()["Service/yunmao-pods"]["spec"]["publishNotReadyAddresses"] is True  # a draining pod is scraped
    jobs = {job["job_name"]: job for job in yaml.safe_load(SCRAPE.read_text())["scrape_configs"]}
    for job_name, port_name in (("yunmao", "http"), ("yunmao-front", "front-metrics")):
        discovery = jobs[job_name]["dns_sd_configs"][0]
        assert jobs[job_name]["metrics_path"] == "/metrics" and discovery["names"][0].startswith("yunmao-pods.")
        assert (port_name, discovery["port"]) in ports


def containers() -> dict[str, dict]:
    return {container["name"]: container for container in pod_spec()["containers"]}


def test_the_front_config_is_front_config_of_the_clusters_serving_yaml(tmp_path: Path) -> None:
    """deploy/k8s/front-configmap.yaml is what `yunmao front-config` writes for configmap.yaml: a
    change of one without the other (the workers' limits, the refusal's Retry-After) fails here."""
    from serving.front import render_front_config

    assert manifests()["ConfigMap/yunmao-front"]["data"]["haproxy.cfg"] == render_front_config(cluster_serving_config(tmp_path))


def test_the_front_listens_where_the_pod_says_and_passes_to_the_workers_port(tmp_path: Path) -> None:
    front = cluster_serving_config(tmp_path).front
    ports = dict(container_ports())
    assert int(front.listen.rsplit(":", 1)[1]) == ports["front"]
    assert int(front.metrics_listen.rsplit(":", 1)[1]) == ports["front-metrics"]
    assert front.backend == f"127.0.0.1:{ports['http']}"
    mounts = {m["name"]: m["mountPath"] for m in containers()["front"]["volumeMounts"]}
    assert containers()["front"]["args"] == ["-f", f"{mounts['front-config']}/haproxy.cfg"]


def test_the_front_outlives_the_workers_drain(tmp_path: Path) -> None:
    """SIGTERM stops HAProxy at once: its preStop wait covers the workers' drain and longest request,
    within the pod's grace period, so no accepted request is cut off by the front."""
    config = cluster_serving_config(tmp_path)
    wait_s = int(containers()["front"]["lifecycle"]["preStop"]["exec"]["command"][1])
    assert config.shutdown.drain_s + config.timeout_s <= wait_s < pod_spec()["terminationGracePeriodSeconds"]


def test_scrape_config_passes_promtool() -> None:
    promtool = system_binary("promtool", "prometheus")
    done = subprocess.run([promtool, "check", "config", str(SCRAPE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
