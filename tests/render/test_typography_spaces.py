"""Where a line must not break (render/typography.py): dates, and a title's last words."""
from __future__ import annotations

import pytest

from reader_build.render.typography import NBSP, nbsp, tie_last_words


@pytest.mark.parametrize("text, expected", [
    ("on 21 March 1956", f"on 21{NBSP}March{NBSP}1956"),
    ("March 21, 1956", f"March{NBSP}21, 1956"),
    ("Sept 1951 and 3 Oct", f"Sept{NBSP}1951 and 3{NBSP}Oct"),
    ("we may 3 times", "we may 3 times"),                   # not a month
    ("No. 1832 and p. 12", f"No.{NBSP}1832 and p.{NBSP}12"),
    ("Franklin D. Roosevelt", f"Franklin D.{NBSP}Roosevelt"),
])
def test_non_breaking_spaces(text, expected):
    assert nbsp(text) == expected


def test_a_title_keeps_its_last_two_words_together():
    assert tie_last_words("Why There Is No Peace Treaty with <em>Japan</em>") == \
        f"Why There Is No Peace Treaty with{NBSP}<em>Japan</em>"
    assert tie_last_words("One") == "One"
    assert tie_last_words('<span title="a b">The Kuril Islands</span>') == \
        f'<span title="a b">The Kuril{NBSP}Islands</span>'
