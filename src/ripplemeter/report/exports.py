"""metrics.json and CSV/XLSX exports.

Untrusted text (post texts, campaign names from ad platforms) is kept from running as a
formula in a spreadsheet:

* CSV: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with an apostrophe (OWASP, "CSV Injection"; ASVS 1.2.10). A CSV cell carries no type, so
  Excel, LibreOffice Calc and Google Sheets parse each cell as if it were typed in; a leading
  ``@`` starts a formula too (``@SUM(A1)`` runs, ``@lumentea`` becomes a ``#NAME?`` formula),
  so an ``@handle`` keeps its apostrophe in CSV.
* XLSX: every text cell is written with the string type (``t="s"``), which a spreadsheet
  shows as it is and never evaluates, so no apostrophe is added and ``@lumentea`` reads as
  ``@lumentea``. openpyxl would otherwise store any text starting with ``=`` as a formula
  (and ``#N/A`` and the other error codes as errors): :func:`write_table` sets the type
  itself.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone (a negative number is data, not a formula).

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def _default(o: object) -> object:
    if o is pd.NA or o is pd.NaT:
        return None
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if np.isnan(o) else float(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if isinstance(o, (pd.Timestamp, dt.datetime, dt.date)):
        return o.isoformat()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def scrub(o: object) -> object:
    """A copy of a JSON-like document with NaN/inf (and NaT, NA) replaced by None."""
    return _scrub(o)


def _scrub(o: object) -> object:
    if isinstance(o, dict):
        return {str(k): _scrub(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_scrub(v) for v in o]
    if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
        return None
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if o is pd.NA or o is pd.NaT:
        return None
    return o


def write_json(doc: dict, path: Path) -> Path:
    """Write a document as JSON (NaN/inf become null; numpy and dates converted)."""
    path.write_text(
        json.dumps(_scrub(doc), default=_default, ensure_ascii=False, indent=2, allow_nan=False),
        encoding="utf-8",
    )
    return path


def write_table(df: pd.DataFrame, path: Path) -> Path:
    """Write a DataFrame to CSV (UTF-8 with BOM, for Excel) or XLSX, text kept inert.

    Parameters
    ----------
    df : DataFrame
        Any columns; zone-aware times are written as the wall-clock time of their zone (the
        column name says which zone).
    path : Path
        ``.xlsx`` writes a workbook whose text cells are all of string type, as exported
        (no apostrophe); anything else writes CSV with :func:`neutralise` applied to text.

    Returns
    -------
    Path
        ``path``.
    """
    xlsx = path.suffix.lower() == ".xlsx"
    safe = df.copy() if xlsx else neutralise_frame(df)
    for col in safe.columns:
        if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
            safe[col] = safe[col].dt.tz_localize(None)
    if xlsx:
        _write_xlsx(safe, path)
    else:
        safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet, a header row, every ``str`` cell typed as text (never a formula)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.data_type = "s"
    for row in df.itertuples(index=False, name=None):
        ws.append([_xlsx_value(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl types "=..." as a formula, "#N/A" as an error
    wb.save(path)


def _xlsx_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def write_gexf(edges: pd.DataFrame, path: Path) -> Path:
    """The account graph of repost cascades as GEXF 1.3 (opens in Gephi).

    Parameters
    ----------
    edges : DataFrame
        One row per repost with ``parent_account_id`` and ``account_id`` (who reposted whom).
    path : Path

    Returns
    -------
    Path

    Notes
    -----
    Nodes are accounts; a directed edge runs from the reposted account to the reposting
    one, weighted by the number of such reposts. Reposts whose accounts are unknown are left
    out. Ids and labels are escaped by the XML writer (ElementTree); nothing else of the
    posts is written.

    References
    ----------
    GEXF 1.3 specification, https://gexf.net/
    """
    import xml.etree.ElementTree as ET

    e = edges.dropna(subset=["parent_account_id", "account_id"])
    w = e.groupby(["parent_account_id", "account_id"], sort=True).size().reset_index(name="weight")
    accounts = sorted(set(w["parent_account_id"]) | set(w["account_id"]), key=str)
    ns = "http://gexf.net/1.3"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}gexf", {"version": "1.3"})
    graph = ET.SubElement(root, f"{{{ns}}}graph", {"defaultedgetype": "directed"})
    xnodes = ET.SubElement(graph, f"{{{ns}}}nodes")
    for a in accounts:
        ET.SubElement(xnodes, f"{{{ns}}}node", {"id": str(a), "label": str(a)})
    xedges = ET.SubElement(graph, f"{{{ns}}}edges")
    for i, r in enumerate(w.itertuples(index=False)):
        ET.SubElement(
            xedges,
            f"{{{ns}}}edge",
            {
                "id": str(i),
                "source": str(r.parent_account_id),
                "target": str(r.account_id),
                "weight": str(int(r.weight)),
            },
        )
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
