"""features/text.py: n-gram columns plus a linear text score that is out of fold when fitting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from features.sms.patterns import reminder_zeroed_cue_matrix, script_cues
from features.sms.text import FRAUD_SCORE_NAME, LINEAR_SCORE_NAME, SoftmaxLinearSVC, TextFeatures, category_score_name

_SYLLABLES = list("安全账户刷单征信保证金解冻快递验证码银行转入资金调查佣金日结")


def _memorisable(n: int = 80, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows that share no signal with their labels: each is a random string only it contains."""
    rng = np.random.default_rng(seed)
    norm = ["".join(rng.choice(_SYLLABLES, size=8)) + f"x{i}" for i in range(n)]
    frame = pd.DataFrame({"norm": norm, "tokens": [f"w{i} v{i}" for i in range(n)]})
    return frame, rng.permutation(np.arange(n) % 2)


def _features(**overrides) -> TextFeatures:
    params = dict(char_min_df=1, word_min_df=1, linear_folds=4, booster_grams=50, linear_C=100.0)
    return TextFeatures(**{**params, **overrides})


def test_fit_transform_score_is_out_of_fold() -> None:
    frame, labels = _memorisable()
    text = _features()
    fitted_score = text.fit_transform(frame, labels).toarray()[:, -1]
    in_sample_score = text.transform(frame).toarray()[:, -1]
    assert roc_auc_score(labels, in_sample_score) > 0.95  # the full model memorises its rows
    assert roc_auc_score(labels, fitted_score) < 0.8  # out of fold it cannot
    assert not np.allclose(fitted_score, in_sample_score)


def test_transform_shape_is_stable_and_matches_names() -> None:
    frame, labels = _memorisable()
    text = _features().fit(frame, labels)
    names = text.get_feature_names_out()
    assert names[-1] == LINEAR_SCORE_NAME
    for rows in (frame.iloc[:1], frame.iloc[:7], pd.DataFrame({"norm": ["全新的文本"], "tokens": ["全新"]})):
        assert text.transform(rows).shape == (len(rows), len(names))
    assert text.fit_transform(frame, labels).shape == (len(frame), len(names))


def test_gram_columns_are_capped_and_named_readably() -> None:
    frame, labels = _memorisable()
    names = _features(booster_grams=20).fit(frame, labels).get_feature_names_out()
    assert len(names) == 20 + 1
    assert all(name.startswith(("字: ", "词: ")) for name in names[:-1])


@pytest.mark.parametrize("call", ["fit", "fit_transform"])
def test_fitting_without_labels_is_a_clear_error(call: str) -> None:
    frame, _ = _memorisable()
    with pytest.raises(ValueError, match="needs labels"):
        getattr(_features(), call)(frame)


def test_linear_score_folds_keep_duplicates_together() -> None:
    """Each text twice: scored out of fold, a row must not be scored by a model that saw its copy."""
    frame, labels = _memorisable(60)
    frame, labels = pd.concat([frame, frame], ignore_index=True), np.concatenate([labels, labels])
    fitted_score = _features().fit_transform(frame, labels).toarray()[:, -1]
    assert roc_auc_score(labels, fitted_score) < 0.8


def test_each_folds_columns_are_chosen_without_its_held_out_labels() -> None:
    """Re-labelling fold 0's held-out rows may change other folds' columns, never fold 0's."""
    frame, labels = _memorisable(120)
    folds = [(np.arange(40, 120), np.arange(40)), (np.arange(40), np.arange(40, 120))]
    relabelled = labels.copy()
    relabelled[:40] = np.random.default_rng(1).permutation(relabelled[:40])
    fitted = [_features(booster_grams=30).fit(frame, y, folds=folds) for y in (labels, relabelled)]
    names = [text.get_feature_names_out() for text in fitted]
    fold0 = [set(n[text.fold_column_masks_[0]]) for n, text in zip(names, fitted, strict=False)]
    assert fold0[0] == fold0[1]
    assert all(mask.sum() == 30 + 1 for text in fitted for mask in text.fold_column_masks_)  # grams + linear score
    assert set(names[0]) != set(names[1])  # the union did depend on fold 0's labels, through fold 1


def _typed(types: tuple[str, ...], n_per_type: int = 12) -> tuple[pd.DataFrame, np.ndarray, list[str | None]]:
    """Normal rows plus fraud rows of ``types``, each type with words of its own."""
    words = {"冒充公检法": "公安局涉嫌洗钱安全账户", "刷单返利": "刷单日结佣金垫付返利", "虚假征信": "注销学生贷影响征信"}
    norm = [f"周末一起吃饭{i}" for i in range(n_per_type * 2)]
    labels, fraud_type = [0] * len(norm), [None] * len(norm)
    for name in types:
        norm += [f"{words[name]}{i}" for i in range(n_per_type)]
        labels += [1] * n_per_type
        fraud_type += [name] * n_per_type
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(text) for text in norm]})
    return frame, np.array(labels), fraud_type


@pytest.mark.parametrize("types", [("冒充公检法", "刷单返利"), ("冒充公检法", "刷单返利", "虚假征信")])
def test_per_type_scores_have_one_column_per_type_also_for_two_types(types: tuple[str, ...]) -> None:
    """Two types make the per-type linear model binary (one margin); it still gives both types a column."""
    frame, labels, fraud_type = _typed(types)
    text = _features(linear_folds=3)
    fitted = text.fit_transform(frame, labels, fraud_type=fraud_type).toarray()
    names = list(text.get_feature_names_out())
    assert fitted.shape[1] == len(names) and text.transform(frame).shape[1] == len(names)
    type_columns = [names.index(f"文本类似「{name}」类诈骗") for name in sorted(types)]
    served = text.transform(frame).toarray()[:, type_columns]
    assert np.allclose(served.sum(axis=1), 1.0, atol=1e-5)
    is_first = np.array([t == sorted(types)[0] for t in fraud_type])
    typed = np.array([t is not None for t in fraud_type])
    assert roc_auc_score(is_first[typed], served[typed, 0]) > 0.95


@pytest.mark.parametrize("types", [("冒充公检法", "刷单返利"), ("冒充公检法", "刷单返利", "虚假征信")])
def test_a_hinge_type_model_serves_the_scores_training_stacked(types: tuple[str, ...]) -> None:
    """``type_loss="squared_hinge"``: the per-type score comes from a linear SVM at ``type_C`` (the
    binary score keeps its logistic model at ``linear_C``), and the scores serving computes from the
    stacked coefficients are the model's own softmax probabilities, two types or more."""
    frame, labels, fraud_type = _typed(types)
    text = _features(linear_folds=3, type_loss="squared_hinge", type_C=0.5)
    text.fit_transform(frame, labels, fraud_type=fraud_type)
    assert isinstance(text.type_linear_, SoftmaxLinearSVC) and text.type_linear_.C == 0.5
    assert not isinstance(text.linear_, SoftmaxLinearSVC) and text.linear_.C == 100.0
    names = list(text.get_feature_names_out())
    type_columns = [names.index(f"文本类似「{name}」类诈骗") for name in sorted(types)]
    served = text.transform(frame).toarray()[:, type_columns]
    inputs = text._linear_input(text.char_.transform(frame["norm"]), frame["norm"])
    assert np.allclose(served, text.type_linear_.predict_proba(inputs), atol=1e-6)
    typed = np.array([t is not None for t in fraud_type])
    is_first = np.array([t == sorted(types)[0] for t in fraud_type])
    assert roc_auc_score(is_first[typed], served[typed, 0]) > 0.95


def test_a_hinge_type_model_is_fitted_the_same_every_time() -> None:
    """liblinear's dual solver shuffles the rows; the featuriser's seed fixes the order, so one config
    and one data set give one model (the global NumPy state must not decide it)."""
    frame, labels, fraud_type = _typed(("冒充公检法", "刷单返利", "虚假征信"))
    coefficients = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        text = _features(linear_folds=3, type_loss="squared_hinge", type_C=1.0)
        text.fit_transform(frame, labels, fraud_type=fraud_type)
        coefficients.append(text.type_linear_.coef_)
    assert np.array_equal(*coefficients)


def test_an_unknown_type_loss_is_a_clear_error() -> None:
    """A misspelt loss must not quietly fit the logistic model (configs/sms.yaml refuses it at load;
    code building TextFeatures directly gets the same refusal at fit)."""
    frame, labels, fraud_type = _typed(("冒充公检法", "刷单返利"))
    with pytest.raises(ValueError, match="type_loss must be one of logistic, squared_hinge, not 'hinge'"):
        _features(linear_folds=3, type_loss="hinge").fit_transform(frame, labels, fraud_type=fraud_type)


def test_the_type_model_has_its_own_C() -> None:
    frame, labels, fraud_type = _typed(("冒充公检法", "刷单返利", "虚假征信"))
    text = _features(linear_folds=3, type_C=7.0)
    text.fit_transform(frame, labels, fraud_type=fraud_type)
    assert isinstance(text.type_linear_, LogisticRegression) and text.type_linear_.C == 7.0
    assert text.linear_.C == 100.0


def test_script_cues_carry_weight_to_a_wording_never_seen() -> None:
    """Trained on one police-script wording, a different wording of the script (same cue, other
    characters) scores higher when the cues are inside the linear model; quoted in an official
    reminder, the script's cue counts for nothing."""
    seen = [f"市公安局通知你涉嫌洗钱{i}号" for i in range(20)]
    normal = [f"晚上回家吃饭{i}次" for i in range(20)] + [f"【反诈提醒】冒充警察说你涉嫌洗钱都是诈骗{i}" for i in range(6)]
    frame = pd.DataFrame({"norm": seen + normal, "tokens": [" ".join(text) for text in seen + normal]})
    labels = np.array([1] * len(seen) + [0] * len(normal))
    unseen = pd.DataFrame({"norm": ["派出所民警:你的案件已立案"], "tokens": ["派出所 民警 案件 立案"]})
    quoted = pd.DataFrame({"norm": ["谨防派出所民警称立案的电话"], "tokens": ["谨防 派出所 民警 立案"]})

    def score(cue_weight: float, rows: pd.DataFrame) -> float:
        return float(_features(cue_weight=cue_weight, linear_C=4.0).fit(frame, labels).transform(rows).toarray()[0, -1])

    assert score(1.0, unseen) > score(0.0, unseen) + 0.2
    assert score(1.0, quoted) < score(1.0, unseen) - 0.2


def test_fraud_score_separates_fraud_from_marketing_where_categories_are_known() -> None:
    """Unwanted = spam + fraud; the fraud score ranks fraud above marketing, which the unwanted score cannot."""
    ham = [f"周末一起吃饭{i}次" for i in range(16)]
    spam = [f"全场五折优惠{i}退订回T" for i in range(16)]
    fraud = [f"公安局称你涉嫌洗钱{i}转安全账户" for i in range(16)]
    norm = ham + spam + fraud
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(text) for text in norm]})
    labels = np.array([0] * 16 + [1] * 32)
    category = ["ham"] * 16 + ["spam"] * 16 + [None] * 4 + ["fraud"] * 12  # a few unknown
    text = _features(linear_folds=3)
    fitted = text.fit_transform(frame, labels, category=category).toarray()
    names = list(text.get_feature_names_out())
    assert names[-1] == FRAUD_SCORE_NAME and fitted.shape[1] == len(names) == text.transform(frame).shape[1]
    served = text.transform(frame).toarray()[:, -1]
    assert served[32:].min() > served[16:32].max()
    assert FRAUD_SCORE_NAME not in _features().fit(frame, labels).get_feature_names_out()  # 0/1 labels only


def test_illegal_score_separates_illegal_services_from_marketing_when_configured() -> None:
    """Adverts and illegal services are both unwanted and both promotional: only a score fitted on
    illegal vs the rest tells them apart; it feeds the category head, not the unwanted boosters."""
    ham = [f"周末一起吃饭{i}次" for i in range(16)]
    spam = [f"全场五折优惠{i}退订回T" for i in range(16)]
    illegal = [f"代开发票{i}真票可查联系" for i in range(16)]
    fraud = [f"公安局称你涉嫌洗钱{i}转安全账户" for i in range(16)]
    norm = ham + spam + illegal + fraud
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(text) for text in norm]})
    labels = np.array([0] * 16 + [1] * 48)
    category = ["ham"] * 16 + ["spam"] * 16 + ["illegal"] * 16 + ["fraud"] * 16
    folds = [(np.arange(64)[np.arange(64) % 2 == k], np.arange(64)[np.arange(64) % 2 != k]) for k in (0, 1)]
    text = _features(linear_folds=3, category_scores=("fraud", "illegal"))
    text.fit_transform(frame, labels, category=category, folds=folds)
    names = list(text.get_feature_names_out())
    assert names[-2:] == [FRAUD_SCORE_NAME, category_score_name("illegal")]
    served = text.transform(frame).toarray()[:, -1]
    assert served[32:48].min() > max(served[16:32].max(), served[48:].max())
    assert all(mask[-3:].all() for mask in text.fold_column_masks_), "scores are out of fold: every fold may use them"
    assert text.head_only_columns_.tolist() == [False] * (len(names) - 2) + [True, True], "category scores are the heads' only"
    only_fraud = _features(linear_folds=3).fit(frame, labels)
    only_fraud.fit_transform(frame, labels, category=category, folds=folds)
    assert list(only_fraud.get_feature_names_out()) == names[:-1], "the default scores fraud alone"


def test_stacked_linear_models_are_built_once_and_never_pickled() -> None:
    """The linear models' stacked coefficients are made on the first transform and reused, and a
    pickled featuriser carries its models only: the stack is rebuilt from them after loading."""
    import pickle

    ham = [f"周末一起吃饭{i}次" for i in range(12)]
    fraud = [f"公安局称你涉嫌洗钱{i}转安全账户" for i in range(12)]
    frame = pd.DataFrame({"norm": ham + fraud, "tokens": [" ".join(text) for text in ham + fraud]})
    text = _features(linear_folds=3).fit(frame, np.array([0] * 12 + [1] * 12))
    first = text.transform(frame).toarray()
    stack = text._linear_stack()
    text.transform(frame)
    assert text._linear_stack() is stack
    assert "_stack" not in text.__getstate__()
    loaded = pickle.loads(pickle.dumps(text))
    np.testing.assert_array_equal(loaded.transform(frame).toarray(), first)


def test_a_scam_borrowing_a_warning_keeps_the_scripts_weight_it_was_trained_with() -> None:
    """Where training holds both official reminders quoting a script (ham) and scams borrowing a
    warning word (fraud), the quoted columns learn what the script weighs beside a reminder: an
    unseen wording of the script with a borrowed warning scores as fraud, a reminder as ham."""
    scams = [f"市公安局通知你涉嫌洗钱{i}号" for i in range(12)] + [f"谨防假冒,市公安局通知你涉嫌洗钱{i}号" for i in range(8)]
    normal = [f"晚上回家吃饭{i}次" for i in range(20)] + [f"【反诈提醒】冒充警察说你涉嫌洗钱都是诈骗{i}" for i in range(8)]
    frame = pd.DataFrame({"norm": scams + normal, "tokens": [" ".join(text) for text in scams + normal]})
    labels = np.array([1] * len(scams) + [0] * len(normal))
    text = _features(cue_weight=1.0, linear_C=4.0).fit(frame, labels)
    rows = pd.DataFrame({"norm": ["派出所民警:谨防假冒,你的案件已立案", "【反诈提醒】派出所民警说你的案件已立案的都是诈骗"],
                         "tokens": ["派出所 民警 谨防 假冒 案件 立案", "反诈 提醒 派出所 民警 案件 立案 诈骗"]})
    borrowed, reminder = text.transform(rows).toarray()[:, -1]
    assert borrowed > 0.5 > reminder


def test_a_model_fitted_before_the_quoted_columns_scores_as_it_was_trained() -> None:
    """A model pickled before session 18 has no ``quoted_cues_`` and coefficients for the script
    cues only: its linear models read the cues zeroed under a reminder, as they were fitted."""
    norm = [f"市公安局通知你涉嫌洗钱{i}号" for i in range(10)] + [f"【反诈提醒】冒充警察说你涉嫌洗钱都是诈骗{i}" for i in range(10)]
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(text) for text in norm]})
    text = _features(cue_weight=1.0).fit(frame, np.array([1] * 10 + [0] * 10))
    n_chars = len(text.char_.vocabulary_)
    del text.quoted_cues_
    text.linear_.coef_ = text.linear_.coef_[:, :n_chars + len(script_cues())]
    chars = text.char_.transform(frame["norm"])
    expected = chars @ text.linear_.coef_[0, :n_chars] + reminder_zeroed_cue_matrix(frame["norm"]) @ text.linear_.coef_[0, n_chars:]
    served = text.transform(frame).toarray()[:, text.get_feature_names_out().tolist().index(LINEAR_SCORE_NAME)]
    assert np.allclose(served, 1 / (1 + np.exp(-(expected + text.linear_.intercept_[0]))), atol=1e-5)
