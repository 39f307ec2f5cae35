"""Pairing by path ending guesses no image where two could be meant: a relative prediction path
that ends both a truth CSV's relative path and another machine's absolute one pairs with
neither; and a truth row that several predictions end like is no shared-ending image once it
is known as another spelling of a paired file."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.evaluation import load_truth, match_paths


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded here")
    return path


def _truth(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_path_ending_a_relative_row_and_an_absolute_row_pairs_with_neither(tmp_path, monkeypatch):
    csv_path = _truth(
        tmp_path / "labels" / "truth.csv",
        "path,label\ncat/a.jpg,cat\n/home/alice/x/cat/a.jpg,dog\n",
    )
    monkeypatch.chdir(tmp_path)
    matching = match_paths(["cat/a.jpg"], load_truth(csv_path))
    assert matching.pairs == ()
    assert matching.unmatched.predictions == 1 and matching.unmatched.truth == 2
    # Either row alone is that image.
    for row, label in (("cat/a.jpg", "cat"), ("/home/alice/x/cat/a.jpg", "dog")):
        alone = _truth(tmp_path / "labels" / "alone.csv", f"path,label\n{row},{label}\n")
        assert match_paths(["cat/a.jpg"], load_truth(alone)).pairs == ((0, 0),)


def test_a_row_taken_as_another_spelling_is_not_counted_as_a_shared_ending(tmp_path, monkeypatch):
    image = _touch(tmp_path / "photos" / "cat" / "a.png")
    monkeypatch.chdir(tmp_path)
    # Line 2 is the image by its own path; line 3, from the current folder, is it again (the
    # CSV's folder holds no such file), and is also what two copies elsewhere end with.
    csv_path = _truth(
        tmp_path / "t" / "truth.csv", f"path,label\n{image},cat\nphotos/cat/a.png,cat\n"
    )
    paths = [str(image), "/elsewhere/one/photos/cat/a.png", "/elsewhere/two/photos/cat/a.png"]
    matching = match_paths(paths, load_truth(csv_path))
    assert matching.pairs == ((0, 0),)
    assert matching.unmatched.truth == 0 and matching.unmatched.predictions == 2
    assert matching.unmatched.shared_endings == 0 and matching.unmatched.shared_example == ()
    # Without the paired image, the row is one that both copies end like.
    matching = match_paths(paths[1:], load_truth(csv_path))
    assert matching.pairs == () and matching.unmatched.shared_endings == 1
    assert matching.unmatched.shared_example == ("photos/cat/a.png", *paths[1:])
