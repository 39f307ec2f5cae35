"""Encoder backend over Hugging Face transformers checkpoints (CLIP, SigLIP, and any model with
`get_image_features` / `get_text_features` heads).

Scores follow each family's training objective: CLIP-style models are trained with a softmax over
candidates (softmax(exp(logit_scale) * cos)), SigLIP with an independent sigmoid per pair
(sigmoid(exp(logit_scale) * cos + logit_bias)), so each gets its own head; a checkpoint's
logit_scale is the logarithm of the scale.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import operator
import os
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn, TypeGuard

import numpy as np
import torch
from PIL import Image

from zsl_cli import batching
from zsl_cli.encoders import preprocess
from zsl_cli.encoders.base import (
    ImagePreprocessor,
    ModelSource,
    ScoreHead,
    check_device,
    check_precision,
    dtype_name,
)
from zsl_cli.encoders.limits import (
    address_space_limit,
    allocations_can_fail,
    check_room_for_threads,
    memory_limits_in_force,
    overcommit_is_strict,
    system_limit,
)
from zsl_cli.encoders.model_files import (
    hub_snapshot,
    loaded_weight_files,
    weight_files_fingerprint,
)
from zsl_cli.encoders.preprocess import (
    NaFlexPreprocessor,
    Normalisation,
    ReferencePreprocessor,
    agrees_with_processor,
    fast_preprocessor_from,
    naflex_settings,
    reference_input_size,
)
from zsl_cli.errors import ZslError
from zsl_cli.formatting import clipped_text
from zsl_cli.records import unusable_embedding_cause, usable_rows

TEXT_BATCH = 64  # prompts per forward pass, sorted by length
# On a CUDA GPU, a forward pass of 64 prompts is bound by latency (80 templates x 1,000 classes
# took 1,250 of them). Kept modest, as an out-of-memory error while encoding prompts ends the run
# (one line naming --device cpu): 256 prompts of 77 tokens take a few hundred MB of activations
# in the largest text towers.
TEXT_BATCH_CUDA = 256
TOKENIZE_BLOCK = 8192  # prompts tokenized at a time to find the distinct ones
# A prompt longer than this many characters per token kept is tokenized from its start first (see
# _head): ordinary text takes 3 to 6 characters a token.
HEAD_CHARS_PER_TOKEN = 32
# No text goes to the tokenizer longer than this many characters per token it keeps: a 50 MB
# class name without a space (which _head cannot cut) took 11.6 GB and 275 s, for 77 tokens.
# A token holds at least one character, but byte-level BPE (CLIP's) and SentencePiece merge
# many into one (a run of "=" or "-", a long word in the vocabulary), and a normaliser may drop
# white space: 64 a token keeps bit for bit the tokens of any text that is not mostly such runs
# (ordinary text takes 3 to 6 a token), and a text cut here is reported as cut short.
MAX_CHARS_PER_TOKEN = 64
# Batches at a size an out-of-memory error left before trying twice that size: soon, memory may
# have been short for a moment only (another process held it); each try that runs out of memory
# again doubles the wait, up to RETRY_LARGER_AFTER, so a lasting limit costs few failed tries.
RETRY_LARGER_SOON = 4
RETRY_LARGER_AFTER = 100
# SigLIP was trained on text padded to a fixed 64 tokens; the transformers pipeline does the same.
SIGLIP_TEXT_LENGTH = 64
_PRECISIONS = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
# The fast-preprocessing tags that older zsl hashed into a model's identity, newest first (the
# stores they filled are still read and upgraded: `former_identities`). "fast" until 5 Dec 2026
# (60f4e35), its JPEG drafts at 4x, or 1.5x from 30 Nov to 5 Dec; then the draft margin, until
# drafts were sized from the whole image (835c140, 5 Dec). Every other image's pixels are alike.
FORMER_FAST_TAGS = ("fast, JPEG drafts at 4x", "fast")


def pick_device(device: str) -> torch.device:
    """The torch device --device names; for auto, CUDA, else Apple's MPS, else the CPU. A
    device this machine lacks is refused here, in one line that says what to use: torch
    would take `cuda:7` and fail only when the model moves there."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    check_device(device)
    kind = device.split(":", 1)[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise ZslError(f"--device {device}: no CUDA device is available (use --device cpu)")
    if kind == "cuda" and ":" in device:
        index, count = device.split(":", 1)[1], torch.cuda.device_count()
        if not index.isdigit() or int(index) >= count:
            raise ZslError(f"--device {device}: this machine has CUDA devices 0 to {count - 1}")
    if kind == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ZslError("--device mps: Apple MPS is not available here (use --device cpu)")
    try:
        return torch.device(device)
    except RuntimeError as error:
        raise ZslError(f"--device {device}: {error}") from None


def pick_dtype(precision: str, device: torch.device) -> torch.dtype:
    if precision == "auto":
        return torch.float32 if device.type == "cpu" else torch.float16
    return _PRECISIONS[check_precision(precision)]


class TransformersEncoder:
    """A loaded transformers dual encoder. Build it with `load_encoder`."""

    def __init__(
        self,
        source: ModelSource,
        model: Any,
        tokenizer: Any,
        image_processor: Any,
        device: torch.device,
        dtype: torch.dtype,
        exact_preprocessing: bool = False,
        revision: str | None = None,
    ) -> None:
        self._source = source
        # The hub revision asked for (None: the default branch): two revisions share a name.
        self.revision = revision
        # The commit that revision led to (None: a folder's model), looked up as loaded.
        self._commit = None if source.is_local else _loaded_commit(source.location, model, revision)
        self.model_type = str(getattr(model.config, "model_type", "") or "")
        # As the load's refusals name a model (`_check_feature_heads`).
        self._described = f"model {source.name} ({type(model).__name__})"
        # Read before the cast: in fp16 or bf16 the temperature would be rounded (bf16: 98.9
        # instead of CLIP's 100), shifting every score.
        self.head = _score_head(model, self.model_type, source.name)
        with _out_of_memory_as_one_line(device, f"loading {source.name}"):
            self._model = model.to(device=device, dtype=dtype).eval()
        self._tokenizer = tokenizer
        # transformers 4.x advises on stderr, at a fast tokenizer's first `pad`, to tokenize and
        # pad in one call; padding ids already at hand is what makes prompts fast here.
        advised = getattr(tokenizer, "deprecation_warnings", None)
        if isinstance(advised, dict):
            advised["Asking-to-pad-a-fast-tokenizer"] = True
        self._image_processor = image_processor
        self.device = device
        self.dtype = dtype
        self._text_length = _text_max_length(model, tokenizer)
        vocabulary = getattr(getattr(model.config, "text_config", None), "vocab_size", None)
        self._vocabulary = vocabulary if isinstance(vocabulary, int) else None
        # A pad token the text model has no embedding for (one added to the tokenizer alone)
        # counts as none.
        usable_pad = self._embeds(tokenizer.pad_token_id)
        if "siglip" in self.model_type and not usable_pad:
            _pad_as_configured(source.name, model, tokenizer, self._embeds)
            usable_pad = True
        # Otherwise, without a pad token, prompts are batched by length instead: CLIP-style
        # models read no further than each prompt's end.
        self._can_pad = usable_pad
        # The texts encode_texts last encoded, and those of them it cut short.
        self._last_cut_short: tuple[tuple[str, ...], list[str]] = ((), [])
        # Each of those texts' index among their distinct token sequences (`token_rows`).
        self._last_token_rows = np.empty(0, dtype=np.int64)
        # Whether the text forwards are the load's one prompt (`dim`) rather than class prompts:
        # their errors say so.
        self._checking_at_load = False
        # Exact: Pillow's resize, whose pixels are the processor's own.
        fast = fast_preprocessor_from(image_processor, torch_resize=not exact_preprocessing)
        if fast is not None and not agrees_with_processor(fast, image_processor):
            fast = None
        if fast is None and naflex_settings(image_processor) is not None:
            # A ReferencePreprocessor's arrays have no place for the grid of a NaFlex image.
            raise ZslError(
                f"model {source.name}: its image processor ({type(image_processor).__name__}) "
                "cuts images into patches otherwise than SigLIP2's NaFlex processor, the only "
                "variable-resolution one zsl reproduces; use a fixed-resolution model"
            )
        if fast is None:
            input_size = reference_input_size(image_processor)
            if input_size is None:  # load_encoder says so to the user
                raise ValueError("the image processor gives images of varying size")
            self._preprocessor: ImagePreprocessor = ReferencePreprocessor(
                image_processor, input_size
            )
            _check_preprocesses(source.name, self._preprocessor, image_processor)
            self._normalisation: Normalisation | None = None
        else:
            self._preprocessor, self._normalisation = fast
        self.exact_preprocessing = exact_preprocessing or fast is None
        self._widths: dict[str, int] = {}  # embedding width seen per modality
        self._max_batch: int | None = None  # lowered after an out-of-memory error
        self._split_batches = 0  # batches split by that limit since it last changed
        self._retry_after = RETRY_LARGER_SOON  # split batches before trying twice the limit
        self._trying_larger = False  # whether the next forward pass is that larger try
        if self._normalisation is not None:
            # Channels: of images [B, 3, H, W]; last in NaFlex patches [B, N, pixels, 3].
            naflex = isinstance(self._preprocessor, NaFlexPreprocessor)
            shape = (3,) if naflex else (1, 3, 1, 1)
            self._scale = torch.tensor(self._normalisation.rescale, device=device)
            self._mean = torch.tensor(self._normalisation.mean, device=device).view(shape)
            self._std = torch.tensor(self._normalisation.std, device=device).view(shape)

    def _embeds(self, token_id: object) -> bool:
        """Whether `token_id` is a token the text model has an embedding for."""
        return _is_token_id(token_id) and (self._vocabulary is None or token_id < self._vocabulary)

    # -- protocol properties -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._source.name

    @property
    def preprocessor(self) -> ImagePreprocessor:
        return self._preprocessor

    @cached_property
    def dim(self) -> int:
        # Measured, not read from the config: its projection_dim or hidden_size need not be
        # what the feature heads give, and the store refuses vectors of another width.
        # load_encoder measures it, so an error here is a load that failed, in `zsl embed` too,
        # which encodes no class prompts.
        self._checking_at_load = True
        try:
            return int(self.encode_texts(["x"]).shape[1])
        finally:
            self._checking_at_load = False

    @property
    def commit(self) -> str | None:
        """The hub commit the model was loaded from, whatever revision (a branch, a tag, none:
        main) named it, so that a branch that moved since is no secret; None for a model loaded
        from a folder, which has no commit."""
        return self._commit

    @cached_property
    def weight_files_fingerprint(self) -> str | None:
        """The content hash of the weight files the model was loaded from
        (`model_files.weight_files_fingerprint`): the same for a hub id as for a copy of its files
        in a folder (`hf download --local-dir`); None where they are not on disk. Made once, as
        it reads every byte (seconds for a 1 GB model): the identity and the Label Studio model
        version of a model folder both name it, and a caller that has hashed the same files
        already may set it instead."""
        if self._source.is_local:
            directory: Path | None = Path(self._source.location)
        else:  # the cache's folder of the files it was loaded from
            directory = hub_snapshot(self._source.location, self.commit or self.revision)
        files = loaded_weight_files(directory) if directory else []
        return weight_files_fingerprint(files) if files else None

    @cached_property
    def identity(self) -> str:
        """Hash of architecture, weights and preprocessing: equal iff embeddings are comparable."""
        # The draft margin changes the pixels of every large JPEG, and so did sizing a drafted
        # JPEG from its full size, not the draft's (a crop a pixel over, another NaFlex grid):
        # a store filled otherwise must not pass its vectors off as this run's.
        fast = f"fast, JPEG drafts at {preprocess.DRAFT_MARGIN}x, sized as whole"
        return self._identity_with("exact" if self.exact_preprocessing else fast)

    @cached_property
    def former_identities(self) -> tuple[str, ...]:
        """The identities this model had under an older zsl's fast preprocessing, newest first:
        a store filled then holds its vectors under one of them (read, with a warning, by a run
        that only reads a store; replaced by `zsl embed`). Exact preprocessing never changed."""
        if self.exact_preprocessing:
            return ()
        return tuple(self._identity_with(tag) for tag in FORMER_FAST_TAGS)

    def _identity_with(self, preprocessing: str) -> str:
        digest = self._identity_digest.copy()
        digest.update(preprocessing.encode())
        return digest.hexdigest()[:32]

    @cached_property
    def _identity_digest(self) -> Any:
        """The hash of what every identity of the model names (all but the preprocessing tag),
        made once: without weight files on disk it reads every tensor."""
        digest = hashlib.sha256()
        digest.update(type(self._model).__name__.encode())
        digest.update(_architecture_fingerprint(self._model.config).encode())
        weights = self.weight_files_fingerprint or _tensors_fingerprint(self._model)
        digest.update(weights.encode())
        digest.update(_preprocessing_fingerprint(self._image_processor).encode())
        return digest

    # -- encoding ------------------------------------------------------------------------------
    def encode_images(self, pixels: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """Encode a batch; on GPU out-of-memory, retry in halves and remember the smaller size
        (trying twice that size again after RETRY_LARGER_SOON to RETRY_LARGER_AFTER batches).
        An image whose features are not finite gets a row of NaN, all zero a row of zeros
        (`_normalised`), so that one image overflowing fp16 fails alone."""
        if self._max_batch is not None and len(pixels) > self._max_batch:
            self._split_batches += 1
            if self._split_batches > self._retry_after:
                self._max_batch, self._split_batches = self._max_batch * 2, 0
                self._trying_larger = True
                return self.encode_images(pixels)
            step = self._max_batch
            return np.concatenate(
                [self.encode_images(pixels[i : i + step]) for i in range(0, len(pixels), step)]
            )
        try:
            encoded = self._encode_image_batch(pixels)
        except RuntimeError as error:  # torch.OutOfMemoryError is one
            if not _out_of_memory(error):
                raise
            if len(pixels) == 1:
                raise _no_memory(self.device, f"for a single image with {self.name}") from None
            # A larger try that fails again: the limit may last, wait longer before the next.
            # Any other failure is news: the memory may come back soon.
            retry_after = min(2 * self._retry_after, RETRY_LARGER_AFTER)
            self._retry_after = retry_after if self._trying_larger else RETRY_LARGER_SOON
            self._max_batch, self._split_batches = len(pixels) // 2, 0
            self._trying_larger = False
        else:
            if self._trying_larger:  # the memory is back: the next larger try comes soon too
                self._retry_after, self._trying_larger = RETRY_LARGER_SOON, False
            return encoded
        # Retry only once the except block has ended: until then the error's traceback keeps
        # the failed attempt's frames, and with them every activation it had allocated.
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        return self.encode_images(pixels)

    @torch.inference_mode()
    def _encode_image_batch(self, pixels: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        if isinstance(self._preprocessor, NaFlexPreprocessor):
            inputs = self._patch_inputs(self._preprocessor, pixels)
        else:
            batch = torch.from_numpy(pixels if isinstance(pixels, np.ndarray) else np.stack(pixels))
            if batch.dtype == torch.uint8:
                # uint8 crosses to the device (4x less traffic); normalisation runs there.
                batch = self._to_device(batch).permute(0, 3, 1, 2).float()
                batch = (batch * self._scale - self._mean) / self._std
            else:
                batch = batch.to(self.device)
            inputs = {"pixel_values": batch.to(self.dtype)}
        features = self._model.get_image_features(**inputs)
        pooled = _pooled(features, self.model_type, self._described, "image")
        return self._checked_width("image", _normalised(pooled))

    def _patch_inputs(
        self, naflex: NaFlexPreprocessor, images: np.ndarray | Sequence[np.ndarray]
    ) -> dict[str, torch.Tensor]:
        """NaFlex images -> the patches, mask and grids Siglip2Model takes, on the device."""
        patches, grids = naflex.stack(images)
        batch = self._to_device(torch.from_numpy(patches)).float().unflatten(-1, (-1, 3))
        batch = ((batch * self._scale - self._mean) / self._std).flatten(-2)
        shapes = self._to_device(torch.from_numpy(grids))
        positions = torch.arange(naflex.max_patches, device=self.device)
        mask = (positions < shapes.prod(-1, keepdim=True)).int()
        # Padding is 0 after normalising, as transformers pads (the mask hides it anyway).
        batch = batch * mask[..., None]
        return {
            "pixel_values": batch.to(self.dtype),
            "pixel_attention_mask": mask,
            "spatial_shapes": shapes,
        }

    def _to_device(self, batch: torch.Tensor) -> torch.Tensor:
        if self.device.type != "cuda":
            # Only a copy from pinned memory may be left to finish on its own: from ordinary
            # memory, which numpy may free once the copy is queued, MPS read freed memory and
            # gave wrong pixels without a word (pytorch/pytorch#189690).
            return batch.to(self.device)
        return batch.pin_memory().to(self.device, non_blocking=True)

    @property
    def prompt_tokens(self) -> int:
        if "siglip" in self.model_type:  # padded and cut as SigLIP was trained (to 64)
            return min(SIGLIP_TEXT_LENGTH, self._text_length)
        return self._text_length

    def prompts_cut_short(self, texts: Sequence[str]) -> list[str]:
        # The texts last encoded (the class prompts, checked right after): known without
        # tokenizing them again, which took as long as tokenizing them to encode.
        encoded, cut = self._last_cut_short
        if len(texts) == len(encoded) and all(map(operator.eq, texts, encoded)):
            return list(cut)
        cut = []
        for start in range(0, len(texts), TOKENIZE_BLOCK):
            block = list(texts[start : start + TOKENIZE_BLOCK])
            cut += [block[i] for i in self._too_long(block, self._token_ids(block, cut_at=None))]
        return cut

    def token_rows(self, texts: Sequence[str]) -> np.ndarray | None:
        """For the texts last encoded: each one's index among their distinct token sequences, as
        the text model reads them (cut short); None for other texts. Texts of one index are one
        prompt to the model; texts of two may still embed alike (a tokenizer and config.json
        from two models: CLIP then pools every prompt at one token)."""
        encoded, _ = self._last_cut_short
        if len(texts) == len(encoded) and all(map(operator.eq, texts, encoded)):
            return self._last_token_rows.copy()
        return None

    def _token_ids(self, texts: list[str], cut_at: int | None) -> list[list[int]]:
        """Each text's token ids, cut to `cut_at` tokens; None: to one token past what the text
        model reads, which tells a longer text without all the tokens of a long one."""
        limit = self.prompt_tokens + 1 if cut_at is None else cut_at
        heads = [self._head(text, limit) for text in texts]
        token_ids = self._tokenized(heads, limit)
        # A head that falls short of the limit (a run of spaces, one long word) says nothing
        # of the tokens after it: the whole text is tokenized after all.
        whole = [
            i
            for i, ids in enumerate(token_ids)
            if len(ids) < limit and len(heads[i]) < len(texts[i])
        ]
        for i, ids in zip(whole, self._tokenized([texts[i] for i in whole], limit), strict=True):
            token_ids[i] = ids
        return token_ids

    def _tokenized(self, texts: list[str], limit: int) -> list[list[int]]:
        if not texts:
            return []
        bound = MAX_CHARS_PER_TOKEN * limit
        # The end the tokenizer keeps: its start, unless it truncates from the left.
        left = getattr(self._tokenizer, "truncation_side", None) == "left"
        texts = [
            text if len(text) <= bound else text[-bound:] if left else text[:bound]
            for text in texts
        ]
        return self._tokenizer(texts, truncation=True, max_length=limit)["input_ids"]

    def _head(self, text: str, tokens: int) -> str:
        """The start of a long `text` whose first `tokens` tokens are the whole text's, where it
        has as many: the tokenizer reads every character before it cuts (2.4 s for a 1 MB
        description, for the 77 tokens CLIP keeps of it).

        Cut before a space, where such a tokenizer splits text into words (`_splits_at_spaces`):
        the words before it tokenize as in the whole text, so the head's tokens begin the whole
        text's. A text of no more than HEAD_CHARS_PER_TOKEN characters per token is left whole;
        one without such a space is cut at MAX_CHARS_PER_TOKEN characters per token by
        `_tokenized`.
        """
        bound = HEAD_CHARS_PER_TOKEN * tokens
        if len(text) <= bound or not self._splits_at_spaces:
            return text
        space = text.rfind(" ", 0, bound)
        # Only spaces stripped: a character that the tokenizer reads is not, however Python
        # classes it.
        return text[:space].rstrip(" ") if space >= 0 else text

    @cached_property
    def _splits_at_spaces(self) -> bool:
        """Whether the tokenizer keeps a text's first tokens and splits it into words at spaces
        before its model reads them, a space joining no word before it: CLIP's, BERT's, and
        SentencePiece's as T5 and XLM-R's tokenizer.json set it up; not Gemma's (SigLIP2's),
        whose words are split at spaces it has already replaced, nor a Python tokenizer."""
        backend = getattr(self._tokenizer, "backend_tokenizer", None)
        splitter = getattr(backend, "pre_tokenizer", None)
        if getattr(self._tokenizer, "truncation_side", None) != "right" or splitter is None:
            return False
        normaliser = getattr(backend, "normalizer", None)
        probe = normaliser.normalize_str("a b") if normaliser is not None else "a b"
        words = splitter.pre_tokenize_str(probe)  # [(word, (start, end)), ...]
        return len(words) == 2 and words[0][1][1] <= 1

    def _too_long(self, texts: Sequence[str], token_ids: Sequence[Sequence[int]]) -> list[int]:
        """The texts the model reads only in part: of more tokens than it reads, or cut
        before tokenizing (`_tokenized`), whatever their tokens."""
        bound = MAX_CHARS_PER_TOKEN * (self.prompt_tokens + 1)
        return [
            i
            for i, ids in enumerate(token_ids)
            if len(ids) > self.prompt_tokens or len(texts[i]) > bound
        ]

    def encode_texts(
        self, texts: Sequence[str], advance: Callable[[int], object] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoded = np.empty((0, 0), dtype=np.float32)
        for rows, chunk in self.encode_text_chunks(texts):
            if not encoded.size:
                encoded = np.empty((len(texts), chunk.shape[1]), dtype=np.float32)
            encoded[rows] = chunk
            if advance is not None:
                advance(len(rows))
        return encoded

    def encode_text_chunks(self, texts: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(rows of `texts`, their embeddings) a forward pass at a time, every text once: class
        vectors are mixed from these as they come (`api.build_classifier`), so that no one holds
        every prompt's embedding (3 GB for 1.6 million prompts at 512-d)."""
        firsts, which, cut = self._distinct_token_ids(texts)
        # Prompts of similar length share a chunk, so little compute goes into padding.
        lengths = np.array([len(key) for key in firsts])
        order = np.argsort(lengths, kind="stable")
        groups = [order]
        if not self._can_pad:  # nothing to pad with: a chunk holds prompts of one length
            groups = np.split(order, np.flatnonzero(np.diff(lengths[order])) + 1)
        # Each chunk comes with every text that tokenizes as one of its rows: the texts in the
        # order their rows are encoded, so that a chunk's texts are the next slice of them.
        texts_per_row = np.bincount(which, minlength=len(firsts))
        rank = np.empty(len(firsts), dtype=np.int64)
        rank[order] = np.arange(len(firsts))
        in_order = np.argsort(rank[which], kind="stable")
        taken = 0
        first: np.ndarray | None = None  # the first embedding, which not every row may equal
        alike = len(firsts) > 1
        step = TEXT_BATCH_CUDA if self.device.type == "cuda" else TEXT_BATCH
        for group in groups:
            for start in range(0, len(group), step):
                rows = group[start : start + step]
                with torch.inference_mode():  # not across a yield: the caller's code runs
                    chunk = self._encode_token_chunk([array("q", firsts[i]).tolist() for i in rows])
                if first is None:
                    first = chunk[0].copy()
                alike = alike and _within(chunk, first)
                counts = texts_per_row[rows]
                text_rows = in_order[taken : taken + int(counts.sum())]
                taken += len(text_rows)
                # Alike texts share their row's embedding, the same to the bit.
                yield text_rows, chunk if len(text_rows) == len(rows) else chunk.repeat(counts, 0)
        if alike:
            self._refuse_alike_texts()
        self._last_cut_short = (tuple(texts), cut)
        self._last_token_rows = which

    def _distinct_token_ids(
        self, texts: Sequence[str]
    ) -> tuple[list[bytes], np.ndarray, list[str]]:
        """Each distinct token sequence (as bytes), in order of first appearance; each text's
        index into them; the texts cut short."""
        # Texts the tokenizer makes the same ("Cat", "cat") are encoded once, so their
        # embeddings are the same to the bit (in different chunks they would differ by ~1e-8).
        distinct: dict[bytes, int] = {}  # token ids -> index into `firsts`
        firsts: list[bytes] = []
        which = np.empty(len(texts), dtype=np.int64)
        # A block at a time, and kept as bytes: the tokenizer's output for 1.6 million prompts
        # (20,000 classes x 80 templates) took 6 GB at once.
        cut: list[str] = []
        for start in range(0, len(texts), TOKENIZE_BLOCK):
            block = list(texts[start : start + TOKENIZE_BLOCK])
            # Tokenized once, one token long, to tell the texts the model reads only in part;
            # just those (few, if any) again, cut as encoded, so alike keys encode alike.
            token_ids = self._token_ids(block, cut_at=None)
            too_long = self._too_long(block, token_ids)
            cut_ids = self._token_ids([block[i] for i in too_long], cut_at=self.prompt_tokens)
            for i, ids in zip(too_long, cut_ids, strict=True):
                token_ids[i] = ids
                cut.append(block[i])
            self._check_token_ids(token_ids)
            for position, ids in enumerate(token_ids, start):
                key = array("q", ids).tobytes()
                row = distinct.setdefault(key, len(firsts))
                if row == len(firsts):
                    firsts.append(key)
                which[position] = row
        return firsts, which, cut

    def _refuse_alike_texts(self) -> NoReturn:
        """Different token sequences that all embed alike (`_within` of the first) mean the text
        model reads none of their words: CLIP pools at the config's eos_token_id, which a
        tokenizer from another model never gives, so it pools every text at its first token (to
        the bit, on the CPU). Not merely close: a tiny random FLAVA gives texts cosines of
        0.99999."""
        raise ZslError(
            f"model {self.name}: its text model gives every class prompt the same "
            "embedding, so every class would score the same; are its tokenizer files and "
            "config.json (eos_token_id, vocab_size) from one model?"
        )

    def _check_token_ids(self, token_ids: Sequence[Sequence[int]]) -> None:
        """A tokenizer from another model gives ids the text tower has no embedding for (an
        IndexError deep inside torch)."""
        largest = max((max(ids) for ids in token_ids if len(ids)), default=-1)
        if self._vocabulary is not None and largest >= self._vocabulary:
            raise ZslError(
                f"model {self.name}: its tokenizer gives token id {largest}, but its text model "
                f"has {self._vocabulary} tokens; are the tokenizer files from another model?"
            )

    def _encode_token_chunk(self, token_ids: list[list[int]]) -> np.ndarray:
        # Padding the ids already at hand, not tokenizing the texts again: tokenizing took most
        # of the time for tens of thousands of prompts.
        if not self._can_pad:  # the chunk's prompts have one length
            options: dict[str, Any] = {"padding": False}
        elif "siglip" in self.model_type:
            # Padded as SigLIP was trained (to 64), or to all of a smaller text tower's positions.
            options = {"padding": "max_length", "max_length": self.prompt_tokens}
        else:
            # On the right, whatever the tokenizer's padding_side: padded on the left, a CLIP-style
            # prompt's positions shift with its chunk's longest, and CLIP pools at the first eos,
            # which is the padding, so a class's embedding would depend on the other classes.
            options = {"padding": True, "padding_side": "right"}
        tokens = self._tokenizer.pad({"input_ids": token_ids}, return_tensors="pt", **options)
        inputs = {
            k: v.to(self.device) for k, v in tokens.items() if k in ("input_ids", "attention_mask")
        }
        doing = (
            f"loading {self.name} (one prompt through its text model)"
            if self._checking_at_load
            else f"encoding class prompts with {self.name}"
        )
        try:
            with _out_of_memory_as_one_line(self.device, doing):
                features = self._model.get_text_features(**inputs)
        except Exception as error:
            # A limit of the system is load_encoder's to name; class prompts' errors are as before.
            if not self._checking_at_load or isinstance(error, ZslError) or system_limit(error):
                raise
            # The model's own code (a custom text model's) fails on a prompt of one word: no
            # prompt would do better. zsl's own errors, outside the forward, stay internal ones.
            raise ZslError(
                f"cannot use the model {self.name}: its text model failed on a plain prompt: "
                f"{_error_text(error)}"
            ) from None
        embeddings = _normalised(_pooled(features, self.model_type, self._described, "text"))
        return self._checked_width("text", self._usable_texts(embeddings))

    def _usable_texts(self, embeddings: np.ndarray) -> np.ndarray:
        """Prompts are the run's set-up: one that embeds as NaN or zero ends the run."""
        usable, finite = usable_rows(embeddings)
        if usable.all():
            return embeddings
        precision = dtype_name(self.dtype)
        cause = unusable_embedding_cause(precision, zero=bool(finite.all()))
        if self._checking_at_load:
            raise ZslError(
                f"cannot use the model {self.name}: its text model's embedding of a plain prompt "
                f"is {cause}"
            )
        raise ZslError(f"model {self.name}: its embeddings of class prompts are {cause}")

    def _checked_width(self, kind: str, embeddings: np.ndarray) -> np.ndarray:
        """Image and text embeddings must have one width, or no cosine compares them."""
        self._widths[kind] = embeddings.shape[1]
        if len(set(self._widths.values())) > 1:
            raise ZslError(
                f"model {self.name}: its image embeddings have {self._widths['image']} values "
                f"and its text embeddings {self._widths['text']}; they cannot be compared"
            )
        return embeddings


def _loaded_commit(hub_id: str, model: Any, revision: str | None) -> str | None:
    """The hub commit `model` was just loaded from at `revision`: transformers 4 records it in
    the config; 5 resolves the revision to it and keeps no record, so it is the commit of the
    cache's snapshot the revision names, which the load has just read (or written)."""
    commit = getattr(model.config, "_commit_hash", None)
    if isinstance(commit, str) and commit:
        return commit
    try:
        snapshot = hub_snapshot(hub_id, revision)
    except (OSError, ValueError):  # a model that loaded is not refused for its record
        return None
    return snapshot.name if snapshot is not None else None


def _check_preprocesses(name: str, preprocessor: ImagePreprocessor, image_processor: Any) -> None:
    """A processor that fails on an ordinary image (settings its class has no step for, such as
    a longest_edge alone for CLIP's) would fail every image, each as a decode error."""
    height, width = preprocessor.input_size
    image = Image.new("RGB", (width * 4 // 3 + 5, height * 3 // 2 + 7), "grey")
    try:
        preprocessor(image)
    except Exception as error:
        raise ZslError(
            f"model {name}: its image processor ({type(image_processor).__name__}) fails on a "
            f"test image ({_error_text(error)}); "
            "check the image settings in its preprocessor_config.json"
        ) from None


def _error_text(error: Exception) -> str:
    """`error` as one line: its type and its message, clipped."""
    text = clipped_text(" ".join(str(error).split()))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _is_token_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _pad_as_configured(
    name: str, model: Any, tokenizer: Any, embeds: Callable[[object], bool]
) -> None:
    """Give a SigLIP tokenizer without a pad token the one its text model was configured with.

    SigLIP pools a prompt at its last position, which in training held padding (to 64 tokens):
    the same prompt unpadded gets another embedding (a cosine of 0.56 to it in a test).
    """
    pad_id = getattr(getattr(model.config, "text_config", None), "pad_token_id", None)
    token = tokenizer.convert_ids_to_tokens(pad_id) if embeds(pad_id) else None
    if not isinstance(token, str):
        raise ZslError(
            f"model {name}: its tokenizer has no pad token its text model has an embedding for, "
            f"and SigLIP reads prompts padded to {SIGLIP_TEXT_LENGTH} tokens; set pad_token in "
            "its tokenizer_config.json (for SigLIP, </s>; for SigLIP2, <pad>)"
        )
    tokenizer.pad_token = token


# oneDNN's whole message (torch's CPU convolutions and matrix products) when it cannot create a
# primitive or a buffer for one. Its status (out of memory among others) is not in the text;
# "could not create a primitive descriptor ..." is a shape it has no kernel for.
ONEDNN_CREATION_FAILURES = ("could not create a primitive", "could not create a memory object")


def _out_of_memory(error: RuntimeError) -> bool:
    # Whether torch ran out of the device's memory (a smaller batch may help, else one line
    # says so). limits.system_limit is its sibling for a load's errors (host memory, threads,
    # as the OS and the loading libraries word them): the markers differ, and merging them
    # would change what each catches, so each keeps its own.
    # cuBLAS and cuDNN report a failed workspace allocation with their own status, not as
    # torch.OutOfMemoryError; MPS says "out of memory" in a plain RuntimeError, and the CPU's
    # allocator "can't allocate memory" (Linux: for more than the memory and swap there are).
    text = str(error)
    if isinstance(error, torch.OutOfMemoryError) or any(
        marker in text for marker in ("ALLOC_FAILED", "out of memory", "can't allocate memory")
    ):
        return True
    # oneDNN's failures say no more: memory, where allocations can fail (seen under ulimit -v
    # at the first batch's convolution), else something to report.
    return text.strip() in ONEDNN_CREATION_FAILURES and allocations_can_fail()


def _no_memory(device: torch.device, doing: str) -> ZslError:
    if device.type != "cpu":
        return ZslError(f"out of {device.type} memory {doing}; use --device cpu or a smaller model")
    where = memory_limits_in_force(address_space_limit(), overcommit_is_strict())
    return ZslError(f"out of cpu memory {doing}; {where}, or use a smaller model")


def start_cpu_threads(device: torch.device) -> None:
    """Set up torch's threads on the CPU as a model loads, before anything runs in parallel.

    At most one per core this process may use (its affinity and a container's CPU quota, as for
    decode workers): torch follows the affinity but not a quota, so a pod limited to 2 CPUs on a
    64-core node ran a thread per core, throttled by the quota. OMP_NUM_THREADS or
    MKL_NUM_THREADS, where set, decide instead; a smaller count set with torch.set_num_threads
    is kept.

    Then its thread pool (libgomp's) is started, which otherwise starts at the first operation
    that runs in parallel: where a limit (ulimit -v, ulimit -u, a pids limit) leaves no room for
    its threads, libgomp ends the process itself (exit 1, no word of zsl's). Room is checked
    first, so that such a limit is an error the load reports in one line (exit 2): for the
    threads' stacks, with a margin, where an allocation can fail, and for the threads
    themselves, as Python threads that start and end (gone before libgomp's start, which would
    otherwise find them still counted). The pool's work is allocated before the check, and
    nothing else runs between the check and the pool's start.
    """
    if device.type != "cpu":
        return
    if not any(os.environ.get(name) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")):
        cores = batching.available_cores()
        if torch.get_num_threads() > cores:
            torch.set_num_threads(cores)
    threads = torch.get_num_threads()
    if threads > 1:
        # Split among all the threads: torch runs a loop in parallel in chunks of 32,768.
        work = torch.empty(threads * 32768 + 1)
        check_room_for_threads(threads - 1)
        _check_threads_start(threads - 1)
        work.fill_(1)


# How long the threads of the check may take to be gone from the system once they ended.
THREADS_GONE_TIMEOUT_S = 2.0


def _check_threads_start(count: int) -> None:
    """Start `count` threads that all live at once, then end them and wait until the system has
    let them go; raises RuntimeError ("can't start new thread") where it has no room for them
    all."""
    release = threading.Event()
    started: list[threading.Thread] = []
    try:
        for _ in range(count):
            thread = threading.Thread(target=release.wait, daemon=True)
            thread.start()
            started.append(thread)
    finally:
        release.set()
        for thread in started:
            thread.join()
        _wait_until_gone([thread.native_id for thread in started])


def _wait_until_gone(native_ids: Sequence[int | None]) -> None:
    """Wait (a while at most) until the threads of these ids have left the system: join()
    returns as a thread's Python part ends, before its stack and its place under a thread limit
    are free. Where /proc does not list a process's threads, nothing to wait for."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return
    deadline = time.monotonic() + THREADS_GONE_TIMEOUT_S
    left = [tasks / str(tid) for tid in native_ids if tid is not None]
    while left and time.monotonic() < deadline:
        left = [task for task in left if task.exists()]
        if left:
            time.sleep(0.001)


@contextmanager
def _out_of_memory_as_one_line(device: torch.device, doing: str) -> Iterator[None]:
    """Where no smaller batch can help: out of memory becomes a user error (one line)."""
    try:
        yield
    except RuntimeError as error:
        if not _out_of_memory(error):
            raise
        raise _no_memory(device, doing) from None


def _score_head(model: Any, model_type: str, name: str) -> ScoreHead:
    scale = getattr(model, "logit_scale", None)
    temperature = getattr(model, "temperature", None)  # ALIGN, TIPS: logits = cos / temperature
    if scale is not None:
        log_scale = scale.detach().float()
        source = f"logit_scale of {float(log_scale.item()):g}"
        ceiling = getattr(model, "max_log_logit_scale", None)  # AIMv2 clamps it to [0, ceiling]
        if isinstance(ceiling, (int, float)):
            log_scale = log_scale.clamp(0.0, ceiling)
        scale_value = float(log_scale.exp().item())
    elif isinstance(temperature, torch.Tensor):
        value = float(temperature.detach().float().item())
        source = f"temperature of {value:g}"
        scale_value = 1.0 / value if value else math.inf
    else:
        source, scale_value = "default scale of 100", 100.0
    sigmoid = "siglip" in model_type
    bias = getattr(model, "logit_bias", None) if sigmoid else None
    bias_value = float(bias.detach().float().item()) if bias is not None else 0.0
    if not (math.isfinite(scale_value) and scale_value > 0 and math.isfinite(bias_value)):
        # Every score would be NaN (or ranked backwards), and NaN is below no --threshold.
        raise ZslError(
            f"model {name}: its {source} makes a score scale of {scale_value:g} (bias "
            f"{bias_value:g}), which gives no usable scores; are its weights a trained model's?"
        )
    return ScoreHead("sigmoid" if sigmoid else "softmax", scale_value, bias_value)


def _pooled(
    output: Any, model_type: str = "", model: str = "the model", part: str = "image"
) -> torch.Tensor:
    """The one embedding per image or text (`part`) in `output`, the model's get_{part}_features
    output; `model` names the model where it gives none."""
    # transformers 5 returns a model output whose pooler_output is the projected embedding;
    # transformers 4 returned the tensor itself.
    pooled = output if isinstance(output, torch.Tensor) else getattr(output, "pooler_output", None)
    if model_type == "flava" and isinstance(pooled, torch.Tensor) and pooled.ndim == 3:
        # FLAVA projects every token; its contrastive head compares the first ([CLS]) ones.
        pooled = pooled[:, 0]
    if not isinstance(pooled, torch.Tensor) or pooled.ndim != 2:
        # BLIP-2's Blip2Model: its text "features" are a language model's hidden states.
        raise ZslError(
            f"{model} gives no single embedding per {part} (its get_{part}_features has no "
            "pooled output); zsl needs a dual encoder such as CLIP or SigLIP"
        )
    return pooled


def _within(embeddings: np.ndarray, first: np.ndarray) -> bool:
    """Whether every row of `embeddings` is within 1e-6 of `first` in each value."""
    return float(np.abs(embeddings - first).max()) <= 1e-6


def _normalised(features: torch.Tensor) -> np.ndarray:
    """Each row scaled to unit length; a row that is not finite comes back as NaN, an all-zero
    row as zeros: the caller decides what such a row fails (an image, or the run's prompts)."""
    features = features.float()
    finite = torch.isfinite(features).all(dim=-1, keepdim=True)
    # Scaled by the row's largest value first: the norm of finite values above ~1.8e19
    # overflows float32, and dividing by that inf made a zero vector out of a good row.
    largest = torch.where(finite, features.abs(), 0.0).amax(dim=-1, keepdim=True)
    scaled = features / torch.where(largest > 0, largest, 1.0)
    # A usable row's norm is at least 1 now; a zero row's 0 is left to divide nothing.
    unit = scaled / scaled.norm(dim=-1, keepdim=True).clamp_min(1.0)
    return torch.where(finite, unit, torch.nan).cpu().numpy()


def _text_max_length(model: Any, tokenizer: Any) -> int:
    """Tokens a prompt may have: the text tower's positions, or fewer where the tokenizer says
    so (RoBERTa-style towers such as AltCLIP's reserve 2 of their 514 positions)."""
    text_config = getattr(model.config, "text_config", None)
    positions = getattr(text_config, "max_position_embeddings", None)
    length = int(positions) if isinstance(positions, int) else 77
    for module in model.modules():
        padding_idx = getattr(module, "padding_idx", None)
        if isinstance(padding_idx, int) and hasattr(module, "position_embeddings"):
            length -= padding_idx + 1  # RoBERTa-style positions start after the padding index
            break
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < length:
        length = tokenizer_limit
    return length


def _architecture_fingerprint(config: Any) -> str:
    """The model's configuration without what says where it was loaded from or which
    transformers wrote it: a copy, another spelling of the path or a newer transformers gives
    the same embeddings."""

    def settings(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: settings(item)
                for key, item in value.items()
                if not str(key).startswith("_") and key != "transformers_version"
            }
        return value

    return json.dumps(settings(config.to_dict()), sort_keys=True, default=str)


def _tensors_fingerprint(model: Any) -> str:
    """A content hash of the model's tensors, for a model whose weight files are not on disk."""
    digest = hashlib.sha256()
    for key, tensor in sorted(model.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()


def _preprocessing_fingerprint(image_processor: Any) -> str:
    to_dict = getattr(image_processor, "to_dict", None)
    config = to_dict() if callable(to_dict) else {}
    return json.dumps(config, sort_keys=True, default=str)
