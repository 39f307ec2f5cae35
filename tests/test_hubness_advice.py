"""The advice of `zsl hubness` with truth and a seen list, on synthetic embeddings run through
the library: it is judged by the harmonic mean H of seen and unseen accuracy, the number
generalised zero-shot work is judged by (Xian et al., TPAMI 2018), and says so.
"""

from __future__ import annotations

import numpy as np

from zsl_cli import hubness
from zsl_cli.formatting import percent


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def _gzsl_folder(
    seed: int, n_seen: int = 12, n_unseen: int = 3, per_class: int = 15, bias: float = 0.8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cosines, truth and unseen mask of a folder biased toward its seen classes, as models are:
    the seen classes' text vectors lean toward the direction all images share (in 32-d), so
    their cosines are higher for every image; the unseen ones do not."""
    rng = np.random.default_rng(seed)
    dim, n_classes = 32, n_seen + n_unseen
    shared = _unit(rng.normal(size=dim))
    classes = rng.normal(size=(n_classes, dim))
    classes = _unit(classes - np.outer(classes @ shared, shared))
    text = classes.copy()
    text[:n_seen] = _unit(text[:n_seen] + bias * shared)
    truth = np.repeat(np.arange(n_classes), per_class)
    noise = _unit(rng.normal(size=(len(truth), dim)))
    images = _unit(classes[truth] + 1.4 * noise + 0.8 * shared)
    return (images @ text.T).astype(np.float32), truth, np.arange(n_classes) >= n_seen


# --- with a seen list: the harmonic mean -------------------------------------------------------


def test_with_a_seen_list_the_advice_ranks_methods_by_the_harmonic_mean():
    sims, truth, unseen = _gzsl_folder(seed=20)
    names = [f"c{i}" for i in range(len(unseen))]
    result = hubness.compare(sims, names, truth=truth, unseen_mask=unseen)
    accuracy = {m: entry.accuracy for m, entry in result.methods.items()}
    h = {m: a["harmonic_mean"] for m, a in accuracy.items()}
    mean = {m: a["mean_per_class"] for m, a in accuracy.items()}
    # The case is one where the two numbers disagree by more than the half point the advice asks.
    by_mean, by_h = max(mean, key=mean.get), max(h, key=h.get)
    assert by_mean != by_h
    assert mean[by_mean] - mean[by_h] > 0.01 and h[by_h] - h[by_mean] > 0.01
    assert result.recommended_method == by_h
    assert result.recommendation == (
        f"Try --hubness-reduction {by_h}: harmonic mean of seen and unseen accuracy (H) "
        f"{percent(h[by_h])} vs {percent(h['none'])} without reduction (13 truth images it "
        "labels right that the raw similarities get wrong, 13 the other way round)."
    )
    # Without the seen list, mean per-class accuracy is the number, and the advice says so.
    plain = hubness.compare(sims, names, truth=truth)
    assert plain.recommended_method == by_mean
    assert plain.recommendation.startswith(
        f"Try --hubness-reduction {by_mean}: mean per-class accuracy {percent(mean[by_mean])}"
    )


def test_the_harmonic_mean_needs_half_a_point_and_names_itself_when_none_gains_it():
    def entry(seen: float, unseen: float) -> hubness.MethodHubness:
        h = 2 * seen * unseen / (seen + unseen)
        accuracy = {
            "mean_per_class": (seen + unseen) / 2,
            "seen_mean_per_class": seen,
            "unseen_mean_per_class": unseen,
            "harmonic_mean": h,
        }
        return hubness.MethodHubness(0.0, 0.0, 0.0, 0.0, 0, (), accuracy)

    # csls raises mean per-class accuracy by almost 4 points, but H by less than half a point.
    entries = {"none": entry(0.9, 0.5), "csls": entry(1.0, 0.478)}
    gain = {
        key: entries["csls"].accuracy[key] - entries["none"].accuracy[key]
        for key in ("mean_per_class", "harmonic_mean")
    }
    assert gain["mean_per_class"] > 0.035 and 0 < gain["harmonic_mean"] < 0.005
    advice = hubness._recommendation(entries, k=5, n_images=100, n_classes=10)
    assert advice.method == "none"
    assert advice.text == (
        "Keep no reduction: no method improves on its harmonic mean of seen and unseen accuracy "
        "(H, 64.3%) by half a point or more on these images."
    )
    unmeasured = hubness._recommendation({"none": entry(0.9, 0.5)}, k=5, n_images=100, n_classes=10)
    assert unmeasured.method is None
    assert unmeasured.text.startswith(
        "Harmonic mean of seen and unseen accuracy (H) 64.3% without reduction; no reduction"
    )


def test_a_seen_list_without_unseen_images_keeps_mean_per_class_accuracy():
    sims, truth, unseen = _gzsl_folder(seed=20)
    seen_only = ~unseen[truth]
    names = [f"c{i}" for i in range(len(unseen))]
    result = hubness.compare(sims[seen_only], names, truth=truth[seen_only], unseen_mask=unseen)
    for entry in result.methods.values():
        assert "harmonic_mean" not in entry.accuracy
        assert "unseen_mean_per_class" not in entry.accuracy
        assert "seen_mean_per_class" in entry.accuracy
    assert "mean per-class accuracy" in result.recommendation
    assert "harmonic mean" not in result.recommendation
