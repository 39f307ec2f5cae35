"""Classes whose vectors are equal to the bit get equal similarities to the bit, whatever the
matrix product does: a BLAS may round the columns at the edges of its tiles otherwise than the
others, and a class the model cannot tell from another must then still tie with it, so that the
two rank in class order rather than by the place of a tile's edge. Copies of an image likewise
get the row of its first copy, wherever the product rounds their rows otherwise."""

from __future__ import annotations

import numpy as np

from zsl_cli.scoring import similarities, top_k


class EdgeRounding(np.ndarray):
    """Image rows whose product with class vectors rounds every other column one step up, as a
    product that treats the edge columns of its tiles otherwise would."""

    def __matmul__(self, other: np.ndarray) -> np.ndarray:  # type: ignore[override]
        product = np.asarray(self) @ other
        product[:, 1::2] = np.nextafter(product[:, 1::2], np.float32(np.inf))
        return product


class EdgeRowRounding(np.ndarray):
    """The same for every other row."""

    def __matmul__(self, other: np.ndarray) -> np.ndarray:  # type: ignore[override]
        product = np.asarray(self) @ other
        product[1::2] = np.nextafter(product[1::2], np.float32(np.inf))
        return product


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    vectors = rng.standard_normal(shape).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_equal_class_vectors_get_the_first_ones_similarities_and_tie_in_class_order():
    rng = np.random.default_rng(3)
    classes = _unit(rng, (8, 16))
    classes[[3, 5]] = classes[2]  # class 2 at an even column, its copies at odd ones
    images = _unit(rng, (4, 16)).view(EdgeRounding)
    sims = similarities(images, classes)
    plain = np.asarray(images) @ classes.T
    for column in (2, 3, 5):
        np.testing.assert_array_equal(sims[:, column], plain[:, 2])
    # The other classes keep what the product gave them.
    others = [0, 1, 4, 6, 7]
    np.testing.assert_array_equal(sims[:, others], (images @ classes.T)[:, others])
    # Made the best class of every image, the three tie and rank in class order.
    images = np.tile(classes[2], (4, 1)).view(EdgeRounding)
    indices, _ = top_k(similarities(images, classes), 3)
    assert indices.tolist() == [[2, 3, 5]] * 4


def test_copies_of_an_image_get_the_first_copy_s_row():
    rng = np.random.default_rng(4)
    classes = _unit(rng, (6, 16))
    images = _unit(rng, (7, 16))
    images[[3, 5]] = images[2]  # the first copy at an even row, the others at odd ones
    sims = similarities(images.view(EdgeRowRounding), classes)
    plain = images @ classes.T
    for row in (2, 3, 5):
        np.testing.assert_array_equal(sims[row], plain[2])
    others = [0, 1, 4, 6]
    np.testing.assert_array_equal(sims[others], (images.view(EdgeRowRounding) @ classes.T)[others])
