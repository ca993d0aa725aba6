"""`yunmao train call / evaluate / predict / report / retrain call / profiles build` with --features
and --links, as a user runs them (the flags issue #9 says users and scripts rely on).

Synthetic numbers (see tests/training/test_call_graph_model.py); a small config keeps it fast. The
model is trained once on p0000-p0149 (its known set) and scored on p0150-p0199 (eval.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from mlflow import MlflowClient
from typer.testing import CliRunner

from configs import default_config_path, load_config
from configs.call import CallConfig
from features.graph.features import GRAPH_COLUMNS
from models.registry import CHAMPION, load_scam_model, resolve_model_version, set_alias
from tests.training.test_call_graph_model import numbers_and_links
from training.cli import app
from training.data.datasets import load_for_model

runner = CliRunner()
SHIPPED_GRAPH = load_config(default_config_path("call"), CallConfig).graph  # the graph settings a model trained here uses
NAME = "test-call-graph-cli"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("graph-cli")
    frame, links = numbers_and_links(200, seed=5)
    paths = {"train": tmp / "train.csv", "eval": tmp / "eval.csv", "extra": tmp / "extra.csv",
             "links": tmp / "links.parquet", "config": tmp / "call.yaml", "retrain": tmp / "retrain.yaml"}
    frame.drop(columns=["arpu"]).iloc[:150].to_csv(paths["train"], index=False)
    frame.drop(columns=["arpu"]).iloc[150:].to_csv(paths["eval"], index=False)
    frame[["phone_no_m", "arpu"]].to_csv(paths["extra"], index=False)
    links.to_parquet(paths["links"], index=False)
    config = yaml.safe_load(default_config_path("call").read_text(encoding="utf-8"))
    config["split"] = {"folds": 3, "seed": 0}
    # Half the columns per tree: with all of them every split was on graph_den_size (fraud numbers
    # form one den), which needs no known label, so no CLI test could see how labels are hidden.
    config["lightgbm"] = {"params": {"num_leaves": 7, "num_threads": 1, "min_child_samples": 5, "feature_fraction": 0.5},
                          "num_boost_round": 30, "early_stopping_rounds": 10}
    paths["config"].write_text(yaml.safe_dump(config), encoding="utf-8")
    retrain = yaml.safe_load(default_config_path("retrain").read_text(encoding="utf-8"))
    retrain.update(training_config={"call": str(paths["config"])}, lock_timeout_s=0.2)
    paths["retrain"].write_text(yaml.safe_dump(retrain), encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def model_uri(files: dict[str, Path]) -> str:
    result = runner.invoke(app, ["train", "call", "--data", str(files["train"]), "--features", str(files["extra"]),
                                 "--links", str(files["links"]), "--format", "profiles", "--name", NAME,
                                 "--config", str(files["config"])])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def fewer_known_uri(files: dict[str, Path]) -> str:
    """A second model trained like ``model_uri`` on the first 100 of its numbers only: a smaller
    known-fraud set, so its graph columns for the evaluated numbers differ from ``model_uri``'s."""
    fewer = files["train"].with_name("train-fewer.csv")
    pd.read_csv(files["train"]).iloc[:100].to_csv(fewer, index=False)
    result = invoke("train", "call", "--data", fewer, "--features", files["extra"], "--links", files["links"],
                    "--format", "profiles", "--name", f"{NAME}-fewer", "--config", files["config"])
    return result.stdout.strip().splitlines()[-1]


def invoke(*args: str | Path) -> object:
    """Run ``yunmao ARGS``; a failure shows its output."""
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


def one_line_error(result, message: str) -> None:
    """The CLI's bad-input convention: exit 2, one line on stderr naming the problem, no traceback."""
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_evaluate_with_features_and_links_reports_links_and_no_missing_columns(files, model_uri: str) -> None:
    args = ["evaluate", "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles", "--json"]
    full = runner.invoke(app, [*args, "--features", str(files["extra"]), "--links", str(files["links"])])
    assert full.exit_code == 0, full.output
    report = json.loads(full.stdout)
    assert report["missing_columns"] == [] and report["links"]["links_kept"] > 0
    assert report["fraud_types"] == [] and "category_rows" not in report  # profiles name no fraud type; no category head
    bare = json.loads(runner.invoke(app, args).stdout)
    assert "arpu" in bare["missing_columns"] and "graph_fraud_neighbour_share" in bare["missing_columns"]


def test_predict_warns_about_missing_columns(files, model_uri: str, tmp_path: Path) -> None:
    out = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["predict", "--model", model_uri, "--data", str(files["eval"]), "--out", str(out),
                                 "--format", "profiles", "--links", str(files["links"])])
    assert result.exit_code == 0, result.output
    assert "warning: scored without 1 trained columns" in result.stderr and "arpu" in result.stderr
    assert json.loads(result.stdout)["rows"] == 50


@pytest.mark.parametrize(
    ("links_text", "message"),
    [("src,dst\na,b\n", "lack required columns"), ("phone_no_m,linked_no_m\nq,r\n", "share no number"),
     ("phone_no_m,linked_no_m\np0001,p0001\n", "no usable links")],
)
def test_bad_links_exit_2_with_one_line(files, model_uri: str, tmp_path: Path, links_text: str, message: str) -> None:
    bad = tmp_path / "links.csv"
    bad.write_text(links_text)
    result = runner.invoke(app, ["evaluate", "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles",
                                 "--links", str(bad)])
    one_line_error(result, message)


@pytest.mark.parametrize(("command", "out"), [("predict", "decisions.csv"), ("report", "report")])
def test_an_out_under_a_file_is_a_one_line_error(files, model_uri: str, tmp_path: Path, command: str, out: str) -> None:
    """Was an OSError traceback (exit 1) after the whole scoring run."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, [command, "--model", model_uri, "--data", str(files["eval"]), "--format", "profiles",
                                 "--out", str(blocker / out)])
    one_line_error(result, f"cannot write to --out {blocker / out}: ")
    assert "is a file, not a folder" in result.stderr or "Not a directory" in result.stderr


def write_voc(folder: Path, numbers: pd.Series) -> Path:
    """A CDR folder: one outgoing call per number (profiles build needs calls, not labels)."""
    folder.mkdir()
    pd.DataFrame({"phone_no_m": numbers, "opposite_no_m": "o0001", "calltype_id": 1,
                  "start_datetime": "2020-03-01 10:00:00", "call_dur": 60}).to_csv(folder / "voc.csv", index=False)
    return folder


def unlabelled(files, tmp_path: Path, name: str, *sources: str) -> Path:
    """Profiles of ``sources`` (train/eval) without their labels, as a carrier's file to score."""
    path = tmp_path / name
    pd.concat([pd.read_csv(files[s]) for s in sources]).drop(columns="label").to_csv(path, index=False)
    return path


def build_profiles(extra: Path, files, model_uri: str, cdr: Path, out: Path) -> tuple[dict, pd.DataFrame]:
    built = invoke("profiles", "build", "--cdr", cdr, "--out", out, "--features", extra,
                   "--links", files["links"], "--model", model_uri)
    return json.loads(built.stdout), pd.read_parquet(out).set_index("phone_no_m")


def test_profiles_build_with_model_carries_extra_and_graph_columns_seen_with_known_labels(
    files, model_uri: str, tmp_path: Path
) -> None:
    """A carrier builds profiles of all its numbers, the known fraud ones included: the others
    still see those neighbours (was: every known label hidden, no fraud neighbour at all), and
    each number's columns are what they are when built without the known numbers."""
    train, evaluated = pd.read_csv(files["train"]), pd.read_csv(files["eval"])
    everyone = pd.concat([train, evaluated])
    extra = tmp_path / "extra.csv"  # profiles built from CDRs have an arpu of their own (the user table's)
    pd.read_csv(files["extra"]).rename(columns={"arpu": "carrier_risk"}).to_csv(extra, index=False)
    summary, built = build_profiles(extra, files, model_uri, write_voc(tmp_path / "all", everyone.phone_no_m),
                                    tmp_path / "all.parquet")
    assert summary["numbers"] == 200 and summary["links"]["links_kept"] > 0
    assert summary["feature_tables"][0]["numbers_missing"] == 0
    assert {"carrier_risk", *GRAPH_COLUMNS} <= set(built.columns) and built["carrier_risk"].notna().all()
    fraud = everyone.set_index("phone_no_m").label.eq(1)
    assert built.loc[fraud[fraud].index, "graph_fraud_neighbours"].gt(0).all()  # known fraud ones too
    assert built.loc[fraud[~fraud].index, "graph_fraud_neighbours"].mean() < built.loc[fraud[fraud].index, "graph_fraud_neighbours"].mean()
    _, alone = build_profiles(extra, files, model_uri, write_voc(tmp_path / "new", evaluated.phone_no_m),
                              tmp_path / "new.parquet")
    pd.testing.assert_frame_equal(built.loc[alone.index, list(GRAPH_COLUMNS)], alone[list(GRAPH_COLUMNS)])


def dens_file(path: Path, members: list[str], partition: dict | None) -> Path:
    """A dens.json of one den, ``den-1``, with the Leiden settings ``partition`` (None: not recorded)."""
    table = {"dens": [{"id": "den-1", "members": members}], **({} if partition is None else {"partition": partition})}
    path.write_text(json.dumps(table), encoding="utf-8")
    return path


@pytest.mark.parametrize("partition", [SHIPPED_GRAPH.partition_settings(), None], ids=["same-settings", "not-recorded"])
def test_profiles_build_takes_den_ids_found_with_the_models_leiden_settings(
    files, model_uri: str, tmp_path: Path, partition: dict | None
) -> None:
    numbers = pd.read_csv(files["eval"]).phone_no_m
    dens = dens_file(tmp_path / "dens.json", numbers.astype(str).tolist()[:3], partition)
    built = invoke("profiles", "build", "--cdr", write_voc(tmp_path / "cdr", numbers), "--out", tmp_path / "p.parquet",
                   "--links", files["links"], "--model", model_uri, "--dens", dens)
    assert json.loads(built.stdout)["dens"]["numbers_in_dens"] == 3


def test_profiles_build_refuses_den_ids_found_at_another_resolution_before_building(
    files, model_uri: str, tmp_path: Path
) -> None:
    """The den reason would give the size of the number's community at the model's resolution
    under the id of a den found at another: the analyst would open other numbers than it counted."""
    numbers = pd.read_csv(files["eval"]).phone_no_m
    other = SHIPPED_GRAPH.model_copy(update={"leiden_resolution": 0.5}).partition_settings()
    dens = dens_file(tmp_path / "dens.json", numbers.astype(str).tolist()[:3], other)
    result = runner.invoke(app, ["profiles", "build", "--cdr", str(write_voc(tmp_path / "cdr", numbers)), "--out",
                                 str(tmp_path / "p.parquet"), "--links", str(files["links"]), "--model", model_uri,
                                 "--dens", str(dens)])
    one_line_error(result, "its dens were found with leiden_resolution 0.5 (the model's graph: 1.0)")
    assert not (tmp_path / "p.parquet").exists()


def test_profiles_build_links_without_model_is_a_one_line_error(files, tmp_path: Path) -> None:
    cdr = write_voc(tmp_path / "cdr", pd.read_csv(files["eval"]).phone_no_m)
    result = runner.invoke(app, ["profiles", "build", "--cdr", str(cdr), "--out", str(tmp_path / "p.parquet"),
                                 "--features", str(files["extra"]), "--links", str(files["links"])])
    one_line_error(result, "--links needs --model")
    assert not (tmp_path / "p.parquet").exists()


def predicted(files, model_uri: str, data: Path, out: Path, extra: Path | None = None) -> tuple[dict, str, pd.Series]:
    """``predict --features --links --format profiles``: the summary, stderr and the scores by number."""
    result = invoke("predict", "--model", model_uri, "--data", data, "--out", out, "--format", "profiles",
                    "--features", extra or files["extra"], "--links", files["links"])
    scores = pd.read_csv(out, dtype={"phone_no_m": str}).set_index("phone_no_m")["score"]
    return json.loads(result.stdout), result.stderr, scores


def test_predict_with_features_and_links_scores_each_number_whatever_else_is_in_the_file(
    files, model_uri: str, tmp_path: Path
) -> None:
    """A new number's score is the same alone, among new numbers, or beside every known number
    (was: the known numbers' labels hidden from everyone when they were in the file)."""
    new = unlabelled(files, tmp_path, "new.csv", "eval")
    summary, stderr, scores = predicted(files, model_uri, new, tmp_path / "new-out.csv")
    assert summary["rows"] == len(scores) == 50 and scores.notna().all()
    assert summary["missing_columns"] == [] and summary["links"]["links_kept"] > 0 and "warning" not in stderr
    _, _, with_known = predicted(files, model_uri, unlabelled(files, tmp_path, "all.csv", "train", "eval"), tmp_path / "all-out.csv")
    assert len(with_known) == 200
    pd.testing.assert_series_equal(with_known.loc[scores.index], scores)
    one = tmp_path / "one.csv"
    pd.read_csv(new).iloc[[7]].to_csv(one, index=False)
    _, _, alone = predicted(files, model_uri, one, tmp_path / "one-out.csv")
    pd.testing.assert_series_equal(alone, scores.iloc[[7]])


def test_predict_names_a_trained_column_the_extra_table_lacks(files, model_uri: str, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    pd.read_csv(files["extra"]).rename(columns={"arpu": "hours"}).to_csv(other, index=False)
    summary, stderr, scores = predicted(files, model_uri, files["eval"], tmp_path / "out.csv", extra=other)
    assert summary["missing_columns"] == ["arpu"] and len(scores) == 50
    assert "warning: scored without 1 trained columns" in stderr and "arpu" in stderr


def reported(files, model_uri: str, data: Path, out: Path, *extra: str) -> dict:
    """``report --features --links --format profiles --out [EXTRA]``: metrics.json (report.html beside it)."""
    invoke("report", "--model", model_uri, "--data", data, "--features", files["extra"], "--links", files["links"],
           "--format", "profiles", "--out", out, *extra)
    assert (out / "report.html").stat().st_size > 0
    return json.loads((out / "metrics.json").read_text(encoding="utf-8"))


def test_report_with_features_and_links_ignores_the_evaluated_files_labels(files, model_uri: str, tmp_path: Path) -> None:
    """Flipping every label of the evaluated file changes no score: the AUC turns into 1 - AUC, each
    action goes to as many numbers (the other class's), and the score and feature drift stay put."""
    metrics = reported(files, model_uri, files["eval"], tmp_path / "report")
    assert metrics["links"]["links_kept"] > 0 and metrics["links"]["vertices"] > 0
    assert metrics["missing_columns"] == [] and metrics["headline"]["n"] == 50
    flipped_file = tmp_path / "flipped.csv"
    pd.read_csv(files["eval"]).assign(label=lambda f: 1 - f.label).to_csv(flipped_file, index=False)
    flipped = reported(files, model_uri, flipped_file, tmp_path / "flipped")
    assert flipped["headline"]["roc_auc"] == pytest.approx(1 - metrics["headline"]["roc_auc"], abs=1e-12)
    assert [(a["action"], a["count"], a["count"] - a["fraud"]) for a in metrics["actions"]] == \
        [(a["action"], a["count"], a["fraud"]) for a in flipped["actions"]]
    assert {row["name"] for row in metrics["drift"]} >= {"score", "graph_fraud_neighbour_share"}
    assert flipped["drift"] == metrics["drift"]


def own_and_first_view_scores(files, model_uri: str, other_uri: str) -> tuple[np.ndarray, np.ndarray]:
    """``other_uri``'s scores on the evaluated file featurised for itself, and for ``model_uri``."""
    other = load_scam_model(other_uri)
    views = [load_for_model(load_scam_model(uri), [files["eval"]], "profiles", labelled=True,
                            features=[files["extra"]], links=[files["links"]])[0] for uri in (other_uri, model_uri)]
    own, first = (other.score(view) for view in views)
    return own, first


def test_report_compare_scores_the_second_model_as_it_scores_alone(
    files, model_uri: str, fewer_known_uri: str, tmp_path: Path
) -> None:
    """Was: the --compare model scored on the first model's graph columns, computed from the first
    model's known-fraud set; now its figures are what `report`, `evaluate` and `predict` give it alone."""
    own, first = own_and_first_view_scores(files, model_uri, fewer_known_uri)
    assert not np.allclose(own, first)  # the two known sets give it different scores: the test can fail
    compared = reported(files, model_uri, files["eval"], tmp_path / "both", "--compare", fewer_known_uri)["compare"]
    alone = reported(files, fewer_known_uri, files["eval"], tmp_path / "alone")
    assert compared["headline"] == alone["headline"]
    evaluated = json.loads(invoke("evaluate", "--model", fewer_known_uri, "--data", files["eval"], "--format", "profiles",
                                  "--features", files["extra"], "--links", files["links"], "--json").stdout)
    assert (compared["headline"]["roc_auc"], compared["headline"]["pr_auc"]) == (evaluated["roc_auc"], evaluated["pr_auc"])
    _, _, predicted_scores = predicted(files, fewer_known_uri, files["eval"], tmp_path / "predicted.csv")
    shown = {row["id"]: row["other_score"] for row in compared["disagreements"]}
    assert shown and all(score == pytest.approx(predicted_scores[number], abs=1e-12) for number, score in shown.items())


def test_report_compare_keeps_the_compared_models_load_notes(files, model_uri: str, fewer_known_uri: str, tmp_path: Path) -> None:
    """Each model loads the files for itself, so each load's notes (links kept, missing columns) are
    reported: the first model's beside its figures, the compared model's in its block, as alone."""
    both = reported(files, model_uri, files["eval"], tmp_path / "both", "--compare", fewer_known_uri)
    alone = reported(files, fewer_known_uri, files["eval"], tmp_path / "alone")
    assert both["compare"]["links"]["links_kept"] > 0
    for key in ("links", "missing_columns"):
        assert both["compare"][key] == alone[key], key


def retrained(files, name: str, *flags: str) -> dict:
    """``retrain call --features --links`` of model ``name`` on the train/eval files: its JSON summary."""
    result = invoke("retrain", "call", "--data", files["train"], "--format", "profiles", "--eval", files["eval"],
                    "--eval-format", "profiles", "--features", files["extra"], "--links", files["links"],
                    "--config", files["retrain"], "--name", name, *flags)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_retrain_call_with_features_and_links_trains_the_challenger_on_them(files) -> None:
    """The challenger is trained with the extra columns and graph features, and gated on the
    evaluation set with them (nothing scored as unknown)."""
    out = retrained(files, "test-call-graph-retrain", "--no-report")
    assert out["eval_rows"] == 50 and out["eval_removed_overlap"] == 0
    gated = out["metrics"]["challenger"]
    assert gated["missing_columns"] == [] and gated["links"]["links_kept"] > 0
    challenger = load_scam_model(out["challenger"])
    assert "arpu" in challenger.feature_names and "graph_fraud_neighbour_share" in challenger.feature_names
    assert challenger.graph is not None and challenger.graph.summary()["known_numbers"] == 150


def test_retrain_report_scores_the_champion_as_it_scores_alone(files, fewer_known_uri: str, tmp_path: Path) -> None:
    """The report logged beside the gates set the champion against the challenger on the
    challenger's graph columns (its known set); the gates themselves scored each on its own."""
    name, version = resolve_model_version(fewer_known_uri)
    set_alias(name, version, CHAMPION)
    out = retrained(files, name, "--report")
    client = MlflowClient()
    logged = client.download_artifacts(out["run_id"], f"{client.get_run(out['run_id']).data.tags['yunmao.last_report']}/metrics.json")
    compared = json.loads(Path(logged).read_text(encoding="utf-8"))["compare"]
    assert compared["model"] == f"{name} v{version}"
    assert compared["headline"] == reported(files, fewer_known_uri, files["eval"], tmp_path / "alone")["headline"]
    assert compared["headline"]["roc_auc"] == out["metrics"]["champion"]["roc_auc"]


@pytest.mark.parametrize(("flag", "table"), [("--features", "extra"), ("--links", "links")])
def test_retrain_sms_refuses_features_and_links(files, flag: str, table: str) -> None:
    """Refused before any training: the SMS trainer has no use for either."""
    result = runner.invoke(app, ["retrain", "sms", "--data", str(files["eval"]), "--eval", str(files["eval"]),
                                 flag, str(files[table])])
    one_line_error(result, "--features and --links apply to call models only")


def test_numbers_an_extra_table_lacks_are_counted_and_said(files, model_uri: str, tmp_path: Path) -> None:
    """An extra table for another period or region holds only some of the scored numbers: the
    others are scored with its columns unknown, which predict and evaluate now say (count on
    stderr, per table in the JSON) instead of scoring them in silence."""
    partial = tmp_path / "partial-extra.csv"
    extra = pd.read_csv(files["extra"], dtype={"phone_no_m": str})
    evaluated = set(pd.read_csv(files["eval"], dtype={"phone_no_m": str})["phone_no_m"])
    dropped = sorted(evaluated & set(extra["phone_no_m"]))[:7]
    extra[~extra["phone_no_m"].isin(dropped)].to_csv(partial, index=False)
    summary, stderr, scores = predicted(files, model_uri, files["eval"], tmp_path / "out.csv", extra=partial)
    assert len(scores) == 50 and summary["numbers_missing_from_features"] == {str(partial): len(dropped)}
    assert f"warning: {len(dropped)} scored numbers are not in --features {partial}" in stderr
    evaluated_json = invoke("evaluate", "--model", model_uri, "--data", files["eval"], "--format", "profiles",
                            "--features", partial, "--links", files["links"], "--json")
    assert json.loads(evaluated_json.stdout)["numbers_missing_from_features"] == {str(partial): len(dropped)}
    _, complete_stderr, _ = predicted(files, model_uri, files["eval"], tmp_path / "complete.csv")
    assert "not in --features" not in complete_stderr
