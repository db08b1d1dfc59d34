"""portal.pictures.bar_step: widths in 5 % steps that never hide a count or overflow."""

import pytest

from portal.pictures import bar_step


@pytest.mark.parametrize(
    ("part", "whole", "step"),
    [(0, 10, 0), (0, 0, 0), (3, 0, 0), (1, 100, 5), (5, 10, 50), (10, 10, 100), (12, 10, 100), (1, 3, 35)],
)
def test_bar_step(part, whole, step):
    assert bar_step(part, whole) == step
