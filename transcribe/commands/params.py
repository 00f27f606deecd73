"""Click parameter types shared by the verbs: finite numbers only (no nan, inf, 1e400)."""

from __future__ import annotations

import math

import click


class FiniteFloat(click.FloatRange):
    """A float within a range, finite, with a French decimal comma accepted (« 12,5 »)."""

    name = "nombre"

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"« {value} » n'est pas un nombre fini.", param, ctx)
        return number
