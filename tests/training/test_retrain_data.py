"""Retraining data: feedback joins the training rows, evaluation drops what training saw."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import training.retrain_data as retrain_data
from configs.call import CallConfig
from configs.feedback import FeedbackConfig
from configs.sms import DuplicatesConfig, SmsConfig
from serving.feedback_store import SqliteFeedbackStore
from tests.training.data.test_datasets import LAST_3_DAYS, _cdr_dir
from training.data.sms import load_labelled
from training.retrain_data import evaluation_set, model_rows, record_keys, training_set, with_feedback


def test_call_feedback_replaces_the_base_profile_and_drops_store_columns() -> None:
    base = pd.DataFrame({"phone_no_m": ["a", "b"], "calls": [3, 4], "label": [0, 0]})
    feedback = pd.DataFrame({"id": ["f1"], "phone_no_m": ["b"], "calls": [40], "label": [1], "fraud_type": ["x"],
                             "source": ["analyst"], "received_at": ["2024-01-01"]})
    joined = with_feedback("call", base, feedback)
    assert list(joined.columns) == ["phone_no_m", "calls", "label"]
    assert joined.set_index("phone_no_m")["label"].to_dict() == {"a": 0, "b": 1}


def test_call_feedback_category_never_becomes_a_profile_column() -> None:
    """Call models have no category head: an analyst's category on a call is stored and exported,
    but a column the trainer does not know would be read as a feature."""
    base = pd.DataFrame({"phone_no_m": ["a"], "calls": [3], "label": [0]})
    feedback = pd.DataFrame({"id": ["f1"], "phone_no_m": ["b"], "calls": [40], "label": [1], "category": ["fraud"],
                             "fraud_type": [None], "source": ["analyst"], "received_at": ["2024-01-01"]})
    assert list(with_feedback("call", base, feedback).columns) == ["phone_no_m", "calls", "label"]


def test_sms_retraining_reads_the_category_analysts_gave(tmp_path: Path, monkeypatch) -> None:
    """``--feedback``: the file the challenger trains on carries each feedback row's category, read by
    the same loader as the base data; a row without one keeps what its label says (as before)."""
    base = tmp_path / "base.csv"
    pd.DataFrame({"text": ["你好", "中奖了请点击领取"], "label": ["ham", "fraud"]}).to_csv(base, index=False)
    store = SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    store.append_many([
        {"id": "f-spam", "text": "新品上市全场五折，回T退订", "label": 1, "category": "spam", "source": "analyst"},
        {"id": "f-illegal", "text": "澳门在线娱乐城，首存送彩金", "label": 1, "category": "illegal", "source": "analyst"},
        {"id": "f-typed", "text": "刷单返利日结", "label": 1, "fraud_type": "刷单返利", "source": "victim"},
        {"id": "f-bare", "text": "您的账户存在异常请点击链接", "label": 1, "source": "victim"},
    ])
    monkeypatch.setattr(retrain_data, "open_feedback_store", lambda _cfg: store)
    train = training_set("sms", [base], "canonical", SmsConfig(), use_feedback=True, workdir=tmp_path)
    assert train.feedback_rows == 4
    frame = load_labelled(train.paths, train.fmt).frame.set_index("text")["category"]
    assert frame.to_dict() == {"你好": "ham", "中奖了请点击领取": "fraud", "新品上市全场五折，回T退订": "spam",
                               "澳门在线娱乐城，首存送彩金": "illegal", "刷单返利日结": "fraud", "您的账户存在异常请点击链接": None}


def test_sms_feedback_rows_are_appended_in_canonical_columns() -> None:
    base = pd.DataFrame({"id": ["1"], "text": ["你好"], "sender": ["95588"], "receiver": [None], "sent_at": [None],
                         "label": [0], "fraud_type": [None]})
    feedback = pd.DataFrame({"id": ["f1"], "text": ["点击链接领取补贴"], "label": [1], "fraud_type": ["冒充客服"],
                             "source": ["victim"], "received_at": ["2024-01-01"]})
    joined = with_feedback("sms", base, feedback)
    assert joined["text"].tolist() == ["你好", "点击链接领取补贴"] and "source" not in joined


def test_profiles_seen_in_training_are_removed_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    pd.DataFrame({"phone_no_m": ["a", "b", "c", "d"], "calls": [1, 2, 3, 4], "label": [0, 1, 0, 1]}).to_csv(path, index=False)
    kept = evaluation_set("call", [path], "profiles", CallConfig(), frozenset({"a"}))
    assert kept.removed_overlap == 1 and record_keys("call", kept.frame).tolist() == ["b", "c", "d"]
    with pytest.raises(ValueError, match="after removing 2 rows.*label\\(s\\): 0"):
        evaluation_set("call", [path], "profiles", CallConfig(), frozenset({"b", "d"}))


def test_profile_table_evaluation_reads_the_same_under_every_profile_config(tmp_path: Path) -> None:
    """A profile table has no window to rebuild: every model scores the rows as loaded."""
    path = tmp_path / "eval.csv"
    pd.DataFrame({"phone_no_m": ["a", "b"], "voc_cnt": [1, 2], "label": [0, 1]}).to_csv(path, index=False)
    evaluation = evaluation_set("call", [path], "auto", CallConfig(), frozenset())
    assert evaluation.cdrs is None and model_rows(evaluation, LAST_3_DAYS) is evaluation.frame


def test_cdr_evaluation_is_profiled_with_each_models_config_on_the_same_numbers(tmp_path: Path) -> None:
    """The challenger's config keeps the evaluation rows; another config rebuilds them from the CDRs
    (once), on the numbers left after the training overlap, with the --features tables joined."""
    (tmp_path / "cdr").mkdir()
    cdrs, extra = _cdr_dir(tmp_path / "cdr"), tmp_path / "extra.csv"
    pd.DataFrame({"phone_no_m": ["n0", "n1", "n2", "n3"], "extra_score": [0.1, 0.2, 0.3, 0.4]}).to_csv(extra, index=False)
    evaluation = evaluation_set("call", [cdrs], "auto", CallConfig(), frozenset({"n0"}), [extra])
    assert evaluation.cdrs is not None and (evaluation.frame["voc_cnt"] == 31).all()
    assert model_rows(evaluation, None) is model_rows(evaluation, CallConfig().profiles) is evaluation.frame
    short = model_rows(evaluation, LAST_3_DAYS)
    assert short["phone_no_m"].tolist() == ["n1", "n2", "n3"] and (short["voc_cnt"] == 3).all()
    assert short["extra_score"].tolist() == [0.2, 0.3, 0.4] and short["label"].tolist() == evaluation.frame["label"].tolist()
    assert model_rows(evaluation, LAST_3_DAYS) is short


def test_a_model_without_a_recorded_profile_config_reads_the_default_one(tmp_path: Path) -> None:
    """As `yunmao evaluate` builds an older model's profiles (default config), not the challenger's."""
    challenger = CallConfig(profiles=LAST_3_DAYS)
    evaluation = evaluation_set("call", [_cdr_dir(tmp_path)], "cdr", challenger, frozenset())
    assert (evaluation.frame["voc_cnt"] == 3).all()
    assert (model_rows(evaluation, None)["voc_cnt"] == 31).all()


def test_a_view_lacking_evaluation_numbers_is_refused(tmp_path: Path) -> None:
    """Models compared on different numbers are not compared: refused rather than quietly restricted."""
    evaluation = evaluation_set("call", [_cdr_dir(tmp_path)], "cdr", CallConfig(), frozenset())
    elsewhere = pd.DataFrame({"phone_no_m": ["n9"], "voc_cnt": [5], "label": [1]})
    widened = dataclasses.replace(evaluation, frame=pd.concat([evaluation.frame, elsewhere], ignore_index=True))
    with pytest.raises(ValueError, match="read different records"):
        model_rows(widened, LAST_3_DAYS)


def test_shipped_retrain_config_names_no_eval_set_and_resolves_relative_paths() -> None:
    from configs.paths import PROJECT_ROOT
    from configs.retrain import PerKind, load_retrain_config

    shipped = load_retrain_config()
    assert shipped.eval_data.path("sms") is None and shipped.lock_timeout_s > 0
    assert PerKind(sms="data/eval/sms.csv").path("sms") == PROJECT_ROOT / "data" / "eval" / "sms.csv"


def test_sms_training_rows_keep_the_copies_the_duplicates_setting_keeps(tmp_path: Path, monkeypatch) -> None:
    """With feedback, the base rows are rewritten for the trainer: they must keep up to
    ``duplicates.max_copies`` copies per text (deduplicating to one silently ignored the setting),
    while the evaluation set keeps one copy per text."""
    path = tmp_path / "base.csv"
    texts = ["中奖了请点击领取"] * 5 + ["明天开会"] * 2 + ["你好"]
    pd.DataFrame({"text": texts, "label": [1] * 5 + [0] * 3}).to_csv(path, index=False)
    feedback = pd.DataFrame({"id": ["f1"], "text": ["点击链接领取补贴"], "label": [1], "fraud_type": [None],
                             "source": ["victim"], "received_at": ["2024-01-01"]})
    monkeypatch.setattr(retrain_data, "open_feedback_store", lambda _cfg: None)
    monkeypatch.setattr(retrain_data, "feedback_frame", lambda _store, _kind: feedback)
    keep3 = SmsConfig(duplicates=DuplicatesConfig(policy="keep_max", max_copies=3))
    weigh = SmsConfig(duplicates=DuplicatesConfig(policy="weight"))  # the trainer counts every copy
    for cfg, expected in ((SmsConfig(), [1, 1, 1, 1]), (keep3, [3, 2, 1, 1]), (weigh, [5, 2, 1, 1])):
        out = training_set("sms", [path], "canonical", cfg, use_feedback=True, workdir=tmp_path)
        written = pd.read_csv(out.paths[0])
        assert written["text"].value_counts(sort=False).tolist() == expected, cfg.duplicates.policy
    evaluated = evaluation_set("sms", [path], "canonical", keep3, frozenset())
    assert len(evaluated.frame) == 3
