"""Every data file the feature path ships is either fingerprinted (read at scoring time) or kept
by the models trained with it, and the fingerprint is a sha256 per file read at scoring time."""

from __future__ import annotations

from features.resource_files import CARRIED_RESOURCES, RESOURCE_ROOT, SCORING_RESOURCES, scoring_resource_hashes


def test_every_file_under_a_features_resources_folder_is_fingerprinted_or_carried() -> None:
    shipped = {path.relative_to(RESOURCE_ROOT).as_posix()
               for path in (RESOURCE_ROOT / "features").glob("**/resources/**/*") if path.is_file()}
    scored = [name for names in SCORING_RESOURCES.values() for name in names]
    assert shipped, "no feature resources found: is RESOURCE_ROOT the folder holding the features package?"
    assert sorted(shipped) == sorted({*scored, *CARRIED_RESOURCES})
    assert not set(scored) & set(CARRIED_RESOURCES)


def test_an_sms_model_records_a_sha256_of_each_file_its_scoring_reads() -> None:
    hashes = scoring_resource_hashes("sms")
    assert list(hashes) == list(SCORING_RESOURCES["sms"]) and len(hashes) == 2
    assert all(len(digest) == 64 and set(digest) <= set("0123456789abcdef") for digest in hashes.values())
    assert len(set(hashes.values())) == len(hashes)  # distinct files, distinct digests
