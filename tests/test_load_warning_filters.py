"""A model load keeps the loading libraries' Python warnings off stderr, and only theirs: warning
filters are process-wide, and a host program's other threads go on warning during the load."""

import threading
import warnings

import pytest

from zsl_cli.encoders import load_encoder


def _loading_while(monkeypatch: pytest.MonkeyPatch, during_load) -> None:
    """Run `during_load` in the load, as the tokenizer loads (the model has loaded by then)."""
    import transformers

    loader = transformers.AutoTokenizer.from_pretrained

    def loader_and_more(*args, **kwargs):
        during_load()
        return loader(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", loader_and_more)


def test_the_warnings_of_the_host_programs_other_threads_during_a_load_reach_it(
    tiny_clip, monkeypatch
):
    # A web service loads a model in one thread (api.open_encoder): every warning its other
    # threads raised went missing for the whole load, which ignored every warning.
    def host_thread_warns() -> None:
        # stacklevel=1: the warning is this module's, as a host program's own would be its.
        host = threading.Thread(
            target=lambda: warnings.warn("the host's own", UserWarning, stacklevel=1)
        )
        host.start()
        host.join()

    _loading_while(monkeypatch, host_thread_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_encoder(str(tiny_clip))
    assert [str(w.message) for w in caught] == ["the host's own"]


@pytest.mark.parametrize(
    "module",
    [
        # transformers 4.45, on every tokenizer load: two lines of stack trace on zsl's stderr.
        "transformers.tokenization_utils_base",
        "huggingface_hub.file_download",
        "tokenizers",
        "safetensors.torch",
        "torch.serialization",
        # A library's warning about its caller's arguments (stacklevel=2) names our module.
        "zsl_cli.encoders.loading",
    ],
)
def test_the_loading_libraries_warnings_stay_off_stderr_under_any_host_filter(
    tiny_clip, monkeypatch, module
):
    def library_warns() -> None:
        warnings.warn_explicit("not actionable", FutureWarning, "library.py", 1, module=module)

    _loading_while(monkeypatch, library_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")  # python -W error: a warning would fail the load
        load_encoder(str(tiny_clip))
    assert caught == []
