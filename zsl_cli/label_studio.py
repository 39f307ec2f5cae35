"""Label Studio: the options of its tasks, the image URL each task gets, the checks made before a
run (paths Label Studio cannot show, options no labelling config can take), and the labelling
config that fits the tasks. The tasks themselves are one of `writers`' formats.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import quoteattr

from zsl_cli.errors import ZslError
from zsl_cli.files import absolute_path
from zsl_cli.formatting import (
    has_surrogates,
    path_to_text,
    printable,
    quoted,
    quoted_line,
    quoted_text,
)

# A task URL's start for a file the server serves from its document root (its local files).
LABEL_STUDIO_LOCAL_FILES = "/data/local-files/?d="
# Such a URL in a prefix, also without the slash before "?": Label Studio (1.23.2) serves
# /data/local-files?d=... alike, as its middleware adds the slash to a path that resolves only
# with it (CommonMiddlewareAppendSlashWithoutRedirect), so d= is read the same.
_LOCAL_FILES_URL = re.compile(r"/data/local-files/?\?d=")
# Such a URL in other letter case, which Label Studio does not serve: its URL routing (Django's)
# and the d= parameter's name are case-sensitive.
_LOCAL_FILES_URL_ANY_CASE = re.compile(_LOCAL_FILES_URL.pattern, re.IGNORECASE)


@dataclass(frozen=True)
class LabelStudioOptions:
    """How predictions become Label Studio tasks.

    Images are referenced either as Label Studio local files (`document_root`, the server's
    LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT) or over HTTP (`url_prefix` + the path relative to
    `document_root`, or to the current directory when there is no root).
    """

    from_name: str = "choice"
    to_name: str = "image"
    document_root: Path | None = None
    url_prefix: str | None = None
    model_version: str = ""
    config: str | None = None  # also write a labelling config that fits the tasks here
    # The task data key the image URL goes under: the Image tag reads it as value="$<data_key>".
    data_key: str = "image"


# Label Studio's labelling screen replaces text like this in a Choice's value with the task's
# data (its front end's pattern, label-studio 1.23.2): "$image" shows as the image URL.
_LABEL_STUDIO_VARIABLE = re.compile(r"\$[\w\[\].{}]+")


def label_studio_config_warnings(class_names: Sequence[str]) -> list[str]:
    """What the labelling screen will get wrong in a config with these class names."""
    odd = [name for name in class_names if _LABEL_STUDIO_VARIABLE.search(name)]
    if not odd:
        return []
    subject = "1 class name holds" if len(odd) == 1 else f"{len(odd)} class names hold"
    return [
        f"{subject} '$' before a word (e.g. {quoted_text(odd[0])}), which Label Studio's "
        "labelling screen replaces with task data: it shows and stores those choices wrongly "
        "when picked by hand (predictions import as written); rename them"
    ]


# More choices than this get a filter box (Label Studio's Filter tag, which it advises for long
# lists): below the image, a labelling screen shows about this many radio buttons (some 30 px
# each) before the labeller scrolls, and a list this short is read at a glance.
LABEL_STUDIO_CHOICES_WITHOUT_FILTER = 20


def label_studio_config(class_names: Sequence[str], options: LabelStudioOptions) -> bytes:
    """A labelling config the tasks fit: an Image tag reading the tasks' image, and one Choice
    per class in a Choices tag with the predictions' from/to names; above a long list, a Filter
    box that shows only the choices holding what is typed."""
    choices = "".join(f"    <Choice value={quoteattr(name)}/>\n" for name in class_names)
    config = (
        "<View>\n"
        f"  <Image name={quoteattr(options.to_name)} value={quoteattr('$' + options.data_key)}/>\n"
        f"{_label_studio_filter(len(class_names), options)}"
        f"  <Choices name={quoteattr(options.from_name)} toName={quoteattr(options.to_name)}>\n"
        f"{choices}"
        "  </Choices>\n"
        "</View>\n"
    )
    return config.encode("utf-8")


def _label_studio_filter(choices: int, options: LabelStudioOptions) -> str:
    """The Filter tag's line for a Choices tag of this many choices, or "" where there are few
    or Label Studio would read the Choices tag's name as a list of names (a ',' in it)."""
    if choices <= LABEL_STUDIO_CHOICES_WITHOUT_FILTER or "," in options.from_name:
        return ""
    # Label Studio wants every tag's name unique; the two others are the from and to names.
    name = next(
        candidate
        for candidate in (f"{options.from_name}-filter", f"{options.from_name}-filter-2")
        if candidate != options.to_name
    )
    # From the first letter typed: a class may be named with two ("ox").
    return (
        f"  <Filter name={quoteattr(name)} toName={quoteattr(options.from_name)} "
        'minlength="1" placeholder="Filter the classes"/>\n'
    )


def check_label_studio_paths(paths: Iterable[Path | str], options: LabelStudioOptions) -> list[str]:
    """Raise ZslError naming the first path outside the root (call before the run); return a
    warning for each kind of path whose task Label Studio cannot show the image of (the task is
    written all the same: one odd file does not stop a run)."""
    check_label_studio_options(options)
    in_root: list[str] = []
    not_utf8: list[str] = []
    unkeyable: list[str] = []
    cloud = _in_cloud_storage(options)
    for path in map(os.fsdecode, paths):
        relative = _label_studio_relative_path(path, options)
        if cloud and ("?" in relative or has_surrogates(path_to_text(relative))):
            unkeyable.append(path)
        if options.url_prefix is not None:
            # A prefix naming Label Studio's own local files (/data/local-files/?d=photos/)
            # reaches the same d= decoding as a document root alone; a bare ?d= makes the
            # path relative to it the path under the server's root.
            local_files = _LOCAL_FILES_URL.search(options.url_prefix)
            if local_files is not None:
                folder = options.url_prefix[local_files.end() :]
                if not folder and "/" not in relative:
                    in_root.append(path)
                elif has_surrogates(path_to_text(relative)):
                    not_utf8.append(path)
            continue  # else served over HTTP, not by Label Studio: any file, any name
        if "/" not in relative:
            in_root.append(path)
        elif has_surrogates(path_to_text(relative)):
            not_utf8.append(path)
    warnings = []
    if in_root:
        # Label Studio serves a local file only through a Local Storage, whose folder must be a
        # sub-folder of the document root: a file directly in the root can never be served.
        warnings.append(
            f"{_images_are(len(in_root))} directly in the Label Studio document root "
            f"{quoted(_label_studio_root(options))} (e.g. {quoted(in_root[0])}): Label Studio "
            "serves local files only from sub-folders of the root, so their tasks will show no "
            "image; move them into one"
        )
    if not_utf8:
        # Label Studio decodes the d= parameter as UTF-8 (invalid bytes become U+FFFD), so it
        # answers 404 for such a file whatever the URL (checked with label-studio 1.23.2).
        server = "another web server" if options.url_prefix is not None else "HTTP"
        warnings.append(
            f"{_images_are(len(not_utf8))} named in bytes that are not valid UTF-8 (e.g. "
            f"'{printable(not_utf8[0])}'): Label Studio cannot serve such local files, so their "
            "tasks will show no image; "
            f"rename them (e.g. with convmv) or serve the images over {server} with --ls-url-prefix"
        )
    if unkeyable:
        # Label Studio parses the URL (urlparse, label-studio 1.23.2): the key ends at "?", and
        # bytes that are not UTF-8 cannot be written in a task's JSON as they are.
        warnings.append(
            f"{_images_are(len(unkeyable))} named with '?' or in bytes that are not valid UTF-8 "
            f"(e.g. '{printable(unkeyable[0])}'): Label Studio's cloud storages cannot read "
            "such an object key (a key ends at its '?'), so their tasks will show no image; "
            "rename them"
        )
    return warnings


def url_prefix_warnings(options: LabelStudioOptions) -> list[str]:
    """A warning where --ls-url-prefix names Label Studio's local files in other letter case
    (/DATA/LOCAL-FILES/?d=): taken for another web server's path, it would pass unsaid. Of the
    options alone, so a run from a store says it before the model load, as one over paths."""
    prefix = options.url_prefix
    if (
        prefix is None
        or _LOCAL_FILES_URL.search(prefix)
        or not _LOCAL_FILES_URL_ANY_CASE.search(prefix)
    ):
        return []
    # Whole, not cut as a long line is: the part warned of comes at the end of a prefix with a
    # host, a port and a path, past where a line is cut.
    return [
        f"--ls-url-prefix {quoted_text(prefix)} names Label Studio's local files in other letter "
        f"case than its URL, {LABEL_STUDIO_LOCAL_FILES} in lower case: Label Studio matches URLs "
        "case-sensitively and serves no image there, so the tasks will show none; write that "
        "part of the prefix in lower case"
    ]


# What a Label Studio server takes in one import, by default (label-studio 1.15-1.23:
# DATA_UPLOAD_MAX_MEMORY_SIZE, which also bounds TASKS_MAX_FILE_SIZE).
LABEL_STUDIO_IMPORT_LIMIT = 250 * 1024 * 1024


def label_studio_size_warnings(size: int, output: str) -> list[str]:
    """A warning where a tasks file of `size` bytes is more than a Label Studio server takes
    in one import by default: it refuses the whole file."""
    if size <= LABEL_STUDIO_IMPORT_LIMIT:
        return []
    limit_mib = LABEL_STUDIO_IMPORT_LIMIT // (1024 * 1024)
    return [
        f"{output} holds {size / (1024 * 1024):,.0f} MiB of tasks: Label Studio refuses an "
        f"import over {limit_mib} MiB unless it was started with the environment variable "
        "DATA_UPLOAD_MAX_MEMORY_SIZE (in bytes) above that; or label the images in parts, or "
        "keep fewer alternatives in each task (--top-k)"
    ]


def _images_are(count: int) -> str:
    return "1 image is" if count == 1 else f"{count} images are"


# Label Studio's cloud storages take the object key of such a URL as written, without
# percent-decoding it (label-studio 1.23.2): s3://bucket/a%20b.png names the object "a%20b.png".
_CLOUD_STORAGE_SCHEMES = ("s3://", "gs://", "azure-blob://")


def _in_cloud_storage(options: LabelStudioOptions) -> bool:
    """Whether the task URLs name objects of a cloud storage (keys), not files over HTTP."""
    return (options.url_prefix or "").lower().startswith(_CLOUD_STORAGE_SCHEMES)


def label_studio_image_url(path: str, options: LabelStudioOptions) -> str:
    """The task's image URL for one input path; ZslError when the path is outside the root."""
    check_label_studio_options(options)
    relative = _label_studio_relative_path(path, options)
    # Quote the raw bytes so that undecodable names map to the bytes on disk; "/" stays readable.
    quoted = quote(os.fsencode(relative), safe="/")
    if options.url_prefix is None:
        return LABEL_STUDIO_LOCAL_FILES + quoted
    prefix = options.url_prefix
    if _in_cloud_storage(options):
        quoted = relative  # the key itself
        # Label Studio finds a task's storage by the scheme as it spells it, in lower case
        # (label-studio 1.23.2): S3://bucket/key is no storage's. A scheme is the same in any
        # case (RFC 3986), so S3:// means s3://; the bucket and the key keep theirs.
        scheme, rest = prefix.split("://", 1)
        prefix = f"{scheme.lower()}://{rest}"
    separator = "" if prefix.endswith(("/", "=")) else "/"
    return prefix + separator + quoted


def _label_studio_relative_path(path: str, options: LabelStudioOptions) -> str:
    """`path` relative to the document root (or the current folder), POSIX; ZslError outside."""
    base = _label_studio_root(options)
    relative = _relative_posix_path(path, base)
    if relative is None:
        if options.document_root is not None and not os.path.isdir(base):
            # A typo, or the server's own path (Docker's /label-studio/files) where the images
            # are mounted elsewhere here: "move the images under it" would be no help.
            raise ZslError(
                f"the Label Studio document root {quoted(base)} is no folder here: give the "
                "folder that the server's document root is on this machine"
            )
        if options.document_root is not None:
            where = f"the Label Studio document root {quoted(base)}"
            fix = "move the images under it or set a different document root"
        else:
            where = (
                f"the current folder {quoted(base)}, which --ls-url-prefix paths are relative to"
            )
            fix = "run from a folder that contains the images or set a document root"
        raise ZslError(f"{quoted(path)} is outside {where}: {fix}")
    return relative


def _label_studio_root(options: LabelStudioOptions) -> Path:
    """The folder image paths are made relative to: the document root, else the current one."""
    return options.document_root if options.document_root is not None else Path.cwd()


def check_label_studio_options(options: LabelStudioOptions) -> None:
    """ZslError for options that no labelling config, or no way of reaching the images, fits."""
    for option, name in (("--ls-from-name", options.from_name), ("--ls-to-name", options.to_name)):
        if not name.strip():  # the tag names of the labelling config: Label Studio needs them
            raise ZslError(f"{option} is empty: give the name of the tag in the labelling config")
        if any(unicodedata.category(char) == "Cc" for char in name):
            # XML 1.0 holds most of them in no form, and a tag name has no use for the rest.
            raise ZslError(
                f"{option} {quoted_line(name)} holds a control character: name the tag without one"
            )
        # Nor does it hold a lone surrogate (from Python: the config then failed to be encoded
        # after the whole run) or U+FFFE, U+FFFF (Label Studio could not read the config).
        odd = next((c for c in name if c in "\ufffe\uffff" or "\ud800" <= c <= "\udfff"), None)
        if odd is not None:
            raise ZslError(
                f"{option} {quoted_line(name)} holds {quoted_text(odd)}, which no XML document "
                "(the labelling config) can hold: name the tag without it"
            )
    # Label Studio reads a toName attribute as a comma-separated list of tag names and wants
    # every tag name in a config unique (label-studio 1.23.2 refuses both configs), so no
    # labelling config could take predictions with such names.
    if "," in options.to_name:
        raise ZslError(
            f"--ls-to-name {quoted_line(options.to_name)} holds ',', which Label Studio reads as a "
            "list of tag names: name the Image tag without one"
        )
    if options.from_name == options.to_name:
        raise ZslError(
            f"--ls-from-name and --ls-to-name are both {quoted_line(options.to_name)}: Label "
            "Studio needs the Choices and Image tags to have different names"
        )
    _check_data_key(options.data_key)
    if options.url_prefix is not None and not options.url_prefix.strip():
        # `--ls-url-prefix "$PREFIX"` with the variable unset: every URL would be a bare path
        raise ZslError("--ls-url-prefix is empty: give the URL the images are served under")
    if options.document_root is None and options.url_prefix is None:
        raise ZslError(
            "label-studio output needs to know how Label Studio reaches the images: set "
            "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT (or --ls-document-root) or give --ls-url-prefix"
        )


# A data key that a config's `value="$KEY"` names whole (label-studio 1.23.2). Its labelling
# screen reads a variable as `\$[\w[\].{}]+` (parseValue; JavaScript's \w is ASCII alone), so
# another character ends the key there; its import reads '.' and '[' as a path into nested data
# (TaskValidator.check_data refuses a task whose data holds "img.url" as such). ']', '{' and '}'
# pass both, but only as the path syntax they are: refused too, for a rule a user can remember.
_DATA_KEY = re.compile(r"[A-Za-z0-9_]+")
# The start of the keys of zsl's own record in a task's data (zsl_path, zsl_label, ...,
# zsl_path_quoted), which the readers read a task by.
_ZSL_KEYS = "zsl_"


def _check_data_key(key: str) -> None:
    """ZslError for a data key that no Image tag can read as `$KEY`, or that is zsl's own."""
    option = "--ls-data-key"
    if not key:
        raise ZslError(f"{option} is empty: give the data key the Image tag reads ($KEY)")
    # Pasted from the config's `value="$img"`, whose '$' names the key it reads: the key
    # without it is checked, so that a '$' before a key refused too gets that refusal at once.
    meant = key[1:] if key.startswith("$") and _DATA_KEY.fullmatch(key[1:]) else key
    if not _DATA_KEY.fullmatch(meant):
        raise ZslError(
            f'{option} {quoted_line(key)}: Label Studio reads an Image tag\'s value="$KEY" as one '
            "data key only where KEY is ASCII letters, digits and '_' (another character ends it; "
            "'.' and '[' reach into nested data): give such a key, and the Image tag the same"
        )
    if meant == "__proto__":
        # Its labelling screen looks task data up with a `get` that skips this name.
        raise ZslError(
            f"{option} {quoted_line(key)}: Label Studio's labelling screen reads no data key of "
            "that name: give another"
        )
    if meant.startswith(_ZSL_KEYS):
        raise ZslError(
            f"{option} {quoted_line(key)}: the tasks' zsl_* keys hold zsl's own record (zsl_path, "
            "zsl_label, ...): give a key that does not start with zsl_"
        )
    if meant != key:
        raise ZslError(
            f"{option} {key!r}: the '$' of an Image tag's value=\"$KEY\" is not part of the "
            f"data key: give {option} {meant}"
        )


def _relative_posix_path(path: str, base: Path) -> str | None:
    """`path` relative to `base` as a POSIX string, or None when it is not inside `base`.

    Compared as spelled first (a symlinked file inside the root is served through its link; a
    `..` after a folder link leads up from its target, as absolute_path spells it), then with
    symlinks resolved (the root itself may be reached through a link).
    """
    for normalise in (absolute_path, os.path.realpath):
        full, root = normalise(path), normalise(os.fspath(base))
        try:
            inside = os.path.commonpath([full, root]) == root and full != root
        except ValueError:  # different drives on Windows
            inside = False
        if inside:
            return Path(os.path.relpath(full, root)).as_posix()
    return None
