"""The Hugging Face hub as a model load meets it: whether it can be reached, whether offline
mode is set, and the command that downloads a model."""

from __future__ import annotations

import os
import socket
from importlib.metadata import PackageNotFoundError, distribution
from urllib.parse import urlsplit
from urllib.request import proxy_bypass

DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
HUB_PROBE_TIMEOUT_S = 3.0
# The hub client takes a proxy for https URLs from the first two, for http ones (an
# HF_ENDPOINT mirror) from the next two, for both from the last two.
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def hub_offline_set() -> bool:
    """HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE, read as huggingface_hub reads them."""
    return any(
        os.environ.get(name, "").upper() in ("1", "ON", "YES", "TRUE")
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def endpoint_problem() -> str | None:
    """Why HF_ENDPOINT is no URL huggingface_hub can take, else None. A port out of range or not
    a number fails huggingface_hub's import (a ValueError in urllib), which transformers' import
    and so every model load, local ones too, ran into: an internal error with a traceback."""
    endpoint = os.environ.get("HF_ENDPOINT")
    if not endpoint:
        return None
    try:
        urlsplit(endpoint).port  # noqa: B018 - parsing the port is the check
    except ValueError as error:
        return (
            f"HF_ENDPOINT {endpoint}: {error}; give the URL of the Hugging Face hub or of a "
            "mirror (https://huggingface.co), or unset it"
        )
    return None


def hub_reachable() -> bool:
    """Whether a connection to the Hugging Face hub (or HF_ENDPOINT) opens within a few seconds.

    Without one, huggingface_hub retries every request for ~25 s before it gives up or falls
    back to its cache: over 3 minutes for a cached model on an offline machine. With a proxy
    configured for the endpoint's scheme (and no NO_PROXY entry for its host), only the proxy can
    tell, so this says yes and leaves it to the hub client.
    """
    try:
        endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or DEFAULT_HUB_ENDPOINT)
        explicit_port = endpoint.port
    except ValueError:  # not a URL we can probe (endpoint_problem): the hub client will report it
        return True
    if not endpoint.hostname:  # not a URL we can probe: the hub client will report it
        return True
    scheme = endpoint.scheme.lower()
    proxies = [name for name in PROXY_VARIABLES if name.lower() in (f"{scheme}_proxy", "all_proxy")]
    # NO_PROXY naming the endpoint's host sends the hub client there directly: probe it.
    if any(os.environ.get(name) for name in proxies) and not proxy_bypass(endpoint.hostname):
        return True
    port = explicit_port or (80 if endpoint.scheme == "http" else 443)
    try:
        with socket.create_connection((endpoint.hostname, port), timeout=HUB_PROBE_TIMEOUT_S):
            return True
    except (OSError, UnicodeError):  # refused, unresolvable, timed out, malformed host
        return False


def hub_cli() -> str:
    """The command-line program of the installed huggingface_hub: `hf` from 0.34 on (the only one
    from 1.0), `huggingface-cli` before, which pyproject's range still allows. Read from its
    metadata, as importing huggingface_hub to ask would be slow."""
    try:
        entry_points = distribution("huggingface_hub").entry_points
    except PackageNotFoundError:
        return "hf"
    scripts = {entry.name for entry in entry_points if entry.group == "console_scripts"}
    return "huggingface-cli" if "huggingface-cli" in scripts and "hf" not in scripts else "hf"


def download_command(hub_id: str, revision: str | None) -> str:
    """The command that downloads a model to the cache, with the CLI the user has."""
    return f"{hub_cli()} download {hub_id}{f' --revision {revision}' if revision else ''}"
