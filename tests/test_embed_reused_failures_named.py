"""`zsl embed` run again over a folder with a broken image: the stored failure it reuses (not
read again while its file is unchanged) is named, in `--json`'s `reused_failed_files` and on
the summary's line, as the run that stored it named it in `failed_files`: a rerun's report
counted it alone, and a cleanup script reading that report could not find the file."""

from __future__ import annotations

from tests.helpers import embedded, run, write_images


def test_a_rerun_names_the_stored_failures_it_reused(tiny_clip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_images(tmp_path / "images", 2)
    (tmp_path / "images" / "broken.png").write_bytes(b"not an image")
    first = embedded(tmp_path / "images", tmp_path / "s.zsl", tiny_clip)
    assert first["reused_failed_files"] == []
    [failure] = first["failed_files"]

    again = run("embed", "images", "-s", "s.zsl", "-m", tiny_clip, "--json", "again.json")
    assert again.exit_code == 0, again.stderr
    second = embedded(tmp_path / "images", tmp_path / "s.zsl", tiny_clip)
    assert second["failed_files"] == []
    assert second["reused_failed_files"] == [failure]  # path as given, status and reason
    assert (
        "stored failures among those reused: 1 (retried once their files change); "
        "images/broken.png (not_an_image)"
    ) in again.stderr
