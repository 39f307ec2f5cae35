"""A revision of a hub model loads that revision's files from the cache, and the encoder keeps
the revision it was asked for."""

from __future__ import annotations

from zsl_cli.encoders import load_encoder


def test_each_revision_loads_its_own_files(two_revisions):
    default = load_encoder("acme/tiny")
    v2 = load_encoder("acme/tiny", revision="v2")
    assert (default.head.kind, default.revision) == ("softmax", None)
    assert (v2.head.kind, v2.revision) == ("sigmoid", "v2")
    assert default.identity != v2.identity
    main = load_encoder("acme/tiny", revision="main")
    assert (main.head.kind, main.revision, main.identity) == ("softmax", "main", default.identity)
