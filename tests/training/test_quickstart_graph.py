"""The quickstart's graph step (:func:`training.quickstart.build_demo_graph`): the demo's links,
built once, are both the links file the call model is trained on and the graph its dens are found in;
links that hold no den are logged as such and leave the quickstart without dens."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import features.graph.cdr_links as cdr_links
import training.quickstart as quickstart
from configs import default_config_path, load_config
from configs.call import CallConfig, LinksConfig
from configs.dens import DensConfig
from training.data.cdr import load_cdr_dir
from training.data.demo_calls import write_demo_cdrs
from training.dens.build import DenInputs

SEED = 7
# A demo small enough for a unit test that still plants gangs (the default), so it has dens.
SMALL_DEMO = {"demo": {"normal": 120, "delivery": 12, "sales": 12, "fraud": 20, "simbox_farms": 2, "sims_per_farm": 5, "days": 14}}


def test_the_demo_links_are_built_once_for_the_links_file_and_the_dens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = CallConfig.model_validate(SMALL_DEMO)
    cdr = tmp_path / "cdr"
    write_demo_cdrs(cdr, SEED, config.demo)
    builds: list[int] = []
    build_links = cdr_links.build_links

    def counted(voc: pd.DataFrame, links_config: LinksConfig) -> pd.DataFrame:
        builds.append(len(voc))
        return build_links(voc, links_config)

    monkeypatch.setattr(quickstart, "build_links", counted)
    monkeypatch.setattr(cdr_links, "build_links", counted)  # where yunmao dens' own loader takes it from

    links, dens = quickstart.build_demo_graph(load_cdr_dir(cdr)[0], cdr, tmp_path, config, lambda _: None)

    assert len(builds) == 1, builds
    assert links == [tmp_path / "links.parquet"] and dens == tmp_path / "dens" / "dens.json"
    linked = pd.read_parquet(links[0])
    in_links = set(linked["phone_no_m"]) | set(linked["linked_no_m"])
    members = {n for den in json.loads(dens.read_text(encoding="utf-8"))["dens"] for n in den["members"]}
    assert members and members <= in_links


def test_links_forming_no_den_of_the_minimum_size_are_logged_and_give_no_dens(tmp_path: Path) -> None:
    """A custom demo whose links join fewer numbers than a den's minimum: no den, said in one line,
    nothing written (the call model then trains and publishes without den ids)."""
    min_size = load_config(default_config_path("dens"), DensConfig).min_size
    chain = [f"1380000{i:04d}" for i in range(min_size - 1)]
    links = pd.DataFrame({"phone_no_m": chain[:-1], "linked_no_m": chain[1:], "kind": "direct_call", "weight": 1.0})
    lines: list[str] = []

    dens = quickstart.discover_demo_dens(DenInputs(links=links), tmp_path / "cdr", tmp_path / "dens", CallConfig(), lines.append)

    assert dens is None
    assert len(lines) == 1 and lines[0].startswith(f"no den in the demo CDRs: no den of {min_size}+ numbers"), lines
    assert not (tmp_path / "dens").exists()
