"""Schema of ``configs/taxonomy.yaml``: the categories (ham/spam/illegal/fraud), the fraud types,
how each data set's labels map onto them, and the carrier's action per category.

Spam is not fraud: a model that learns "promotional = bad" from advertising sets misses scams
written like personal messages, and a carrier folds marketing but blocks fraud. So every label a
loader or the feedback store reads is turned into one of these categories here, in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import Field, model_validator

from configs import StrictModel, default_config_path, load_config

BY_THRESHOLD = "by_threshold"
Action = Literal["allow", "warn", "block", "by_threshold"]


class Meaning(NamedTuple):
    """A label's meaning: a category, and a fraud type when the category is fraud."""

    category: str
    fraud_type: str | None


class TaxonomyConfig(StrictModel):
    categories: list[str] = Field(..., min_length=2)
    ham_category: str
    fraud_category: str
    fraud_types: list[str] = Field(..., min_length=1)
    other_fraud_type: str
    sources: dict[str, dict[str, str]]
    actions: dict[str, Action]
    # What a message the thresholds allow is called: ``head``, the category head's best category
    # other than fraud; ``ham``, always ham. Its action is ``allow`` either way.
    allowed_category: Literal["head", "ham"] = "head"

    @model_validator(mode="after")
    def _consistent(self) -> TaxonomyConfig:
        known = set(self.categories)
        if len(known) != len(self.categories):
            raise ValueError("categories must be distinct")
        for name in (self.ham_category, self.fraud_category):
            if name not in known:
                raise ValueError(f"{name!r} is not one of categories {self.categories}")
        if self.other_fraud_type in self.fraud_types:
            raise ValueError("other_fraud_type must not be one of fraud_types")
        if set(self.actions) != known:
            raise ValueError(f"actions must name exactly the categories {self.categories}")
        for source, mapping in self.sources.items():
            for label, value in mapping.items():
                self._parse(value, f"sources.{source}.{label}")
        return self

    @property
    def all_fraud_types(self) -> list[str]:
        """The ten types and the catch-all, in config order."""
        return [*self.fraud_types, self.other_fraud_type]

    def _parse(self, value: str, where: str) -> Meaning:
        category, _, fraud_type = value.partition("/")
        if category not in self.categories:
            raise ValueError(f"{where}: {category!r} is not one of categories {self.categories}")
        if fraud_type and category != self.fraud_category:
            raise ValueError(f"{where}: only {self.fraud_category!r} takes a fraud type")
        if fraud_type and fraud_type not in self.all_fraud_types:
            raise ValueError(f"{where}: {fraud_type!r} is not one of fraud_types or {self.other_fraud_type!r}")
        if category == self.fraud_category and not fraud_type:
            fraud_type = self.other_fraud_type
        return Meaning(category, fraud_type or None)

    def meaning(self, source: str, label: str) -> Meaning | None:
        """What ``label`` (as written in data set ``source``) means; None if the config does not say."""
        mapping = self.sources.get(source)
        if mapping is None:
            raise KeyError(f"no label mapping for data set {source!r} in the taxonomy config")
        value = mapping.get(str(label).strip().casefold())
        return None if value is None else self._parse(value, f"sources.{source}")


def load_taxonomy_config(path: str | Path | None = None) -> TaxonomyConfig:
    """Load and validate the taxonomy (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("taxonomy"), TaxonomyConfig)
