"""configs/taxonomy.yaml: every data set's labels map onto the taxonomy, and a typo in a mapping
fails at load with the offending entry named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configs import ConfigError, default_config_path
from configs.taxonomy import Meaning, load_taxonomy_config


def test_shipped_taxonomy_has_ten_fraud_types_plus_other() -> None:
    taxonomy = load_taxonomy_config()
    assert len(taxonomy.fraud_types) == 10
    assert taxonomy.all_fraud_types[-1] == "其他"


@pytest.mark.parametrize(
    ("source", "label", "meaning"),
    [
        ("mudou", "1", Meaning("spam", None)),
        ("uci", "SPAM", Meaning("spam", None)),
        ("telecom5", "冒充领导、熟人类", Meaning("fraud", "冒充领导熟人")),
        ("fbs", "AD:Retail", Meaning("spam", None)),
        ("fbs", "FR:Phishing(Bank)", Meaning("fraud", "其他")),
        ("fbs", "IL:Gambling", Meaning("illegal", None)),
    ],
)
def test_source_labels_map_onto_the_taxonomy(source: str, label: str, meaning: Meaning) -> None:
    assert load_taxonomy_config().meaning(source, label) == meaning


def test_unknown_label_has_no_meaning_and_unknown_source_is_an_error() -> None:
    taxonomy = load_taxonomy_config()
    assert taxonomy.meaning("fbs", "XX:Nope") is None
    with pytest.raises(KeyError, match="nosuchset"):
        taxonomy.meaning("nosuchset", "1")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw["sources"]["fbs"].update({"ad:retail": "spamm"}), "sources.fbs.ad:retail"),
        (lambda raw: raw["sources"]["fbs"].update({"ad:retail": "spam/刷单返利"}), "only 'fraud' takes"),
        (lambda raw: raw["sources"]["fbs"].update({"fr:other": "fraud/电信诈骗"}), "not one of fraud_types"),
        (lambda raw: raw["actions"].pop("spam"), "actions must name exactly"),
        (lambda raw: raw["actions"].update({"spam": "fold"}), "actions.spam"),
        (lambda raw: raw.update({"allowed_category": "fraud"}), "allowed_category"),
    ],
)
def test_bad_taxonomy_is_refused(tmp_path: Path, edit, message: str) -> None:
    raw = yaml.safe_load(default_config_path("taxonomy").read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_taxonomy_config(path)
