"""`zsl hubness --truth` counts and shows what stays unpaired on either side, as `zsl evaluate`
does: truth rows that name no image of the run were dropped without a word."""

from __future__ import annotations

import json

from tests.evaluation_helpers import label_folder
from tests.helpers import run


def test_hubness_counts_and_shows_truth_rows_that_name_no_image_of_the_run(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
):
    truth = tmp_path / "truth.csv"
    elsewhere = [f"other/{name}.png" for name in ("a", "b", "c", "d")]
    rows = ["set/cat/img_000.png,cat", "set/dog/img_001.png,dog"]
    rows += [f"{path},bird" for path in elsewhere]  # images never measured
    truth.write_text("path,label\n" + "\n".join(rows) + "\n")
    classes = tmp_path / "classes.txt"
    out = tmp_path / "h.json"
    common = ["-c", classes, "-m", tiny_clip, "-k", "1", "--methods", "none"]
    result = run("hubness", image_folder, *common, "--truth", truth, "--json", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["images_with_truth"] == 2
    assert data["unmatched"]["truth"] == {"count": 4, "examples": elsewhere}
    assert data["unmatched"]["images"]["count"] == 10
    assert len(data["unmatched"]["images"]["examples"]) == 5
    assert "over the 2 images in the truth" in result.stdout
    assert "Unmatched: 10 images without truth, 4 truth images not measured\n" in result.stdout
    assert "  not measured: other/a.png, other/b.png, other/c.png, ... (1 more)\n" in result.stdout
    # zsl evaluate counts the same rows unpaired, in the same words but its own sides'.
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.jsonl")
    evaluated = run("evaluate", predictions, "--truth", truth)
    assert evaluated.exit_code == 0, evaluated.stderr
    assert "Unmatched: 10 predictions without truth, 4 truth images without prediction\n" in (
        evaluated.stdout
    )
    assert "  without prediction: other/a.png, other/b.png, other/c.png, ... (1 more)\n" in (
        evaluated.stdout
    )
    # A truth that names every image, and only those: nothing unpaired, nothing said.
    result = run("hubness", image_folder, *common, "--truth", image_folder, "--json", out)
    assert result.exit_code == 0, result.stderr
    unmatched = json.loads(out.read_text())["unmatched"]
    assert unmatched["truth"] == unmatched["images"] == {"count": 0, "examples": []}
    assert "Unmatched" not in result.stdout
    # Without --truth, there is nothing to pair.
    result = run("hubness", image_folder, *common, "--json", out)
    assert result.exit_code == 0, result.stderr
    assert "unmatched" not in json.loads(out.read_text())
