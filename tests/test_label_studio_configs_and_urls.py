"""Label Studio: the exact labelling config, warnings and image URLs for cases at their edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.label_studio import (
    LabelStudioOptions,
    check_label_studio_paths,
    label_studio_config,
    label_studio_config_warnings,
    label_studio_image_url,
    label_studio_size_warnings,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "photos").mkdir(parents=True)
    return tmp_path / "root"


def test_the_default_tag_names_are_the_readmes_config() -> None:
    # README's config: <Image name="image" value="$image"/>, <Choices name="choice" ...>.
    assert label_studio_config(["cat", "dog"], LabelStudioOptions()) == (
        b"<View>\n"
        b'  <Image name="image" value="$image"/>\n'
        b'  <Choices name="choice" toName="image">\n'
        b'    <Choice value="cat"/>\n'
        b'    <Choice value="dog"/>\n'
        b"  </Choices>\n"
        b"</View>\n"
    )


def test_a_filter_box_comes_with_the_21st_class_and_is_named_as_the_readme_says() -> None:
    names = [f"c{n}" for n in range(21)]
    config = label_studio_config(names, LabelStudioOptions())
    filter_line = (
        b'  <Filter name="choice-filter" toName="choice" minlength="1" '
        b'placeholder="Filter the classes"/>\n'
    )
    assert config.split(b"\n")[2] + b"\n" == filter_line
    assert b"<Filter" not in label_studio_config(names[:20], LabelStudioOptions())
    # The Image tag already named choice-filter: the box takes the next name.
    taken = LabelStudioOptions(to_name="choice-filter")
    assert b'<Filter name="choice-filter-2" ' in label_studio_config(names, taken)


def test_config_warnings_name_the_first_odd_class_and_count_them() -> None:
    (warning,) = label_studio_config_warnings(["a", "$x", "b", "$y", "c ${amount}"])
    assert warning.startswith("3 class names hold '$' before a word (e.g. '$x'), ")
    # Label Studio's pattern also takes the braces, brackets and dots of a data path.
    for name in ("${amount}", "$[0]", "$.x"):
        assert label_studio_config_warnings([name]) != []


def test_size_warning_gives_the_size_in_mib() -> None:
    (warning,) = label_studio_size_warnings(1200 * 1024 * 1024 + 1, "t.json")
    assert warning.startswith("t.json holds 1,200 MiB of tasks: Label Studio refuses an import ")


def test_path_warnings_name_the_first_path_of_each_kind(root: Path) -> None:
    options = LabelStudioOptions(document_root=root)
    paths = [root / "one.jpg", root / "photos" / "ok.jpg", root / "two.jpg"]
    (warning,) = check_label_studio_paths(paths, options)
    assert warning.startswith(f"2 images are directly in the Label Studio document root '{root}'")
    assert f"(e.g. '{root / 'one.jpg'}')" in warning
    weird = [
        Path(str(root / "photos") + "/a\udce9.jpg"),
        root / "photos" / "ok.jpg",
        Path(str(root / "photos") + "/b\udcff.jpg"),
    ]
    (warning,) = check_label_studio_paths(weird, options)
    assert warning.startswith("2 images are named in bytes that are not valid UTF-8 (e.g. '")
    assert "a\\xe9.jpg" in warning and "b\\xff" not in warning


def test_an_image_url_needs_a_root_or_a_prefix(tmp_path: Path) -> None:
    with pytest.raises(ZslError, match="LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT"):
        label_studio_image_url(str(tmp_path / "photos" / "a.jpg"), LabelStudioOptions())


def test_a_tag_name_with_a_high_surrogate_is_refused(root: Path) -> None:
    # From the library, any lone surrogate, not only the low ones argv's undecodable bytes give.
    for field in ("from_name", "to_name"):
        options = LabelStudioOptions(document_root=root, **{field: "tag\ud800"})
        with pytest.raises(ZslError, match="which no XML document"):
            check_label_studio_paths([root / "photos" / "a.jpg"], options)


def test_a_folder_whose_name_starts_with_the_roots_is_outside_it(tmp_path: Path) -> None:
    # /x/root2/photos/a.jpg is not under /x/root, though its text starts with it.
    (tmp_path / "root").mkdir()
    (tmp_path / "root2" / "photos").mkdir(parents=True)
    options = LabelStudioOptions(document_root=tmp_path / "root")
    with pytest.raises(ZslError, match="is outside the Label Studio document root"):
        label_studio_image_url(str(tmp_path / "root2" / "photos" / "a.jpg"), options)


def test_a_link_inside_the_root_to_a_file_inside_it_is_named_as_the_link(root: Path) -> None:
    # The URL names the path the run was given (the same in every run), not the link's target.
    (root / "photos" / "trip").mkdir()
    (root / "photos" / "trip" / "x.jpg").write_bytes(b"")
    (root / "photos" / "latest.jpg").symlink_to(root / "photos" / "trip" / "x.jpg")
    url = label_studio_image_url(
        str(root / "photos" / "latest.jpg"), LabelStudioOptions(document_root=root)
    )
    assert url == "/data/local-files/?d=photos/latest.jpg"
