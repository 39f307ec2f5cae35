"""The download advice where huggingface_hub's package metadata cannot be found (a vendored or
zipped copy): it names `hf`, the program of every huggingface_hub from 1.0 on."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError

from zsl_cli.encoders import hub


def _no_metadata(name: str) -> object:
    raise PackageNotFoundError(name)


def test_without_package_metadata_the_advice_names_hf(monkeypatch):
    monkeypatch.setattr(hub, "distribution", _no_metadata)
    assert hub.hub_cli() == "hf"
    assert hub.download_command("acme/clip", None) == "hf download acme/clip"
    assert hub.download_command("acme/clip", "v2") == "hf download acme/clip --revision v2"
