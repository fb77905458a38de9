"""KOL price lists: a CSV of account ids and what seeding each account costs.

The list is what an agency or a brand keeps for its key opinion leaders: one row per
account, a header with the columns ``id`` and ``cost`` (other columns are ignored, header
names are matched without regard to case), costs in the campaign's currency, thousands
separators allowed (``1,200``). :func:`ripplemeter.network.seeding.budgeted_seeds` and
``ripplemeter seeds --costs FILE --budget B`` read it with :func:`read_costs`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from ripplemeter.errors import FormatError

__all__ = ["read_costs"]


def read_costs(path: str | Path) -> dict[str, float]:
    """Read a KOL price list: a CSV with columns ``id,cost`` (header required).

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, a byte-order mark is fine).

    Returns
    -------
    dict
        Account id (as text) -> cost (non-negative float).

    Raises
    ------
    FormatError
        Missing columns, a cost that is not a non-negative number, or an id listed twice;
        the message names the file, row and column.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FormatError(path, message=f"cannot open the price list: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "id" not in fields or "cost" not in fields:
            raise FormatError(
                path,
                row=1,
                expected="a header with columns 'id' and 'cost'",
                found=",".join(reader.fieldnames or []),
            )
        id_col = reader.fieldnames[fields.index("id")]
        cost_col = reader.fieldnames[fields.index("cost")]
        out: dict[str, float] = {}
        for row_no, row in enumerate(reader, start=2):
            ident = (row.get(id_col) or "").strip()
            raw = (row.get(cost_col) or "").strip()
            if not ident:
                raise FormatError(path, row=row_no, column=id_col, expected="an account id")
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                value = math.nan
            if not (value >= 0.0) or math.isinf(value):
                raise FormatError(
                    path,
                    row=row_no,
                    column=cost_col,
                    expected="a non-negative number",
                    found=raw,
                )
            if ident in out:
                raise FormatError(
                    path, row=row_no, column=id_col, expected="each id once", found=ident
                )
            out[ident] = value
    return out
