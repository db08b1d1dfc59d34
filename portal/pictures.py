"""Bars drawn with CSS classes: the Content-Security-Policy forbids inline styles, so a bar's
width is one of the ``bar-w-<step>`` classes in static/css/portal.css, in 5 % steps."""

from __future__ import annotations


def bar_step(part: float, whole: float) -> int:
    """The width of ``part`` out of ``whole`` in 5 % steps, 0 to 100. A part above zero shows at
    least one step, so that something is never drawn as nothing."""
    if not whole or part <= 0:
        return 0
    return max(5, min(100, 5 * round(20 * part / whole)))
