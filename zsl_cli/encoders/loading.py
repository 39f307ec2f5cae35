"""Loading a model: which one a name means (bundled, local folder or hub id), loading its parts
with transformers, refusing what would load but give meaningless scores, and saying in one line
why a load failed and what to do.

Importing this module does not import torch; `load_encoder` does.
"""

from __future__ import annotations

import difflib
import gc
import importlib
import inspect
import json
import logging
import os
import re
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from zsl_cli.accents import not_found_hint
from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.encoders.base import (
    Encoder,
    ImagePreprocessor,
    ModelSource,
    check_device,
    check_precision,
)
from zsl_cli.encoders.hub import (
    download_command,
    endpoint_problem,
    hub_offline_set,
    hub_reachable,
)
from zsl_cli.encoders.limits import address_space_limit, no_temporary_folder, system_limit
from zsl_cli.encoders.model_files import (
    damaged_file,
    file_problem,
    hub_snapshot,
    lacks_part,
    lacks_vocabulary,
    local_file_problem,
)
from zsl_cli.errors import JSON_ERRORS, ZslError
from zsl_cli.formatting import clipped_text, printable_text
from zsl_cli.process_settings import SharedOverride, warning_filters_held

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "models"


def bundled_models() -> list[str]:
    if not BUNDLED_DIR.is_dir():
        return []
    return sorted(p.name for p in BUNDLED_DIR.iterdir() if (p / "config.json").is_file())


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or os.sep in name.strip("/").replace("/", "", 1)


def resolve_model(model: str | os.PathLike[str]) -> ModelSource:
    """Where the model `model` names is, without loading it: a bundled model, else a model
    folder (a save_pretrained directory), else a hub id. A name that is none of them, or a
    folder that holds no model, is refused here with what to give instead, before a run
    imports torch or asks the hub."""
    name = os.fspath(model)
    if not name.strip():  # Path("") would be the current folder
        raise ZslError("no model given: name a hub model, a model folder or a bundled model")
    if name in bundled_models():
        return ModelSource(name, str(BUNDLED_DIR / name), is_local=True)
    try:
        path = Path(name).expanduser()
    except RuntimeError:  # ~user/... where there is no such user: a path all the same
        user = name[1:].split("/", 1)[0]
        if not user:  # a container's user: no HOME, and a user id the system has no entry for
            raise ZslError(
                f"model directory not found: {name} (~ cannot be expanded: HOME is not set, "
                "and the system knows no home folder for this user); give the full path, or "
                "set HOME"
            ) from None
        raise ZslError(
            f"model directory not found: {name} (there is no user {user} for ~{user} to be the "
            "home folder of; yours is ~/)"
        ) from None
    try:
        return _resolved_path(name, path)
    except PermissionError as error:  # pathlib says so for a folder it may not enter
        raise ZslError(
            f"model {name}: permission denied reading {error.filename}; check the permissions "
            "of the folder and its files"
        ) from None
    except OSError as error:  # a name longer than a file name may be (ENAMETOOLONG), an I/O error
        raise ZslError(
            f"--model {name}: {error.strerror}; give a save_pretrained directory, a hub id or a "
            "bundled name"
        ) from None


def _resolved_path(name: str, path: Path) -> ModelSource:
    if path.is_dir():
        if not (path / "config.json").is_file():
            broken = file_problem(path / "config.json")  # a link to a file not there
            if broken:
                raise ZslError(f"model {name}: {broken}")
            if path.name.startswith("models--") and (path / "snapshots").is_dir():
                # A hub cache's folder for one model: models--org--name/snapshots/<commit>/.
                hub_id = path.name.removeprefix("models--").replace("--", "/")
                raise ZslError(
                    f"model directory {name} is a Hugging Face cache folder, not a model's "
                    f"files: give its hub id ({hub_id}), which loads from the cache, or one of "
                    "its snapshots/<commit> folders"
                )
            inner = _model_subfolders(path)
            if inner:  # a Trainer's output_dir/checkpoint-N, an archive unpacked into a folder
                example = os.path.join(name, inner[0])
                held = (
                    f"its sub-folder {inner[0]} holds a model: give it ({example})"
                    if len(inner) == 1
                    else f"its sub-folders {', '.join(inner)} hold models: give one ({example})"
                )
                raise ZslError(f"model directory {name} has no config.json, but {held}")
            if (path / OPEN_CLIP_CONFIG).is_file():
                raise ZslError(_open_clip_checkpoint(f"directory {name}"))
            raise ZslError(
                f"model directory {name} has no config.json (is it a save_pretrained folder?)"
            )
        return ModelSource(name, str(path), is_local=True)
    if path.exists():
        if (path.parent / "config.json").is_file():  # model.safetensors or config.json itself
            folder = os.path.dirname(name.rstrip("/")) or "."
            raise ZslError(
                f"--model {name} is a file of a model folder; give the folder ({folder})"
            )
        raise ZslError(
            f"--model {name} is a file; give a save_pretrained directory, a hub id "
            "or a bundled name"
        )
    # A folder there with its accents composed otherwise is the one meant, even under a name
    # that a hub id could be (org/café).
    hint = not_found_hint(path)  # expanded: ~/café
    if hint or _looks_like_path(name):
        raise ZslError(f"model directory not found: {name}{hint}")
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if name.endswith("/"):
        # A folder meant (shell completion adds the '/'), which no hub id ends in: it was told
        # that it was no model folder, no bundled model and no hub id.
        with suppress(HFValidationError):
            validate_repo_id(name.rstrip("/"))
            hint = f" (for the hub model {name.rstrip('/')}, leave out the '/')"
        raise ZslError(f"model directory not found: {name}{hint}")
    try:
        validate_repo_id(name)
    except HFValidationError:
        # Else it would be told to `hf download` a name the hub cannot hold.
        raise ZslError(
            f"--model {name} is not a model folder, a bundled model or a Hugging Face hub id "
            f"(`org/name`: letters, digits, '-', '_' and '.'); {_bundled_hint(name, 'bundled: {}')}"
        ) from None
    return ModelSource(name, name, is_local=False)


def _model_subfolders(folder: Path) -> list[str]:
    """The names of `folder`'s sub-folders that hold a config.json, the first three of them."""
    inner = sorted(
        entry.name for entry in folder.iterdir() if os.path.isfile(entry / "config.json")
    )
    return inner[:3] + ([f"... ({len(inner)} in all)"] if len(inner) > 3 else [])


def _bundled_hint(name: str, listed: str) -> str:
    """The bundled model `name` may misspell (did you mean), else `listed` filled with the list
    of them."""
    bundled = bundled_models()
    close = difflib.get_close_matches(name, bundled, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]}?"
    return listed.format(", ".join(bundled) or "none")


def guess_preprocessor(
    name: str | os.PathLike[str], revision: str | None = None
) -> ImagePreprocessor | None:
    """The model's fast preprocessing read from its saved settings without importing torch, or
    None when they are not at hand. A guess: callers compare it with the loaded encoder's."""
    from zsl_cli.encoders.preprocess import fast_preprocessor_from

    try:
        source = resolve_model(name)
        settings = _cached_json(source, "preprocessor_config.json", revision)
        if settings is None:  # newer processors nest the image settings in processor_config.json
            settings = (_cached_json(source, "processor_config.json", revision) or {}).get(
                "image_processor"
            )
        fast = (
            fast_preprocessor_from(_legacy_size(settings)) if isinstance(settings, dict) else None
        )
    except (ZslError, OSError, TypeError, AttributeError, *JSON_ERRORS):
        return None  # the load tells what is wrong with the file
    return fast[0] if fast else None


# Processors that read a bare `"size": N` (the format of older configs, such as
# openai/clip-vit-base-patch32's) as a shortest-edge resize; the others take it as N x N.
_SHORTEST_EDGE_SIZE = (
    "CLIPImageProcessor",
    "CLIPFeatureExtractor",
    "ChineseCLIPImageProcessor",
    "ChineseCLIPFeatureExtractor",
)


def _legacy_size(settings: dict) -> dict:
    size = settings.get("size")
    if not isinstance(size, int) or isinstance(size, bool):
        return settings
    kind = str(settings.get("image_processor_type") or settings.get("feature_extractor_type"))
    if kind.removesuffix("Pil").removesuffix("Fast") in _SHORTEST_EDGE_SIZE:
        return {**settings, "size": {"shortest_edge": size}}
    return settings


def _cached_json(source: ModelSource, filename: str, revision: str | None) -> dict | None:
    path: Path | None
    if source.is_local:
        path = Path(source.location) / filename
    else:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(source.location, filename, revision=revision)
        path = Path(cached) if isinstance(cached, str) else None
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# transformers imports its classes on first use, and threads doing that at once can fail
# ("cannot import name 'AutoModel' from 'transformers'"); the collector pause is per process
# too. Models load one at a time.
_LOADING = threading.Lock()


def check_revision(name: str | os.PathLike[str], revision: str | None) -> None:
    """Refuse a `revision` no version of the model `name` can be: an empty one, or any for a
    bundled model or a model folder, which has one version. Neither imports torch nor asks the
    hub, so a run checks it before it scans its inputs; a name that names no model is left to
    the load to report."""
    if revision is None:
        return
    if not revision.strip():
        # `--revision "$REV"` with REV unset; the hub client would look for a revision "".
        raise ZslError(
            "--revision is empty: give a branch, tag or commit hash of the hub model, or leave "
            "--revision out for its default branch (main)"
        )
    try:
        source = resolve_model(name)
    except ZslError:
        return
    if source.is_local:
        raise ZslError(
            f"--revision {revision}: a revision chooses a version of a model on the Hugging Face "
            f"hub; {source.name} is a local folder or a bundled model, which has one version: "
            "leave --revision out"
        )


def load_encoder(
    name: str | os.PathLike[str] = DEFAULT_MODEL,
    *,
    device: str = "auto",
    precision: str = "auto",
    exact_preprocessing: bool = False,
    trust_remote_code: bool = False,
    revision: str | None = None,
    freeze_after_load: bool = False,
) -> Encoder:
    """Load a dual image/text encoder. Raises ZslError with a one-line fix when unavailable.

    freeze_after_load: for one-shot processes such as the CLI. Everything alive once the model is
    loaded moves out of the cyclic garbage collector's reach (`gc.freeze`), which skips the full
    collection over it that would otherwise follow the load (~0.5 s on 2 cores). Frozen objects
    are never collected, so a long-lived process that loads models again should leave it off.
    """
    check_device(device)
    precision = check_precision(precision)
    if sys.flags.optimize >= 2:
        # transformers builds its classes' signatures from their docstrings: every load failed,
        # blaming the model, after transformers printed ten lines of complaints to stdout.
        raise ZslError(
            "python -OO or PYTHONOPTIMIZE=2 strips the docstrings transformers reads to load a "
            "model: unset PYTHONOPTIMIZE (or set it to 1) and run without -OO"
        )
    endpoint = endpoint_problem()
    if endpoint is not None:
        raise ZslError(endpoint)
    _make_room_for_scipy_blas()
    check_revision(name, revision)
    source = resolve_model(name)
    try:
        try:
            with _LOADING, _collector_paused(freeze_after=freeze_after_load):
                from zsl_cli.encoders.hf import (
                    TransformersEncoder,
                    pick_device,
                    pick_dtype,
                    start_cpu_threads,
                )

                torch_device = pick_device(device)
                dtype = pick_dtype(precision, torch_device)
                # Before anything of torch runs in parallel: see start_cpu_threads.
                start_cpu_threads(torch_device)
                model, tokenizer, image_processor = _load_parts(source, trust_remote_code, revision)
            _check_parts(
                source.name, model, tokenizer, image_processor, _image_settings_file(source)
            )
            encoder = TransformersEncoder(
                source,
                model,
                tokenizer,
                image_processor,
                torch_device,
                dtype,
                exact_preprocessing,
                revision=revision,
            )
            # One prompt through the text model now (milliseconds; a store's width needs it
            # anyway): a model that gives no single embedding per text (BLIP-2's Blip2Model) is
            # refused at load, before a run creates its output or its store, not at its first
            # prompts.
            _ = encoder.dim
        except (ImportError, OSError, MemoryError, RuntimeError) as error:
            # torch's and transformers' own imports, outside the parts' loads (which report
            # their errors themselves), starting torch's threads and that first prompt can run
            # into a limit of the system too.
            no_folder = no_temporary_folder(error)
            if no_folder is not None:
                raise ZslError(no_folder) from None
            limit = system_limit(error)
            if limit is None:
                raise
            raise ZslError(f"cannot load the model {source.name}: {limit}") from None
        return encoder
    except Exception as error:  # whatever a Ctrl-C came out as, in the first prompt too
        _raise_an_interrupt_behind(error)
        raise


# What a model load needs at the very least once zsl runs: torch's libraries alone map more.
MIN_LOAD_ADDRESS_SPACE = 256 * 2**20


def _make_room_for_scipy_blas() -> None:
    """Under an address-space limit (ulimit -v), load scipy's OpenBLAS now, while there is room.

    transformers imports scipy during the load wherever it is installed. The OpenBLAS that scipy
    bundles (0.3.30 in scipy 1.17) retries its 33 MB buffer for ever when the limit leaves room
    for the library but not for that buffer: `zsl label` spun at 100% CPU and no signal but
    SIGKILL ended it. Here, with the model still to load, it has room, and what runs out later
    fails in Python, which the load reports. Without a limit nothing changes.
    """
    limit = address_space_limit()
    if limit is None:
        return
    used = _address_space_used()
    if used is not None and limit - used < MIN_LOAD_ADDRESS_SPACE:
        raise ZslError(
            f"the address-space limit (ulimit -v {limit // 1024}) leaves "
            f"{max(limit - used, 0) // 2**20} MB for the model, which needs over "
            f"{MIN_LOAD_ADDRESS_SPACE // 2**20} MB to load; raise the limit or lift it "
            "(ulimit -v unlimited)"
        )
    with suppress(Exception):  # no scipy, or a library that does not fit: the load will say
        importlib.import_module("scipy.linalg")


def _address_space_used() -> int | None:
    """This process's virtual memory in bytes, as the limit counts it (Linux); else None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def _collector_paused(freeze_after: bool = False) -> Iterator[None]:
    """No cyclic garbage collection while torch and transformers import and the model loads.

    They allocate millions of long-lived objects, so the collector would run its full passes
    many times over a growing heap and free nothing (0.5-1 s of a 5-6 s load on 2 cores). Once
    collection resumes, the first allocation triggers one full pass over all of them, unless they
    are frozen first (`freeze_after`).

    Paused by a first threshold no load reaches rather than by gc.disable: the collector is
    process-wide, and whether it is enabled is the host program's to change meanwhile, from
    another thread (gc.disable made during a load was undone as the load ended); the thresholds
    are put back only if nobody set others meanwhile. Loads take turns (`_LOADING`), so one pause
    is in force at a time.
    """
    saved = gc.get_threshold()
    gc.set_threshold(_PAUSED_THRESHOLD, *saved[1:])
    paused = gc.get_threshold()
    try:
        yield
    finally:
        if freeze_after:
            gc.freeze()
        if gc.get_threshold() == paused:
            gc.set_threshold(*saved)


# Allocations (less deallocations) of tracked objects before a collection: a load makes a few
# million.
_PAUSED_THRESHOLD = 10**9


MIN_VOCABULARY = 32  # a real tokenizer has thousands of tokens; a stand-in has its specials


def _check_feature_heads(name: str, model: Any) -> None:
    if not all(hasattr(model, f) for f in ("get_image_features", "get_text_features")):
        raise ZslError(
            f"model {name} ({type(model).__name__}) has no image and text feature heads; "
            "zsl needs a dual encoder such as CLIP or SigLIP"
        )


def _image_settings_file(source: ModelSource) -> str:
    """The file the image processor's settings came from, to name in messages."""
    folder = Path(source.location)
    nested = (  # newer processors nest the image settings in processor_config.json
        source.is_local
        and not (folder / "preprocessor_config.json").is_file()
        and (folder / "processor_config.json").is_file()
    )
    return "processor_config.json" if nested else "preprocessor_config.json"


def _check_parts(
    name: str,
    model: Any,
    tokenizer: Any,
    image_processor: Any,
    settings_file: str = "preprocessor_config.json",
) -> None:
    """Refuse what would load but give meaningless or no scores."""
    kind = type(model).__name__
    if len(tokenizer) < MIN_VOCABULARY:
        # transformers builds an empty tokenizer when the files are missing: every prompt would
        # tokenize alike and every class score the same.
        raise ZslError(
            f"model {name}: its tokenizer has only {len(tokenizer)} tokens; are the tokenizer "
            "files (tokenizer.json, vocab.json, ...) missing from the model folder?"
        )
    inputs = set(getattr(image_processor, "model_input_names", None) or ["pixel_values"])
    extra = inputs - {"pixel_values"}
    naflex = (
        extra == NAFLEX_INPUTS and getattr(image_processor, "max_num_patches", None) is not None
    )
    if extra and not naflex:
        raise ZslError(
            f"model {name} ({kind}) takes images with {', '.join(sorted(extra))} (variable "
            "resolution), which zsl does not support; use a fixed-resolution model"
        )
    from zsl_cli.encoders.preprocess import reference_input_size, settings_problem

    problem = settings_problem(image_processor)
    if problem:
        setting, wrong = problem
        raise ZslError(
            f"model {name}: {setting} in its {settings_file} {wrong}; correct it there, or "
            "download the file again"
        )
    if naflex:
        _check_naflex(name, model, image_processor.patch_size, settings_file)
        return
    size = reference_input_size(image_processor)
    if size is None:
        raise ZslError(
            f"model {name}: its image processor gives images of varying size (no centre crop "
            "and no fixed height and width), which zsl cannot batch"
        )
    vision = getattr(model.config, "vision_config", None)
    expected = getattr(vision, "image_size", None)
    # Only a patch-based tower (ViT) is tied to its size; ALIGN's EfficientNet says 600, takes 289.
    # One that resizes its position embeddings to the input is not: CLIPSeg says 224, takes 352.
    tied = getattr(vision, "patch_size", None) is not None and not _interpolates_positions(model)
    if tied and isinstance(expected, int) and size != (expected, expected):
        raise ZslError(
            f"model {name}: its image processor makes {size[0]} x {size[1]} images, but the "
            f"model takes {expected} x {expected}; fix crop_size/size in {settings_file}"
        )


# What SigLIP2's NaFlex processor gives besides pixel_values: each image's patches come padded
# to max_num_patches, with a mask of its own and its grid's (rows, columns).
NAFLEX_INPUTS = {"pixel_attention_mask", "spatial_shapes"}


def _check_naflex(name: str, model: Any, patch_size: int, settings_file: str) -> None:
    kind = type(model).__name__
    if not _takes_argument(model.get_image_features, "spatial_shapes"):
        raise ZslError(
            f"model {name} ({kind}) does not take the patches its NaFlex image processor makes "
            f"(with pixel_attention_mask, spatial_shapes); is its {settings_file} from another "
            "model?"
        )
    vision = getattr(model.config, "vision_config", None)
    expected = getattr(vision, "patch_size", None)
    if isinstance(expected, int) and expected != patch_size:
        raise ZslError(
            f"model {name}: its image processor cuts {patch_size} x {patch_size} patches, but "
            f"the model takes {expected} x {expected}; fix patch_size in {settings_file}"
        )


def _takes_argument(method: Any, argument: str) -> bool:
    try:
        return argument in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _interpolates_positions(model: Any) -> bool:
    """Whether the model's image features resize its position embeddings to any input size by
    default (CLIPSeg), rather than only when asked to."""
    try:
        parameters = inspect.signature(model.get_image_features).parameters
    except (TypeError, ValueError):
        return False
    option = parameters.get("interpolate_pos_encoding")
    if option is None:
        # Before transformers 4.47, CLIPSeg had no such option: it always resized them.
        return getattr(model.config, "model_type", None) == "clipseg"
    return option.default is True


def pil_image_processor(location: str, **options: Any) -> Any:
    """The model's image processor in its PIL implementation, whatever else is installed: with
    torchvision, transformers 5 picks a torchvision one whose pixels differ by up to a grey level,
    so scores and stored embeddings would depend on the environment (--exact-preprocessing follows
    PIL).
    """
    # By module path: without torchvision, some 5.x releases (5.17) export a placeholder as
    # `transformers.AutoImageProcessor` and as `transformers.models.auto.image_processing_auto`.
    auto = importlib.import_module("transformers.models.auto.image_processing_auto")
    # `backend` arrived during 5.x (5.0 ignores it); `use_fast=False` says the same before that.
    backend = {"backend": "pil"} if hasattr(auto, "_resolve_backend") else {"use_fast": False}
    return auto.AutoImageProcessor.from_pretrained(location, **options, **backend)


def _load_parts(
    source: ModelSource, trust_remote_code: bool, revision: str | None
) -> tuple[Any, Any, Any]:
    from transformers import AutoModel, AutoTokenizer, __version__

    # Any: transformers types each keyword of from_pretrained, and a dict of mixed values
    # matches none of them.
    options: dict[str, Any] = {"trust_remote_code": trust_remote_code, "revision": revision}
    offline = not source.is_local and (hub_offline_set() or not hub_reachable())
    if offline:
        options["local_files_only"] = True  # the cache only: no request, no retries
    try:
        with quiet_transformers():
            # Mismatched shapes come back in `loading` (checked below) rather than as an error
            # that points at a report the quiet logging hides.
            model, loading = AutoModel.from_pretrained(
                source.location, output_loading_info=True, ignore_mismatched_sizes=True, **options
            )
            prefix = _prefix_left_on(loading)
            if prefix is not None and int(__version__.split(".")[0]) >= 5:  # key_mapping
                # transformers 5.10-5.20 (the newest on Python 3.10) leave a task checkpoint's
                # prefix of its base model on its keys (CLIPSeg's `clip.`), every weight random.
                # Loaded again without it, the weights are checked below as any are.
                del model
                gc.collect()
                model, loading = AutoModel.from_pretrained(
                    source.location,
                    output_loading_info=True,
                    ignore_mismatched_sizes=True,
                    key_mapping={f"^{re.escape(prefix)}\\.": ""},
                    **options,
                )
    except Exception as error:  # transformers raises OSError, ValueError, hub errors, ...
        raise _load_failure(source, "model", error, offline, revision) from None
    # Before the tokenizer loads: an image tower has none, and that is not what to fix.
    _check_feature_heads(source.name, model)
    _check_weights(source, model, loading)
    part = "tokenizer"
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(source.location, **options)
            part = "image processor"
            image_processor = pil_image_processor(source.location, **options)
    except Exception as error:
        raise _load_failure(source, part, error, offline, revision) from None
    if offline and len(tokenizer) < MIN_VOCABULARY:
        # A cache filled by a program that loaded the model alone: transformers builds a
        # tokenizer of special tokens from what is there, where a download would fetch the rest.
        snapshot = hub_snapshot(source.location, revision)
        if snapshot is None or lacks_vocabulary(snapshot):
            raise ZslError(_not_available_offline(source, revision))
    return model, tokenizer, image_processor


def _prefix_left_on(loading: dict[str, Any]) -> str | None:
    """The first part of a name (CLIPSeg's `clip`) under which the checkpoint holds the most
    weights transformers found missing, as it did not take it off; None if none is there."""
    missing = set(loading.get("missing_keys") or [])
    found: Counter[str] = Counter()
    for key in loading.get("unexpected_keys") or []:
        prefix, _, name = key.partition(".")
        if name in missing:
            found[prefix] += 1
    return found.most_common(1)[0][0] if found else None


def _load_failure(
    source: ModelSource, part: str, error: Exception, offline: bool, revision: str | None
) -> ZslError:
    no_folder = no_temporary_folder(error)  # transformers imports a model's code as it loads
    if no_folder is not None:
        return ZslError(no_folder)
    limit = system_limit(error)
    if limit is not None:
        what = "model" if part == "model" else f"{part} of model"
        return ZslError(f"cannot load the {what} {source.name}: {limit}")
    # transformers' message may be about a symptom ("header too small", "'list' object has no
    # attribute 'get'"); a damaged file in a folder or in the hub cache can be named, with what
    # to do.
    if source.is_local:
        problem = local_file_problem(Path(source.location), part)
        missing = False
    else:
        snapshot = hub_snapshot(source.location, revision)
        missing = snapshot is None or lacks_part(snapshot, part)
        fix = (
            f"download it again (`{download_command(source.location, revision)} --force-download`)"
        )
        problem = None if snapshot is None else damaged_file(snapshot, part, fix)
    if problem:
        return ZslError(f"model {source.name}: {problem}")
    # Offline, only what the cache lacks is for a download to fix: a cached model can fail to
    # load for other reasons (an architecture this transformers does not know, a library its
    # tokenizer needs), which transformers' message tells.
    message = _load_failure_message(source, part, error, offline and missing, revision)
    if not source.is_local and part == "model" and _cached_open_clip(source.location, revision):
        # The cache holds what some program fetched, not what the hub has: LAION's repos hold
        # transformers files beside open_clip's, which open_clip alone leaves out.
        message += (
            f" (the cache holds its open_clip files only, {OPEN_CLIP_CONFIG}: zsl loads the "
            "transformers files, config.json and its weights, where the hub repo has them, and "
            "cannot load an open_clip checkpoint)"
        )
    return ZslError(message)


# An open_clip (or timm) checkpoint's settings, in place of transformers' config.json.
OPEN_CLIP_CONFIG = "open_clip_config.json"


def _open_clip_checkpoint(named: str) -> str:
    return (
        f"model {named} is an open_clip checkpoint ({OPEN_CLIP_CONFIG}, no config.json), which "
        "zsl cannot load: it loads transformers checkpoints; give a transformers version of the "
        "model (a hub id or save_pretrained folder with a config.json)"
    )


def _cached_open_clip(hub_id: str, revision: str | None) -> bool:
    """Whether the Hugging Face cache holds `hub_id` at `revision` as an open_clip checkpoint."""
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(hub_id, OPEN_CLIP_CONFIG, revision=revision)
    return isinstance(cached, str) and not (Path(cached).parent / "config.json").is_file()


_LAYER_NUMBER = re.compile(r"(?<=\.)\d+(?=\.)")  # layers.3.mlp -> layers.N.mlp


def _check_weights(source: ModelSource, model: Any, loading: dict[str, Any]) -> None:
    # (key, shape in the checkpoint, shape in the model); transformers 4.51-4.57 give the key alone.
    mismatched = sorted(
        (
            entry if isinstance(entry, (tuple, list)) else (entry, None, None)
            for entry in loading.get("mismatched_keys") or []
        ),
        key=lambda entry: str(entry[0]),
    )
    if mismatched:
        # transformers filled them with random values, as it does missing ones.
        key, in_checkpoint, in_model = mismatched[0]
        example = str(key)
        if in_model is not None:
            shapes = f"{_shape(in_checkpoint)} in the checkpoint, {_shape(in_model)} in the model"
            example = f"{key}: {shapes}"
        raise ZslError(
            f"model {source.name}: {len(mismatched)} weights in its checkpoint do not have the "
            f"shape its config.json gives (e.g. {example}); are config.json and the weights from "
            "one model?"
        )
    missing = sorted(loading.get("missing_keys") or [])
    if missing:
        # transformers fills them with random values: scores would change from run to run.
        raise ZslError(_missing_weights_message(source, model, missing))
    # Weights the model has no place for are left out without a word; most are heads of a
    # larger class (segmentation, pre-training), but further layers of a stack the model has
    # mean config.json gives it fewer layers than it was trained with.
    stacks = {_LAYER_NUMBER.sub("N", key) for key in model.state_dict()}
    extra = sorted(
        key for key in loading.get("unexpected_keys") or [] if _LAYER_NUMBER.sub("N", key) in stacks
    )
    if extra:
        raise ZslError(
            f"model {source.name}: {len(extra)} weights in its checkpoint are of layers its "
            f"config.json does not have (e.g. {extra[0]}); are config.json and the weights "
            "from one model?"
        )


def _shape(size: Any) -> str:
    return " x ".join(str(n) for n in size) or "a single value"


def _missing_weights_message(source: ModelSource, model: Any, missing: list[str]) -> str:
    architectures = getattr(model.config, "architectures", None) or []
    loaded = type(model).__name__
    if architectures and loaded not in architectures:
        # E.g. a BLIP-2 retrieval checkpoint, loaded as the BLIP-2 model with a language model.
        return (
            f"model {source.name} is a {architectures[0]} checkpoint, which zsl cannot use: its "
            f"model type loads as {loaded}, whose weights it lacks ({len(missing)}, e.g. "
            f"{missing[0]}); zsl needs a model with image and text feature heads (CLIP, SigLIP)"
        )
    return (
        f"model {source.name}: {len(missing)} weights are missing from its checkpoint "
        f"(e.g. {', '.join(missing[:3])}); is the weights file complete?"
    )


# The modules a Python warning raised while a model loads is attributed to: the libraries that
# load it, and (a warning about the caller's arguments, stacklevel=2) ours that call them.
# Warning filters are process-wide: an "ignore" of every module dropped the warnings of the host
# program's other threads for the whole load.
_LOADING_MODULES = (
    r"(?:transformers|transformers_modules|huggingface_hub|tokenizers|safetensors|torch"
    r"|torchvision|accelerate|timm|sentencepiece|google\.protobuf"
    r"|zsl_cli\.encoders\.loading|zsl_cli\.demo\.evaluate)(?:\.|$)"
)


def _logging_levels() -> tuple[int, bool, int]:
    """transformers' verbosity and whether it shows progress bars, and huggingface_hub's level."""
    import transformers

    return (
        transformers.logging.get_verbosity(),
        transformers.logging.is_progress_bar_enabled(),
        logging.getLogger("huggingface_hub").level,
    )


def _put_back_logging(levels: tuple[int, bool, int]) -> None:
    import transformers

    verbosity, bars, hub_level = levels
    transformers.logging.set_verbosity(verbosity)
    if bars:
        transformers.logging.enable_progress_bar()
    logging.getLogger("huggingface_hub").setLevel(hub_level)


def _quiet_logging() -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)


# Loads that overlap (a host program's own, under quiet_transformers, beside api.open_encoder's)
# end in any order: the last to end puts back the host program's levels.
_QUIET_LOGGING = SharedOverride(_logging_levels, _put_back_logging)


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Their warnings, retry notices and weight-loading bars are not actionable for our users,
    and stderr is ours; the host program's settings come back afterwards. Python warnings too
    (transformers 4.45 warned on every tokenizer load that a setting was not set), those of the
    loading libraries only: the host program's other threads keep theirs."""
    with _QUIET_LOGGING.held(_quiet_logging), warning_filters_held():
        warnings.filterwarnings("ignore", module=_LOADING_MODULES)
        yield


def _raise_an_interrupt_behind(error: BaseException) -> None:
    """Raise the KeyboardInterrupt `error` was raised while handling: a Ctrl-C or SIGTERM that
    landed in transformers' lazy imports once came out as a TypeError, which the load's checks
    read as a broken model (exit 2) rather than a stopped run (exit 130)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            raise cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__


def _load_failure_message(
    source: ModelSource, part: str, error: Exception, missing_offline: bool, revision: str | None
) -> str:
    text = " ".join(str(error).split())
    clipped = clipped_text(text)
    if "Weights only load failed" in text:
        # torch's words advise loading with weights_only=False or allowlisting the globals: a
        # switch zsl does not have, and one that would run whatever code the file holds.
        return (
            f"model {source.name}: its .bin weights hold pickled Python objects besides tensors, "
            "which zsl does not load (they could run code); save the weights as safetensors "
            "(save_pretrained writes model.safetensors) and give that folder"
        )
    if "trust_remote_code" in text:
        return (
            f"model {source.name} needs custom code from its repository; "
            "re-run with --trust-remote-code if you trust it"
        )
    unknown = _UNKNOWN_MODEL_TYPE.search(text)
    if unknown:
        # transformers' advice (pip install --upgrade, or from source) ran past the cut.
        from transformers import __version__

        release = ".".join(__version__.split(".")[:2])
        check = "check the model folder" if source.is_local else "check the model's config.json"
        return (
            f"cannot load the model {source.name}: its config.json names model type "
            f"'{printable_text(clipped_text(unknown.group(1), 80))}', which transformers "
            f"{release} does not know (upgrade transformers, or {check})"
        )
    what = "model" if part == "model" else f"{part} of model"
    if source.is_local:
        why = _local_files_missing(text)
        if why is not None:
            return f"model directory {source.name} {why}"
        return f"cannot load the {what} {source.name} from {source.location}: {clipped}"
    not_available = any(
        marker in text
        for marker in ("offline", "couldn't connect", "not the path to a directory", "cannot find")
    )
    if (
        missing_offline
        or not_available
        or type(error).__name__.endswith(("NotFoundError", "ConnectError"))
    ):
        return _not_available_offline(source, revision)
    return f"cannot load the {what} {source.name}: {clipped}"


# transformers' words (4.45 to 5.x) for a config.json whose model_type it has no class for.
_UNKNOWN_MODEL_TYPE = re.compile(r"has model type `(.*?)` but Transformers does not recognize")


def _local_files_missing(text: str) -> str | None:
    """What a local model folder lacks, from transformers' words for it (which name the folder
    twice and say nothing of a fix), where they tell; else None."""
    if "no file named" in text and "found in directory" in text:
        return (
            "has no weights file (model.safetensors or pytorch_model.bin): copy the whole "
            "save_pretrained folder"
        )
    if "model_type` key" in text or "model_type key" in text:  # "Should have a `model_type` key"
        return "has a config.json without model_type: is it the model's own config.json?"
    if "vocab" in text and "merges" in text and "both" in text:  # "`vocab` and `merges` must"
        return (
            "has incomplete tokenizer files (tokenizer.json, or vocab.json with merges.txt): "
            "copy the whole save_pretrained folder"
        )
    return None


def _not_available_offline(source: ModelSource, revision: str | None) -> str:
    why = "offline mode is set" if hub_offline_set() else "the hub cannot be reached"
    # A revision's files are cached apart: others of the model may be there.
    at = f" at revision {revision}" if revision else ""
    return (
        f"model {source.name}{at} is not available offline (not in the Hugging Face cache "
        f"and {why}): download it once with network access "
        f"(`{download_command(source.name, revision)}`), "
        "or pass a local save_pretrained directory, "
        f"or use a bundled model ({_bundled_hint(source.name, '{}')})"
    )
