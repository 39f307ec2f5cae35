"""What is wrong with the files of a local model folder, said with what to do about it.

transformers' own message for a damaged file is often about a symptom ("header too small",
"'list' object has no attribute 'get'"); a load that failed asks here which file is to blame.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from zsl_cli.errors import JSON_ERRORS
from zsl_cli.formatting import printable

# The files each part of a model loads from a folder (those it has), in the order a problem
# with them is looked for; weight shards come from the index.
_PART_FILES = {
    "model": (
        "config.json",
        "model.safetensors.index.json",
        "model.safetensors",
        "pytorch_model.bin.index.json",
        "pytorch_model.bin",
    ),
    "tokenizer": (
        "tokenizer_config.json",
        "tokenizer.json",
        "vocab.json",
        "merges.txt",
        "vocab.txt",
        "spiece.model",
        "sentencepiece.bpe.model",
        "special_tokens_map.json",
        "added_tokens.json",
    ),
    "image processor": ("preprocessor_config.json", "processor_config.json"),
}
ZIP_START = b"PK\x03\x04"  # a zip archive's first local file header
_JSON_KINDS = {
    list: "a JSON array",
    str: "a JSON string",
    int: "a JSON number",
    float: "a JSON number",
}


def local_file_problem(folder: Path, part: str) -> str | None:
    """What is wrong with the files a part of the model loads from `folder`, with what to do:
    for a load that failed."""
    problem = damaged_file(folder, part)
    if problem:
        return problem
    if part == "model":
        missing = _missing_shard(folder)
        if missing:
            index, shard = missing
            return (
                f"its {index} names {shard}, which is not in the folder; copy it from where the "
                "model came from"
            )
    if not any(os.path.lexists(folder / name) for name in _PART_FILES[part]):
        if part == "image processor":
            return (
                "it has no preprocessor_config.json (its image preprocessing settings); copy "
                "the file from where the model came from"
            )
        if part == "tokenizer":
            return (
                "it has no tokenizer files (tokenizer.json, vocab.json, ...); copy them from "
                "where the model came from"
            )
    return None


def damaged_file(folder: Path, part: str, cache_fix: str | None = None) -> str | None:
    """What is wrong with a file, of those a part of the model loads, that `folder` has, with what
    to do. `cache_fix`: for a Hugging Face cache's snapshot folder, the command that fetches a
    file again (a plain download keeps the cached copy)."""
    names = list(_PART_FILES[part])
    if part == "model":
        names += _shard_names(folder / "model.safetensors.index.json")
        names += _shard_names(folder / "pytorch_model.bin.index.json")
    for name in names:
        problem = file_problem(folder / name, cache_fix)
        if problem:
            return problem
    return None


def lacks_part(folder: Path, part: str) -> bool:
    """Whether `folder` lacks the files a part of the model loads: for the model, its config.json
    or weights (a single file, or every shard an index names); else all of the part's files."""
    if part != "model":
        return not any((folder / name).is_file() for name in _PART_FILES[part])
    if not (folder / "config.json").is_file():
        return True
    for single, index in WEIGHT_FILES:
        if (folder / single).is_file():
            return False
        if (folder / index).is_file():  # a damaged index names no shard: damaged_file tells
            return not all((folder / shard).is_file() for shard in _shard_names(folder / index))
    return True


# The tokenizer files that hold its vocabulary; without any, transformers builds a tokenizer of
# special tokens alone, without a word.
_VOCABULARY_FILES = (
    "tokenizer.json",
    "vocab.json",
    "vocab.txt",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.model",
)


def lacks_vocabulary(folder: Path) -> bool:
    """Whether `folder` lacks every file a tokenizer's vocabulary comes from."""
    return not any((folder / name).is_file() for name in _VOCABULARY_FILES)


# What transformers loads, in its order of preference: safetensors, then a pickled state dict;
# one file or the shards an index names. Other weight files (an open_clip copy, say) are left
# out, since a hub cache holds only what was loaded and a full download holds everything.
WEIGHT_FILES = (
    ("model.safetensors", "model.safetensors.index.json"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json"),
)


def loaded_weight_files(folder: Path) -> list[Path]:
    """The weight files transformers loads from `folder`; none where its index is damaged."""
    for single, index in WEIGHT_FILES:
        if (folder / single).is_file():
            return [folder / single]
        if (folder / index).is_file():
            return [folder / shard for shard in _shard_names(folder / index)]
    return []


def weight_file_records(folder: Path) -> list[dict[str, str | int]]:
    """Each weight file transformers loads from `folder` (`loaded_weight_files`) as a run info
    records it: its name in the folder, its size in bytes and its modification time (UTC, to the
    microsecond), which tell weights saved over the same files apart as rsync tells files apart.
    Not a hash of the bytes, which reads the whole model (seconds a gigabyte) at every run.
    Raises OSError for a file that cannot be looked at."""
    records: list[dict[str, str | int]] = []
    for file in loaded_weight_files(folder):
        status = file.stat()  # links followed: the weights they lead to
        microseconds = status.st_mtime_ns // 1000
        modified = datetime.fromtimestamp(microseconds // 10**6, timezone.utc)
        modified = modified.replace(microsecond=microseconds % 10**6)
        records.append(
            {
                "name": file.relative_to(folder).as_posix(),
                "bytes": status.st_size,
                "modified": modified.isoformat(timespec="microseconds"),
            }
        )
    return records


def weight_files_fingerprint(files: list[Path]) -> str:
    """A content hash of a model's weight files (`loaded_weight_files`): the same for a copy of
    them elsewhere, however its folder is named or reached."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(_file_hash(file).encode())
    return digest.hexdigest()


def _file_hash(file: Path) -> str:
    # Hub cache files are symlinks to blobs; a large (LFS) file's blob is named by the SHA-256 of
    # its content, the very hash computed below: no need to read it. (A small file's blob is
    # named by its git SHA-1, which a copy of the file would not give.)
    target = Path(os.path.realpath(file))
    if target != file and len(target.name) == 64 and _is_hex(target.name):
        return target.name
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def hub_snapshot(hub_id: str, revision: str | None) -> Path | None:
    """The Hugging Face cache's folder of a hub model's files at `revision` (a branch, tag or
    commit; default main), or None when not even its config.json is there."""
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(hub_id, "config.json", revision=revision)
    return Path(cached).parent if isinstance(cached, str) else None


def _missing_shard(folder: Path) -> tuple[str, str] | None:
    """(index, shard) for the first shard that the index transformers loads names and `folder`
    lacks, or None."""
    for single, index in WEIGHT_FILES:
        if (folder / single).is_file():
            return None
        if (folder / index).is_file():
            for shard in _shard_names(folder / index):
                if not os.path.lexists(folder / shard):  # a broken link is damaged_file's
                    return index, shard
            return None
    return None


def _shard_names(index: Path) -> list[str]:
    try:
        return sorted(set(json.loads(index.read_bytes())["weight_map"].values()))
    except (OSError, TypeError, KeyError, AttributeError, *JSON_ERRORS):
        return []  # a damaged index is reported on its own


def file_problem(path: Path, cache_fix: str | None = None) -> str | None:
    """What is wrong with one file of a model folder, with what to do (`damaged_file`)."""
    name = path.name
    again = cache_fix or "download it again"
    if path.is_symlink() and not path.exists():
        # What `cp -r` of a Hugging Face cache snapshot leaves: links to ../../blobs/<hash>.
        return f"its {name} is a broken symbolic link (to {printable(os.readlink(path))}); " + (
            cache_fix
            or "copy the model folder again following links (cp -rL), or download it again"
        )
    if path.is_dir():
        return f"its {name} is a folder, not a file; {again}"
    if not path.is_file():
        # Never opened: a named pipe would wait for a writer, /dev/zero never end. transformers
        # passes over such a file, as if the folder had none.
        kind = _special_file_kind(path)
        if kind is None:
            return None
        link = f" (a link to {printable(os.readlink(path))})" if path.is_symlink() else ""
        return f"its {name} is {kind}{link}, not a file; {again}"
    try:
        content = path.read_bytes() if name.endswith(".json") else _head(path)
        size = path.stat().st_size
    except OSError as error:
        return f"its {name} cannot be read ({error.strerror or error}); check its permissions"
    if not content:
        return f"its {name} is empty; {again}"
    if content.startswith(b"version https://git-lfs"):
        return (
            f"its {name} is a Git LFS pointer, not the file itself; fetch the files with "
            f"`git lfs pull` in {path.parent}"
        )
    if name.endswith(".json"):
        try:
            settings = json.loads(content.decode("utf-8"))
        except JSON_ERRORS as error:
            return f"its {name} is not valid JSON ({_json_error(error)}); {again}"
        if not isinstance(settings, dict):
            kind = _JSON_KINDS.get(type(settings), "a JSON value")
            return f"its {name} holds {kind}, not an object; {again}"
    if name.endswith(".bin") and content.startswith(ZIP_START) and not zipfile.is_zipfile(path):
        # torch.save writes a zip archive, whose directory is at its end: a cut copy has none.
        return f"its {name} is incomplete or damaged (not a whole zip archive); {again}"
    if name.endswith(".safetensors"):
        expected = _safetensors_size(path)
        if expected is None:
            return f"its {name} is incomplete or damaged (no safetensors header); {again}"
        if size < expected:
            return f"its {name} is incomplete ({size:,} of {expected:,} bytes); {again}"
    return None


def _json_error(error: Exception) -> str:
    """What json.loads found wrong with a file's content (one of JSON_ERRORS), in a few words."""
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, RecursionError):
        return "nested too deep for Python to read"
    # Python's words advise sys.set_int_max_str_digits(), which is no setting of zsl's.
    return "a number of too many digits for Python to read"


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _special_file_kind(path: Path) -> str | None:
    """What `path` (or what it links to) is where it is neither a file nor a folder; else None
    (nothing there)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return next((kind for test, kind in _SPECIAL_FILES if test(mode)), None)


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(64)


def _safetensors_size(path: Path) -> int | None:
    """The size a safetensors file's header says the file has, or None without a header."""
    with open(path, "rb") as handle:
        start = handle.read(8)
        length = int.from_bytes(start, "little")
        if len(start) < 8 or length > path.stat().st_size:
            return None
        try:
            header = json.loads(handle.read(length))
            ends = [entry["data_offsets"][1] for k, entry in header.items() if k != "__metadata__"]
            return 8 + length + int(max(ends, default=0))
        except (TypeError, KeyError, IndexError, AttributeError, *JSON_ERRORS):
            return None
