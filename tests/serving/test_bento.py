"""The Bento: ``yunmao build`` packs the registry's champions, ``bentoml serve yunmao:TAG`` serves
them on a machine without the checkout or an MLflow store, on a read-only Bento folder, and the
generated Dockerfile is fit for an image (base, user, models and dictionary inside, no download).

The machine has no container engine, so the image itself is never built here (README shows
``bentoml containerize`` and ``docker run``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from configs import default_config_path
from configs.paths import PROJECT_ROOT
from models.provenance import YUNMAO_VERSION
from tests.servers import free_port, http_ok, running_server
from tests.serving.cases import JSON, body
from tests.serving.conftest import CallSetup
from tests.serving.servers import CLI

BENTOML = Path(sys.executable).with_name("bentoml")
BUILD_SECONDS = 300
SERVE_STARTUP_SECONDS = 180
# The floors a Bento carries (bentofile.yaml include); hidden from the served Bento below.
PACKAGES = ("configs", "features", "models", "serving", "training")


@dataclass(frozen=True)
class Built:
    tag: str
    path: Path
    bentoml_home: Path
    sms: tuple[str, str]  # registry (name, version) packed
    call: tuple[str, str]


def run_build(args: list[str], bentoml_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BENTOML_HOME": str(bentoml_home), "BENTOML_DO_NOT_TRACK": "true"}
    return subprocess.run([str(CLI), "build", *args], capture_output=True, text=True, env=env, timeout=BUILD_SECONDS)


@pytest.fixture(scope="module")
def built(sms_model_uri: str, call_setup: CallSetup, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """``yunmao build`` of the session's SMS and call champions, into a BentoML home of its own."""
    from models.registry import resolve_model_version

    home = tmp_path_factory.mktemp("bentoml-home")
    result = run_build(["--sms-model", sms_model_uri, "--call-model", call_setup.uri], home)
    assert result.returncode == 0, result.stderr[-3000:]
    tag = result.stdout.strip().splitlines()[-1]
    name, version = tag.split(":")
    return Built(tag, home / "bentos" / name / version, home, resolve_model_version(sms_model_uri),
                 resolve_model_version(call_setup.uri))


@pytest.mark.slow
def test_the_bento_records_the_yunmao_version_and_the_pinned_models(built: Built) -> None:
    info = yaml.safe_load((built.path / "bento.yaml").read_text())
    assert info["labels"]["yunmao_version"] == YUNMAO_VERSION
    sms_tag, call_tag = f"{built.sms[0]}:{built.sms[1]}", f"{built.call[0]}:{built.call[1]}"
    assert info["args"] == {"sms_model": f"bento:{sms_tag}", "call_model": f"bento:{call_tag}"}
    assert sorted(m["tag"] for m in info["models"]) == sorted([sms_tag, call_tag])


@pytest.fixture(scope="module")
def exported(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tarfile.TarFile]:
    """The Bento as ``bentoml export`` writes it: what ``bentoml containerize`` copies into an image
    (the Bento's folder plus its models from the model store)."""
    archive = tmp_path_factory.mktemp("export") / "yunmao.bento"
    env = {**os.environ, "BENTOML_HOME": str(built.bentoml_home), "BENTOML_DO_NOT_TRACK": "true"}
    subprocess.run([str(BENTOML), "export", built.tag, str(archive)], check=True, capture_output=True, env=env,
                   timeout=BUILD_SECONDS)
    with tarfile.open(archive) as opened:
        yield opened


def member_text(archive: tarfile.TarFile, name: str) -> str:
    member = archive.extractfile(f"./{name}")
    assert member is not None, name
    return member.read().decode()


@pytest.mark.slow
def test_the_dockerfile_builds_a_non_root_image_with_models_and_dictionary_inside(
    built: Built, exported: tarfile.TarFile
) -> None:
    dockerfile = member_text(exported, "env/docker/Dockerfile")
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == ["python:3.11-slim"]
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0"), users
    assert re.search(r"^RUN apt-get install .*\blibgomp1\b", dockerfile, re.M)  # LightGBM's OpenMP runtime
    assert re.search(r"^COPY .* \. \./$", dockerfile, re.M)  # the whole Bento, models included, into the image
    sizes = {member.name: member.size for member in exported.getmembers()}
    for name, version in (built.sms, built.call):
        assert sizes.get(f"./models/{name}/{version}/scam_model.joblib", 0) > 0, (name, version)
    requirements = member_text(exported, "env/python/requirements.txt").split()
    assert "jieba==0.42.1" in requirements  # its distribution ships jieba's dictionary (dict.txt)
    assert all("==" in line for line in requirements), "an unpinned requirement"
    assert any(line.startswith("scipy==") for line in requirements)  # transitive (scikit-learn's) pinned too
    assert sizes.get("./src/features/sms/resources/fraud_words.txt", 0) > 0  # yunmao's user dictionary
    assert not any(name.startswith("./src/training/") for name in sizes)  # the training floor stays out
    start = dockerfile[dockerfile.rindex("USER "):] + member_text(exported, "env/docker/entrypoint.sh")
    assert not re.search(r"\b(pip|uv|curl|wget|git|apt-get)\b", start), "something is fetched at container start"


@pytest.mark.slow
def test_a_bento_built_to_resolve_at_start_packs_no_model_and_records_the_uris(
    sms_model_uri: str, call_setup: CallSetup, tmp_path: Path
) -> None:
    result = run_build(["--resolve-at-start", "--sms-model", sms_model_uri, "--call-model", call_setup.uri], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    name, version = result.stdout.strip().splitlines()[-1].split(":")
    info = yaml.safe_load((tmp_path / "bentos" / name / version / "bento.yaml").read_text())
    assert info["args"] == {"sms_model": sms_model_uri, "call_model": call_setup.uri}
    assert info["models"] == []


def test_build_refuses_a_model_of_the_wrong_kind(call_setup: CallSetup) -> None:
    from training.cli import app

    result = CliRunner().invoke(app, ["build", "--sms-model", call_setup.uri, "--call-model", call_setup.uri])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"error: {call_setup.uri} is a 'call' model, not 'sms' (--sms-model)"


def mount_namespace_argv(read_only: Path, hidden: list[Path], empty: Path) -> list[str]:
    """``unshare`` into a private mount namespace where ``read_only`` is a read-only bind mount and
    each of ``hidden`` is covered by the empty folder ``empty``; then exec the rest of argv."""
    prefix = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    script = [f'mount --bind "{read_only}" "{read_only}"', f'mount -o remount,bind,ro "{read_only}"']
    script += [f'mount --bind "{empty}" "{path}"' for path in hidden]
    return [*prefix, "sh", "-c", " && ".join(script) + ' && exec "$@"', "sh"]


def mount_namespaces_work(tmp: Path) -> bool:
    probe = tmp / "probe"
    probe.mkdir()
    argv = mount_namespace_argv(probe, [], probe)
    return subprocess.run([*argv, "true"], capture_output=True).returncode == 0


@dataclass(frozen=True)
class ServedBento:
    url: str
    pid: int
    data_dir: Path
    jieba_dir: Path


@pytest.fixture(scope="module")
def served(built: Built, call_setup: CallSetup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBento]:
    """``bentoml serve yunmao:TAG`` from a folder outside the repository, one worker, with no
    MLflow store (``MLFLOW_TRACKING_URI`` unset, an empty data dir), the Bento folder mounted
    read-only and the checkout's packages hidden, so only the Bento's own copy can be imported;
    writable paths (data dir, jieba cache, BentoML home) point at temporary folders."""
    tmp = tmp_path_factory.mktemp("bento-serve")
    if not mount_namespaces_work(tmp):
        pytest.skip("needs a private mount namespace (unshare --mount) for the read-only Bento folder")
    empty = tmp / "empty"
    empty.mkdir()
    config = yaml.safe_load(default_config_path("serving").read_text())
    config["workers"] = 1
    (tmp / "serving.yaml").write_text(yaml.safe_dump(config))
    env = {key: value for key, value in os.environ.items() if key not in ("MLFLOW_TRACKING_URI", "PROMETHEUS_MULTIPROC_DIR")}
    env.update({
        "BENTOML_HOME": str(built.bentoml_home), "BENTOML_DO_NOT_TRACK": "true",
        "YUNMAO_DATA_DIR": str(tmp / "data"), "YUNMAO_JIEBA_CACHE_DIR": str(tmp / "jieba"),
        "YUNMAO_SERVING_CONFIG": str(tmp / "serving.yaml"), "YUNMAO_PROFILE_STORE": call_setup.store_url,
    })
    for key in ("YUNMAO_SMS_MODEL", "YUNMAO_CALL_MODEL", "YUNMAO_API_KEY", "YUNMAO_ADMIN_API_KEY"):
        env.pop(key, None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hidden = [PROJECT_ROOT / package for package in PACKAGES]
    argv = [*mount_namespace_argv(built.path, hidden, empty), str(BENTOML), "serve", built.tag, "--host", "127.0.0.1",
            "--port", str(port)]
    with running_server(argv, http_ok(f"{url}/readyz"), timeout=SERVE_STARTUP_SECONDS, log=tmp / "serve.log", env=env,
                        cwd=tmp) as proc:
        yield ServedBento(url, proc.pid, tmp / "data", tmp / "jieba")


@pytest.mark.slow
def test_the_bento_serves_its_pinned_models_without_checkout_or_registry(
    served: ServedBento, built: Built, call_setup: CallSetup
) -> None:
    sms = httpx.post(f"{served.url}/v1/sms/score", headers=JSON, timeout=30, content=body(
        {"messages": [{"id": "1", "text": "您好，这里是公安局，您涉嫌洗钱，请将资金转入安全账户配合调查", "sender": "17012345678"}]}))
    assert sms.status_code == 200, sms.text
    assert (sms.json()["model"]["name"], sms.json()["model"]["version"]) == built.sms
    assert sms.json()["results"][0]["action"] in ("block", "warn", "allow")

    fraudster = str(call_setup.profiles.loc[call_setup.profiles.label == 1, "phone_no_m"].iloc[0])
    call = httpx.post(f"{served.url}/v1/call/score", headers=JSON, timeout=30,
                      content=body({"calls": [{"id": "1", "caller": fraudster}]}))
    assert call.status_code == 200, call.text
    assert (call.json()["model"]["name"], call.json()["model"]["version"]) == built.call
    assert call.json()["results"][0]["score"] is not None

    reload = httpx.post(f"{served.url}/v1/admin/reload", timeout=60)
    assert reload.status_code == 200, reload.text
    assert reload.json()["sms"] == {"version": built.sms[1], "previous": built.sms[1], "swapped": False, "problem": None}
    assert not (served.data_dir / "mlflow.db").exists(), "the pinned Bento opened an MLflow store"


@pytest.mark.slow
def test_the_bento_runs_read_only_with_writable_paths_elsewhere(served: ServedBento, built: Built) -> None:
    mounts = Path(f"/proc/{served.pid}/mountinfo").read_text().splitlines()
    bento_mount = [line.split() for line in mounts if line.split()[4] == str(built.path)]
    assert bento_mount and "ro" in bento_mount[-1][5].split(","), "the Bento folder was not read-only"
    assert (served.jieba_dir / "jieba.cache").is_file()  # jieba's cache went where configured


def test_build_of_an_unknown_model_is_one_line_and_exit_2() -> None:
    from training.cli import app

    result = CliRunner().invoke(app, ["build", "--sms-model", "models:/no-such-model@champion"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr  # MLflow's own INFO lines may come first when the store is new
    assert result.stderr.splitlines()[-1].startswith("error: models:/no-such-model@champion: not found in registry")


def test_build_of_a_malformed_uri_is_one_line_and_exit_2() -> None:
    from training.cli import app

    result = CliRunner().invoke(app, ["build", "--resolve-at-start", "--call-model", "yunmao-call@champion"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: not a registry model URI: 'yunmao-call@champion' (expected models:/NAME/VERSION or models:/NAME@ALIAS)"
    )
