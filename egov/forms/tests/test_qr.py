"""The QR code on the forms encodes the dossier's lookup link.

No QR decoder is installed, so the SVG is read back into its module matrix and compared with a
fresh encoding of the expected link: equal matrices mean equal content.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import segno

from egov.forms.qr import QR_BORDER, QR_ERROR_LEVEL, qr_svg
from egov.forms.samples import SAMPLE_LOOKUP_URL, sample_context

PREFIX = "data:image/svg+xml;charset=utf-8,"


def svg_matrix(data_uri: str) -> list[list[int]]:
    """Rebuild the dark-module matrix from segno's SVG path (``M x y`` moves, ``h n`` runs, ``m dx dy``)."""
    assert data_uri.startswith(PREFIX)
    svg = unquote(data_uri[len(PREFIX) :])
    width, height = (int(v) for v in re.search(r"viewBox=['\"]0 0 (\d+) (\d+)['\"]", svg).groups())
    path = re.search(r"\sd=['\"]([^'\"]+)['\"]", svg).group(1)
    grid = [[0] * width for _ in range(height)]
    x = y = 0.0
    for command, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            for column in range(int(x), int(x + numbers[0])):
                grid[int(y)][column] = 1
            x += numbers[0]
        else:  # segno draws horizontal runs only
            raise AssertionError(f"unexpected path command {command}")
    return grid


def expected_matrix(text: str) -> list[list[int]]:
    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False, boost_error=False)
    return [[1 if dark else 0 for dark in row] for row in code.matrix_iter(border=QR_BORDER)]


def test_the_svg_encodes_exactly_the_lookup_url():
    uri = qr_svg(SAMPLE_LOOKUP_URL)

    assert svg_matrix(uri) == expected_matrix(SAMPLE_LOOKUP_URL)
    assert svg_matrix(uri) != expected_matrix(SAMPLE_LOOKUP_URL.replace("0007", "0008"))


def test_the_svg_scales_to_the_box_the_template_gives_it():
    svg = unquote(qr_svg("https://example.vn/a")[len(PREFIX) :])
    assert "viewBox" in svg
    assert "width=" not in svg.split(">", 1)[0]


def test_the_receipt_carries_the_qr_code_of_its_lookup_url(db):
    from egov.forms.rendering import render_html

    ctx = sample_context("receipt")
    html = render_html(form_set="tt01_2018", code="01", context=ctx)

    sources = re.findall(r'<img src="([^"]+)" alt="QR', html)
    assert len(sources) == 1
    assert svg_matrix(sources[0].replace("&amp;", "&")) == expected_matrix(ctx.lookup_url)
