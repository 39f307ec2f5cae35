import dataclasses
import gc
import hashlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
import transformers
from PIL import Image

from tests.tiny_models import CountingTokenizer, gemma_tokenizer, metaspace_tokenizer
from zsl_cli.encoders import (
    BUNDLED_DIR,
    guess_preprocessor,
    load_encoder,
    pil_image_processor,
    resolve_model,
)
from zsl_cli.encoders.base import dtype_name
from zsl_cli.encoders.hf import TEXT_BATCH, _pooled
from zsl_cli.encoders.hub import PROXY_VARIABLES, hub_reachable
from zsl_cli.encoders.preprocess import (
    FastPreprocessor,
    fast_preprocessor_from,
    torch_resizes,
    torch_shrinks,
)
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("torch_resize", [False, True])
@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
@pytest.mark.parametrize("size", [(64, 48), (48, 64), (32, 32), (20, 90), (7, 5), (333, 101)])
def test_fast_preprocessing_matches_the_transformers_processor(model, size, torch_resize, request):
    directory = request.getfixturevalue(model)
    processor = pil_image_processor(str(directory))
    geometry, norm = fast_preprocessor_from(processor)
    geometry = dataclasses.replace(geometry, torch_resize=torch_resize)
    rng = np.random.default_rng(sum(size))
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    image.format = "JPEG"  # as decode_image says of a JPEG: torch's resize is for those alone
    ours = geometry(image).astype(np.float32).transpose(2, 0, 1)
    ours = (ours * norm.rescale - np.array(norm.mean)[:, None, None]) / np.array(norm.std)[
        :, None, None
    ]
    reference = processor(images=[image], return_tensors="np")["pixel_values"][0]
    assert ours.shape == reference.shape
    if not torch_resize:  # Pillow's resize: the same pixels
        np.testing.assert_allclose(ours, reference, atol=1e-5)
        return
    # torch's resize (a JPEG that shrinks; TORCH_MIN_SHRINK): within one grey level here,
    # mostly identical
    grey_level = norm.rescale / min(norm.std)
    np.testing.assert_allclose(ours, reference, atol=grey_level + 1e-5)
    assert np.mean(np.abs(ours - reference) > 1e-5) < 0.02


def test_torch_resize_is_for_jpegs_alone(tiny_clip):
    geometry, _ = fast_preprocessor_from(pil_image_processor(str(tiny_clip)))
    torch_geometry = dataclasses.replace(geometry, torch_resize=True)
    pillow_geometry = dataclasses.replace(geometry, torch_resize=False)
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8))
    for file_format in ("PNG", None, "WEBP"):
        image.format = file_format
        np.testing.assert_array_equal(torch_geometry(image), pillow_geometry(image))
    image.format = "JPEG"
    assert not np.array_equal(torch_geometry(image), pillow_geometry(image))


def test_torch_resizes_the_filters_it_has_on_x86(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    assert torch_resizes(Image.BICUBIC) and torch_resizes(Image.BILINEAR)
    assert not torch_resizes(Image.LANCZOS) and not torch_resizes(Image.NEAREST)
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    assert not torch_resizes(Image.BICUBIC)


@pytest.mark.parametrize("resample", [Image.BILINEAR, Image.BICUBIC])
@pytest.mark.parametrize(
    "size, new_size",
    [
        # Pillow 13 resizes the height first in these two, so torch must too. In its own order
        # torch was off on a quarter of the values (either filter), bicubic by up to 10 levels
        ((20, 90), (16, 64)),
        ((540, 960), (224, 224)),  # off on a sixth, up to 2 levels
        ((200, 200), (160, 160)),  # a mild shrink: torch's bilinear was off on 8% of the values
        ((512, 384), (298, 224)),
        ((384, 384), (240, 240)),  # 1.6 times, where random pixels came nearest the bound
    ],
)
def test_torch_resize_stays_within_the_readmes_bound(size, new_size, resample):
    """The README's bound for JPEGs on the torch path, on random pixels: at most 2 grey levels
    from Pillow's resize, and apart at all on at most 1.9% of the values."""
    width, height = new_size
    geometry = FastPreprocessor(None, (height, width), None, resample, torch_resize=True)
    pixels = np.random.default_rng(sum(size)).integers(0, 256, (size[1], size[0], 3), np.uint8)
    image = Image.fromarray(pixels)
    image.format = "JPEG"
    pillow = np.asarray(image.resize(new_size, resample)).astype(int)
    apart = np.abs(geometry(image).astype(int) - pillow)
    assert apart.max() <= 2 and np.mean(apart > 0) <= 0.019


@pytest.mark.parametrize(
    "new_size",
    [
        *[(286, 272), (286, 271), (100, 50), (250, 60), (310, 200), (200, 310), (20, 299)],
        # Enlargements: the width first, though the width grows more than twice the height
        *[(400, 350), (320, 310)],
    ],
)
def test_the_pass_order_is_this_pillows(new_size):
    """_torch_resize follows _pillow_resizes_vertically_first: it must say what Pillow does
    (Pillow 13: height first when it takes off more than twice what the width loses)."""
    from zsl_cli.encoders.preprocess import _pillow_resizes_vertically_first

    image = Image.fromarray(np.random.default_rng(1).integers(0, 256, (300, 300, 3), np.uint8))
    (width, height), (new_width, new_height) = image.size, new_size
    whole = np.asarray(image.resize(new_size, Image.BICUBIC))
    width_first = image.resize((new_width, height), Image.BICUBIC).resize(new_size, Image.BICUBIC)
    height_first = image.resize((width, new_height), Image.BICUBIC).resize(new_size, Image.BICUBIC)
    expected = (
        height_first if _pillow_resizes_vertically_first(image.size, new_size) else width_first
    )
    np.testing.assert_array_equal(whole, np.asarray(expected))


def test_torch_shrinks_drafted_jpegs_but_not_mild_bilinear_shrinks():
    for resample in (Image.BILINEAR, Image.BICUBIC):
        assert torch_shrinks((512, 384), (298, 224), resample)  # a 1024x768 photo, drafted
        assert torch_shrinks((336, 336), (224, 224), resample)  # as small as a draft goes
        assert not torch_shrinks((200, 400), (224, 298), resample)  # one side grows
    assert torch_shrinks((256, 256), (224, 224), Image.BICUBIC)
    assert not torch_shrinks((256, 256), (224, 224), Image.BILINEAR)
    assert not torch_shrinks((1000, 250), (224, 224), Image.BILINEAR)  # one side barely shrinks


def test_shortest_edge_rounding_follows_transformers():
    geometry = FastPreprocessor(shortest_edge=224, resize_to=None, crop=(224, 224), resample=3)
    assert geometry._resize_size(640, 480) == (298, 224)
    assert geometry._resize_size(480, 641) == (224, 299)
    assert geometry.decode_hint == (896, 896)  # 4x the target: see DRAFT_MARGIN


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_embeddings_are_unit_length_and_heads_follow_the_family(model, request):
    encoder = load_encoder(str(request.getfixturevalue(model)))
    texts = encoder.encode_texts(["a photo of a cat.", "a dog", "x" * 500])  # long text truncates
    assert texts.shape == (3, encoder.dim) and texts.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)
    pixels = np.zeros((2, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    images = encoder.encode_images(pixels)
    np.testing.assert_allclose(np.linalg.norm(images, axis=1), 1.0, atol=1e-5)
    expected = "sigmoid" if model == "tiny_siglip" else "softmax"
    assert encoder.head.kind == expected
    if expected == "sigmoid":
        assert encoder.head.bias == pytest.approx(-3.0)


def test_identity_is_stable_and_depends_on_weights(tiny_clip, tmp_path):
    from tests.tiny_models import make_tiny_clip

    first = load_encoder(str(tiny_clip)).identity
    assert load_encoder(str(tiny_clip)).identity == first
    other = make_tiny_clip(tmp_path / "other", seed=1)
    assert load_encoder(str(other)).identity != first
    assert load_encoder(str(tiny_clip), exact_preprocessing=True).identity != first
    # Where the model lies and how its path is spelled do not matter: a copy is the same model.
    copy = shutil.copytree(tiny_clip, tmp_path / "copy")
    assert load_encoder(str(copy)).identity == first
    assert load_encoder(f"{tiny_clip}/../{tiny_clip.name}/").identity == first
    assert load_encoder(copy).identity == first  # a Path, as any path argument may be


def test_identity_depends_on_the_jpeg_draft_margin(tiny_clip, monkeypatch):
    from zsl_cli.encoders import preprocess

    first = load_encoder(str(tiny_clip)).identity
    exact = load_encoder(str(tiny_clip), exact_preprocessing=True).identity
    monkeypatch.setattr(preprocess, "DRAFT_MARGIN", preprocess.DRAFT_MARGIN * 2)
    assert load_encoder(str(tiny_clip)).identity != first
    # Exact preprocessing never drafts, so its vectors stay comparable.
    assert load_encoder(str(tiny_clip), exact_preprocessing=True).identity == exact


def test_identity_does_not_change_with_the_transformers_version(tiny_clip, monkeypatch):
    # A store's embeddings must stay usable after an upgrade: the config each version writes
    # out names that version.
    import transformers.configuration_utils

    first = load_encoder(str(tiny_clip)).identity
    monkeypatch.setattr(transformers.configuration_utils, "__version__", "99.0.0")
    encoder = load_encoder(str(tiny_clip))
    assert encoder._model.config.to_dict()["transformers_version"] == "99.0.0"
    assert encoder.identity == first


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline mode, which the hub-id tests below depend on (conftest sets it for the whole
    run too): as zsl reads it, and as huggingface_hub read it at import."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def test_unknown_hub_model_offline_is_one_clear_line(offline):
    with pytest.raises(ZslError) as info:
        load_encoder("no-such-org/no-such-model-zsl")
    message = info.value.message
    assert "\n" not in message and "not available offline" in message
    assert "no-such-org/no-such-model-zsl" in message and info.value.exit_code == 2


def test_a_name_close_to_a_bundled_model_is_pointed_at_it(offline):
    with pytest.raises(ZslError) as info:
        load_encoder("shapes-dmo")
    assert "did you mean shapes-demo?" in info.value.message
    with pytest.raises(ZslError) as info:
        load_encoder("no-such-org/no-such-model-zsl")
    assert "did you mean" not in info.value.message


@pytest.mark.parametrize(
    "name", ["not a/valid id", "org/name!", "org--x/name", "-org/name", "org/name.git", "a" * 97]
)
def test_a_name_that_cannot_be_a_hub_id_is_refused_as_one(name):
    # It was told to `hf download` it, as if the hub might have it.
    with pytest.raises(ZslError) as info:
        resolve_model(name)
    message = info.value.message
    assert "is not a model folder, a bundled model or a Hugging Face hub id" in message
    assert "hf download" not in message


@pytest.mark.parametrize("name", ["no-such-model-zsl/", "no-such-org/no-such-model-zsl/"])
def test_a_folder_name_that_is_not_there_is_refused_as_a_missing_folder(
    name, tmp_path, monkeypatch
):
    # A trailing '/' names a folder (shell completion adds it), which the hub ids never end in:
    # it was told that it "is not a model folder, a bundled model or a Hugging Face hub id".
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as info:
        resolve_model(name)
    hub_id = name.rstrip("/")
    assert info.value.message == (
        f"model directory not found: {name} (for the hub model {hub_id}, leave out the '/')"
    )


def test_a_model_name_too_long_for_a_file_name_is_refused_in_one_line():
    # 300 characters: longer than a file name may be, so stat() fails with ENAMETOOLONG, which
    # pathlib's is_dir() lets through; the run ended in a traceback.
    name = "x" * 300
    with pytest.raises(ZslError) as info:
        resolve_model(name)
    assert "\n" not in info.value.message and "name too long" in info.value.message.lower()


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_hub_probe_follows_hf_endpoint_and_leaves_proxies_to_the_hub_client(monkeypatch):
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        assert hub_reachable()
    closed = closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed}")
    assert not hub_reachable()
    # A proxy for the endpoint's scheme: only the proxy can tell.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:1")
    assert not hub_reachable()  # the hub client goes to an http endpoint directly
    monkeypatch.setenv("HF_ENDPOINT", f"https://127.0.0.1:{closed}")
    assert hub_reachable()
    for no_proxy in ("NO_PROXY", "no_proxy"):  # the host goes round the proxy: probed directly
        monkeypatch.setenv(no_proxy, "localhost,127.0.0.1")
        assert not hub_reachable()
        monkeypatch.delenv(no_proxy)
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:1")
    assert not hub_reachable()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed}")
    assert hub_reachable()
    monkeypatch.delenv("http_proxy")
    monkeypatch.setenv("HF_ENDPOINT", "huggingface.co")  # no scheme: the hub client says so
    assert hub_reachable()


def run_without_hub(tmp_path: Path, model: str) -> subprocess.CompletedProcess:
    """`zsl label` as a user without network and without HF_HUB_OFFLINE would run it: the hub
    endpoint refuses connections, the cache is tmp_path/hub."""
    image = tmp_path / "one.png"
    Image.new("RGB", (40, 30), "red").save(image)
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.pop("HF_HUB_OFFLINE", None)
    env.pop("TRANSFORMERS_OFFLINE", None)
    env.update(HF_HUB_CACHE=str(tmp_path / "hub"), HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    command = [sys.executable, "-m", "zsl_cli", "label", str(image)]
    command += ["-c", str(tmp_path / "classes.txt"), "-m", model, "-f", "jsonl", "-q"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_cached_hub_model_loads_at_once_when_the_hub_cannot_be_reached(tiny_clip, tmp_path):
    # The hub cache's layout: models--org--name/{refs/main, snapshots/<commit>/files}.
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    shutil.copytree(tiny_clip, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    done = run_without_hub(tmp_path, "acme/tiny-clip")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "ok"
    # Before the probe, huggingface_hub retried each request for ~25 s, saying so on stderr.
    assert done.stderr == ""


def test_a_hub_model_has_the_identity_of_a_copy_of_its_files(tiny_clip, tmp_path):
    # A store embedded by hub id must serve a `hf download --local-dir` copy, and back. The
    # cache as huggingface_hub lays it out: files are links to blobs, a large file's blob named
    # by the SHA-256 of its content, a small file's by its git SHA-1.
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "blobs").mkdir()
    for index, file in enumerate(sorted(tiny_clip.iterdir())):
        data = file.read_bytes()
        large = file.suffix == ".safetensors"
        blob = hashlib.sha256(data).hexdigest() if large else f"{index:040x}"
        (repo / "blobs" / blob).write_bytes(data)
        (snapshot / file.name).symlink_to(Path("..", "..", "blobs", blob))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    # A full download also holds the weight files transformers does not load.
    download = shutil.copytree(tiny_clip, tmp_path / "download")
    (download / "pytorch_model.bin").write_bytes(b"the same weights, pickled")
    (download / "open_clip_model.safetensors").write_bytes(b"another library's copy")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp_path / "hub")}
    # One process per model, so neither sees what loading the other left behind: both forked,
    # at once, from a process that has only imported the loader (as each did on its own).
    script = """
import os, sys
from zsl_cli.encoders import load_encoder
children = []
for model in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        try:
            os.write(write, load_encoder(model).identity.encode())
        finally:
            os._exit(0)
    os.close(write)
    children.append(read)
for read in children:
    with os.fdopen(read) as said:
        print(said.read())
"""
    load = subprocess.run(
        [sys.executable, "-c", script, "acme/tiny-clip", str(download)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert load.returncode == 0, load.stderr
    identities = load.stdout.splitlines()
    assert len(identities) == 2, load.stderr
    assert identities[0] and identities[0] == identities[1], load.stderr


def test_uncached_hub_model_without_the_hub_is_one_line_without_retries(tmp_path):
    done = run_without_hub(tmp_path, "acme/not-cached")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not available offline" in done.stderr


def _set_model_type(snapshot: Path) -> None:
    config = json.loads((snapshot / "config.json").read_text())
    (snapshot / "config.json").write_text(json.dumps({**config, "model_type": "clip_2099"}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # A model newer than this transformers: downloading it again changes nothing.
        (
            _set_model_type,
            "its config.json names model type 'clip_2099', which transformers "
            f"{'.'.join(transformers.__version__.split('.')[:2])} does not know (upgrade "
            "transformers, or check the model's config.json)",
        ),
        # A plain download would keep the damaged file: it is in the cache.
        (
            lambda snapshot: os.truncate(snapshot / "model.safetensors", 200_000),
            "its model.safetensors is incomplete (200,000 of",
        ),
        # Files the cache lacks are for a download to fetch.
        (lambda snapshot: (snapshot / "model.safetensors").unlink(), "not available offline"),
        (
            lambda snapshot: (snapshot / "preprocessor_config.json").unlink(),
            "not available offline",
        ),
        # Cached by a program that loaded the model and image processor alone: transformers
        # builds an empty tokenizer, which was said to lack files in "the model folder".
        (lambda snapshot: (snapshot / "tokenizer.json").unlink(), "not available offline"),
    ],
)
def test_a_cached_hub_model_that_fails_offline_is_said_to_be_uncached_only_when_it_is(
    tiny_clip, tmp_path, monkeypatch, offline, change, message
):
    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    change(shutil.copytree(tiny_clip, repo / "snapshots" / commit))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ZslError) as info:
        load_encoder("acme/tiny-clip")
    assert "\n" not in info.value.message and message in info.value.message
    if message != "not available offline":
        assert "not available offline" not in info.value.message
    if "incomplete" in message:
        assert "`hf download acme/tiny-clip --force-download`" in info.value.message


def _cache_at_main(model: Path, tmp_path: Path, monkeypatch) -> None:
    """`model` as acme/tiny-clip in a hub cache under tmp_path, at main alone."""
    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    shutil.copytree(model, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))


def test_a_revision_not_in_the_cache_is_named_as_the_uncached_one(
    tiny_clip, tmp_path, monkeypatch, offline
):
    # The model is cached at main: it was said to be not in the cache.
    _cache_at_main(tiny_clip, tmp_path, monkeypatch)
    with pytest.raises(ZslError) as info:
        load_encoder("acme/tiny-clip", revision="v3")
    assert info.value.message.startswith(
        "model acme/tiny-clip at revision v3 is not available offline (not in the Hugging Face "
        "cache and offline mode is set): download it once with network access "
        "(`hf download acme/tiny-clip --revision v3`)"
    )


@pytest.mark.parametrize("revision", ["", " "])
def test_an_empty_revision_is_refused_as_such(tiny_clip, tmp_path, monkeypatch, revision):
    # `--revision "$REV"` with REV unset: the cached main was said to be not in the cache, with
    # `hf download acme/tiny-clip` (which fetches main) as the fix.
    _cache_at_main(tiny_clip, tmp_path, monkeypatch)
    with pytest.raises(ZslError) as info:
        load_encoder("acme/tiny-clip", revision=revision)
    assert info.value.message == (
        "--revision is empty: give a branch, tag or commit hash of the hub model, or leave "
        "--revision out for its default branch (main)"
    )


@pytest.mark.parametrize("revision", ["main", "v3"])
def test_a_revision_for_a_local_or_bundled_model_is_refused_with_the_fix(tiny_clip, revision):
    # Every model folder and bundled model has one version: a revision, even the hub's default
    # branch, would be a name the run info and Label Studio's model version do not mean.
    for model, name in ((str(tiny_clip), str(tiny_clip)), ("shapes-demo", "shapes-demo")):
        with pytest.raises(ZslError) as info:
            load_encoder(model, revision=revision)
        assert info.value.message == (
            f"--revision {revision}: a revision chooses a version of a model on the Hugging Face "
            f"hub; {name} is a local folder or a bundled model, which has one version: leave "
            "--revision out"
        )


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
def test_help_shows_no_default_revision_that_local_models_refuse(command):
    # `[default: main]` read as a value every model takes: a wrapper that always passed
    # `--revision main` failed on every local model.
    from typer.testing import CliRunner

    from zsl_cli.cli import app

    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    described = " ".join(result.output.split())
    assert "[default: main]" not in described
    assert (
        "--revision REV A hub model's version: a branch, tag or commit hash; without it, its "
        "default branch (main). Not for a local or bundled model."
    ) in described


def test_a_hub_cache_folder_given_as_the_model_names_its_hub_id(tiny_clip, tmp_path: Path):
    # What a user finds in ~/.cache/huggingface/hub: the model's files are two folders down.
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    shutil.copytree(tiny_clip, repo / "snapshots" / ("0" * 40))
    with pytest.raises(ZslError) as info:
        resolve_model(str(repo))
    assert "acme/tiny-clip" in info.value.message and "snapshots" in info.value.message


def test_a_folder_whose_sub_folder_holds_the_model_names_it(tiny_clip, tmp_path: Path):
    # A Trainer's output_dir: it was said to be no save_pretrained folder, with no word of where
    # the model is.
    shutil.copytree(tiny_clip, tmp_path / "run" / "checkpoint-500")
    with pytest.raises(ZslError) as info:
        resolve_model(str(tmp_path / "run"))
    example = tmp_path / "run" / "checkpoint-500"
    assert info.value.message == (
        f"model directory {tmp_path / 'run'} has no config.json, but its sub-folder "
        f"checkpoint-500 holds a model: give it ({example})"
    )
    (tmp_path / "run" / "checkpoint-900").mkdir()
    (tmp_path / "run" / "checkpoint-900" / "config.json").write_text("{}")
    (tmp_path / "run" / "logs").mkdir()
    with pytest.raises(ZslError) as info:
        resolve_model(str(tmp_path / "run") + "/")
    assert info.value.message.endswith(
        f"its sub-folders checkpoint-500, checkpoint-900 hold models: give one ({example})"
    )


@pytest.mark.parametrize("file", ["config.json", "model.safetensors"])
def test_a_file_of_a_model_folder_given_as_the_model_names_the_folder(tiny_clip, file):
    with pytest.raises(ZslError) as info:
        resolve_model(str(tiny_clip / file))
    assert info.value.message == (
        f"--model {tiny_clip / file} is a file of a model folder; give the folder ({tiny_clip})"
    )
    with pytest.raises(ZslError, match="is a file; give a save_pretrained directory"):
        resolve_model(__file__)  # a file elsewhere


def test_bad_local_model_directories(tmp_path: Path):
    with pytest.raises(ZslError, match="model directory not found"):
        resolve_model(str(tmp_path / "missing" / "model"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ZslError, match="no config.json"):
        resolve_model(str(tmp_path / "empty"))
    with pytest.raises(ZslError, match="no model given"):
        resolve_model(" ")
    # ~models/clip for ~/models/clip: pathlib cannot expand a user who does not exist here.
    assert guess_preprocessor("~no-such-user-zsl/clip") is None
    with pytest.raises(ZslError, match="model directory not found: ~no-such-user-zsl/clip"):
        resolve_model("~no-such-user-zsl/clip")
    remote = tmp_path / "remote"
    remote.mkdir()
    (remote / "config.json").write_text(
        json.dumps(
            {
                "model_type": "zsl-custom",
                "auto_map": {
                    "AutoConfig": "configuration.CustomConfig",
                    "AutoModel": "modeling.Custom",
                },
            }
        )
    )
    with pytest.raises(ZslError, match="--trust-remote-code"):
        load_encoder(str(remote))


def test_models_that_would_load_but_score_nonsense_are_refused(tiny_clip, tmp_path: Path):
    from safetensors.torch import load_file, save_file

    # Saved with model.save_pretrained alone: transformers builds a tokenizer of 2 tokens.
    no_tokenizer = shutil.copytree(tiny_clip, tmp_path / "no-tokenizer")
    for name in os.listdir(no_tokenizer):
        if name.startswith(("tokenizer", "vocab", "merges", "special_tokens")):
            os.remove(no_tokenizer / name)
    with pytest.raises(ZslError, match="its tokenizer has only 2 tokens"):
        load_encoder(str(no_tokenizer))
    # Weights missing from the checkpoint would be random, different on every run.
    partial = shutil.copytree(tiny_clip, tmp_path / "partial")
    weights = load_file(partial / "model.safetensors")
    save_file(
        {k: v for k, v in weights.items() if "text_projection" not in k},
        partial / "model.safetensors",
    )
    with pytest.raises(
        ZslError, match="1 weights are missing from its checkpoint \\(e.g. text_projection"
    ):
        load_encoder(str(partial))
    # A checkpoint of a class zsl does not load (BLIP-2 for retrieval, loaded as the BLIP-2 model
    # with its language model) is named for what it is, not for weights it was never meant to have.
    with pytest.raises(ZslError, match="is a Blip2ForImageTextRetrieval checkpoint, which zsl"):
        load_encoder(str(make_tiny_blip2_retrieval(tmp_path / "blip2")))
    # A preprocessor config asking for a 0 x 0 image (the early decoding must not trip on it).
    zero = shutil.copytree(tiny_clip, tmp_path / "zero")
    config = json.loads((zero / "preprocessor_config.json").read_text())
    config["crop_size"] = {"height": 0, "width": 0}
    (zero / "preprocessor_config.json").write_text(json.dumps(config))
    assert guess_preprocessor(str(zero)) is None
    with pytest.raises(ZslError, match='crop_size {"height": 0, "width": 0} in its preprocessor'):
        load_encoder(str(zero))
    # A logit scale stored as the scale itself (100), not its log: exp(100) is inf in float32,
    # and every score was written as NaN, which no threshold abstains on.
    overflowing = shutil.copytree(tiny_clip, tmp_path / "overflowing")
    weights = load_file(overflowing / "model.safetensors")
    weights["logit_scale"] = weights["logit_scale"].clone().fill_(100.0)
    save_file(weights, overflowing / "model.safetensors")
    with pytest.raises(ZslError, match="logit_scale of 100 makes a score scale of inf"):
        load_encoder(str(overflowing))


def test_weights_of_other_shapes_than_the_config_gives_are_one_line(tiny_clip, tmp_path: Path):
    # transformers 5 raises pointing at a loading report the quiet logging hides; loaded with
    # mismatched sizes allowed, those weights would be random.
    other = shutil.copytree(tiny_clip, tmp_path / "other-config")
    config = json.loads((other / "config.json").read_text())
    config["projection_dim"] = 24
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ZslError) as error:
        load_encoder(str(other))
    assert "2 weights in its checkpoint do not have the shape its config.json gives" in str(
        error.value
    )
    assert "text_projection.weight: 16 x 32 in the checkpoint, 24 x 32 in the model" in str(
        error.value
    )


@pytest.mark.parametrize("kept", [300, 513])
def test_a_tokenizer_with_ids_beyond_the_text_models_vocabulary_is_one_line(
    tiny_clip, tmp_path: Path, kept
):
    from safetensors.torch import load_file, save_file

    # The text tower keeps `kept` of the 514 tokens its tokenizer has (513: all but the end of
    # text token, id 513): as with tokenizer files copied from another model, ids beyond them
    # would be an IndexError inside torch.
    cut = shutil.copytree(tiny_clip, tmp_path / "cut")
    weights = load_file(cut / "model.safetensors")
    key = "text_model.embeddings.token_embedding.weight"
    weights[key] = weights[key][:kept].clone()
    save_file(weights, cut / "model.safetensors", metadata={"format": "pt"})
    config = json.loads((cut / "config.json").read_text())
    config["text_config"]["vocab_size"] = kept
    (cut / "config.json").write_text(json.dumps(config))
    # At load, which encodes a prompt to check the text model gives one embedding per text.
    with pytest.raises(ZslError, match="its tokenizer gives token id 51[0-9], but its text model"):
        load_encoder(str(cut))


def test_variable_resolution_image_inputs_are_refused(tiny_clip):
    from types import SimpleNamespace

    from zsl_cli.encoders.loading import _check_parts

    encoder = load_encoder(str(tiny_clip))
    naflex = SimpleNamespace(model_input_names=["pixel_values", "spatial_shapes"])
    with pytest.raises(ZslError, match="takes images with spatial_shapes"):
        _check_parts("siglip2", encoder._model, encoder._tokenizer, naflex)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"do_center_crop": False}, "gives images of varying size"),
        (
            {"crop_size": {"height": 32, "width": 48}},
            "makes 32 x 48 images, but the model takes 32",
        ),
    ],
)
def test_image_processors_without_the_models_input_size_are_refused(
    tiny_clip, tmp_path, settings, message
):
    model = tmp_path / "model"
    shutil.copytree(tiny_clip, model)
    config = json.loads((model / "preprocessor_config.json").read_text())
    (model / "preprocessor_config.json").write_text(json.dumps({**config, **settings}))
    with pytest.raises(ZslError, match=message):
        load_encoder(str(model))


def test_siglip_text_is_padded_to_a_short_text_towers_positions(tmp_path: Path):
    import torch

    from tests.tiny_models import make_tiny_siglip

    encoder = load_encoder(str(make_tiny_siglip(tmp_path / "siglip", text_positions=16)))
    texts = ["a cat", "dog " * 10]
    tokens = encoder._tokenizer(
        texts, padding="max_length", max_length=16, truncation=True, return_tensors="pt"
    )
    with torch.inference_mode():
        expected = encoder._model.get_text_features(**tokens)
    expected = getattr(expected, "pooler_output", expected).numpy()
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(encoder.encode_texts(texts), expected, atol=1e-5)


def test_prompts_are_cut_where_the_tokenizer_says(tiny_clip, tmp_path: Path):
    # Fewer tokens than the text tower has positions (77), as its tokenizer_config.json says.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    settings = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(json.dumps({**settings, "model_max_length": 20}))
    encoder = load_encoder(str(model))
    assert encoder.prompt_tokens == 20
    exact, longer = "x" * 18, "x" * 19  # and the start and end of text tokens
    assert encoder.prompts_cut_short([exact, longer]) == [longer]
    vectors = encoder.encode_texts([longer, "x" * 40, exact])
    assert (vectors[0] == vectors[1]).all() and not np.allclose(vectors[0], vectors[2])


def test_class_prompts_are_tokenized_once_and_only_long_ones_again(tiny_clip, tmp_path: Path):
    from zsl_cli.api import build_classifier
    from zsl_cli.classes import parse_classes
    from zsl_cli.prompts import Templates, plan_prompts

    model = shutil.copytree(tiny_clip, tmp_path / "model")
    settings = json.loads((model / "tokenizer_config.json").read_text())
    (model / "tokenizer_config.json").write_text(json.dumps({**settings, "model_max_length": 20}))
    encoder = load_encoder(str(model))
    counting = CountingTokenizer(encoder._tokenizer)
    encoder._tokenizer = counting
    spec = parse_classes("cat\ndog\n" + "x" * 19 + "\n" + "x" * 40 + "\n")
    classifier = build_classifier(spec, plan_prompts(spec, Templates("bare", ("{}",))), encoder)
    # Each prompt once, to tell the long ones; those (cut to what the model reads) once more.
    longer, longest = "x" * 19, "x" * 40
    assert sorted(counting.texts) == sorted(["cat", "dog", longer, longest, longer, longest])
    assert classifier.prompts_cut_short == [longer, longest]
    assert "2 class prompts are longer than the model reads (20 tokens)" in "".join(
        classifier.model_warnings()
    )
    vectors = dict(zip(spec.names, classifier.vectors, strict=True))
    assert (vectors[longer] == vectors[longest]).all()  # both read as their first 18 x's
    assert not np.allclose(vectors["cat"], vectors["dog"])
    # Texts other than those last encoded are tokenized to be told.
    assert encoder.prompts_cut_short(["a cat", longest]) == [longest]
    assert counting.texts[-2:] == ["a cat", longest]


@pytest.mark.parametrize("tokenizer", ["demo BPE", "character", "metaspace", "gemma"])
def test_long_prompts_are_tokenized_from_their_start_to_the_same_tokens(tokenizer, tiny_clip):
    # Random texts around the length beyond which only their start is tokenized: cut there,
    # at a space, in a run of them, before one long word, or of too few tokens to be cut.
    import random

    import zsl_cli.encoders.hf as hf

    encoder = load_encoder("shapes-demo" if tokenizer == "demo BPE" else str(tiny_clip))
    encoder._tokenizer = {"metaspace": metaspace_tokenizer, "gemma": gemma_tokenizer}.get(
        tokenizer, lambda: encoder._tokenizer
    )()
    assert encoder._splits_at_spaces == (tokenizer != "gemma")
    bound = hf.HEAD_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    words = ["cat", "a", "dog.", ",", "12", "\u732b\u732b", " ", "   ", "\t", "\n", "x" * 40]
    rng = random.Random(0)
    texts = []
    for _ in range(120):
        text = ""
        while len(text) < bound * 1.2:
            text += rng.choice(words) + rng.choice(["", " "])
        texts.append(text)
    texts += [
        # A head of one word (white space beyond hf.MAX_CHARS_PER_TOKEN characters a token is
        # cut before tokenizing, and reported cut short: test_long_and_json_class_names.py).
        "cat " + " " * (bound + bound // 2) + "dog " * 40,
        "x" * 2 * bound + " dog",  # no space in the head's length
        "dog " * 20 + "\t" * bound + " cat" * 100,  # a head of few tokens, then whitespace
        "a " * bound,
    ]
    for cut_at in (None, encoder.prompt_tokens):
        limit = encoder.prompt_tokens + 1 if cut_at is None else cut_at
        whole = encoder._tokenizer(texts, truncation=True, max_length=limit)["input_ids"]
        assert encoder._token_ids(texts, cut_at) == whole
        cut = sum(len(encoder._head(text, limit)) < len(text) for text in texts)
        assert cut == (0 if tokenizer == "gemma" else len(texts) - 1)  # all but "x" * ...


def test_a_huge_prompt_is_tokenized_from_its_start_and_quoted_short(tiny_clip, tmp_path):
    # A 1 MB description line: the tokenizer read all of it, twice, to keep 77 tokens.
    import zsl_cli.encoders.hf as hf
    from zsl_cli.api import build_classifier
    from zsl_cli.classes import ClassDef, ClassSpec
    from zsl_cli.prompts import Templates, plan_prompts

    encoder = load_encoder(str(tiny_clip))
    counting = CountingTokenizer(encoder._tokenizer)
    encoder._tokenizer = counting
    huge = "a red circle on stripes, " * 40_000 + "and more"
    # Built in code: a descriptions file refuses a descriptor this long (test_prompt_length_cap).
    spec = ClassSpec((ClassDef("circle", descriptors=("round", huge)),))
    classifier = build_classifier(spec, plan_prompts(spec, Templates("", ())), encoder)
    assert max(map(len, counting.texts)) <= hf.HEAD_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    assert classifier.prompts_cut_short == [f"circle, which has {huge}"]
    (warning,) = classifier.model_warnings()
    assert warning.startswith("1 class prompt is longer than the model reads (77 tokens)")
    assert len(warning) < 250


def test_long_prompts_fit_a_roberta_style_text_tower(tmp_path: Path):
    from tests.tiny_models import make_tiny_altclip

    encoder = load_encoder(str(make_tiny_altclip(tmp_path / "altclip", positions=40)))
    texts = ["cat " * 30, "dog"]  # ~120 character tokens: cut to the 38 positions left
    vectors = encoder.encode_texts(texts)
    assert vectors.shape == (2, 16) and np.isfinite(vectors).all()


# A device number that is not one ("cuda:x", "cuda:-1") was told only once torch was imported:
# on a machine without CUDA as 'no CUDA device is available', with it as 'devices 0 to 0'.
@pytest.mark.parametrize(
    "device", ["xpu", "meta", "hpu:0", "vulkan", "cuda:x", "cuda:", "cuda:-1", "cpu:", "mps:one"]
)
def test_devices_other_than_cpu_cuda_mps_are_one_line(device):
    with pytest.raises(ZslError, match=f"--device {device}: choose auto, cpu, cuda, cuda:N or mps"):
        load_encoder("shapes-demo", device=device)


def test_model_without_feature_heads_is_refused(tmp_path: Path):
    from transformers import BertConfig, BertModel

    BertModel(
        BertConfig(
            hidden_size=8,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=8,
            vocab_size=10,
        )
    ).save_pretrained(tmp_path / "bert")
    # Named: the folder lacks a preprocessor and a tokenizer too, each refused with a line.
    with pytest.raises(ZslError, match=r"\(BertModel\) has no image and text feature heads"):
        load_encoder(str(tmp_path / "bert"))


def test_batches_above_the_out_of_memory_cap_are_split_without_changing_results(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (5, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    whole = encoder.encode_images(pixels)
    encoder._max_batch = 2  # what an out-of-memory error on a GPU leaves behind
    np.testing.assert_allclose(encoder.encode_images(pixels), whole, atol=1e-5)


def test_freezing_the_heap_after_the_load_is_opt_in(tiny_clip):
    gc.unfreeze()
    load_encoder(str(tiny_clip))
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    load_encoder(str(tiny_clip), freeze_after_load=True)
    assert gc.get_freeze_count() > 0 and gc.isenabled()


def test_the_cli_freezes_the_heap_after_the_load(tiny_clip, tmp_path):
    from typer.testing import CliRunner

    from zsl_cli.cli import app

    Image.new("RGB", (40, 30), "red").save(tmp_path / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    gc.unfreeze()
    args = ["label", str(tmp_path / "red.png"), "-c", str(tmp_path / "classes.txt")]
    result = CliRunner().invoke(app, [*args, "--model", str(tiny_clip), "--quiet"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 0 and gc.isenabled()


def _simulated_out_of_memory() -> Exception:
    import torch

    return torch.OutOfMemoryError("CUDA out of memory (simulated)")


def _fail_above(encoder, largest_batch: int, error=_simulated_out_of_memory) -> list[int]:
    """Make the image tower raise `error()` for batches above `largest_batch`; log the sizes."""
    forward, sizes = encoder._model.get_image_features, []

    def limited(pixel_values, **kwargs):
        sizes.append(len(pixel_values))
        if len(pixel_values) > largest_batch:
            raise error()
        return forward(pixel_values=pixel_values, **kwargs)

    encoder._model.get_image_features = limited
    return sizes


@pytest.mark.parametrize(
    "error",
    [
        _simulated_out_of_memory,
        lambda: RuntimeError("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate"),
        lambda: RuntimeError("MPS backend out of memory (MPS allocated: 17.00 GB)"),
        # On the CPU, for more than the memory and swap there are (Linux), or no room at all.
        lambda: RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
            "memory: you tried to allocate 40000000000 bytes. Error code 12 (Cannot allocate "
            "memory)"
        ),
    ],
)
def test_out_of_memory_halves_the_batch_and_keeps_the_smaller_size(tiny_clip, error):
    encoder = load_encoder(str(tiny_clip))
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (7, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    whole = encoder.encode_images(pixels)
    sizes = _fail_above(encoder, 2, error)
    np.testing.assert_allclose(encoder.encode_images(pixels), whole, atol=1e-5)
    # 7 fails, then 3 (the first half) fails, then 1-2 at a time succeed.
    assert sizes[:2] == [7, 3] and max(sizes[2:]) <= 2
    sizes.clear()
    np.testing.assert_allclose(encoder.encode_images(pixels[:4]), whole[:4], atol=1e-5)
    assert max(sizes) <= 2  # the next batch starts at the size that fitted


def test_after_an_out_of_memory_error_larger_batches_are_tried_again(tiny_clip, monkeypatch):
    from zsl_cli.encoders import hf

    monkeypatch.setattr(hf, "RETRY_LARGER_SOON", 3)
    encoder = load_encoder(str(tiny_clip))
    pixels = np.zeros((8, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    forward = encoder._model.get_image_features
    sizes = _fail_above(encoder, 2)  # memory is short for a while ...
    encoder.encode_images(pixels)
    encoder._model.get_image_features = forward  # ... then free again
    sizes = _fail_above(encoder, 8)
    for _ in range(4):
        encoder.encode_images(pixels)
    # Split in 2s for 3 batches, then 4s for 3 more: back at 8 by the 7th batch.
    assert max(sizes) == 4
    for _ in range(3):
        encoder.encode_images(pixels)
    assert sizes[-3:] == [8, 8, 8] and encoder._max_batch == 8


def test_out_of_memory_retry_starts_once_the_failed_attempt_is_freed(tiny_clip):
    import torch

    encoder = load_encoder(str(tiny_clip))
    forward = encoder._model.get_image_features
    failed_attempts = []

    def limited(pixel_values, **kwargs):
        if failed_attempts:
            assert failed_attempts[-1]() is None, "the failed attempt's memory is still held"
        if len(pixel_values) > 2:
            activations = torch.zeros(1000)  # what the failed forward pass had allocated
            failed_attempts.append(weakref.ref(activations))
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return forward(pixel_values=pixel_values, **kwargs)

    encoder._model.get_image_features = limited
    pixels = np.zeros((4, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    assert encoder.encode_images(pixels).shape[0] == 4 and len(failed_attempts) == 1


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_half_precision_keeps_the_models_own_temperature(tiny_clip, tiny_siglip, precision):
    for model in (tiny_clip, tiny_siglip):
        full = load_encoder(str(model), device="cpu", precision="fp32").head
        assert load_encoder(str(model), device="cpu", precision=precision).head == full


def test_other_runtime_errors_are_not_taken_for_out_of_memory(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    pixels = np.zeros((4, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    sizes = _fail_above(encoder, 2, lambda: RuntimeError("device-side assert triggered"))
    with pytest.raises(RuntimeError, match="device-side assert"):
        encoder.encode_images(pixels)
    assert sizes == [4]


def test_out_of_memory_for_one_image_is_a_clear_error(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    pixels = np.zeros((3, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    _fail_above(encoder, 0)
    with pytest.raises(ZslError, match="memory for a single image"):
        encoder.encode_images(pixels)


def test_out_of_memory_for_the_class_prompts_is_a_clear_error(tiny_clip):
    encoder = load_encoder(str(tiny_clip))

    def failing(**inputs):
        raise _simulated_out_of_memory()

    encoder._model.get_text_features = failing
    with pytest.raises(ZslError, match="out of cpu memory encoding class prompts") as info:
        encoder.encode_texts(["a photo of a cat"])
    assert "--device cpu" not in info.value.message  # it is on the CPU already


def test_non_finite_image_embeddings_are_rows_of_nan(tiny_clip):
    # Each image fails alone (api.iter_encoded makes it an encode_error): one image overflowing
    # fp16 stopped the whole run (tests/test_encode_failures.py).
    import torch

    encoder = load_encoder(str(tiny_clip))
    forward = encoder._model.get_image_features
    encoder._model.get_image_features = lambda **kwargs: _pooled(forward(**kwargs)) * torch.inf
    pixels = np.zeros((2, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    assert np.isnan(encoder.encode_images(pixels)).all()


def test_all_zero_image_embeddings_are_rows_of_zeros(tiny_clip):
    # Half precision can underflow too (weights of 1e-10 are 0 in fp16): every score would then
    # be alike, a uniform guess written as if it were the model's answer; the run fails them.
    encoder = load_encoder(str(tiny_clip))
    forward = encoder._model.get_image_features
    encoder._model.get_image_features = lambda **kwargs: _pooled(forward(**kwargs)) * 0
    pixels = np.zeros((2, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    assert not encoder.encode_images(pixels).any()


def test_devices_that_are_not_there_are_refused(monkeypatch):
    import torch

    from zsl_cli.encoders.hf import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert pick_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(ZslError, match="--device cuda:7: this machine has CUDA devices 0 to 0"):
        pick_device("cuda:7")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ZslError, match="MPS is not available"):
        pick_device("mps:0")


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip", "shapes-demo"])
def test_preprocessing_guessed_from_the_saved_settings_is_the_loaded_one(model, request):
    name = model if model == "shapes-demo" else str(request.getfixturevalue(model))
    guess = guess_preprocessor(name)
    assert guess is not None
    assert guess == load_encoder(name).preprocessor


def test_no_preprocessing_guess_without_settings(tiny_clip, tmp_path):
    assert guess_preprocessor(str(tmp_path / "missing")) is None
    assert guess_preprocessor("someone/not-in-the-cache") is None
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    (broken / "preprocessor_config.json").write_text("{not json")
    assert guess_preprocessor(str(broken)) is None


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_texts_sorted_by_length_come_back_in_input_order(model, request):
    encoder = load_encoder(str(request.getfixturevalue(model)))
    rng = np.random.default_rng(0)
    texts = ["word " * int(n) + str(i) for i, n in enumerate(rng.integers(0, 12, 150))]
    together = encoder.encode_texts(texts)
    one_by_one = np.concatenate([encoder.encode_texts([t]) for t in texts[::10]])
    np.testing.assert_allclose(together[::10], one_by_one, atol=1e-5)
    assert encoder.encode_texts([]).shape == (0, encoder.dim)


def test_dim_is_the_width_of_the_embeddings_whatever_the_config_says(tiny_clip):
    # A config's projection_dim or hidden_size need not be what the feature heads give; the
    # store registers the model with `dim` and refuses vectors of another width.
    encoder = load_encoder(str(tiny_clip))
    encoder._model.config.projection_dim = 99
    assert encoder.dim == encoder.encode_texts(["a cat"]).shape[1] != 99


def test_python_warnings_transformers_gives_while_loading_stay_off_stderr(tiny_clip, monkeypatch):
    # transformers 4.45 warns that `clean_up_tokenization_spaces` was not set on every tokenizer
    # load: two lines of stack trace on zsl's stderr, even with -q.
    import warnings

    import transformers

    loader = transformers.AutoTokenizer.from_pretrained

    def warning_loader(*args, **kwargs):
        warnings.warn("clean_up_tokenization_spaces was not set", FutureWarning, stacklevel=2)
        return loader(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", warning_loader)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_encoder(str(tiny_clip))
        warnings.warn("the host program's own", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["the host program's own"]


def test_texts_the_tokenizer_makes_alike_get_the_same_embedding(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    # The CLIP tokenizer lowercases and splits on runs of spaces. Encoded in chunks of different
    # padding (here: chunks of TEXT_BATCH texts sorted by length), the copies would differ.
    fillers = [f"ice crea{i % 10}" for i in range(TEXT_BATCH)]
    texts = ["Ice cream", *fillers, "ice  cream", *(["a much longer text " * 3] * 5), "ICE CREAM"]
    vectors = encoder.encode_texts(texts)
    assert (vectors[0] == vectors[-7]).all() and (vectors[0] == vectors[-1]).all()
    assert not np.allclose(vectors[0], vectors[1])


def _without_pad_token(model: Path, directory: Path, **text_config: object) -> Path:
    """A copy of `model` whose tokenizer has no pad token (and `text_config` in config.json)."""
    shutil.copytree(model, directory)
    settings = json.loads((directory / "tokenizer_config.json").read_text())
    (directory / "tokenizer_config.json").write_text(json.dumps({**settings, "pad_token": None}))
    config = json.loads((directory / "config.json").read_text())
    config["text_config"].update(text_config)
    (directory / "config.json").write_text(json.dumps(config))
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(directory).pad_token is None
    return directory


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_a_tokenizer_without_a_pad_token_encodes_each_prompt_as_alone(model, request, tmp_path):
    # CLIP: nothing can pad prompts of different lengths, so they are batched by length.
    # SigLIP: padded with its config's pad token, to 64 whatever the other prompts.
    encoder = load_encoder(str(_without_pad_token(request.getfixturevalue(model), tmp_path / "m")))
    rng = np.random.default_rng(0)
    # More than TEXT_BATCH prompts of one length, and prompts of many lengths.
    texts = [f"a {i:03d}" for i in range(TEXT_BATCH + 5)]
    texts += ["word " * int(n) + str(i) for i, n in enumerate(rng.integers(0, 12, 40))]
    together = encoder.encode_texts(texts)
    alone = np.concatenate([encoder.encode_texts([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    long = "cat " * 100
    assert encoder.prompts_cut_short(["a cat", long]) == [long]
    assert encoder.encode_texts([long, "a cat"]).shape == (2, encoder.dim)


def test_siglip_without_a_pad_token_is_padded_with_its_configs(tiny_siglip, tmp_path):
    # SigLIP pools its text at the last position, which it was trained to find padding in:
    # prompts left unpadded embed at a cosine of about 0.56 to the padded ones.
    texts = ["a photo of a cat.", "a dog", "a photo of a much larger bird, flying."]
    padded = load_encoder(str(tiny_siglip)).encode_texts(texts)
    encoder = load_encoder(str(_without_pad_token(tiny_siglip, tmp_path / "no-pad")))
    np.testing.assert_allclose(encoder.encode_texts(texts), padded, atol=1e-6)


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_a_pad_token_the_text_model_has_no_embedding_for_is_not_used(model, request, tmp_path):
    # As a tokenizer given a pad token of its own and saved without the model: padding with it
    # was an IndexError deep inside torch.
    from transformers import AutoTokenizer

    original = request.getfixturevalue(model)
    directory = shutil.copytree(original, tmp_path / "added-pad")
    tokenizer = AutoTokenizer.from_pretrained(directory)
    tokenizer.add_special_tokens({"pad_token": "[PAD]"})
    tokenizer.save_pretrained(directory)
    assert (
        tokenizer.pad_token_id
        == json.loads((directory / "config.json").read_text())["text_config"]["vocab_size"]
    )
    texts = ["a photo of a cat.", "a dog", "a photo of a much larger bird, flying."]
    expected = load_encoder(str(original)).encode_texts(texts)
    np.testing.assert_allclose(
        load_encoder(str(directory)).encode_texts(texts), expected, atol=1e-6
    )


@pytest.mark.parametrize("pad", [None, 10**6])
def test_siglip_with_no_pad_token_anywhere_is_one_line(tiny_siglip, tmp_path, pad):
    directory = _without_pad_token(tiny_siglip, tmp_path / "no-pad", pad_token_id=pad)
    with pytest.raises(ZslError, match="no pad token.*tokenizer_config.json"):
        load_encoder(str(directory))


@pytest.mark.parametrize(
    "settings",
    [
        {"rescale_offset": True, "include_top": False},
        {"rescale_offset": False, "include_top": True},
        {"rescale_offset": True, "include_top": True, "do_normalize": False},
    ],
)
def test_efficientnet_offset_and_include_top_are_followed(settings):
    """ALIGN's EfficientNet processor: `x * scale - 1` and a second division by image_std."""
    from transformers import EfficientNetImageProcessor

    processor = EfficientNetImageProcessor(
        size={"height": 40, "width": 40},
        crop_size={"height": 32, "width": 32},
        do_center_crop=True,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
        **settings,
    )
    geometry, norm = fast_preprocessor_from(processor, torch_resize=False)
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8))
    ours = geometry(image).astype(np.float32).transpose(2, 0, 1)
    ours = (ours * norm.rescale - np.array(norm.mean)[:, None, None]) / np.array(norm.std)[
        :, None, None
    ]
    reference = processor(images=[image], return_tensors="np")["pixel_values"][0]
    np.testing.assert_allclose(ours, reference, atol=1e-4)


def test_a_processor_that_does_not_normalise_may_leave_mean_and_std_unset(tiny_clip, tmp_path):
    """As TIPSv2's processor does: no image_mean or image_std at all (null in its settings)."""
    from tests.pipeline_parity import assert_same_as_pipeline

    model = tmp_path / "model"
    shutil.copytree(tiny_clip, model)
    settings_file = model / "preprocessor_config.json"
    settings = json.loads(settings_file.read_text())
    settings.update(do_normalize=False, image_mean=None, image_std=None)
    settings_file.write_text(json.dumps(settings))
    image = tmp_path / "image.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(
        image
    )
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nbird\n")
    assert_same_as_pipeline(model, [image], classes, "a photo of a {}.")


def test_a_temperature_is_the_inverse_of_the_logit_scale():
    import torch

    from zsl_cli.encoders.hf import _score_head

    model = torch.nn.Module()
    model.temperature = torch.nn.Parameter(torch.tensor(0.05))  # ALIGN: logits = cos / T
    assert _score_head(model, "align", "m").scale == pytest.approx(20.0)
    model.temperature = torch.nn.Parameter(torch.tensor(0.0))  # was a ZeroDivisionError
    with pytest.raises(ZslError, match="model m: its temperature of 0 makes a score scale of inf"):
        _score_head(model, "align", "m")


def test_a_legacy_integer_size_is_guessed_as_the_processor_reads_it(tiny_clip, tmp_path):
    model = shutil.copytree(tiny_clip, tmp_path / "legacy")
    config = json.loads((model / "preprocessor_config.json").read_text())
    config.update(size=32, crop_size=32, feature_extractor_type="CLIPFeatureExtractor")
    config.pop("image_processor_type", None)
    (model / "preprocessor_config.json").write_text(json.dumps(config))
    assert guess_preprocessor(str(model)) == load_encoder(str(model)).preprocessor


def test_models_without_pooled_features_are_one_line():
    from types import SimpleNamespace

    with pytest.raises(ZslError, match="no single embedding"):
        _pooled(SimpleNamespace(pooler_output=None, last_hidden_state=None))


def test_a_fast_path_that_differs_from_the_processor_falls_back_to_it(tiny_clip, monkeypatch):
    """A processor step the fast path does not know must not give silently different pixels."""
    from zsl_cli.encoders import hf
    from zsl_cli.encoders.preprocess import Normalisation, ReferencePreprocessor

    def missing_a_step(processor, **options):
        geometry, norm = fast_preprocessor_from(processor, **options)
        return geometry, Normalisation(norm.rescale, norm.mean, tuple(2 * s for s in norm.std))

    monkeypatch.setattr(hf, "fast_preprocessor_from", missing_a_step)
    encoder = load_encoder(str(tiny_clip))
    assert isinstance(encoder.preprocessor, ReferencePreprocessor)
    assert encoder.exact_preprocessing


def make_tiny_blip2_retrieval(directory: Path) -> Path:
    from transformers import Blip2Config, Blip2ForImageTextRetrieval, BlipImageProcessor

    from tests.tiny_models import tiny_tokenizer

    tower = {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4}
    config = Blip2Config(
        vision_config={**tower, "num_hidden_layers": 1, "image_size": 30, "patch_size": 10},
        qformer_config={**tower, "num_hidden_layers": 1, "encoder_hidden_size": 32},
        text_config={"model_type": "opt", **tower, "num_hidden_layers": 1, "ffn_dim": 37},
        num_query_tokens=4,
        image_text_hidden_size=16,
    )
    Blip2ForImageTextRetrieval(config).save_pretrained(directory)
    tiny_tokenizer().save_pretrained(directory)
    BlipImageProcessor(size={"height": 30, "width": 30}).save_pretrained(directory)
    return directory


def test_a_long_load_failure_is_cut_at_a_word_and_marked_as_cut():
    from zsl_cli.encoders.base import ModelSource
    from zsl_cli.encoders.loading import _load_failure_message

    source = ModelSource("tips", "/models/tips", is_local=True)
    words = "requires torchvision; please install the missing dependencies " * 10
    message = _load_failure_message(source, "image processor", ValueError(words), False, None)
    assert message.startswith("cannot load the image processor of model tips from /models/tips:")
    assert message.endswith(" ...") and len(message) < 400
    assert message[: -len(" ...")].split()[-1] in words.split()
    short = _load_failure_message(source, "model", ValueError("no weights"), False, None)
    assert short.endswith(": no weights")


def test_mismatched_weights_as_any_transformers_lists_them_are_one_line():
    # transformers 4.51-4.57 list mismatched weights by key alone, others as (key, shape in the
    # checkpoint, shape in the model): neither may end in a traceback.
    import torch

    from zsl_cli.encoders.base import ModelSource
    from zsl_cli.encoders.loading import _check_weights

    source = ModelSource("m", "/models/m", is_local=True)
    shapes = ("logit_scale", torch.Size([2]), torch.Size([]))
    for entry, example in [("logit_scale", "(e.g. logit_scale)"), (shapes, "logit_scale: ")]:
        with pytest.raises(ZslError, match="1 weights in its checkpoint") as error:
            _check_weights(source, None, {"mismatched_keys": [entry]})
        assert example in str(error.value)


def test_clipseg_resizes_its_positions_without_being_asked():
    # Before transformers 4.47 CLIPSeg's get_image_features had no interpolate_pos_encoding
    # option, yet resized its position embeddings all the same: its 352-pixel inputs are fine.
    from types import SimpleNamespace

    from zsl_cli.encoders.loading import _interpolates_positions

    def get_image_features(pixel_values):
        return pixel_values

    for model_type, resizes in (("clipseg", True), ("clip", False)):
        model = SimpleNamespace(
            get_image_features=get_image_features, config=SimpleNamespace(model_type=model_type)
        )
        assert _interpolates_positions(model) is resizes


def test_prompts_are_tokenized_once_a_block_at_a_time(tiny_clip, monkeypatch):
    # 20,000 classes x 80 templates: the tokenizer's output for every prompt at once took 6 GB,
    # and tokenizing the prompts again for the forward passes took most of the time.
    import zsl_cli.encoders.hf as hf

    encoder = load_encoder(str(tiny_clip))
    texts = ["Ice cream", "a dog", "ice  cream", "a cat", "a fox", "ICE CREAM", "a dog"]
    whole = encoder.encode_texts(texts)
    calls = []

    class CountingTokenizer:
        def __init__(self, tokenizer):
            self._tokenizer = tokenizer

        def __call__(self, texts, **options):
            calls.append(len(texts))
            return self._tokenizer(texts, **options)

        def __getattr__(self, name):
            return getattr(self._tokenizer, name)

    monkeypatch.setattr(encoder, "_tokenizer", CountingTokenizer(encoder._tokenizer))
    monkeypatch.setattr(hf, "TOKENIZE_BLOCK", 2)
    blocks = encoder.encode_texts(texts)
    assert calls == [2, 2, 2, 1]
    np.testing.assert_array_equal(blocks[[0, 2, 5]], blocks[[0, 0, 0]])  # alike across blocks
    np.testing.assert_array_equal(blocks[1], blocks[6])
    np.testing.assert_allclose(blocks, whole, atol=1e-6)


def test_progress_hears_of_every_text_as_its_batch_is_encoded(tiny_clip):
    # 150 distinct prompts, each given twice: three forward passes, each text counted.
    encoder = load_encoder(str(tiny_clip))
    texts = [f"a photo of thing {i}" for i in range(150)] * 2
    advances: list[int] = []
    vectors = encoder.encode_texts(texts, advances.append)
    assert advances == [2 * TEXT_BATCH, 2 * TEXT_BATCH, 2 * (150 - 2 * TEXT_BATCH)]
    np.testing.assert_array_equal(vectors, encoder.encode_texts(texts))


def test_a_label_run_at_a_terminal_shows_a_bar_while_class_prompts_are_encoded(
    tiny_clip, tmp_path, monkeypatch
):
    # 2 classes x 80 templates: 160 prompts, encoded before the images, with a bar of their
    # own; none under --quiet.
    from tests.helpers import write_images
    from tests.terminal import Terminal
    from zsl_cli import api
    from zsl_cli.summary import ProgressBar

    write_images(tmp_path / "photos", 2)
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(tmp_path / "photos"),)),
        classes=api.ClassOptions(classes=["cat", "dog"], templates="imagenet80"),
        model=api.ModelOptions(name=str(tiny_clip)),
        output=None,
    )
    monkeypatch.setattr(sys, "stderr", Terminal())
    api.label(request, progress=ProgressBar())
    shown = sys.stderr.getvalue()
    assert "encoding class prompts:   0%" in shown and " 0/160 " in shown and "prompt/s" in shown
    assert shown.index("encoding class prompts") < shown.index("encoding images")
    monkeypatch.setattr(sys, "stderr", Terminal())
    api.label(request, progress=ProgressBar(quiet=True))
    assert sys.stderr.getvalue() == ""


@pytest.fixture(scope="module")
def tiny_siglip2(tmp_path_factory):
    from tests.tiny_models import make_tiny_siglip2

    return make_tiny_siglip2(tmp_path_factory.mktemp("tiny-siglip2"))


def naflex_reference(processor, image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """transformers' NaFlex input for one image: (normalised patches [N, p*p*3], grid)."""
    output = processor(images=[image], return_tensors="np")
    grid = np.asarray(output["spatial_shapes"][0])
    mask = np.asarray(output["pixel_attention_mask"][0])
    assert mask.tolist() == [1] * int(grid.prod()) + [0] * (len(mask) - int(grid.prod()))
    return np.asarray(output["pixel_values"][0]), grid


@pytest.mark.parametrize("torch_resize", [False, True])
@pytest.mark.parametrize(
    "size", [(64, 48), (48, 64), (32, 32), (20, 90), (7, 5), (333, 101), (1, 200), (17, 16)]
)
def test_naflex_preprocessing_matches_the_transformers_processor(tiny_siglip2, size, torch_resize):
    from zsl_cli.encoders.preprocess import NaFlexPreprocessor

    processor = pil_image_processor(str(tiny_siglip2))
    geometry, norm = fast_preprocessor_from(processor)
    assert isinstance(geometry, NaFlexPreprocessor)
    geometry = dataclasses.replace(geometry, torch_resize=torch_resize)
    rng = np.random.default_rng(sum(size))
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    image.format = "JPEG"  # as decode_image says of a JPEG: torch's resize is for those alone
    reference, grid = naflex_reference(processor, image)

    patches, grids = geometry.stack([geometry(image)])
    np.testing.assert_array_equal(grids[0], grid)
    count = int(grid.prod())
    ours = patches[0, :count].reshape(count, -1, 3) * norm.rescale
    ours = ((ours - np.array(norm.mean)) / np.array(norm.std)).reshape(count, -1)
    assert not patches[0, count:].any() and not reference[count:].any()
    if not torch_resize:  # Pillow's resize: the same pixels
        np.testing.assert_allclose(ours, reference[:count], atol=1e-5)
        return
    # torch's resize (a JPEG that shrinks; TORCH_MIN_SHRINK): within one grey level here.
    grey_level = norm.rescale / min(norm.std)
    np.testing.assert_allclose(ours, reference[:count], atol=grey_level + 1e-5)


def test_naflex_grids_follow_transformers():
    from transformers.models.siglip2.image_processing_pil_siglip2 import (
        get_image_size_for_max_num_patches,
    )

    from zsl_cli.encoders.preprocess import NaFlexPreprocessor

    rng = np.random.default_rng(0)
    for patch, most in [(16, 256), (16, 1024), (8, 16), (14, 729), (16, 576)]:
        geometry = NaFlexPreprocessor(patch, most, Image.BILINEAR)
        for width, height in [*rng.integers(1, 5000, (300, 2)), *rng.integers(1, 60, (100, 2))]:
            rows, columns = geometry.grid(int(width), int(height))
            expected = get_image_size_for_max_num_patches(int(height), int(width), patch, most)
            assert (rows * patch, columns * patch) == expected
            assert geometry.resized_pixels(int(width), int(height)) <= most * patch * patch


def test_naflex_draft_decoding_still_leaves_the_margin():
    """A JPEG drafted down to the hint is still DRAFT_MARGIN times its grid or more, however
    elongated: a grid's shorter side is at most a square image's."""
    from zsl_cli.encoders.preprocess import DRAFT_MARGIN, NaFlexPreprocessor

    geometry = NaFlexPreprocessor(16, 256, Image.BILINEAR)
    assert geometry.input_size == (256, 256)
    assert geometry.decode_hint == (1024, 1024)
    drafted = 0
    sizes = [(4032, 3024), (8000, 2100), (2100, 8000), (16000, 2200), (8200, 8200), (500, 500)]
    for width, height in sizes:
        rows, columns = geometry.grid(width, height)
        hint_w, hint_h = geometry.decode_hint
        shrink = min(width // hint_w, height // hint_h)
        scale = next((s for s in (8, 4, 2) if shrink >= s), 1)  # Pillow's draft
        drafted += scale > 1
        if scale > 1:  # else decoded whole
            assert -(-width // scale) >= DRAFT_MARGIN * columns * 16
            assert -(-height // scale) >= DRAFT_MARGIN * rows * 16
    assert drafted == 5


def test_naflex_batches_of_any_make_up_encode_alike(tiny_siglip2):
    encoder = load_encoder(str(tiny_siglip2))
    rng = np.random.default_rng(1)
    images = [
        encoder.preprocessor(Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)))
        for w, h in [(64, 48), (40, 90), (32, 32), (300, 20)]
    ]
    assert len({image.shape for image in images}) == 4
    together = encoder.encode_images(images)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    for image, embedding in zip(images, together, strict=True):
        np.testing.assert_allclose(encoder.encode_images([image])[0], embedding, atol=1e-6)
        # Images of one shape also come stacked, as one array.
        np.testing.assert_allclose(encoder.encode_images(image[None])[0], embedding, atol=1e-6)


def test_naflex_identity_follows_the_patches(tiny_siglip2, tmp_path):
    from tests.tiny_models import make_tiny_siglip2

    encoder = load_encoder(str(tiny_siglip2))
    more = load_encoder(str(make_tiny_siglip2(tmp_path / "more", max_num_patches=25)))
    assert more.identity != encoder.identity
    assert more.preprocessor.max_patches == 25
    exact = load_encoder(str(tiny_siglip2), exact_preprocessing=True)
    assert exact.identity != encoder.identity and not exact.preprocessor.torch_resize
    assert guess_preprocessor(str(tiny_siglip2)) == encoder.preprocessor


def test_naflex_patches_of_another_size_than_the_model_takes_are_refused(tmp_path):
    from tests.tiny_models import make_tiny_siglip2

    model = make_tiny_siglip2(tmp_path / "model", patch_size=16)
    with pytest.raises(ZslError, match="cuts 16 x 16 patches, but the model takes 8 x 8"):
        load_encoder(str(model))


def test_naflex_patches_for_a_model_that_takes_none_are_refused(tiny_clip, tiny_siglip2, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_clip, model)
    shutil.copy(tiny_siglip2 / "preprocessor_config.json", model)
    with pytest.raises(ZslError, match="does not take the patches its NaFlex image processor"):
        load_encoder(str(model))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_num_patches": 0}, "max_num_patches 0 in its preprocessor_config.json is not"),
        ({"do_resize": False}, "cuts images into patches otherwise than SigLIP2's NaFlex"),
    ],
)
def test_naflex_settings_zsl_cannot_follow_are_one_line(tiny_siglip2, tmp_path, settings, message):
    model = tmp_path / "model"
    shutil.copytree(tiny_siglip2, model)
    config = json.loads((model / "preprocessor_config.json").read_text())
    (model / "preprocessor_config.json").write_text(json.dumps({**config, **settings}))
    with pytest.raises(ZslError, match=message):
        load_encoder(str(model))


@pytest.mark.parametrize("load_ends_first", [True, False])
def test_a_model_load_overlapping_a_run_in_another_thread_leaves_the_warning_filters_as_found(
    load_ends_first: bool,
) -> None:
    # A program loads a model (api.open_encoder) in one thread while a run decodes in another.
    # Each saving and putting back the filters it found, a run that began during the load and
    # ended after it put back the load's "ignore every warning" for good.
    import warnings

    from zsl_cli.encoders import quiet_transformers
    from zsl_cli.images import DEFAULT_MAX_PIXELS, pillow_settings

    with warnings.catch_warnings():
        filters = list(warnings.filters)
        load, run = quiet_transformers(), pillow_settings(DEFAULT_MAX_PIXELS)
        first, last = (load, run) if load_ends_first else (run, load)
        first.__enter__()
        last.__enter__()
        first.__exit__(None, None, None)
        last.__exit__(None, None, None)
        assert warnings.filters == filters


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        ("transformers.AutoModel", "from_pretrained"),
        ("transformers.AutoTokenizer", "from_pretrained"),
        # The first image through the processor, which the load checks.
        ("zsl_cli.encoders.hf.ReferencePreprocessor", "__call__"),
    ],
)
def test_a_stop_signal_that_lands_in_a_load_stops_the_run_rather_than_blaming_the_model(
    tiny_clip, monkeypatch, owner, name
):
    # A SIGTERM during transformers' lazy imports once came out as a TypeError raised while the
    # KeyboardInterrupt was handled: "cannot load the model ...: expected a message argument",
    # exit 2, instead of exit 130 with the finished work kept.
    import importlib

    module, attribute = owner.rsplit(".", 1)
    target = getattr(importlib.import_module(module), attribute)
    monkeypatch.setattr("zsl_cli.encoders.hf.fast_preprocessor_from", lambda *_, **__: None)

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise TypeError("expected a message argument") from None

    def failing(*args, **kwargs):
        raise TypeError("expected a message argument")

    monkeypatch.setattr(target, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_encoder(str(tiny_clip))
    monkeypatch.setattr(target, name, failing)
    with pytest.raises(ZslError, match="expected a message argument"):
        load_encoder(str(tiny_clip))


def _without(*names):
    def remove(folder: Path) -> None:
        for name in names:
            (folder / name).unlink()

    return remove


def _config_without_model_type(folder: Path) -> None:
    (folder / "config.json").write_text("{}")


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (
            _without("model.safetensors"),
            "has no weights file (model.safetensors or pytorch_model.bin): copy the whole "
            "save_pretrained folder",
        ),
        (
            _config_without_model_type,
            "has a config.json without model_type: is it the model's own config.json?",
        ),
        (
            _without("tokenizer.json", "vocab.json"),
            "has incomplete tokenizer files (tokenizer.json, or vocab.json with merges.txt): copy "
            "the whole save_pretrained folder",
        ),
    ],
)
def test_a_model_folder_missing_a_part_says_which(tmp_path, damage, why):
    # transformers' own words named the folder twice and said nothing of a fix ("Error no file
    # named model.safetensors, or pytorch_model.bin, found in directory m.").
    folder = tmp_path / "m"
    shutil.copytree(BUNDLED_DIR / "shapes-demo", folder)
    damage(folder)
    with pytest.raises(ZslError) as info:
        load_encoder(str(folder))
    assert info.value.message == f"model directory {folder} {why}"


def test_a_dtype_is_named_as_the_precision_options_name_it() -> None:
    import torch

    from zsl_cli.records import unusable_embedding_cause

    for dtype, option in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        assert dtype_name(dtype) == str(dtype).split(".")[-1]
        assert f"in {option};" in unusable_embedding_cause(dtype_name(dtype), zero=False)
    assert "the model's weights" in unusable_embedding_cause(dtype_name(torch.float32), False)
