"""The feature resources fingerprint covers every data file the feature path ships, and changes
with any one of them."""

from __future__ import annotations

from features.resource_files import FEATURE_RESOURCES, RESOURCE_ROOT, feature_resource_hashes


def test_every_file_under_a_features_resources_folder_is_fingerprinted() -> None:
    shipped = {path.relative_to(RESOURCE_ROOT).as_posix()
               for path in (RESOURCE_ROOT / "features").glob("**/resources/**/*") if path.is_file()}
    assert shipped, "no feature resources found: is RESOURCE_ROOT the folder holding the features package?"
    assert shipped == set(FEATURE_RESOURCES)


def test_the_fingerprint_is_a_sha256_per_file_in_the_listed_order() -> None:
    hashes = feature_resource_hashes()
    assert list(hashes) == list(FEATURE_RESOURCES)
    assert all(len(digest) == 64 and int(digest, 16) >= 0 for digest in hashes.values())
    assert len(set(hashes.values())) == len(hashes)  # distinct files, distinct digests
