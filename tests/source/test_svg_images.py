"""Which SVG images the editions take (source/project.py, ``svg_problem``): nothing that
runs or reaches another file; an image or a font carried in a data: URL is part of the file."""
from __future__ import annotations

import pytest

from reader_build.source.project import svg_problem

HEAD = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@pytest.mark.parametrize("body", [
    b'<rect width="10" height="10"/>',
    b'<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
    b'<defs><style>@font-face{font-family:"Map";src:url(data:font/woff;base64,d09GRgABAAA=) '
    b'format("woff")}</style></defs><text font-family="Map">Kunashir</text>',
    b"<defs><style>@font-face{font-family:Map;src:url('data:font/woff2;base64,d09GMgABAAA=')}</style></defs>",
])
def test_self_contained_svg_is_taken(body):
    assert svg_problem(HEAD + body + b"</svg>") is None


@pytest.mark.parametrize("body, problem", [
    (b"<script>alert(1)</script>", "contains a <script> element"),
    (b'<defs><style>@font-face{font-family:Map;src:url(fonts/map.woff)}</style></defs>',
     "refers to 'fonts/map.woff'"),
    (b'<defs><style>@font-face{font-family:Map;src:url("https://example.com/map.woff")}</style></defs>',
     "refers to 'https://example.com/map.woff'"),
    (b'<image xlink:href="data:text/html;base64,PGI+" width="1" height="1"/>',
     "refers to 'data:text/html;base64,PGI+'"),
    (b'<defs><style>@import url(data:font/woff;base64,AAAA);</style></defs>', "imports a stylesheet"),
])
def test_svg_that_runs_or_reaches_out_is_refused(body, problem):
    assert svg_problem(HEAD + body + b"</svg>") == problem
