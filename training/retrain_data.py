"""Data of one retraining run: what the challenger trains on, and the evaluation set it must not have seen.

Training data is the base files plus, with ``--feedback``, the feedback store's export; the two are
joined into one temporary file so the trainer reads one source in one format. Evaluation rows that
also appear in the training data (same normalised text for SMS, same ``phone_no_m`` for calls) are
removed and counted: a model scored on its own training rows looks better than it is, and the
champion/challenger comparison would favour whichever saw more of the evaluation set. The
champion's own training rows are removed as far as they are in today's training data, which holds
when retraining grows one base set (plus feedback); the registry does not keep the rows themselves.

Raw evaluation CDRs become profiles differently under each call model's profile config (window,
definitions): :func:`model_rows` gives each model the profiles its own config builds, on the same
numbers, as ``yunmao evaluate`` would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from configs.call import CallConfig, ProfileConfig
from configs.feedback import load_feedback_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from serving.feedback_store import open_feedback_store
from training.data.call_tables import join_feature_tables
from training.data.cdr import call_data_format, load_call_records
from training.data.demo_mix import demo_mix_rows
from training.data.sms import load_labelled
from training.data.sms.dedupe import drop_duplicates
from training.data.sms.records import LABELLED_COLUMNS
from training.feedback_export import LABEL_COLUMNS as FEEDBACK_LABEL_COLUMNS
from training.feedback_export import feedback_frame
from training.predict import write_table
from training.report.model import aligned

Kind = Literal["sms", "call"]
NUMBER_COLUMN = "phone_no_m"
CALL_COUNT_COLUMN = "voc_cnt"  # a profile's calls in its window (features.calls.profiles)
# What an exported call feedback row holds besides the profile and its label: never a feature
# (call models have no category head). Taken from the export so a column it adds cannot leak in.
FEEDBACK_ONLY_COLUMNS = ["id", *(column for column in FEEDBACK_LABEL_COLUMNS if column != "label")]


@dataclass(frozen=True)
class TrainingSet:
    """What to hand the trainer (``paths`` read as ``fmt``) and the keys evaluation must avoid."""

    paths: list[Path]
    fmt: str
    keys: frozenset[str]
    feedback_rows: int


@dataclass(frozen=True)
class CdrSource:
    """Raw CDR evaluation files (``features`` joined on), and the profile config ``EvalSet.frame``
    was built with: what another call model's view is rebuilt from."""

    paths: tuple[Path, ...]
    fmt: str
    features: tuple[Path, ...]
    built_with: ProfileConfig


@dataclass(frozen=True)
class EvalSet:
    """The evaluation rows (call CDRs profiled with the challenger's config) and how many rows were
    removed because the training data holds them.

    ``cdrs``: set when call evaluation data hold raw CDRs; ``views``: the rows rebuilt per other
    profile config, kept so the gates and the report read the CDRs once per config.
    """

    frame: pd.DataFrame
    removed_overlap: int
    cdrs: CdrSource | None = None
    views: dict[ProfileConfig, pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)


def record_keys(kind: Kind, frame: pd.DataFrame) -> pd.Series:
    """The identity of a row for overlap checks: normalised text (SMS) or the number (call)."""
    if kind == "sms":
        return frame["text"].map(normalise_text)
    return frame[NUMBER_COLUMN].astype(str)


def load_rows(kind: Kind, paths: Sequence[Path], fmt: str, cfg: SmsConfig | CallConfig,
              *, for_training: bool = False) -> pd.DataFrame:
    """Labelled rows as the trainer of ``kind`` reads them (call CDRs become profiles with ``cfg``).

    SMS are deduplicated as the trainer does: ``for_training`` keeps the copies per text that
    ``cfg.duplicates`` keeps (the base rows joined with feedback are what the challenger trains on,
    so deduplicating them harder than the trainer would silently ignore that setting; under ``weight``,
    or with the template memory on, every copy, which the trainer counts when it reads the file back). The
    evaluation set keeps one copy per text: the retraining gates weigh champion and challenger on
    the same distinct messages, unlike ``yunmao evaluate``, which scores every row of a file.
    """
    if kind == "sms":
        copies = cfg.source_copies if for_training and isinstance(cfg, SmsConfig) else 1
        return load_labelled(paths, fmt, max_copies=copies).frame
    return load_call_records(paths, fmt, cfg.profiles)[0]


def call_rows(paths: Sequence[Path], fmt: str, profiles: ProfileConfig | None, features: Sequence[Path]) -> pd.DataFrame:
    """Call profiles of ``paths`` (CDRs built with ``profiles``) with the ``features`` tables joined:
    one definition for the challenger's evaluation rows and every other model's view of them."""
    return join_feature_tables(load_call_records(paths, fmt, profiles)[0], features)[0]


def with_feedback(kind: Kind, base: pd.DataFrame, feedback: pd.DataFrame) -> pd.DataFrame:
    """Base rows plus feedback rows in the trainer's columns; for calls a later report of a number wins."""
    if kind == "sms":
        return pd.concat([base.reindex(columns=LABELLED_COLUMNS), feedback.reindex(columns=LABELLED_COLUMNS)],
                         ignore_index=True)
    profiles = feedback.drop(columns=FEEDBACK_ONLY_COLUMNS, errors="ignore")
    joined = pd.concat([base, profiles], ignore_index=True)
    return joined.drop_duplicates(NUMBER_COLUMN, keep="last").reset_index(drop=True)


def training_set(
    kind: Kind, paths: Sequence[Path], fmt: str, cfg: SmsConfig | CallConfig, use_feedback: bool, workdir: Path
) -> TrainingSet:
    """Load the base data once (for the overlap keys); with feedback, write base + feedback to ``workdir``.

    SMS keys include the demo rows the trainer mixes in (``demo_mix``): the challenger sees them too.
    """
    base = load_rows(kind, paths, fmt, cfg, for_training=True)
    if not use_feedback:
        return TrainingSet(list(paths), fmt, training_keys(kind, base, cfg), 0)
    feedback = feedback_frame(open_feedback_store(load_feedback_config()), kind)
    joined = with_feedback(kind, base, feedback)
    out = workdir / f"train-{kind}.csv"
    write_table(joined, out)
    trained = drop_duplicates(joined, cfg.duplicates.copies).frame if isinstance(cfg, SmsConfig) else joined
    return TrainingSet([out], "canonical" if kind == "sms" else "profiles", training_keys(kind, trained, cfg), len(feedback))


def training_keys(kind: Kind, trained: pd.DataFrame, cfg: SmsConfig | CallConfig) -> frozenset[str]:
    """The keys of every row the trainer fits on: ``trained`` (as the trainer deduplicates it) plus,
    for SMS, the demo mix drawn for that many rows."""
    keys = record_keys(kind, trained)
    if isinstance(cfg, SmsConfig):
        keys = pd.concat([keys, record_keys(kind, demo_mix_rows(len(trained), cfg.demo_mix))])
    return frozenset(keys)


def evaluation_set(kind: Kind, paths: Sequence[Path], fmt: str, cfg: SmsConfig | CallConfig,
                   training_keys: frozenset[str], features: Sequence[Path] = ()) -> EvalSet:
    """The labelled evaluation rows the challenger did not train on (call rows with ``features`` joined).

    Raises:
        ValueError: a file is unreadable, or what is left lacks labels or one of the two classes.
    """
    frame = call_rows(paths, fmt, cfg.profiles, features) if kind == "call" else load_rows(kind, paths, fmt, cfg)
    if "label" not in frame or frame["label"].isna().any():
        raise ValueError(f"evaluation data {[str(p) for p in paths]} must label every row")
    seen = record_keys(kind, frame).isin(training_keys).to_numpy()
    kept = frame[~seen].reset_index(drop=True)
    classes = set(np.unique(kept["label"].astype(int)))
    if classes != {0, 1}:
        found = ", ".join(str(c) for c in sorted(classes)) or "none"
        raise ValueError(
            f"evaluation set needs both classes after removing {int(seen.sum())} rows also in the training data; "
            f"{len(kept)} rows left with label(s): {found}"
        )
    return EvalSet(kept, int(seen.sum()), cdr_source(kind, paths, fmt, cfg, features))


def cdr_source(kind: Kind, paths: Sequence[Path], fmt: str, cfg: SmsConfig | CallConfig,
               features: Sequence[Path]) -> CdrSource | None:
    """Where call evaluation rows came from when any file holds raw CDRs; None for SMS and for profile
    tables, which read the same under every profile config."""
    if kind != "call" or all(call_data_format(path, fmt) == "profiles" for path in paths):
        return None
    return CdrSource(tuple(paths), fmt, tuple(features), cfg.profiles)


def model_rows(evaluation: EvalSet, profiles: ProfileConfig | None) -> pd.DataFrame:
    """The evaluation rows as a call model trained with profile config ``profiles`` sees them.

    From raw CDRs, a model trained with another config than the challenger's gets the profiles its
    own config builds, as ``yunmao evaluate`` builds them: scored on the challenger's window it would
    be judged on features it never saw. Its rows are the evaluation set's numbers in the same order
    (:func:`on_the_same_numbers`), so the training overlap stays removed and the gates compare
    identical rows. ``profiles`` None (a model from before the config was recorded) reads the
    default config, as ``yunmao evaluate`` and ``predict`` build that model's profiles.

    A number the model's window leaves without calls keeps its row: the profile builder makes one
    for every number in any table, zero counts where the window holds none of its calls, and that is
    how the model scores the number in ``yunmao evaluate`` and ``predict`` too. Dropping such numbers
    would judge the model on the numbers its window suits; :func:`calls_outside_window_note` counts them.

    Raises:
        ValueError: the rebuilt profiles lack numbers of the evaluation set (see :func:`on_the_same_numbers`).
    """
    source = evaluation.cdrs
    profiles = ProfileConfig() if profiles is None else profiles
    if source is None or profiles == source.built_with:
        return evaluation.frame
    if profiles not in evaluation.views:
        rebuilt = call_rows(source.paths, source.fmt, profiles, source.features)
        evaluation.views[profiles] = on_the_same_numbers(rebuilt, evaluation.frame)
    return evaluation.views[profiles]


def on_the_same_numbers(view: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """``view``'s rows for the numbers of ``reference``, matched by number and in its order, as the
    report pairs two models' loads (:func:`training.report.model.aligned`).

    Both come from the same files and the builder keeps every number whatever the config, so a
    number missing from ``view`` means the two describe different numbers: refused, not restricted
    to the numbers both hold, which would shrink the evaluation set without a word.

    Raises:
        ValueError: ``view`` lacks a number of ``reference``.
    """
    wanted = set(reference[NUMBER_COLUMN].astype(str))
    return aligned(reference, view[view[NUMBER_COLUMN].astype(str).isin(wanted)].reset_index(drop=True))


def calls_outside_window_note(evaluation: EvalSet, rows: pd.DataFrame) -> dict[str, int]:
    """``numbers_without_calls_in_window``: evaluation numbers scored with no call in the model's
    profile window (see :func:`model_rows`), for raw CDRs; ``{}`` for profile tables, which carry
    no window."""
    if evaluation.cdrs is None:
        return {}
    return {"numbers_without_calls_in_window": int((rows[CALL_COUNT_COLUMN] == 0).sum())}
