"""A model trained with the known-template memory on (configs/sms.yaml ``memory``): the update
reaches every scoring path, leaves messages of unknown templates exactly as the model scores them,
says why it raised a flagged message, and travels with the model (pickle, MLflow pyfunc)."""

from __future__ import annotations

import dataclasses
import re

import joblib
import numpy as np
import pandas as pd
import pytest

from configs.sms import MemoryConfig
from features.sms.normalise import normalise_text
from models.pyfunc import decisions_frame
from models.scam_model import ALLOW, REFERENCE_SCORE, ScamModel
from models.template_memory import template_keys
from tests.models.conftest import SMALL_SMS_CONFIG, held_rows, sms
from training.evaluate import evaluate_model
from training.fit import FitResult
from training.tracking import log_and_register
from training.train import SMS_INPUT_EXAMPLE, fit_sms

MEMORY_REASON = re.compile(r"^与训练数据中 (\d+) 条已标注的垃圾/诈骗短信同一模板$")
# Written for this test; no demo template has them.
NEW_MESSAGES = ["周六上午九点小区东门集合，一起去爬山", "您好，我是楼下邻居，您家阳台的衣服掉到我家了", "老师，孩子今天发烧请假一天"]
EXTRA_HAM_COPIES = 4


def fitted_ham(rows: pd.DataFrame) -> pd.DataFrame:
    """The first ham row whose text the drift reference does not hold out (whichever rows the demo
    draw gives: the first ham row may be held out, or be the first held-out row itself)."""
    held = set(held_rows(rows)["text"].map(normalise_text))
    return rows[(rows["label"] == 0) & ~rows["text"].map(normalise_text).isin(held)].head(1)


def held_template_sibling(rows: pd.DataFrame) -> pd.DataFrame:
    """A labelled text of the same template as a row the drift reference holds out, but not that text
    (its last digit changed; the template masks digit runs): so the reference holds a message whose
    template the memory knows, whichever rows the demo draw holds out (N7's draw held out none)."""
    for _, row in held_rows(rows).iterrows():
        sibling = re.sub(r"\d(?=\D*$)", lambda digit: str((int(digit[0]) + 1) % 10), row["text"])
        pair = [normalise_text(row["text"]), normalise_text(sibling)]
        if pair[0] != pair[1] and template_keys(pair)[0] == template_keys(pair)[1]:
            return row.to_frame().T.assign(text=sibling)
    raise AssertionError("no held-out row has a digit run the template masks")


@pytest.fixture(scope="module")
def training(demo_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows the boosters see, every labelled row): a fitted ham text (:func:`fitted_ham`), and the
    first row the drift reference holds out, sent EXTRA_HAM_COPIES more times each, and a labelled
    sibling of a held-out row (:func:`held_template_sibling`)."""
    copies = [fitted_ham(demo_frame), held_rows(demo_frame).head(1)] * EXTRA_HAM_COPIES
    return demo_frame, pd.concat([demo_frame, *copies, held_template_sibling(demo_frame)], ignore_index=True)


@pytest.fixture(scope="module")
def memory_fit(training: tuple[pd.DataFrame, pd.DataFrame]) -> FitResult:
    rows, labelled = training
    return fit_sms(rows, SMALL_SMS_CONFIG.model_copy(update={"memory": MemoryConfig(enabled=True)}), labelled=labelled)


@pytest.fixture(scope="module")
def memory_model(memory_fit: FitResult) -> ScamModel:
    return memory_fit.model


@pytest.fixture(scope="module")
def without_memory(memory_model: ScamModel) -> ScamModel:
    return dataclasses.replace(memory_model, template_memory=None)


def test_the_memory_counts_every_labelled_row_copies_included(memory_model: ScamModel, training) -> None:
    rows, labelled = training
    ham = normalise_text(fitted_ham(rows)["text"].iloc[0])
    counts = memory_model.template_memory.lookup([ham])
    same_text = int((labelled["text"].map(normalise_text) == ham).sum())
    assert counts.messages[0] >= same_text >= 1 + EXTRA_HAM_COPIES  # its template may hold other texts too
    held_out = labelled["text"].map(normalise_text).isin(set(held_rows(rows)["text"].map(normalise_text)))
    assert memory_model.template_memory.messages.sum() == len(labelled) - held_out.sum()


def test_the_memory_does_not_count_the_rows_the_drift_reference_holds_out(memory_model: ScamModel, training) -> None:
    """A held-out text is known only through the fitted rows (copies included) that share its template."""
    rows, labelled = training
    held = held_rows(rows)["text"].map(normalise_text)
    norms = labelled["text"].map(normalise_text)
    fitted_keys = template_keys(norms[~norms.isin(set(held))].tolist())
    expected = [(fitted_keys == key).sum() for key in template_keys(held.tolist())]
    counts = memory_model.template_memory.lookup(held.tolist())
    np.testing.assert_array_equal(counts.messages, expected)
    # Copies of a held-out text are left out too (the demo draw may hold the same text more than once).
    in_rows = (rows["text"].map(normalise_text) == held.iloc[0]).sum()
    assert in_rows >= 1 and (norms == held.iloc[0]).sum() == in_rows + EXTRA_HAM_COPIES


def test_the_drift_reference_is_scored_with_the_memory_as_served(memory_model: ScamModel, without_memory: ScamModel,
                                                                  demo_frame: pd.DataFrame) -> None:
    held = held_rows(demo_frame)
    reference = memory_model.reference[REFERENCE_SCORE]
    np.testing.assert_allclose(reference, memory_model.score(held), rtol=1e-5)
    assert not np.allclose(reference, without_memory.score(held), rtol=1e-5)  # a held-out template is known (its sibling)


def test_without_memory_the_drift_reference_is_the_models_own_output(memory_model: ScamModel, without_memory: ScamModel,
                                                                     demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    """The same fit without the memory (conftest's demo model): the model's own scores, the same watched features."""
    held = held_rows(demo_frame)
    np.testing.assert_allclose(demo_model.reference[REFERENCE_SCORE], without_memory.score(held), rtol=1e-5)
    watched = set(memory_model.reference) - {REFERENCE_SCORE}
    assert watched and watched == set(demo_model.reference) - {REFERENCE_SCORE}
    for name in watched:
        np.testing.assert_array_equal(memory_model.reference[name], demo_model.reference[name])


def test_unknown_templates_score_and_decide_exactly_as_without_memory(memory_model: ScamModel, without_memory: ScamModel) -> None:
    records = sms(*NEW_MESSAGES)
    assert not memory_model.template_memory.lookup([normalise_text(t) for t in NEW_MESSAGES]).known.any()
    assert memory_model.score(records).tobytes() == without_memory.score(records).tobytes()
    with_memory, plain = memory_model.decide(records), without_memory.decide(records)
    # Watched values apart: a message without sent_at watches a NaN hour, and NaN != NaN in a tuple.
    assert [dataclasses.replace(d, watched=()) for d in with_memory] == [dataclasses.replace(d, watched=()) for d in plain]
    np.testing.assert_array_equal([d.watched for d in with_memory], [d.watched for d in plain])


def test_copies_of_training_messages_move_towards_their_labels(
    memory_model: ScamModel, without_memory: ScamModel, memory_fit: FitResult
) -> None:
    records = memory_fit.frame.head(200)  # rows the memory counts: the drift reference's are not
    before, after = without_memory.score(records), memory_model.score(records)
    counts = memory_model.template_memory.lookup([normalise_text(t) for t in records["text"]])
    assert counts.known.all()
    share = counts.unwanted / counts.messages
    moved = after != before
    assert moved.any()
    assert np.array_equal(np.sign(after - before)[moved], np.sign(share - before)[moved])
    labels = records["label"].to_numpy()
    assert (after[labels == 1] >= before[labels == 1]).mean() > 0.9 and (after[labels == 0] <= before[labels == 0]).mean() > 0.9


def test_every_path_serves_the_updated_score(memory_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    records = demo_frame.head(60)
    scores = memory_model.score(records)
    assert np.array_equal(memory_model.scored(records).scores, scores)
    np.testing.assert_array_equal([d.score for d in memory_model.decide(records, explain=False)], scores)
    as_dicts = records[["text", "sender", "sent_at"]].to_dict("records")
    np.testing.assert_array_equal([d.score for d in memory_model.decide(as_dicts, explain=False)], scores)


def test_a_raised_flagged_message_says_how_many_labelled_copies(memory_model: ScamModel, without_memory: ScamModel,
                                                               demo_frame: pd.DataFrame) -> None:
    records = demo_frame.head(200)
    decisions = memory_model.decide(records)
    before = without_memory.score(records)
    counts = memory_model.template_memory.lookup([normalise_text(t) for t in records["text"]])
    said = 0
    for i, decision in enumerate(decisions):
        first = MEMORY_REASON.match(decision.reasons[0]) if decision.reasons else None
        raised = decision.action != ALLOW and decision.score > before[i] and counts.unwanted[i] > 0
        assert (first is not None) == raised, (i, decision)
        if first is not None:
            said += 1
            assert int(first.group(1)) == counts.unwanted[i] > 0
            assert len(decision.reasons) <= memory_model.max_reasons
    assert said > 0


def test_evaluation_counts_the_rows_the_memory_knows(memory_model: ScamModel, without_memory: ScamModel,
                                                     memory_fit: FitResult) -> None:
    fresh = pd.DataFrame({"text": NEW_MESSAGES, "label": [0, 0, 1]})
    frame = pd.concat([memory_fit.frame.head(40)[["text", "label"]], fresh], ignore_index=True)
    assert evaluate_model(memory_model, frame)["rows_with_template_labelled_in_training"] == 40
    assert "rows_with_template_labelled_in_training" not in evaluate_model(without_memory, frame)


def test_the_pickled_model_scores_as_the_trained_one(memory_model: ScamModel, demo_frame: pd.DataFrame, tmp_path) -> None:
    joblib.dump(memory_model, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    sample = demo_frame.head(50)
    np.testing.assert_array_equal(restored.score(sample), memory_model.score(sample))
    assert restored.decide(sample) == memory_model.decide(sample)


@pytest.mark.slow
def test_the_registered_pyfunc_serves_the_updated_score(memory_fit: FitResult, without_memory: ScamModel,
                                                        demo_frame: pd.DataFrame) -> None:
    import mlflow

    outcome = log_and_register(memory_fit, experiment="template-memory", name="template-memory", params={}, data_report={},
                               input_example=SMS_INPUT_EXAMPLE)
    records = demo_frame.head(30)[["id", "text", "sender", "receiver", "sent_at"]]
    served = mlflow.pyfunc.load_model(outcome.model_uri).predict(records)
    pd.testing.assert_frame_equal(served.reset_index(drop=True), decisions_frame(memory_fit.model, records).reset_index(drop=True))
    assert not np.array_equal(served["score"], decisions_frame(without_memory, records)["score"])
