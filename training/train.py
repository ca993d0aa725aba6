"""``yunmao train sms``: labelled files → fitted SMS model → MLflow run → registered challenger."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from configs.sms import SmsConfig
from features.sms.factory import build_sms_featuriser
from features.sms.normalise import normalise_text
from features.sms.reasons import (
    SMS_FALLBACK_REASONS,
    SMS_LEAD_REASONS,
    SMS_MEMORY_REASON,
    SMS_REASON_TEMPLATES,
    sms_reason_mask,
)
from features.sms.text import LINEAR_SCORE_NAME
from models.template_memory import TemplateMemory
from training.data.demo_mix import unmixed, with_demo_mix
from training.data.sms import load_labelled
from training.fit import FitResult, fit_scam_model
from training.tracking import TrainOutcome, log_and_register

# What the registry shows as the model's input: a made-up, harmless message in the record
# contract (the second row without metadata, so those columns are logged as optional).
SMS_INPUT_EXAMPLE = pd.DataFrame(
    {
        "id": ["example-1", "example-2"],
        "text": ["您好，您预约的快递将于明天上午送达，如有疑问请联系快递员。", "周末一起吃饭吗？"],
        "sender": ["10690000", None],
        "receiver": ["13000000000", None],
        "sent_at": ["2026-01-01T09:00:00+08:00", None],
    }
)


def fit_sms(
    frame: pd.DataFrame, cfg: SmsConfig, groups: pd.Series | None = None, labelled: pd.DataFrame | None = None
) -> FitResult:
    """Fit an SMS ScamModel on labelled records (no MLflow): what every SMS model is made by.

    ``groups`` keep rows together in the cross-fitting folds and the drift reference's hold-out
    (default: same normalised text). ``labelled``: every labelled row the template memory counts
    (``cfg.memory``), copies the ``duplicates`` setting dropped from ``frame`` included; default
    ``frame`` itself — except the rows of the groups the drift reference holds out
    (:func:`_memory_without`).
    """
    frame = frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text) if groups is None else groups.reset_index(drop=True)
    fit = fit_scam_model(
        frame,
        kind="sms",
        featuriser=build_sms_featuriser(cfg.features, seed=cfg.split.seed),
        groups=groups,
        lightgbm=cfg.lightgbm,
        thresholds=cfg.thresholds,
        split=cfg.split,
        serve=cfg.serve,
        fraud_type=cfg.fraud_type,
        category=cfg.category,
        reason_templates=SMS_REASON_TEMPLATES,
        reason_mask=sms_reason_mask,
        base_margin_feature=LINEAR_SCORE_NAME,
        max_reasons=cfg.max_reasons,
        reference=cfg.reference,
        memory=_memory_without(frame, labelled, cfg) if cfg.memory.enabled else None,
    )
    fit.model.fallback_reasons = SMS_FALLBACK_REASONS
    fit.model.lead_reasons = SMS_LEAD_REASONS
    fit.model.max_reason_quotes = cfg.max_reason_quotes
    return fit


def _memory_without(frame: pd.DataFrame, labelled: pd.DataFrame | None, cfg: SmsConfig) -> Callable[[np.ndarray], TemplateMemory]:
    """The template memory of the labelled rows, built once the reference's held-out rows (positions
    in ``frame``, whole groups) are known: every labelled row except the held-out groups'.

    ``labelled`` None: the labelled rows are ``frame``'s, so exactly the held-out rows are left out,
    whatever the groups (a fitted row sharing a held-out row's text is counted). Otherwise each
    labelled row stands for the rows of ``frame`` with its normalised text (dedupe kept those of its
    copies): it is left out when all of them are held out. A text the caller's groups put on both
    sides is fitted anyway, so its template is no news to the reference: its copies are counted.
    With the default groups (normalised text) no text is on both sides and both rules are one.

    The held-out rows are the reference's unseen data (the boosters never train on them): counted,
    each would be "known" and the reference scored as no new message is, so live PSI would drift
    with the share of traffic repeating labelled templates. The served model keeps this memory,
    which lacks only the reference's rows and their copies (``cfg.reference``: shipped 5 % of the
    rows, at most 2,000, before copies).
    """
    frame_norms = frame["text"].map(normalise_text)
    norms = frame_norms if labelled is None else labelled["text"].map(normalise_text)
    labels = (frame if labelled is None else labelled)["label"].astype(int).to_numpy()

    def memory(held_rows: np.ndarray) -> TemplateMemory:
        held = np.zeros(len(frame), dtype=bool)
        held[held_rows] = True
        if labelled is None:
            counted = ~held
        else:
            held_only = set(frame_norms[held]) - set(frame_norms[~held])
            counted = ~norms.isin(held_only).to_numpy()
        return TemplateMemory.fit(norms[counted].tolist(), labels[counted], cfg.memory.prior_weight, SMS_MEMORY_REASON)

    return memory


@dataclass(frozen=True)
class SmsTrainingData:
    """What ``yunmao train sms`` fits on, loaded from its files: the rows to fit, every labelled row
    the template memory counts (copies the ``duplicates`` setting dropped included, plus the demo
    mix) and the data report logged with the run."""

    frame: pd.DataFrame
    labelled: pd.DataFrame
    report: dict[str, object]

    def fit(self, cfg: SmsConfig) -> FitResult:
        """The model these rows make with ``cfg`` (no MLflow)."""
        return fit_sms(self.frame, cfg, labelled=self.labelled)


def load_sms_training_data(
    paths: Sequence[str | Path], cfg: SmsConfig, fmt: str = "auto", *, demo_mix: bool = True
) -> SmsTrainingData:
    """Load labelled files as training does (``cfg.duplicates``) and mix in ``cfg.demo_mix`` unless
    ``demo_mix`` is False. The one loading path of ``train_sms`` and of the quickstart model that
    tests and benchmarks fit without MLflow, so what they measure is what is registered."""
    loaded = load_labelled(paths, fmt, max_copies=cfg.duplicates.copies, weigh=cfg.duplicates.weighs)
    mix = with_demo_mix(loaded.frame, cfg.demo_mix) if demo_mix else unmixed(loaded.frame)
    return SmsTrainingData(
        frame=mix.frame,
        labelled=pd.concat([loaded.every_row, mix.added], ignore_index=True),
        report={**loaded.report.as_dict(), "demo_mix_rows": len(mix.added)},
    )


def train_sms(
    paths: Sequence[str | Path], cfg: SmsConfig, fmt: str = "auto", name: str | None = None, *, demo_mix: bool = True
) -> TrainOutcome:
    """Load (:func:`load_sms_training_data`), fit, log and register an SMS model; returns the
    registered version. The data report records ``demo_mix_rows``."""
    data = load_sms_training_data(paths, cfg, fmt, demo_mix=demo_mix)
    return log_and_register(
        data.fit(cfg),
        experiment=cfg.experiment,
        name=name or cfg.name,
        params=cfg.model_dump(),
        data_report=data.report,
        input_example=SMS_INPUT_EXAMPLE,
    )
