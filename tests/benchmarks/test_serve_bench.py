"""benchmarks/serve_bench.py: every yunmao server it starts gets a fresh, empty template store of its
own, so its answers do not depend on what an earlier server's load (or run) confirmed (issue #12); and
its identical-outputs line holds yunmao's answers to mlflow's in every field the pyfunc returns."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.serve_bench import same_outputs, yunmao_command
from configs.campaigns import load_campaigns_config
from configs.environment import variable_name
from configs.paths import data_dir
from configs.serving import SERVING_CONFIG_ENV
from serving.template_store import TEMPLATE_STORE_ENV, SqliteTemplateStore, open_template_store

MODEL = "models:/yunmao-sms@champion"
ROOT = Path(__file__).resolve().parents[2]
STORE_URL_VARIABLE = variable_name("campaigns", ("reputation", "store_url"))


def _served_store(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> SqliteTemplateStore:
    """The template store a server started with ``env`` opens (resolved as the service does)."""
    monkeypatch.setenv(TEMPLATE_STORE_ENV, env[TEMPLATE_STORE_ENV])
    monkeypatch.delenv(STORE_URL_VARIABLE, raising=False)
    store = open_template_store(load_campaigns_config().reputation)
    assert isinstance(store, SqliteTemplateStore)
    return store


def test_each_server_gets_a_fresh_empty_store_not_the_data_dirs(monkeypatch: pytest.MonkeyPatch) -> None:
    # the caller's environment names the data dir's store both ways: the bench must override both
    shared = f"sqlite:///{data_dir() / 'templates.db'}"
    monkeypatch.setenv(TEMPLATE_STORE_ENV, shared)
    monkeypatch.setenv(STORE_URL_VARIABLE, shared)
    envs = [yunmao_command(MODEL, 1, 0)[1], yunmao_command(MODEL, 1, 100_000, overrides=("batching.direct_min_messages=1",))[1]]

    assert all(STORE_URL_VARIABLE not in env for env in envs)
    stores = [_served_store(env, monkeypatch) for env in envs]
    paths = [store.path.resolve() for store in stores]
    assert paths[0] != paths[1]
    assert (data_dir() / "templates.db").resolve() not in paths
    assert all(store.changes(0) == (0, []) for store in stores)  # empty


def test_a_named_store_is_passed_through(tmp_path: Path) -> None:
    """http_bench's servers share one fresh store of their run, so same_answers compares like with like."""
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    envs = [yunmao_command(MODEL, 1, 0, template_store=url)[1] for _ in range(2)]
    assert [env[TEMPLATE_STORE_ENV] for env in envs] == [url, url]


def test_a_run_leaves_no_temp_dirs_behind(tmp_path: Path) -> None:
    """Serving configs and fresh stores live under one scratch root that is removed when the bench exits
    (a run used to leave a config dir and a store dir per server in /tmp)."""
    script = (
        "from benchmarks.serve_bench import fresh_template_store, yunmao_command\n"
        f"env = yunmao_command({MODEL!r}, 1, 0)[1]\n"
        "print(fresh_template_store().removeprefix('sqlite:///'))\n"
        f"print(env[{SERVING_CONFIG_ENV!r}])\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    made = [Path(line) for line in run.stdout.split()]
    assert len(made) == 2 and all(path.is_relative_to(tmp_path) for path in made)
    assert list(tmp_path.iterdir()) == []


def yunmao_answer(**changed: object) -> dict:
    """One /v1/sms/score result: a fraud message with every field set."""
    return {"id": "m1", "decision_id": "q1Z8rYx0Lk3vT9aB", "score": 0.91, "action": "block", "category": "fraud",
            "fraud_score": 0.88, "fraud_type": "冒充公检法", "fraud_type_score": 0.7, "reasons": ["含短链接", "词: 安全账户"],
            **changed}


def mlflow_answer(**changed: object) -> dict:
    """The pyfunc's row for the same message: reasons joined, no id nor decision_id."""
    return {"score": 0.91, "action": "block", "fraud_type": "冒充公检法", "fraud_type_score": 0.7,
            "reasons": "含短链接；词: 安全账户", "category": "fraud", "fraud_score": 0.88, **changed}


HAM = {"score": 0.02, "action": "allow", "category": "ham", "fraud_score": 0.01, "fraud_type": None,
       "fraud_type_score": None, "reasons": []}


def test_same_outputs_counts_answers_equal_in_every_field_the_pyfunc_returns() -> None:
    """Scores within 1e-9 and a missing value sent as null (yunmao) or NaN (the pyfunc's float
    column) are the same answer."""
    yunmao = [yunmao_answer(), yunmao_answer(**HAM)]
    mlflow = [mlflow_answer(score=0.91 + 1e-12), mlflow_answer(**{**HAM, "reasons": "", "fraud_type_score": float("nan")})]
    assert same_outputs(yunmao, mlflow) == ("- identical outputs (score, action, fraud_type, fraud_type_score, reasons, "
                                            "category, fraud_score; scores to 1e-9) on 2 messages: 2 of 2")


@pytest.mark.parametrize(
    ("mlflow_change", "first_difference"),
    [({"category": "spam"}, "category of message 1 (yunmao 'fraud', mlflow 'spam')"),
     ({"fraud_score": 0.88 + 1e-6}, "fraud_score of message 1 (yunmao 0.88, mlflow 0.880001)"),
     ({"fraud_type_score": float("nan")}, "fraud_type_score of message 1 (yunmao 0.7, mlflow None)")],
)
def test_same_outputs_names_the_first_field_that_differed(mlflow_change: dict, first_difference: str) -> None:
    """Was: score, action and reasons only, so a different category or fraud_score passed as identical."""
    yunmao = [yunmao_answer(), yunmao_answer(), yunmao_answer(**HAM)]
    mlflow = [mlflow_answer(), mlflow_answer(**mlflow_change), mlflow_answer(**{**HAM, "reasons": "", "category": "spam"})]
    line = same_outputs(yunmao, mlflow)
    assert line.endswith(f"on 3 messages: 1 of 3; first difference: {first_difference}"), line


def test_same_outputs_counts_a_field_one_server_dropped_as_a_difference() -> None:
    mlflow = mlflow_answer()
    del mlflow["category"]
    assert same_outputs([yunmao_answer()], [mlflow]).endswith("0 of 1; first difference: category of message 0 "
                                                              "(yunmao 'fraud', mlflow absent)")


def test_the_benchs_front_passes_to_the_server_it_measures_with_the_configs_limits() -> None:
    """--front puts an HAProxy of `yunmao front-config` before the bench's own server: its backend is
    that server's port, its admission and queue the serving config's, and HAProxy accepts it."""
    from benchmarks.serve_bench import front_command
    from configs.serving import load_serving_config
    from tests.servers import system_binary

    haproxy = system_binary("haproxy")
    config = load_serving_config().model_dump()
    front_port, command = front_command(45678, config)
    text = Path(command[-1]).read_text(encoding="utf-8")
    assert f"bind 127.0.0.1:{front_port}\n" in text
    assert f"server yunmao 127.0.0.1:45678 maxconn {config['front']['max_in_flight']}\n" in text
    assert f"timeout queue {config['front']['queue_timeout_ms']}ms" in text
    checked = subprocess.run([haproxy, "-c", "-f", command[-1]], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_benchs_front_refuses_a_fail_open_policy_in_one_line() -> None:
    from benchmarks.serve_bench import front_command
    from configs.serving import load_serving_config
    from tests.servers import system_binary

    system_binary("haproxy")
    config = load_serving_config().model_dump()
    config["overload"]["policy"] = "allow"
    with pytest.raises(SystemExit, match="--front: overload.policy is 'allow'"):
        front_command(45678, config)


def test_a_second_fronts_out_of_range_setting_is_refused_in_one_line() -> None:
    from benchmarks.serve_bench import front_command, with_overrides
    from configs.serving import load_serving_config
    from tests.servers import system_binary

    system_binary("haproxy")
    config = with_overrides(load_serving_config().model_dump(), ["front.shed_delay_ms=-1"])
    with pytest.raises(SystemExit, match=r"^--front: invalid front settings: front.shed_delay_ms: Input should be greater than or equal to 0$"):
        front_command(45678, config)


@pytest.mark.parametrize("rounds", ["0", "-2", "two"])
def test_overload_rounds_below_one_or_not_a_number_are_refused(rounds: str) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "serve_bench.py"), "--overload-rounds", rounds],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--overload-rounds" in run.stderr


@pytest.mark.parametrize(("arguments", "message"), [
    (["--front-set", "front.shed_delay_ms=250"], "it needs --front"),
    (["--front", "--front-set", "overload.max_in_flight=4"], "front.KEY=VALUE settings, not overload.max_in_flight=4"),
    (["--front", "--front-set", "front.hold_ms=4"], "front.KEY=VALUE settings, not front.hold_ms=4 (KEY: listen, "),
])
def test_a_second_front_needs_the_first_and_front_settings(arguments: list[str], message: str) -> None:
    """Refused before any server starts or any model is looked up."""
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "serve_bench.py"), "--only-overload", *arguments],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert message in run.stderr


def test_the_target_lines_read_the_service_and_pyfunc_rows_as_the_bench_names_them() -> None:
    """The full run's summary once looked the pyfunc's batch row up as "batch, MLflow pyfunc" and
    crashed after ten minutes of measuring; rows named as in_process_rows and the HTTP runs name them."""
    from benchmarks.serve_bench import Row, target_lines

    system = "in-process (this tree)"
    rows = [Row(system, "1 SMS with reasons", 800, "msg/s", 1.2, 3.0),
            Row(system, "batch 256", 3000, "msg/s", 80, 90),
            Row(system, "1 demo scam SMS (flagged: reasons paid)", 500, "msg/s", 2.0, 3.0),
            Row(system, "1 SMS with reasons, MLflow pyfunc", 300, "msg/s", 3.0, 6.0),
            Row(system, "batch 256, MLflow pyfunc", 2500, "msg/s", 100, 110),
            Row("yunmao (w=2, cache off)", "1 msg, c=1", 400, "req/s", 2.5, 7.0),
            Row("yunmao (w=2, cache off)", "1 msg, c=16", 1200, "req/s", 14.0, 40.0),
            Row("mlflow models serve (w=2)", "1 msg, c=16", 300, "req/s", 40.0, 180.0)]
    in_process, http = target_lines(rows, ["this tree"], ["yunmao (w=2, cache off)"])
    assert "p50 1.20 ms" in in_process and "batch 256 3,000 msg/s" in in_process
    assert "one SMS 2.50× the service path's p50" in in_process and "batches 1.20× its time per message" in in_process
    assert "c=1 p50 = 2.5 ms" in http and "c=16 p99 = 40.0 ms" in http and "vs mlflow = 4.0×" in http
