"""How far a JPEG may be draft-decoded: DRAFT_MARGIN times the resize target, as (width,
height), whatever the target's shape."""

from __future__ import annotations

from PIL import Image

from zsl_cli.encoders.preprocess import DRAFT_MARGIN, FastPreprocessor, NaFlexPreprocessor


def test_a_fixed_size_target_bounds_the_draft_width_first():
    # SigLIP-style (height, width) = (20, 30): the draft must keep 4 x 30 columns and 4 x 20 rows.
    geometry = FastPreprocessor(None, (20, 30), None, Image.BILINEAR)
    assert DRAFT_MARGIN == 4
    assert geometry.decode_hint == (120, 80)
    assert geometry.draft_bound(1.5) == (45, 30)


def test_a_shortest_edge_target_bounds_both_sides_alike():
    geometry = FastPreprocessor(24, None, (24, 30), Image.BICUBIC)
    assert geometry.decode_hint == (96, 96)
    assert geometry.draft_bound(1.5) == (36, 36)


def test_no_resize_no_draft_bound():
    assert FastPreprocessor(None, None, (24, 30), Image.BICUBIC).decode_hint is None


def test_a_naflex_draft_keeps_four_times_a_square_images_side():
    # 16 patches of 8: a square image is 4 x 4 patches, 32 px a side.
    assert NaFlexPreprocessor(8, 16, Image.BILINEAR).decode_hint == (128, 128)
    assert NaFlexPreprocessor(8, 16, Image.BILINEAR).input_size == (32, 32)
