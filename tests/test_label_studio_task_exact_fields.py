"""A Label Studio task's fields as written, read with the json module: the path of a name that
is not UTF-8 percent-encoded byte for byte with its slashes kept, and the prediction of an image
labelled, none for one abstained."""

from __future__ import annotations

import json
import os
from pathlib import Path

from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def test_tasks_fields_exactly(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "photos").mkdir(parents=True)
    odd = os.fsdecode(os.fsencode(root) + b"/photos/caf\xe9 1.png")
    plain = str(root / "photos" / "b.png")
    options = LabelStudioOptions(
        document_root=root, url_prefix="http://127.0.0.1:8081/", model_version="v2"
    )
    output = tmp_path / "tasks.json"
    with open_writer(str(output), "label-studio", label_studio=options) as writer:
        writer.write(Prediction(odd, "cat", 0.123456789, (LabelScore("cat", 0.123456789),)))
        writer.write(Prediction(plain, "unknown", 0.25, (LabelScore("dog", 0.25),)))
        writer.close({})
    tasks = json.loads(output.read_bytes())
    root_text = str(root)
    assert tasks[0]["data"]["zsl_path"] == root_text + "/photos/caf\ufffd 1.png"
    assert tasks[0]["data"]["zsl_path_quoted"] == root_text + "/photos/caf%E9%201.png"
    assert tasks[0]["predictions"] == [
        {
            "model_version": "v2",
            "score": 0.1234568,  # 7 significant digits, as every score is written
            "result": [
                {
                    "from_name": "choice",
                    "to_name": "image",
                    "type": "choices",
                    "value": {"choices": ["cat"]},
                }
            ],
        }
    ]
    assert tasks[0]["data"]["zsl_score"] == 0.1234568
    assert tasks[0]["data"]["zsl_top_k"] == [{"label": "cat", "score": 0.1234568}]
    # Abstained: the record is kept, no choice is proposed.
    assert "predictions" not in tasks[1]
    assert "zsl_path_quoted" not in tasks[1]["data"]
    assert tasks[1]["data"]["zsl_label"] == "unknown"
    assert tasks[1]["data"]["zsl_score"] == 0.25
    assert tasks[1]["data"]["zsl_top_k"] == [{"label": "dog", "score": 0.25}]
