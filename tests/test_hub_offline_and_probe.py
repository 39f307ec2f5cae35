"""Offline mode as huggingface_hub reads it, the hub probe's port and host handling, and the
offline message's reason: offline mode set, or a hub that cannot be reached."""

from __future__ import annotations

import socket

import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.encoders.hub import PROXY_VARIABLES, hub_offline_set, hub_reachable
from zsl_cli.errors import ZslError


@pytest.fixture
def no_offline_settings(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def no_proxies(monkeypatch):
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"])
@pytest.mark.parametrize("value", ["1", "on", "Yes", "true", "TRUE"])
def test_either_variable_sets_offline_mode_in_any_case(no_offline_settings, variable, value):
    no_offline_settings.setenv(variable, value)
    assert hub_offline_set()


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "2"])
def test_other_values_leave_offline_mode_unset(no_offline_settings, value):
    no_offline_settings.setenv("HF_HUB_OFFLINE", value)
    no_offline_settings.setenv("TRANSFORMERS_OFFLINE", value)
    assert not hub_offline_set()


@pytest.mark.parametrize(
    ("endpoint", "address"),
    [
        ("http://mirror.example", ("mirror.example", 80)),
        ("https://mirror.example", ("mirror.example", 443)),
        ("HTTPS://mirror.example/path", ("mirror.example", 443)),
        ("http://mirror.example:8080", ("mirror.example", 8080)),
    ],
)
def test_the_probe_connects_to_the_endpoints_port(no_proxies, endpoint, address):
    tried = []

    def refuse(where, timeout):
        tried.append(where)
        raise ConnectionRefusedError

    no_proxies.setattr(socket, "create_connection", refuse)
    no_proxies.setenv("HF_ENDPOINT", endpoint)
    assert not hub_reachable()
    assert tried == [address]


def test_a_host_name_that_cannot_be_encoded_is_unreachable_not_a_crash(no_proxies):
    # A label over 63 characters: the IDNA codec refuses it with a UnicodeError.
    no_proxies.setenv("HF_ENDPOINT", f"http://{'a' * 64}.example")
    assert not hub_reachable()


@pytest.mark.parametrize("variable", ["ALL_PROXY", "all_proxy"])
def test_a_proxy_for_every_scheme_is_left_to_the_hub_client(no_proxies, variable):
    def no_probe(where, timeout):
        raise AssertionError(f"probed {where} past the proxy")

    no_proxies.setattr(socket, "create_connection", no_probe)
    no_proxies.setenv(variable, "http://127.0.0.1:1")
    for endpoint in ("http://mirror.example", "https://mirror.example"):
        no_proxies.setenv("HF_ENDPOINT", endpoint)
        assert hub_reachable()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_uncached_model_without_the_hub_says_the_hub_cannot_be_reached(
    no_offline_settings, no_proxies, tmp_path
):
    import huggingface_hub.constants

    no_proxies.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    no_proxies.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(ZslError) as info:
        load_encoder("acme/not-cached")
    assert info.value.message == (
        "model acme/not-cached is not available offline (not in the Hugging Face cache and the "
        "hub cannot be reached): download it once with network access "
        "(`hf download acme/not-cached`), or pass a local save_pretrained directory, or use a "
        "bundled model (shapes-demo)"
    )
    no_proxies.setenv("TRANSFORMERS_OFFLINE", "1")
    with pytest.raises(ZslError) as info:
        load_encoder("acme/not-cached", revision="v2")
    assert info.value.message == (
        "model acme/not-cached at revision v2 is not available offline (not in the Hugging Face "
        "cache and offline mode is set): download it once with network access "
        "(`hf download acme/not-cached --revision v2`), or pass a local save_pretrained "
        "directory, or use a bundled model (shapes-demo)"
    )
