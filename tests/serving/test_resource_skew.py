"""A registered model is only scored with the feature resources it was trained on, and by feature
code that reads text as the code that trained it did.

The session's small SMS model is trained and registered; then this checkout's resources are
pointed at a copy (``features.resource_files.RESOURCE_ROOT``) where ``patterns.yaml`` gained a
word, as a developer's edit would. Serving (a worker's load, and ``yunmao serve`` before any
worker starts), ``yunmao evaluate``, ``yunmao build`` and retrain's champion comparison then
refuse the model, naming the file; an unmodified copy loads it; the call model, whose scoring
reads no SMS resource, still loads; a registered model that records no resources is refused.
Call models keep the reason sentences they were trained with. A normaliser that no longer reads
numbers written in Chinese digits (the rule before session 24) refuses the SMS model the same way,
naming the step.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import features.resource_files as resource_files
from features.resource_files import CARRIED_RESOURCES, PATTERNS_FILE, SCORING_RESOURCES, feature_resource_hashes
from models.provenance import IncompatibleModelError
from serving.model_source import resolve_model
from tests.servers import free_port
from tests.serving.conftest import CallSetup
from training.cli import app

runner = CliRunner()


def checkout_copy(root: Path, edit: bool) -> Path:
    """The feature resources copied under ``root`` (same names), with a lexicon word added to
    ``patterns.yaml`` when ``edit``."""
    for name in [*SCORING_RESOURCES["sms"], *SCORING_RESOURCES["call"], *CARRIED_RESOURCES]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resource_files.resource_path(name), root / name)
    if edit:
        patterns = root / PATTERNS_FILE
        text = patterns.read_text(encoding="utf-8")
        assert "words: [" in text  # the flow-style lexicon lists this edit extends
        patterns.write_text(text.replace("words: [", "words: [新加的词, ", 1), encoding="utf-8")
    return root


@contextmanager
def reading_resources_from(root: Path) -> Iterator[None]:
    """This process hashes its feature resources under ``root`` inside the block."""
    real = resource_files.RESOURCE_ROOT
    resource_files.RESOURCE_ROOT = root
    feature_resource_hashes.cache_clear()
    try:
        yield
    finally:
        resource_files.RESOURCE_ROOT = real
        feature_resource_hashes.cache_clear()


@pytest.fixture
def edited_checkout(sms_model_uri: str, tmp_path: Path) -> Iterator[str]:
    """The registered SMS model's URI, in a checkout whose ``patterns.yaml`` changed after training."""
    with reading_resources_from(checkout_copy(tmp_path, edit=True)):
        yield sms_model_uri


def test_serving_refuses_a_model_trained_before_patterns_changed(edited_checkout: str) -> None:
    with pytest.raises(IncompatibleModelError, match=rf"other feature resources than this checkout's: {PATTERNS_FILE} differ"):
        resolve_model(edited_checkout).load()


def test_the_pyfunc_flavour_refuses_it_too(edited_checkout: str) -> None:
    """``mlflow models serve`` and batch jobs load the pyfunc itself, not through yunmao's loaders."""
    import mlflow

    with pytest.raises(IncompatibleModelError, match=rf"other feature resources than this checkout's: {PATTERNS_FILE} differ"):
        mlflow.pyfunc.load_model(edited_checkout)


def test_serve_refuses_it_in_one_line_before_any_worker_starts(edited_checkout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import serving.server

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("yunmao serve went past its model check with a model it must refuse")

    monkeypatch.setattr(serving.server, "prepare_instance_dir", started)
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    result = runner.invoke(app, ["serve", "--model", edited_checkout, "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert PATTERNS_FILE in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_evaluate_refuses_it_in_one_line_naming_the_file(edited_checkout: str, isolated_data_dir: Path) -> None:
    data = isolated_data_dir / "serving-demo.csv"  # written by the sms_model_uri fixture
    result = runner.invoke(app, ["evaluate", "--model", edited_checkout, "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert PATTERNS_FILE in result.stderr and "retrain it with this checkout" in result.stderr, result.stderr
    assert "fraud_words" not in result.stderr and "Traceback" not in result.output


def test_build_refuses_it_before_packing(edited_checkout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import bentoml

    from training.bento_build import pack_registry_model

    def reached_the_store(*args: object, **kwargs: object) -> None:
        raise AssertionError("pack_registry_model reached BentoML's model store with a model it must refuse")

    monkeypatch.setattr(bentoml.models, "get", reached_the_store)
    with pytest.raises(IncompatibleModelError, match=PATTERNS_FILE):
        pack_registry_model(edited_checkout, "sms")


def test_retrain_refuses_to_compare_with_such_a_champion(edited_checkout: str) -> None:
    from models.registry import resolve_model_version
    from training.retrain import refuse_incomparable_champion

    champion = "models:/{}/{}".format(*resolve_model_version(edited_checkout))
    with pytest.raises(IncompatibleModelError, match=rf"cannot compare a challenger with the champion.*{PATTERNS_FILE}.*yunmao train"):
        refuse_incomparable_champion(champion)


def test_an_sms_lexicon_edit_leaves_the_call_model_servable(edited_checkout: str, call_setup: CallSetup) -> None:
    assert resolve_model(call_setup.uri).load().kind == "call"


def test_a_call_model_explains_with_the_sentences_it_was_trained_with(call_setup: CallSetup) -> None:
    from features.calls.reasons import CALL_REASON_TEMPLATES

    assert resolve_model(call_setup.uri).load().reason_templates == dict(CALL_REASON_TEMPLATES)


def test_an_unchanged_copy_of_the_resources_loads_it(sms_model_uri: str, tmp_path: Path) -> None:
    with reading_resources_from(checkout_copy(tmp_path, edit=False)):
        assert resolve_model(sms_model_uri).load().kind == "sms"


def test_a_registered_model_without_recorded_resources_is_refused(tmp_path: Path) -> None:
    import mlflow

    from models.provenance import VERSION_KEY, YUNMAO_VERSION
    from models.pyfunc import ARTIFACT_KEY, ScamModelPyfunc
    from models.registry import configure_tracking

    configure_tracking()
    artifact = tmp_path / "scam_model.joblib"
    artifact.write_bytes(b"never unpickled")
    mlflow.pyfunc.log_model(name="model", python_model=ScamModelPyfunc(), artifacts={ARTIFACT_KEY: str(artifact)},
                            registered_model_name="yunmao-sms-unfingerprinted", pip_requirements=[],
                            metadata={VERSION_KEY: YUNMAO_VERSION})
    with pytest.raises(IncompatibleModelError, match="does not record the feature resources it was trained with"):
        resolve_model("models:/yunmao-sms-unfingerprinted/latest").load()


@pytest.fixture
def normaliser_of_an_older_checkout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process normalises as yunmao did before numbers in Chinese digits were read as digits."""
    from features.sms import normalise
    from features.sms.behaviour import probe_digests

    monkeypatch.setattr(normalise, "_CHINESE_DIGIT_RUN", normalise.re.compile("(?!)"))
    probe_digests.cache_clear()
    yield
    monkeypatch.undo()
    probe_digests.cache_clear()


def test_serving_refuses_a_model_trained_by_another_normaliser_naming_the_step(
    sms_model_uri: str, normaliser_of_an_older_checkout: None
) -> None:
    with pytest.raises(IncompatibleModelError, match=r"reads text differently from this checkout's: normalising on 1 of \d+ probes"):
        resolve_model(sms_model_uri).load()


def test_another_normaliser_leaves_the_call_model_servable(call_setup: CallSetup, normaliser_of_an_older_checkout: None) -> None:
    assert resolve_model(call_setup.uri).load().kind == "call"
