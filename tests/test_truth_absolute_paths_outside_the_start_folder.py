"""An image named by an absolute path outside the folder relative paths start at is no path
written from there: it does not pair with a truth CSV's absolute path of another machine that
ends as the path from that folder would (`../photos/circle/a.png` is no `photos/circle/a.png`)."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.evaluation import load_truth, match_paths


def test_an_absolute_image_outside_the_start_folder_pairs_with_no_other_machine_s_path(
    tmp_path: Path,
):
    truth_csv = tmp_path / "truth.csv"
    truth_csv.write_text("path,label\n/home/alice/photos/circle/a.png,circle\n")
    image = tmp_path / "photos" / "circle" / "a.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"not decoded here")
    start = tmp_path / "run"
    start.mkdir()
    matching = match_paths([str(image)], load_truth(truth_csv), base=str(start))
    assert matching.pairs == ()
    assert (matching.unmatched.predictions, matching.unmatched.truth) == (1, 1)
    # From inside the start folder, the same file pairs by that ending.
    inside = start / "photos" / "circle" / "a.png"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"not decoded here")
    assert match_paths([str(inside)], load_truth(truth_csv), base=str(start)).pairs == ((0, 0),)
