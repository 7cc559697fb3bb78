"""QR codes as citizens' phones, kiosk cameras and scanners read them.

Always a full QR code: for a short text such as a booking code segno would otherwise pick a
Micro QR, which phone cameras and the kiosk's decoder do not read. Error correction M.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_code(text: str) -> segno.QRCode:
    return segno.make_qr(text, error="m")


def qr_svg(text: str, border: int = 4, scale: int = 4, fit: bool = False) -> Markup:
    """Inline SVG; `border` is the quiet zone in modules (4 is the standard; a printed ticket
    with white paper around it can do with less). With `fit` the SVG has a viewBox and no size
    of its own, so CSS may size it: without a viewBox a smaller width crops the code instead."""
    buf = io.BytesIO()
    qr_code(text).save(buf, kind="svg", scale=scale, border=border, xmldecl=False, svgns=True, omitsize=fit)
    return Markup(buf.getvalue().decode())  # noqa: S704  (our own SVG)
