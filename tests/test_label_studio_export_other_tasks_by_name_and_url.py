"""Which task of a Label Studio export is another task of an image zsl wrote a task of: an
upload whose stored file name is the image's as Label Studio stores it (spaces as `_`,
percent-encoding undone), and a task added with a task's image URL, where that URL is one
image's only (two of zsl's tasks sharing a URL name no one image); and the warning of a task
left out that its image is scored all the same, by the class of its first task giving one."""

from __future__ import annotations

from zsl_cli.truth_exports import OTHER_TASK_UPLOAD, OTHER_TASK_URL, label_studio_export


def _task(number: int, data: dict, choice: str) -> dict:
    result = [
        {
            "from_name": "choice",
            "to_name": "image",
            "type": "choices",
            "value": {"choices": [choice]},
        }
    ]
    return {
        "id": number,
        "data": data,
        "annotations": [{"id": number, "was_cancelled": False, "result": result}],
        "predictions": [],
    }


def _zsl(path: str, url: str | None = None) -> dict:
    return {"image": url or f"/data/local-files/?d={path}", "zsl_path": path, "zsl_label": "cat"}


def _images(*tasks: dict) -> dict[object, tuple[str, bool, str]]:
    exported = label_studio_export(
        list(tasks), "export.json", ("cat",), class_key=str.casefold, control="choice"
    )
    assert exported is not None
    return {i.task: (i.image, i.zsl_path, i.other_task) for i in exported.images}


def test_an_upload_of_a_name_with_spaces_is_the_image_stored_with_underscores():
    images = _images(
        _task(1, _zsl("photos/my cat.jpg"), "cat"),
        _task(2, {"image": "/data/upload/1/8ea3bce3-my_cat.jpg"}, "cat"),
    )
    assert images[2] == ("photos/my cat.jpg", True, OTHER_TASK_UPLOAD)


def test_an_upload_whose_stored_name_is_percent_encoded_is_the_image():
    images = _images(
        _task(1, _zsl("photos/café.jpg"), "cat"),
        _task(2, {"image": "/data/upload/1/8ea3bce3-caf%C3%A9.jpg"}, "cat"),
    )
    assert images[2] == ("photos/café.jpg", True, OTHER_TASK_UPLOAD)


def test_a_task_added_with_a_url_two_of_zsl_s_tasks_share_is_no_one_image():
    url = "https://example.com/a.jpg"
    images = _images(
        _task(1, _zsl("one/a.jpg", url), "cat"),
        _task(2, _zsl("two/a.jpg", url), "cat"),
        _task(3, {"image": url}, "cat"),
    )
    assert images[3] == (url, False, "")
    images = _images(_task(1, _zsl("one/a.jpg", url), "cat"), _task(3, {"image": url}, "cat"))
    assert images[3] == ("one/a.jpg", True, OTHER_TASK_URL)


def _warnings(*tasks: dict) -> tuple[str, ...]:
    exported = label_studio_export(
        list(tasks), "export.json", ("cat",), class_key=str.casefold, control="choice"
    )
    assert exported is not None
    return exported.warnings


def _unannotated(number: int, data: dict) -> dict:
    return {"id": number, "data": data, "annotations": [], "predictions": []}


def test_an_unannotated_upload_of_an_image_is_said_to_be_scored_by_zsl_s_task():
    [warning] = _warnings(
        _task(1, _zsl("photos/a.jpg"), "cat"),
        _unannotated(2, {"image": "/data/upload/1/8ea3bce3-a.jpg"}),
    )
    assert warning.endswith(
        "left out, but its image is scored all the same, as 'cat', the class of task 1, "
        "another task of the image"
    )


def test_the_class_said_is_that_of_the_image_s_first_task_giving_one():
    [warning] = _warnings(
        _task(1, _zsl("photos/a.jpg"), "cat"),
        _task(2, {"image": "/data/upload/1/8ea3bce3-a.jpg"}, "cat"),
        _unannotated(3, {"image": "/data/upload/1/0badcafe-a.jpg"}),
    )
    assert "the class of task 1, another task of the image" in warning


def test_an_upload_of_a_name_with_spaces_at_its_ends_is_the_image():
    images = _images(
        _task(1, _zsl("photos/ cat.jpg"), "cat"),
        _task(2, {"image": "/data/upload/1/8ea3bce3-cat.jpg"}, "cat"),
    )
    assert images[2] == ("photos/ cat.jpg", True, OTHER_TASK_UPLOAD)
