"""The CUDA paths: uint8 transfer with normalisation on the device, half precision by default,
decoding in worker processes (also forked after CUDA has started), and the out-of-memory
back-off. Skipped without a CUDA device; where one is lent, run
`python -m pytest tests/test_gpu.py` (about a minute)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from tests.tiny_models import make_tiny_clip
from zsl_cli import api, batching
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.encoders import load_encoder

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Path:
    return make_image_set(tmp_path_factory.mktemp("shapes"), seed=9101, per_class=10).root


@pytest.fixture(scope="module")
def photos(shapes, tmp_path_factory) -> Path:
    """64 of the shapes as 640 x 480 JPEGs: decoded at reduced scale and resized with torch in
    the decode processes."""
    folder = tmp_path_factory.mktemp("photos")
    for i, png in enumerate(sorted(shapes.rglob("*.png"))[::4][:64]):
        image = Image.open(png).convert("RGB").resize((640, 480), Image.BICUBIC)
        image.save(folder / f"{i:03d}.jpg", quality=90)
    return folder


@pytest.fixture(scope="module")
def cpu_fp32(shapes) -> dict[str, dict]:
    return label(shapes, "--device", "cpu", "--precision", "fp32")


@pytest.fixture(scope="module")
def photos_on_cuda(shapes, photos) -> dict[str, dict]:
    return label(photos, "--device", "cuda", classes=shapes / "classes.txt")


@contextmanager
def decode_queues() -> Iterator[list[batching.DecodeQueue]]:
    """Every DecodeQueue started meanwhile, in order."""
    started: list[batching.DecodeQueue] = []
    init = batching.DecodeQueue.__init__

    def recorded(self, *args, **kwargs):
        started.append(self)
        init(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batching.DecodeQueue, "__init__", recorded)
        yield started


def check_decoding(queues: list[batching.DecodeQueue], on_cuda: bool, stderr: str) -> None:
    """The run decoded in processes on a CUDA device (in threads on the CPU), and none of them
    stopped: that is said only in a warning, on stderr, and the run would otherwise pass."""
    decoding = queues[-1]  # the run's: one started during the load may have been replaced
    assert decoding.processes == (on_cuda and decoding.workers > 1)
    assert not decoding.processes_stopped
    assert "the decode processes stopped" not in " ".join(stderr.split())


def label(folder: Path, *options: str, classes: Path | None = None) -> dict[str, dict]:
    classes = classes or folder / "classes.txt"
    command = ["label", str(folder), "-c", str(classes), "-m", "shapes-demo"]
    with decode_queues() as queues:
        result = CliRunner().invoke(app, [*command, "-f", "jsonl", *options])
    assert result.exit_code == 0, result.output
    if "--embeddings" in options:
        assert not queues  # the store's vectors: no image decoded
    else:
        check_decoding(queues, "cuda" in options, result.stderr)
    rows = {row["path"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows and all(row["status"] == "ok" for row in rows.values())
    return rows


def label_to_file(shapes: Path, output: Path, *options: str) -> tuple[dict[str, dict], dict]:
    """The rows `label` gives, written to `output`, and the run info written beside them."""
    command = ["label", str(shapes), "-c", str(shapes / "classes.txt"), "-m", "shapes-demo"]
    with decode_queues() as queues:
        result = CliRunner().invoke(app, [*command, "-o", str(output), "-f", "jsonl", *options])
    assert result.exit_code == 0, result.output
    check_decoding(queues, "cuda" in options, result.stderr)
    rows = {row["path"]: row for row in map(json.loads, output.read_text().splitlines())}
    assert rows and all(row["status"] == "ok" for row in rows.values())
    return rows, json.loads(Path(f"{output}.run.json").read_text())


@pytest.mark.parametrize(
    ("options", "precision", "score_tolerance", "min_agreement"),
    [
        # cuDNN may run the fp32 patch convolution in TF32, hence not 1e-6.
        (("--precision", "fp32"), "float32", 0.01, 0.99),
        # The GPU default, fp16 (on CPU, fp16 vs fp32: 300/300, 0.003).
        ((), "float16", 0.03, 0.98),
        (("--precision", "bf16"), "bfloat16", 0.08, 0.97),  # on CPU: 299/300, 0.02
    ],
)
def test_cuda_labels_agree_with_cpu_fp32(
    shapes, cpu_fp32, tmp_path, options, precision, score_tolerance, min_agreement
):
    reference = cpu_fp32
    on_gpu, run_info = label_to_file(
        shapes, tmp_path / "labels.jsonl", "--device", "cuda", *options
    )
    # The run info names the encoder's device and dtype as it ran (str(torch.float16) less
    # "torch."): were the default fp32, fp16 would go untested and this test would pass.
    assert run_info["model"]["device"].startswith("cuda")
    assert run_info["model"]["precision"] == precision
    assert on_gpu.keys() == reference.keys()
    agreement = np.mean([on_gpu[p]["label"] == reference[p]["label"] for p in reference])
    score_gap = max(abs(on_gpu[p]["score"] - reference[p]["score"]) for p in reference)
    assert agreement >= min_agreement
    assert score_gap <= score_tolerance


def test_gpu_embeddings_in_the_store_label_like_direct_gpu_labelling(shapes, tmp_path):
    store = tmp_path / "store.sqlite"
    with decode_queues() as queues:
        embedded = CliRunner().invoke(
            app,
            ["embed", str(shapes), "--store", str(store), "-m", "shapes-demo", "--device", "cuda"],
        )
    assert embedded.exit_code == 0, embedded.output
    check_decoding(queues, True, embedded.stderr)
    direct = label(shapes, "--device", "cuda")
    stored = label(shapes, "--device", "cuda", "--embeddings", str(store))
    assert {p: r["label"] for p, r in stored.items()} == {p: r["label"] for p, r in direct.items()}


def test_decode_processes_forked_after_cuda_started_label_as_the_cli_does(
    shapes, photos, photos_on_cuda
):
    # A program's encoder, loaded on the GPU before any image: its decode processes are forked
    # from a process in which CUDA has started, and run torch's resize there.
    encoder = api.open_encoder(api.ModelOptions(name="shapes-demo", device="cuda"))
    assert encoder.device.type == "cuda"
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=[str(photos)]),
        classes=api.ClassOptions(classes=str(shapes / "classes.txt")),
        output=None,
    )
    with decode_queues() as queues:
        report = api.label(request, encoder=encoder)
    check_decoding(queues, True, "\n".join(report.warnings))
    by_api = {str(p.path): p for p in report.predictions}
    assert all(p.status == "ok" for p in by_api.values())
    assert {p: row["label"] for p, row in photos_on_cuda.items()} == {
        p: prediction.label for p, prediction in by_api.items()
    }


def test_exact_preprocessing_decodes_in_processes_forked_after_the_load(
    shapes, photos, photos_on_cuda
):
    # Without a guess at the preprocessing, nothing is decoded during the load: the processes
    # start once the model is on the GPU.
    drafted = photos_on_cuda
    exact = label(
        photos, "--device", "cuda", "--exact-preprocessing", classes=shapes / "classes.txt"
    )
    assert exact.keys() == drafted.keys()
    # JPEGs decoded whole rather than at half scale differ by a grey level or two here and there.
    agreement = np.mean([exact[p]["label"] == drafted[p]["label"] for p in drafted])
    assert agreement >= 0.95


@pytest.fixture
def memory_fraction():
    """Caps this process's share of the GPU; the cap is lifted afterwards."""
    total = torch.cuda.get_device_properties(0).total_memory

    def cap(limit_bytes: int) -> None:
        torch.cuda.set_per_process_memory_fraction(min(1.0, limit_bytes / total))

    yield cap
    torch.cuda.set_per_process_memory_fraction(1.0)
    torch.cuda.empty_cache()


def test_out_of_memory_halves_the_batch_and_keeps_every_result(tmp_path, memory_fraction):
    # 224 px and 8 px patches: 785 tokens per image, so a batch's activations are large.
    model = make_tiny_clip(tmp_path / "clip", image_size=224)
    encoder = load_encoder(str(model), device="cuda", precision="fp32")
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2048, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    eighth = len(pixels) // 8
    reference = np.concatenate(
        [encoder.encode_images(pixels[i : i + eighth]) for i in range(0, len(pixels), eighth)]
    )
    # Room for about three eighths of the batch: the whole batch, and its half, run out.
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    baseline = torch.cuda.memory_reserved()
    encoder.encode_images(pixels[:eighth])
    eighth_needs = torch.cuda.max_memory_reserved() - baseline
    torch.cuda.empty_cache()
    memory_fraction(baseline + 3 * eighth_needs)

    encoded = encoder.encode_images(pixels)

    assert encoder._max_batch is not None and encoder._max_batch < len(pixels)
    np.testing.assert_allclose(encoded, reference, atol=1e-4)
