"""One exception family for everything a user can get wrong.

Every message names the file, the row (1-based, as a spreadsheet shows it), the column and
what was expected, so that a marketer can open the file and fix it. The CLI prints the
message without a traceback and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class RippleError(Exception):
    """Base class of every error ripplemeter raises on purpose (bad input, bad settings)."""


def _where(path: str | Path | None, row: int | None, column: str | None) -> str:
    parts: list[str] = []
    if path is not None:
        parts.append(Path(path).name)
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


class FormatError(RippleError):
    """A file does not match the format it was imported as.

    Parameters
    ----------
    path : str or Path
        The file being read.
    row : int, optional
        1-based row number as a spreadsheet shows it (row 1 is the first line of the file;
        a quoted field spanning several lines is still one row).
    column : str, optional
        Column name as written in the file's header.
    expected : str, optional
        What the importer expected, in words ("a whole number").
    found : str, optional
        The offending value, shown quoted and shortened to 60 characters.
    message : str, optional
        A free-form explanation used instead of expected/found.

    Examples
    --------
    >>> str(FormatError("meta.csv", row=14, column="Link clicks", expected="a whole number",
    ...                 found="12,5k"))
    "meta.csv, row 14, column 'Link clicks': expected a whole number, found '12,5k'"
    """

    def __init__(
        self,
        path: str | Path | None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
        message: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        if message is None:
            message = f"expected {expected}" if expected else "cannot read this value"
            if found is not None:
                shown = str(found)
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                message += f", found '{shown}'"
        self.detail = message
        where = _where(path, row, column)
        super().__init__(f"{where}: {message}" if where else message)


class CampaignError(RippleError):
    """campaign.toml is malformed: the message names the file and the key.

    Parameters
    ----------
    path : str or Path
        The campaign file.
    key : str, optional
        Dotted key such as ``campaign.end`` or ``sources[2].path``.
    message : str
        What is wrong and what was expected.
    line : int, optional
        Line in the TOML file, when the TOML parser reports one.
    """

    def __init__(
        self, path: str | Path | None, key: str | None, message: str, line: int | None = None
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.line = line
        parts = []
        if path is not None:
            parts.append(Path(path).name)
        if line is not None:
            parts.append(f"line {line}")
        if key is not None:
            parts.append(f"key '{key}'")
        where = ", ".join(parts)
        super().__init__(f"{where}: {message}" if where else message)


class WorkspaceError(RippleError):
    """The workspace file cannot be opened or used (locked, wrong schema version, ...)."""


class UnknownFormatError(RippleError):
    """A format name that no importer is registered under."""


class EvaluationError(RippleError):
    """A campaign cannot be evaluated as configured (e.g. currencies mixed without an FX rate)."""


class GraphError(RippleError):
    """A graph file or graph argument is invalid (bad line, probability outside [0, 1], ...)."""


class CascadeError(RippleError):
    """Parent pointers that do not describe one tree rooted at a single node."""
