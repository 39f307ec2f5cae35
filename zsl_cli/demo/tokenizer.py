"""A small CLIP-style byte-level BPE tokenizer, trained on the demo's caption corpus.

The vocabulary is laid out like OpenAI CLIP's: the 256 byte symbols, the same with the `</w>`
end-of-word suffix, the learned merges, then <|startoftext|> and <|endoftext|> last. Every byte has
a symbol, so any text tokenizes (unknown words fall apart into bytes instead of failing).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BOS_TOKEN = "<|startoftext|>"
EOS_TOKEN = "<|endoftext|>"
END_OF_WORD = "</w>"
MAX_LENGTH = 77  # like CLIP: long prompts are truncated to this many tokens

# The same normalisation and word split as transformers' CLIPTokenizer.
_SPLIT_PATTERN = (
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d"""
    r"""|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
)


def byte_symbols() -> list[str]:
    """GPT-2/CLIP's printable stand-in for each of the 256 bytes, in CLIP's order."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def learn_merges(corpus: Iterable[str]) -> list[tuple[str, str]]:
    """BPE merges learned from `corpus` with CLIP's normalisation and word split.

    A plain merge loop rather than the `tokenizers` trainer: that one breaks ties between equally
    frequent pairs differently from one process to the next, and the model must be reproducible.
    Ties here go to the alphabetically first pair. Merging stops when every word is one token.
    """
    from tokenizers import Regex, normalizers, pre_tokenizers

    normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    splitter = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_SPLIT_PATTERN), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    word_counts: Counter[tuple[str, ...]] = Counter()
    for text in corpus:
        for word, _ in splitter.pre_tokenize_str(normalizer.normalize_str(text)):
            symbols = (*word[:-1], word[-1] + END_OF_WORD)
            word_counts[symbols] += 1

    merges: list[tuple[str, str]] = []
    while True:
        pair_counts: Counter[tuple[str, str]] = Counter()
        for symbols, count in word_counts.items():
            for pair in zip(symbols, symbols[1:], strict=False):
                pair_counts[pair] += count
        if not pair_counts:
            return merges
        best = min(pair_counts, key=lambda pair: (-pair_counts[pair], pair))
        merges.append(best)
        word_counts = Counter({_merge(word, best): n for word, n in word_counts.items()})


def _merge(word: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    merged: list[str] = []
    index = 0
    while index < len(word):
        if index + 1 < len(word) and (word[index], word[index + 1]) == pair:
            merged.append(word[index] + word[index + 1])
            index += 2
        else:
            merged.append(word[index])
            index += 1
    return tuple(merged)


def build_vocab(merges: list[tuple[str, str]]) -> dict[str, int]:
    symbols = byte_symbols()
    tokens = symbols + [s + END_OF_WORD for s in symbols]
    known = set(tokens)
    for left, right in merges:
        if left + right not in known:
            tokens.append(left + right)
            known.add(left + right)
    tokens += [BOS_TOKEN, EOS_TOKEN]
    return {token: index for index, token in enumerate(tokens)}


def build_tokenizer(corpus: Iterable[str]) -> Any:
    """A transformers CLIPTokenizer(Fast) whose BPE was learned on `corpus`."""
    # transformers 5 has no such class: its lazy module maps the name to CLIPTokenizer when it is
    # imported, which type checkers cannot see (4.x has the class).
    from transformers import CLIPTokenizerFast  # type: ignore[attr-defined]

    merges = learn_merges(corpus)
    return CLIPTokenizerFast(
        vocab=build_vocab(merges),
        merges=merges,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        unk_token=EOS_TOKEN,
        pad_token=EOS_TOKEN,
        model_max_length=MAX_LENGTH,
    )


def write_slow_tokenizer_files(tokenizer: Any, out_dir: Path) -> None:
    """vocab.json and merges.txt, which the slow CLIPTokenizer of transformers 4.x reads."""
    state = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
    merges = [m.split(" ") if isinstance(m, str) else m for m in state["merges"]]
    vocab_text = json.dumps(state["vocab"], ensure_ascii=False)
    (out_dir / "vocab.json").write_text(vocab_text + "\n", encoding="utf-8")
    # The slow tokenizer skips the first line of merges.txt: it is a version header.
    lines = ["#version: 0.2", *(f"{left} {right}" for left, right in merges)]
    (out_dir / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
