"""A client's words for a message's kind (feedback's ``category`` and ``fraud_type``), held to
``configs/taxonomy.yaml``.

Feedback is training data. A fraud type spelt outside the taxonomy ("电信诈骗乱写") would become a
class no loader maps and no model head knows, and a category that contradicts its label (``ham``
beside label 1) would teach the category head and the unwanted score opposite things. So both
are refused before anything is stored, with a 422 naming the field and what is accepted; the
value itself is never echoed (a client may paste a message there).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from features.labels import shipped_taxonomy

_TAXONOMY = shipped_taxonomy()


def known_category(value: str | None) -> str | None:
    """``value`` as the taxonomy spells it (case ignored, as for label words); an error listing
    the categories when it is none of them."""
    if value is None:
        return None
    name = value.casefold()
    if name not in _TAXONOMY.categories:
        raise ValueError(f"not a category of the taxonomy: send one of {', '.join(_TAXONOMY.categories)}")
    return name


def known_fraud_type(value: str | None) -> str | None:
    """``value`` unchanged when it is one of the taxonomy's fraud types (the catch-all included);
    an error listing them otherwise."""
    if value is not None and value not in _TAXONOMY.all_fraud_types:
        raise ValueError(f"not a fraud type of the taxonomy: send one of {', '.join(_TAXONOMY.all_fraud_types)}")
    return value


def agreed_category(category: str | None, label: int | None, fraud_type: str | None) -> str | None:
    """The category a labelled record stands for: ``category`` when it agrees with ``label`` and
    ``fraud_type``. Without one, a fraud type beside label 1 means the fraud category (it names a
    kind of fraud); otherwise None, which says no more than the label (as before categories).
    ``label`` or ``fraud_type`` None: not sent, or invalid and reported on its own field.

    Raises:
        ValueError: ``category`` contradicts the label (ham is label 0, every other category label 1)
            or the fraud type (only the fraud category takes one).
    """
    ham, fraud = _TAXONOMY.ham_category, _TAXONOMY.fraud_category
    if category is None:
        return fraud if fraud_type is not None and label == 1 else None
    if label is not None and (category == ham) != (label == 0):
        unwanted = ", ".join(name for name in _TAXONOMY.categories if name != ham)
        raise ValueError(f"category {category} contradicts label {label}: label 0 goes with category {ham}, "
                         f"label 1 with {unwanted}")
    if fraud_type is not None and category != fraud:
        raise ValueError(f"category {category} contradicts fraud_type: only category {fraud} takes a fraud_type")
    return category


def _enum(values: list[str]) -> dict[str, list[str | None]]:
    """OpenAPI's list of accepted values for an optional field (null included)."""
    return {"enum": [*values, None]}


Category = Annotated[str | None, AfterValidator(known_category), Field(json_schema_extra=_enum(_TAXONOMY.categories))]
FraudType = Annotated[str | None, AfterValidator(known_fraud_type), Field(json_schema_extra=_enum(_TAXONOMY.all_fraud_types))]
