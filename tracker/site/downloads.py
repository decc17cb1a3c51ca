"""CSV downloads that a spreadsheet opens as data, never as formulas.

Retailer names come from mail headers and report fields from web pages, so a
sender can make a cell read `=HYPERLINK("https://evil.example","Levi's")` or
`=1+2`. Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and some
treat a leading tab or carriage return, or the fullwidth forms, the same way),
so such text cells are prefixed with an apostrophe, the spreadsheet's own
"this is text" mark (OWASP's CSV-injection advice). Numbers are left alone: a
negative number is a number, not a formula.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise_cell(value: object) -> object:
    """`value`, with an apostrophe in front when it is text a spreadsheet would evaluate."""
    # after any leading whitespace too, non-breaking and ideographic spaces included
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV for a download button, every text cell neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    safe.columns = [str(neutralise_cell(str(c))) for c in safe.columns]
    # CRLF rows (RFC 4180) also make the writer quote a cell holding a bare CR
    return safe.to_csv(index=False, lineterminator="\r\n").encode()
