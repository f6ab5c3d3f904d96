from pipeline.artefacts import DESCRIBED, load_manifest, model_hashes, verify_manifest


def test_manifest_matches_the_files_on_disk() -> None:
    assert verify_manifest() == [], "run `planscan models --refresh` after changing a file in models/"


def test_every_described_artefact_is_in_the_manifest() -> None:
    names = {a.name for a in load_manifest()}
    assert names == set(DESCRIBED)
    assert all(len(sha) == 64 for sha in model_hashes().values())
