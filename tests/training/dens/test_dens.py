"""`yunmao dens` as an analyst uses it: planted gangs found, ranking with a prior, stable ids, bad input.

Synthetic links: a sparse random background of ordinary numbers, gangs that link densely among
themselves, and hard negatives — ordinary numbers that each touch one gang member (a shared
victim) but belong to the background.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.dens import DensConfig
from training.cli import app
from training.dens.ranking import rank_dens

runner = CliRunner()
SHIPPED_GRAPH = load_config(default_config_path("call"), CallConfig).graph  # the graph settings a model trained here uses
GANGS, GANG_SIZE, BACKGROUND = 4, 8, 300


def planted(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """(links, labels, gang of each gang member)."""
    rng = np.random.default_rng(seed)
    normal = [f"n{i:04d}" for i in range(BACKGROUND)]
    gang_of = {f"g{g}m{m}": g for g in range(GANGS) for m in range(GANG_SIZE)}
    pairs = [(normal[i], normal[j]) for i, j in rng.integers(0, BACKGROUND, (BACKGROUND * 3, 2))]
    members = list(gang_of)
    for a in members:
        for b in members:
            if a < b and gang_of[a] == gang_of[b] and rng.random() < 0.8:
                pairs.append((a, b))
    for index, member in enumerate(members):  # hard negatives: one link into a gang, three into the background
        hard = normal[index]
        pairs.append((hard, member))
    links = pd.DataFrame(pairs, columns=["phone_no_m", "linked_no_m"])
    labelled_gang = [m for m in members if m.endswith(("m0", "m1", "m2", "m3"))]
    labels = pd.DataFrame({"phone_no_m": labelled_gang + normal[:150], "label": [1] * len(labelled_gang) + [0] * 150})
    return links, labels, gang_of


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["dens", *args])
    return result.exit_code, result.output


def run_on(files: dict[str, Path], *extra: str, links: Path | None = None) -> tuple[int, str]:
    """``yunmao dens`` on the fixture's files (or other ``links``) with the small test config."""
    return run("--links", str(links or files["links"]), "--labels", str(files["labels"]), "--out", str(files["out"]),
               "--config", str(files["config"]), *extra)


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    links, labels, _ = planted()
    paths = {"links": tmp_path / "links.csv", "labels": tmp_path / "labels.csv", "out": tmp_path / "out",
             "config": tmp_path / "dens.yaml"}
    config = yaml.safe_load(default_config_path("dens").read_text(encoding="utf-8"))
    config["page"]["top_dens"] = 3  # drawing every den costs time and shows nothing new
    paths["config"].write_text(yaml.safe_dump(config), encoding="utf-8")
    links.to_csv(paths["links"], index=False)
    labels.to_csv(paths["labels"], index=False)
    return paths


def test_dens_json_records_the_leiden_settings_its_dens_were_found_with(files: dict[str, Path]) -> None:
    """``profiles build --dens`` compares them with the model's (tests/training/test_cli_call_graph.py)."""
    config = yaml.safe_load(files["config"].read_text(encoding="utf-8"))
    config["leiden_resolution"] = 0.5
    files["config"].write_text(yaml.safe_dump(config), encoding="utf-8")
    code, output = run_on(files)
    assert code == 0, output
    partition = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["partition"]
    assert partition == SHIPPED_GRAPH.model_copy(update={"leiden_resolution": 0.5}).partition_settings()


def test_planted_gangs_are_recovered(files: dict[str, Path]) -> None:
    code, output = run_on(files)
    assert code == 0, output
    dens = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    community = {number: den["id"] for den in dens for number in den["members"] + den["contacts"]}
    _, _, gang_of = planted()
    truth = list(gang_of.values())
    predicted = [community.get(number, f"alone-{number}") for number in gang_of]
    assert adjusted_rand_score(truth, predicted) >= 0.9
    # A den is the gang's core: the hard negatives its members call are listed apart as contacts.
    gang_dens = [den for den in dens if set(den["members"]) & set(gang_of)]
    assert len(gang_dens) == GANGS and all(set(den["members"]) <= set(gang_of) for den in gang_dens)
    assert sum(len(den["members"]) for den in gang_dens) >= 0.75 * len(gang_of)
    assert [den["rank"] for den in dens] == list(range(1, len(dens) + 1))
    top = dens[0]
    assert set(top["members"]) <= set(gang_of) and top["known_fraud"] == 4
    assert {"id", "rank", "score", "size", "members", "known_fraud", "evidence"} <= set(top)


def test_page_is_self_contained_and_names_the_top_den(files: dict[str, Path]) -> None:
    code, output = run_on(files)
    assert code == 0, output
    page = (files["out"] / "dens.html").read_text(encoding="utf-8")
    top = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"][0]
    assert f"第 1 名 · {top['id']}" in page
    assert top["contacts"] and f"不计入窝点）</th><td>{len(top['contacts'])}</td>" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "@font-face" in page and "data:image/png;base64," in page


def test_one_known_fraud_of_one_does_not_outrank_forty_of_fifty() -> None:
    small = [f"s{i}" for i in range(5)]
    big = [f"b{i}" for i in range(60)]
    known = pd.Series({"s0": 1, **{f"b{i}": int(i < 40) for i in range(50)}})
    dens = rank_dens([small, big], DensConfig(), known)
    assert dens[0].members == big
    assert dens[1].evidence["fraud_posterior_mean"] < dens[0].evidence["fraud_posterior_mean"]


def test_rebuild_with_links_removed_keeps_den_ids(files: dict[str, Path], tmp_path: Path) -> None:
    assert run_on(files)[0] == 0
    first = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    links = pd.read_csv(files["links"])
    fewer = tmp_path / "fewer.csv"
    links.drop(index=links.sample(frac=0.03, random_state=1).index).to_csv(fewer, index=False)
    code, output = run_on(files, links=fewer)
    assert code == 0, output
    second = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    _, _, gang_of = planted()
    assert len({den_holding(first, g, gang_of) for g in range(GANGS)}) == GANGS
    assert [den_holding(first, g, gang_of) for g in range(GANGS)] == [den_holding(second, g, gang_of) for g in range(GANGS)]


def den_holding(dens: list[dict], gang: int, gang_of: dict[str, int]) -> str:
    """Id of the den holding most members of ``gang``."""
    return max(dens, key=lambda den: sum(gang_of.get(n) == gang for n in den["members"]))["id"]


def test_a_new_den_gets_a_fresh_id(files: dict[str, Path], tmp_path: Path) -> None:
    assert run_on(files)[0] == 0
    first = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    links = pd.read_csv(files["links"])
    new_gang = [f"x{i}" for i in range(6)]
    extra = pd.DataFrame([(a, b) for a in new_gang for b in new_gang if a < b], columns=links.columns)
    more = tmp_path / "more.csv"
    pd.concat([links, extra]).to_csv(more, index=False)
    assert run_on(files, links=more)[0] == 0
    second = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    new = next(den for den in second if den["members"][0].startswith("x"))
    highest = max(int(den["id"].split("-")[1]) for den in first)
    assert int(new["id"].split("-")[1]) > highest


def test_cdr_adds_shared_devices_callees_and_counties(files: dict[str, Path], tmp_path: Path) -> None:
    cdr = tmp_path / "cdr"
    cdr.mkdir()
    rows = [(f"g0m{m}", f"victim{m % 2}", 1, "2020-03-01 10:00:00", 20, "成都", "武侯区",
             "imei-farm" if m < 5 else f"imei{m}") for m in range(GANG_SIZE)]
    pd.DataFrame(rows, columns=["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur", "city_name",
                                "county_name", "imei_m"]).to_csv(cdr / "voc.csv", index=False)
    config = yaml.safe_load(files["config"].read_text(encoding="utf-8"))
    config["page"]["top_dens"] = GANGS + 1  # every gang on the page
    files["config"].write_text(yaml.safe_dump(config), encoding="utf-8")
    code, output = run_on(files, "--cdr", str(cdr))
    assert code == 0, output
    dens = json.loads((files["out"] / "dens.json").read_text(encoding="utf-8"))["dens"]
    gang = next(den for den in dens if "g0m0" in den["members"])
    evidence = gang["evidence"]
    assert evidence["shared_imeis"] == [{"imei_m": "imei-farm", "members": 5}]
    assert evidence["shared_device_share"] == pytest.approx(5 / gang["size"])
    assert {item["opposite_no_m"] for item in evidence["shared_callees"]} == {"victim0", "victim1"}
    assert evidence["counties"] == [{"county_name": "武侯区", "calls": len(gang["members"])}]  # one call per member of the den
    assert "imei-farm" in (files["out"] / "dens.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("links", "labels", "message"),
    [
        (pd.DataFrame({"phone_no_m": ["a", "b"], "linked_no_m": ["b", "c"]}), None, "share no number"),
        (pd.DataFrame({"phone_no_m": [], "linked_no_m": []}), None, "no usable links"),
        (pd.DataFrame({"caller": ["a"], "callee": ["b"]}), None, "lack required columns"),
        (None, pd.DataFrame({"phone_no_m": ["n0001"], "fraud": [1]}), "lacks columns ['label']"),
        (pd.DataFrame({"phone_no_m": ["n0001", "n0002"], "linked_no_m": ["n0002", "n0003"]}), None, "no den of 5+"),
        (None, pd.DataFrame({"phone_no_m": ["n0001"], "label": ["maybe"]}), "no usable label"),
    ],
    ids=["no-overlap-with-labels", "empty-graph", "wrong-links-schema", "wrong-labels-schema", "no-den-big-enough",
         "unparsable-labels"],
)
def test_bad_input_is_one_line_and_exit_2(files: dict[str, Path], tmp_path: Path, links, labels, message: str) -> None:
    if links is not None:
        links.to_csv(files["links"], index=False)
    if labels is not None:
        labels.to_csv(files["labels"], index=False)
    code, output = run_on(files)
    assert code == 2
    assert message in output and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert not (files["out"] / "dens.json").exists()


def test_model_without_data_is_refused(files: dict[str, Path]) -> None:
    code, output = run_on(files, "--model", "models:/x/1")
    assert code == 2 and "--model and --data go together" in output


def test_a_previous_file_that_is_not_dens_json_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    previous = tmp_path / "previous.json"
    previous.write_text('{"communities": []}', encoding="utf-8")
    code, output = run_on(files, "--previous", str(previous))
    assert code == 2 and "not a dens.json written by yunmao dens" in output
    code, output = run_on(files, "--previous", str(tmp_path / "absent.json"))
    assert code == 2 and "no such previous dens file" in output


def test_an_out_folder_that_cannot_be_made_is_a_one_line_error(files: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code, output = run("--links", str(files["links"]), "--labels", str(files["labels"]), "--out", str(blocker / "out"),
                       "--config", str(files["config"]))
    assert code == 2 and "cannot write to --out" in output and len(output.strip().splitlines()) == 1
