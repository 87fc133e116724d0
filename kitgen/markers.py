"""The private marker tokens kitgen writes into text between two steps and replaces later.

A token is ``⁅name:value⁆`` (U+2045 / U+2046, brackets no content uses): the legacy-page
repairs leave column blocks and fill-in blanks that the HTML step turns into markup, and
``field()`` leaves personalised fields that the renderer fills after Markdown. One definition
here, so the writer and the reader of each token cannot drift apart; no token may reach a
PDF (tests/test_legacy_site.py looks for the brackets in the printed text).
"""

from __future__ import annotations

import re

OPEN, CLOSE = "\u2045", "\u2046"

COLUMN_OPEN = OPEN + "col:{}" + CLOSE  # a legacy [col-N] block starts (N: its width)
COLUMN_CLOSE = OPEN + "/col" + CLOSE
BLANK = OPEN + "blank:{}" + CLOSE  # a fill-in line (index into the page's blanks)
FIELD = OPEN + "field:{}" + CLOSE  # a personalised field by name

#: The tokens as the steps after Markdown find them.
FIELD_TOKEN = re.compile(re.escape(OPEN) + r"field:([a-z_]+)" + re.escape(CLOSE))
BLANK_TOKEN = re.compile(re.escape(OPEN) + r"blank:(\d+)" + re.escape(CLOSE))
#: Markdown wraps a column token alone on its line in a paragraph.
COLUMN_OPEN_PARAGRAPH = re.compile(
    r"<p>\s*" + re.escape(OPEN) + r"col:(\d+)" + re.escape(CLOSE) + r"\s*</p>"
)
COLUMN_CLOSE_PARAGRAPH = re.compile(
    r"<p>\s*" + re.escape(OPEN) + "/col" + re.escape(CLOSE) + r"\s*</p>"
)
