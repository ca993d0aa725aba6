"""Where a served model comes from: a model packed into a Bento is refused before unpickling when
another yunmao version pickled it (both versions named), it was trained with other feature
resources (the files named) or by feature code that reads text differently (the step named), one
pickled by this version with these resources and this code loads, an unknown one is not found;
``models:/`` URIs use the configured registry unless the environment names one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import joblib
import pytest

from features.resource_files import FRAUD_WORDS_FILE, feature_resource_hashes
from features.sms.behaviour import STEPS, behaviour_record
from models.provenance import BEHAVIOUR_KEY, RESOURCES_KEY, VERSION_KEY, YUNMAO_VERSION, IncompatibleModelError
from serving.model_source import REGISTRY_NAME_KEY, REGISTRY_VERSION_KEY, SCAM_MODEL_FILE, unpickle_packed


def packed(store_dir: Path, pickled_by: str | None, payload: object, resources: Mapping[str, str] | None = None,
           behaviour: Mapping[str, Mapping[str, str]] | None = None):
    """A BentoML model in a store of its own (never the user's), holding ``payload`` as the pickle,
    recorded as pickled by ``pickled_by``, trained with ``resources`` and by feature code that made
    ``behaviour`` of the probe texts (None: not recorded)."""
    import bentoml
    from bentoml._internal.models.model import ModelStore

    store = ModelStore(str(store_dir))
    metadata = {REGISTRY_NAME_KEY: "yunmao-sms", REGISTRY_VERSION_KEY: "7"}
    if pickled_by is not None:
        metadata[VERSION_KEY] = pickled_by
    if resources is not None:
        metadata[RESOURCES_KEY] = dict(resources)
    if behaviour is not None:
        metadata[BEHAVIOUR_KEY] = {text: dict(steps) for text, steps in behaviour.items()}
    with bentoml.models.create("yunmao-sms:7", metadata=metadata, _model_store=store) as stored:
        joblib.dump(payload, stored.path_of(SCAM_MODEL_FILE))
    return store.get("yunmao-sms:7")


def test_a_model_pickled_by_another_yunmao_version_fails_naming_both(tmp_path: Path) -> None:
    stored = packed(tmp_path, "0.0.1", {"never": "unpickled"})
    with pytest.raises(IncompatibleModelError, match=rf"pickled by yunmao 0\.0\.1; this is yunmao {YUNMAO_VERSION}"):
        unpickle_packed(stored)


def test_a_model_without_a_recorded_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IncompatibleModelError, match="does not record which yunmao version pickled it"):
        unpickle_packed(packed(tmp_path, None, {}))


def test_a_model_pickled_by_this_version_with_these_resources_and_this_code_loads(tmp_path: Path) -> None:
    assert unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {"a": 1}, feature_resource_hashes(), behaviour_record())) == {"a": 1}


def test_a_model_trained_with_another_user_dictionary_is_refused_naming_it(tmp_path: Path) -> None:
    trained_with = {**feature_resource_hashes(), FRAUD_WORDS_FILE: "0" * 64}
    with pytest.raises(IncompatibleModelError, match=rf"bento:yunmao-sms:7 was trained with other feature resources "
                                                     rf"than this checkout's: {FRAUD_WORDS_FILE} differ.*retrain it"):
        unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {"never": "unpickled"}, trained_with))


def test_a_model_without_recorded_feature_resources_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IncompatibleModelError, match="does not record the feature resources it was trained with"):
        unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {}))


def test_a_model_trained_by_code_that_tokenised_differently_is_refused_naming_the_step(tmp_path: Path) -> None:
    recorded = behaviour_record()
    probe = next(iter(recorded))
    recorded[probe] = {**recorded[probe], "tokenising": "0" * 16}
    with pytest.raises(IncompatibleModelError, match=r"bento:yunmao-sms:7 was trained by feature code that reads text "
                                                     rf"differently from this checkout's: tokenising on 1 of {len(recorded)} probes"):
        unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {"never": "unpickled"}, feature_resource_hashes(), recorded))


def test_the_supervisors_check_runs_no_feature_code_and_loading_checks_it(tmp_path: Path) -> None:
    """``yunmao serve``'s supervisor checks without running the feature code (it would keep jieba
    loaded in a process that scores nothing); a worker's load checks it before unpickling."""
    from serving.model_source import check_packed

    recorded = behaviour_record()
    recorded[next(iter(recorded))] = dict.fromkeys(STEPS, "0" * 16)
    stored = packed(tmp_path, YUNMAO_VERSION, {"never": "unpickled"}, feature_resource_hashes(), recorded)
    assert check_packed(stored, run_feature_code=False) is None
    with pytest.raises(IncompatibleModelError, match="reads text differently"):
        unpickle_packed(stored)


@pytest.mark.parametrize("recorded", [["a list"], {"probe": "not a mapping"}, {"probe": {"normalising": 7}}],
                         ids=["list", "probe-not-mapping", "digest-not-string"])
def test_a_malformed_behaviour_record_is_refused_in_one_clear_error(tmp_path: Path, recorded: object) -> None:
    """A hand-edited MLmodel or Bento metadata: refused as unreadable, not a crash deep in the comparison."""
    stored = packed(tmp_path, YUNMAO_VERSION, {"never": "unpickled"}, feature_resource_hashes())
    stored.info.metadata[BEHAVIOUR_KEY] = recorded
    with pytest.raises(IncompatibleModelError, match="in a form this yunmao cannot read"):
        unpickle_packed(stored)


def test_a_model_without_the_recorded_feature_behaviour_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IncompatibleModelError, match="does not record what its feature code made of text"):
        unpickle_packed(packed(tmp_path, YUNMAO_VERSION, {}, feature_resource_hashes()))


def test_the_configured_registry_is_used_unless_the_environment_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from serving.model_source import use_registry

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "unset below; restored (unset) after the test")
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    use_registry("http://mlflow.internal:5000")
    assert os.environ["MLFLOW_TRACKING_URI"] == "http://mlflow.internal:5000"
    use_registry("http://other:5000")  # the environment (here: set above) wins over the config
    assert os.environ["MLFLOW_TRACKING_URI"] == "http://mlflow.internal:5000"


def test_an_unknown_bento_model_is_not_found() -> None:
    from models.registry import ModelNotFoundError
    from serving.model_source import resolve_model

    with pytest.raises(ModelNotFoundError, match="bento:no-such-model:1: not in BentoML's model store"):
        resolve_model("bento:no-such-model:1")
