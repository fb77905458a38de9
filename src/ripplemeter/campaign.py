"""campaign.toml: parsing and validation.

A campaign names its window, baseline, time zone, currency, benchmarks, rate cards, FX rates
and the list of ``[[sources]]``; each report section may add its own table (``[seeding]``,
``[top_posts]``, ...), validated by the pydantic model the section declares. The file is
validated by pydantic models with unknown keys forbidden; every problem raises
:class:`~ripplemeter.errors.CampaignError` naming the file, the line and the key.

Example
-------
.. code-block:: toml

    [campaign]
    name = "Spring launch"
    start = 2021-08-01          # campaign window, inclusive, in `timezone`
    end = 2021-08-31
    baseline_start = 2021-01-01 # optional; default: as many days right before start
    baseline_end = 2021-01-31
    timezone = "UTC"
    currency = "USD"
    [benchmarks]
    cpc = 0.9                   # industry average cost per click, in currency
    [[sources]]
    path = "tweets.csv"         # relative to this file
    format = "x-analytics-tweets"
    [[rate_cards]]
    platform = "x"
    unit = "cpm"                # per_post | cpm | cpc
    price = 6.5
    [[fx]]
    currency = "INR"            # 1 INR = rate units of the campaign currency
    rate = 0.012
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ripplemeter.errors import CampaignError

RATE_UNITS = ("per_post", "cpm", "cpc")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Source:
    """One ``[[sources]]`` entry: a file to import and how.

    Attributes
    ----------
    path : Path
        Absolute path (relative paths in the file are resolved against campaign.toml's folder).
    format : str
        Registered format name.
    platform, account, timezone, table : str or None
        Passed to the importer (see :class:`ripplemeter.formats.SourceContext`).
    columns : dict[str, str] or None
        Column mapping for the ``generic`` format: canonical name -> source column.
    query : str, list of str or None
        Search query of a SERP file that does not record one (``serp`` format); a list
        names the file's result lists in order.
    decimal : {",", "."} or None
        Decimal mark of a hand-made table (``decimal = ","`` for ``1.234,5``).
    dayfirst : bool or None
        ``true``: dates such as ``31.03.2026`` are day first; ``false``: ``03/31/2026`` is
        month first.
    vertical : {"web", "news", "blog"} or None
        Which search a SERP file holds when its layout does not say (``serp`` format).
    """

    path: Path
    format: str
    platform: str | None = None
    account: str | None = None
    timezone: str | None = None
    table: str | None = None
    columns: dict[str, str] | None = None
    query: str | list[str] | None = None
    decimal: str | None = None
    dayfirst: bool | None = None
    vertical: str | None = None


@dataclass(frozen=True)
class RateCard:
    """A price used for advertising value equivalent (AVE).

    Attributes
    ----------
    platform : str
    unit : {"per_post", "cpm", "cpc"}
    price : float
        In ``currency``; CPM is per 1,000 impressions.
    currency : str
        ISO 4217 code (defaults to the campaign's).
    where : str
        Where it was given (``campaign.toml, line 17``), for messages.
    """

    platform: str
    unit: str
    price: float
    currency: str
    where: str = ""


@dataclass
class Campaign:
    """A parsed, validated campaign.toml.

    Attributes
    ----------
    name : str
    start, end : datetime.date
        Campaign window, inclusive, in ``timezone``.
    baseline_start, baseline_end : datetime.date
        Baseline window, inclusive (default: as many days right before ``start``).
    timezone : str
        IANA time zone.
    currency : str
        ISO 4217 reporting currency.
    benchmarks : dict[str, float]
        Industry benchmarks, e.g. ``{"cpc": 0.9}`` in ``currency``.
    sources : list[Source]
    rate_cards : list[RateCard]
    fx : dict[str, float]
        Currency -> units of the campaign currency per unit.
    generated : bool
        True for generated demo data (the report labels it).
    path : Path or None
        The campaign file.
    """

    name: str
    start: dt.date
    end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date
    timezone: str = "UTC"
    currency: str = "USD"
    benchmarks: dict[str, float] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    rate_cards: list[RateCard] = field(default_factory=list)
    fx: dict[str, float] = field(default_factory=dict)
    generated: bool = False
    baseline_defaulted: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    sections: tuple[str, ...] | None = None
    path: Path | None = None

    @property
    def file_name(self) -> str:
        """The campaign file's name, for messages."""
        return self.path.name if self.path else "campaign.toml"

    @property
    def seeding(self) -> Any:
        """The ``[seeding]`` settings (defaults when the table is absent)."""
        from ripplemeter.evaluate.seeding import SeedingSettings

        return self.settings.get("seeding") or SeedingSettings()

    def source_context(self, src: Source) -> Any:
        """The :class:`~ripplemeter.formats.SourceContext` a source is imported with."""
        from ripplemeter.formats import SourceContext

        return SourceContext(
            platform=src.platform,
            account=src.account,
            columns=src.columns,
            table=src.table,
            timezone=src.timezone,
            currency=self.currency,
            query=src.query,
            decimal=src.decimal,
            dayfirst=src.dayfirst,
            vertical=src.vertical,
        )

    def import_sources(
        self,
        workspace: Any = None,
        progress: Callable[[str], None] | None = None,
    ) -> list[Any]:
        """Import every source of the campaign (idempotently), in campaign.toml order.

        Parameters
        ----------
        workspace : Workspace, str or Path, optional
            Default ``ripplemeter.duckdb`` beside campaign.toml.
        progress : callable, optional
            Receives ``"importing NAME"`` before each file.

        Returns
        -------
        list[ImportResult]
            One per source; ``skipped`` when the file was already imported with the same
            settings.

        Raises
        ------
        FormatError
            A source does not match its format (nothing of that source was written).
        """
        from ripplemeter.evaluate import open_workspace

        with open_workspace(workspace, self) as ws:
            results = []
            for src in self.sources:
                if progress:
                    progress(f"importing {src.path.name}")
                results.append(ws.import_file(src.path, src.format, self.source_context(src)))
            return results

    @property
    def days(self) -> int:
        """Days in the campaign window."""
        return (self.end - self.start).days + 1

    @property
    def baseline_days(self) -> int:
        """Days in the baseline window."""
        return (self.baseline_end - self.baseline_start).days + 1

    @property
    def window(self) -> Any:
        """The campaign and baseline windows (:class:`ripplemeter.evaluate.context.Window`)."""
        from ripplemeter.evaluate.context import Window

        return Window.from_dates(
            self.start,
            self.end,
            self.baseline_start,
            self.baseline_end,
            self.timezone,
            self.baseline_defaulted,
        )

    def window_utc(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The campaign window as naive UTC bounds, end exclusive."""
        w = self.window.campaign
        return w.lo, w.hi

    def baseline_utc(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The baseline window as naive UTC bounds, end exclusive."""
        w = self.window.baseline
        return w.lo, w.hi

    def to_rate(self, currency: str) -> float | None:
        """Units of the campaign currency per unit of ``currency``, or None if unknown."""
        if currency == self.currency:
            return 1.0
        return self.fx.get(currency)


def _duckdb_zones() -> set[str]:
    """IANA zone names DuckDB's ICU knows (the evaluation converts times with it)."""
    global _ZONES
    if _ZONES is None:
        import duckdb

        con = duckdb.connect()
        _ZONES = {r[0] for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
        con.close()
    return _ZONES


def check_timezone_name(v: Any) -> str:
    """An IANA time zone that both zoneinfo and DuckDB know, for a settings validator.

    Raises
    ------
    ValueError
        Naming the value and an example, for pydantic to place at its file, line and key.
    """
    try:
        ZoneInfo(str(v))
        if str(v) not in _duckdb_zones():
            raise ValueError(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {v!r}; use an IANA name such as "
            "'UTC', 'Asia/Shanghai' or 'Asia/Seoul'"
        ) from None
    return str(v)


_ZONES: set[str] | None = None


def _section_of(text: str, line: int) -> str | None:
    """The [section] or [[section]] a 1-based line belongs to."""
    for ln in reversed(text.splitlines()[: line - 1]):
        m = re.match(r"^\s*\[+\s*([\w.-]+)\s*\]+", ln)
        if m:
            return m.group(1)
    return None


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign.toml.

    Parameters
    ----------
    path : str or Path
        The campaign file, or a folder holding ``campaign.toml``; source paths inside it
        are relative to its folder.

    Returns
    -------
    Campaign
        Its ``path`` is the file read.

    Raises
    ------
    CampaignError
        A folder without campaign.toml, unreadable TOML (with its line), unknown keys
        (reported before the required key a misspelling leaves missing, with the close match),
        missing required keys, bad dates, an end before the start, an unknown time zone,
        a missing source file or one that is a folder, a bad rate card.
    """
    path = Path(path)
    if path.is_dir():
        inside = path / "campaign.toml"
        if not inside.is_file():
            others = sorted(p.name for p in path.glob("*.toml"))
            hint = (
                f"; it has {', '.join(others[:3])}: give that file"
                if others
                else "; give the campaign file"
            )
            raise CampaignError(path, None, f"is a folder without a campaign.toml{hint}") from None
        path = inside
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CampaignError(path, None, "campaign file not found") from None
    except UnicodeDecodeError:
        raise CampaignError(path, None, "not UTF-8 text; save campaign.toml as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        if line is not None:
            # an impossible date such as 2021-13-01 is a TOML syntax error: say so plainly
            lines = text.splitlines()
            src = lines[line - 1] if line <= len(lines) else ""
            d = re.match(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(\d{4}-\d{1,2}-\d{1,2})\b", src)
            if d:
                section = _section_of(text, line)
                key = f"{section}.{d.group(1)}" if section else d.group(1)
                raise CampaignError(
                    path,
                    key,
                    f"{d.group(2)} is not a valid date; expected YYYY-MM-DD such as 2021-08-01",
                    line,
                ) from None
        raise CampaignError(path, None, f"not valid TOML: {exc}", line) from None
    return parse_campaign(data, path=path, text=text)


# ---------------------------------------------------------------- the file's models
def _no_datetime(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        raise ValueError("expected a date like 2021-08-01, found a date-time")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2021-08-01, found {v!r}")


def _currency_code(v: Any) -> Any:
    if v is None or (isinstance(v, str) and _CURRENCY.match(v)):
        return v
    raise ValueError(f"expected a 3-letter ISO 4217 code, found {v!r}")


def _positive(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
        raise ValueError(f"expected a positive number, found {v!r}")
    return float(v)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampaignTable(_Strict):
    """``[campaign]``: name, window, baseline, time zone, currency."""

    name: str
    start: dt.date
    end: dt.date
    baseline_start: dt.date | None = None
    baseline_end: dt.date | None = None
    timezone: str = "UTC"
    currency: str = "USD"
    generated: bool = False
    description: str | None = None
    sections: list[str] | None = None
    # listening (issue 10): a listening project whose topics the listening section reports
    listen: str | None = None

    _dates = field_validator("start", "end", "baseline_start", "baseline_end", mode="before")(
        classmethod(lambda cls, v: _no_datetime(v))
    )
    _cur = field_validator("currency", mode="before")(classmethod(lambda cls, v: _currency_code(v)))

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, v: Any) -> Any:
        if not isinstance(v, str) or not v.strip():
            raise ValueError("expected a non-empty string")
        return v.strip()

    @field_validator("generated", mode="before")
    @classmethod
    def _generated(cls, v: Any) -> Any:
        if not isinstance(v, bool):
            raise ValueError("expected true or false")
        return v

    @field_validator("timezone", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return check_timezone_name(v)


class BenchmarksTable(_Strict):
    """``[benchmarks]``: industry figures in the campaign currency."""

    cpc: float | None = None
    cpm: float | None = None
    engagement_rate: float | None = None

    _pos = field_validator("cpc", "cpm", "engagement_rate", mode="before")(
        classmethod(lambda cls, v: _positive(v))
    )


class SourceEntry(_Strict):
    """One ``[[sources]]`` entry."""

    path: str
    format: str
    platform: str | None = None
    account: str | None = None
    timezone: str | None = None
    table: str | None = None
    columns: dict[str, str] | None = None
    query: str | list[str] | None = None
    decimal: Literal[",", "."] | None = None
    dayfirst: bool | None = None
    vertical: Literal["web", "news", "blog"] | None = None

    @field_validator("vertical")
    @classmethod
    def _vertical(cls, v: str | None, info: Any) -> str | None:
        if v is not None and info.data.get("format") not in (None, "serp"):
            raise ValueError(
                "only the serp format reads a vertical (which search: web, news, blog)"
            )
        return v

    @field_validator("dayfirst", mode="before")
    @classmethod
    def _dayfirst(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, bool):
            raise ValueError("expected true (31.03.2026) or false (03/31/2026)")
        return v

    @model_validator(mode="after")
    def _options(self) -> SourceEntry:
        from ripplemeter.formats import get_format

        info = get_format(self.format)
        for opt in ("decimal", "dayfirst"):
            if getattr(self, opt) is not None and opt not in info.options:
                takers = "generic, outcomes, spend, rate-card and accounts"
                raise ValueError(
                    f"{opt}: format {self.format} reads its export as the platform writes "
                    f"it and takes no {opt}; it applies to {takers}"
                )
        return self

    @field_validator("query")
    @classmethod
    def _query(cls, v: str | list[str] | None, info: Any) -> str | list[str] | None:
        qs = [v] if isinstance(v, str) else (v or [])
        if v is not None and (not qs or any(not q.strip() for q in qs)):
            raise ValueError("expected a search query (or a list of them), not an empty one")
        if v is not None and info.data.get("format") not in (None, "serp"):
            raise ValueError("only the serp format reads a query (the file's search query)")
        return v

    @field_validator("format")
    @classmethod
    def _format(cls, v: str) -> str:
        from ripplemeter.formats import available_formats

        known = {f.name for f in available_formats()}
        if v not in known:
            raise ValueError(f"unknown format {v!r}; known formats: {', '.join(sorted(known))}")
        return v

    @field_validator("columns", mode="before")
    @classmethod
    def _columns(cls, v: Any) -> Any:
        if v is not None and (
            not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values())
        ):
            raise ValueError("expected a table of canonical name = source column")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ZoneInfo(str(v))
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {v!r}") from None
        return v


class RateCardEntry(_Strict):
    """One ``[[rate_cards]]`` entry."""

    platform: str
    unit: Literal["per_post", "cpm", "cpc"]
    price: float = Field(ge=0)
    currency: str | None = None

    _cur = field_validator("currency", mode="before")(classmethod(lambda cls, v: _currency_code(v)))

    @field_validator("platform", mode="before")
    @classmethod
    def _platform(cls, v: Any) -> Any:
        return str(v)

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise ValueError(f"expected a non-negative number, found {v!r}")
        return float(v)


class FxEntry(_Strict):
    """One ``[[fx]]`` entry: 1 ``currency`` = ``rate`` units of the campaign currency."""

    currency: str
    rate: float

    _cur = field_validator("currency", mode="before")(classmethod(lambda cls, v: _currency_code(v)))
    _rate = field_validator("rate", mode="before")(classmethod(lambda cls, v: _positive(v)))


class CampaignFile(_Strict):
    """The core tables of campaign.toml (each section validates its own table)."""

    campaign: CampaignTable
    benchmarks: BenchmarksTable = BenchmarksTable()
    sources: list[SourceEntry] = []
    rate_cards: list[RateCardEntry] = []
    fx: list[FxEntry] = []


CORE_TABLES = tuple(CampaignFile.model_fields)


# ---------------------------------------------------------------- positions in the file
_HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.-]+)\s*\]\]?")


def _line(text: str, loc: tuple) -> int | None:
    """1-based line of a key given by its pydantic location, e.g. ("sources", 0, "path").

    Finds the table (the (i+1)-th ``[[name]]`` for an array entry), then the key inside it
    up to the next table header; the table's header line when the key is absent.
    """
    if not text or not loc:
        return None
    lines = text.splitlines()
    table, rest = str(loc[0]), list(loc[1:])
    index = rest.pop(0) if rest and isinstance(rest[0], int) else None
    key = next((str(x) for x in rest if not isinstance(x, int)), None)
    headers = [(i, m.group(2)) for i, ln in enumerate(lines) if (m := _HEADER.match(ln))]
    starts = [i for i, name in headers if name == table or name.startswith(table + ".")]
    starts = [i for i, name in headers if name == table] or starts
    if not starts:
        pat = re.compile(rf"^\s*{re.escape(table)}\s*=")
        return next((i + 1 for i, ln in enumerate(lines) if pat.match(ln)), None)
    start = starts[min(index or 0, len(starts) - 1)]
    if key is None:
        return start + 1
    pat = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start + 1, len(lines)):
        m = _HEADER.match(lines[i])
        if m and m.group(2) == f"{table}.{key}":
            return i + 1  # a sub-table such as [campaign.extra]
        if m and not m.group(2).startswith(f"{table}."):
            break
        if pat.match(lines[i]):
            return i + 1
    return start + 1


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _allowed(model: type[BaseModel] | None, loc: tuple) -> list[str]:
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        f = model.model_fields.get(str(part))
        ann = f.annotation if f else None
        args = getattr(ann, "__args__", ()) or ()
        model = next(
            (a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
    return sorted(model.model_fields) if model is not None else []


def _message(err: dict, model: type[BaseModel] | None) -> tuple[tuple, str]:
    """A plain message for one pydantic error, and the location it belongs to."""
    loc, kind, value = tuple(err["loc"]), err["type"], err.get("input")
    if kind == "value_error":
        msg = str(err["ctx"]["error"])
        m = re.match(r"^(\w+): (.*)$", msg, re.S)
        if m and model is not None and m.group(1) in _allowed(model, (*loc, "x")):
            return (*loc, m.group(1)), m.group(2)
        return loc, msg
    if kind == "extra_forbidden":
        return loc, f"unknown key; expected one of {', '.join(_allowed(model, loc))}"
    if kind == "missing":
        return loc, "missing required key"
    if kind == "literal_error":
        return (
            loc,
            f"expected one of {err['ctx']['expected'].replace(chr(39), '')}, found {value!r}",
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<"}.get(kind, "<=")
        bound = next(iter(err["ctx"].values()))
        return loc, f"expected a number {op} {bound}, found {value!r}"
    what = {
        "int_type": "a whole number",
        "int_from_float": "a whole number",
        "int_parsing": "a whole number",
        "float_type": "a number",
        "float_parsing": "a number",
        "string_type": "text in quotes",
        "bool_type": "true or false",
        "list_type": 'a list such as ["a", "b"]',
        "dict_type": "a table",
        "model_type": "a table",
        "model_attributes_type": "a table",
    }.get(kind)
    if what:
        return loc, f"expected {what}, found {value!r}"
    return loc, err["msg"]


def _first_error(errors: list[dict]) -> dict:
    """The error to report: pydantic's first, except that an unknown key comes before a
    missing required key (``strat = ...`` for ``start = ...`` is the likely cause)."""
    if errors[0]["type"] == "missing":
        return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    return errors[0]


def _raise(exc: ValidationError, path: Path, text: str, model: type[BaseModel], prefix: tuple = ()):
    err = _first_error(exc.errors(include_url=False))
    loc, msg = _message(err, model)
    if err["type"] == "extra_forbidden" and loc:
        close = difflib.get_close_matches(str(loc[-1]), _allowed(model, loc), n=1)
        if close:
            msg = msg.replace("unknown key;", f"unknown key; did you mean {close[0]!r}?", 1)
    loc = (*prefix, *loc)
    top = str(loc[0]) if loc else ""
    if len(loc) == 1 and err["type"] == "list_type" and top in ("sources", "rate_cards", "fx"):
        msg = f"write each entry as its own [[{top}]] table (double brackets)"
    elif len(loc) == 1 and err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = f"write [{top}] as one table (single brackets)"
    raise CampaignError(path, _key(loc), msg, _line(text, loc)) from None


def _validate(model: type[BaseModel], data: Any, path: Path, text: str, prefix: tuple = (), **ctx):
    try:
        return model.model_validate(data, context=ctx or None)
    except ValidationError as exc:
        _raise(exc, path, text, model, prefix)


def _listening_settings(listen: str, base: Path, p: Path, text: str, settings: dict) -> Any:
    """The listening section's settings from the listening project ``[campaign] listen``
    names (its topics and alerts; a campaign's own ``[listening]`` limits win)."""
    from ripplemeter.listen.project import load_listen_project

    lp = Path(listen)
    lp = lp if lp.is_absolute() else base / lp
    if not lp.is_file():
        raise CampaignError(
            p,
            "campaign.listen",
            f"listening project not found: {lp}; give the path of its listen.toml",
            _line(text, ("campaign", "listen")),
        )
    return load_listen_project(lp).section_settings(settings.get("listening"))


def parse_campaign(data: dict, *, path: Path | None = None, text: str = "") -> Campaign:
    """Validate an already-parsed TOML mapping (see :func:`load_campaign`).

    The core tables are validated by :class:`CampaignFile`; every other top-level table must
    be the id of a registered report section with settings, and is validated by that
    section's own model (:attr:`Section.settings`).
    """
    from ripplemeter.evaluate.section import available_sections, section_settings_models

    p = path or Path("campaign.toml")
    base = p.parent if path else Path.cwd()
    section_models = section_settings_models()
    core = {k: v for k, v in data.items() if k in CORE_TABLES}
    for k in data:
        if k not in CORE_TABLES and k not in section_models:
            known = sorted({*CORE_TABLES, *section_models})
            raise CampaignError(
                p, k, f"unknown section; expected one of {', '.join(known)}", _line(text, (k,))
            )
    if "campaign" not in core:
        raise CampaignError(p, "campaign", "missing [campaign] section", None)
    f: CampaignFile = _validate(CampaignFile, core, p, text)
    camp = f.campaign
    if camp.end < camp.start:
        raise CampaignError(
            p,
            "campaign.end",
            f"end {camp.end} is before start {camp.start}",
            _line(text, ("campaign", "end")),
        )
    defaulted = False
    if camp.baseline_start is not None or camp.baseline_end is not None:
        if camp.baseline_start is None or camp.baseline_end is None:
            missing = "baseline_end" if camp.baseline_start is not None else "baseline_start"
            raise CampaignError(
                p,
                f"campaign.{missing}",
                "give both baseline_start and baseline_end, or "
                "neither (default: as many days right before start)",
                _line(text, ("campaign",)),
            )
        b0, b1 = camp.baseline_start, camp.baseline_end
        if b1 < b0:
            raise CampaignError(
                p,
                "campaign.baseline_end",
                f"baseline_end {b1} is before baseline_start {b0}",
                _line(text, ("campaign", "baseline_end")),
            )
        if b1 >= camp.start and b0 <= camp.end:
            raise CampaignError(
                p,
                "campaign.baseline_end",
                "the baseline overlaps the campaign window",
                _line(text, ("campaign", "baseline_end")),
            )
    else:
        n = (camp.end - camp.start).days + 1
        b1 = camp.start - dt.timedelta(days=1)
        b0 = camp.start - dt.timedelta(days=n)
        defaulted = True
    if camp.sections is not None:
        known = {s.id for s in available_sections()}
        twice = sorted({x for x in camp.sections if camp.sections.count(x) > 1})
        if twice:
            raise CampaignError(
                p,
                "campaign.sections",
                f"{', '.join(repr(x) for x in twice)} listed twice; list each section once",
                _line(text, ("campaign", "sections")),
            )
        for sid in camp.sections:
            if sid not in known:
                raise CampaignError(
                    p,
                    "campaign.sections",
                    f"unknown section {sid!r}; known sections: {', '.join(sorted(known))}",
                    _line(text, ("campaign", "sections")),
                )

    sources: list[Source] = []
    for i, s in enumerate(f.sources):
        sp = Path(s.path)
        if not sp.is_absolute():
            sp = base / sp
        loc = ("sources", i, "path")
        if any(ch in s.path for ch in "*?["):
            # a pattern such as "rumor-repost/*.json": one source per matching file
            matches = sorted(
                m.resolve()
                for m in Path(sp.anchor).glob(str(sp.relative_to(sp.anchor)))
                if m.is_file()
            )
            if not matches:
                raise CampaignError(
                    p, _key(loc), f"no file matches the pattern {sp}", _line(text, loc)
                )
        else:
            sp = sp.resolve()
            if sp.is_dir():
                raise CampaignError(
                    p,
                    _key(loc),
                    f"{sp} is a folder, not a file; name the export file in it (or a pattern "
                    f"such as {s.path.rstrip('/')}/*.csv)",
                    _line(text, loc),
                )
            if not sp.is_file():
                raise CampaignError(p, _key(loc), f"file not found: {sp}", _line(text, loc))
            matches = [sp]
        for m in matches:
            sources.append(
                Source(
                    m,
                    s.format,
                    s.platform,
                    s.account,
                    s.timezone,
                    s.table,
                    dict(s.columns) if s.columns else None,
                    s.query,
                    s.decimal,
                    s.dayfirst,
                    s.vertical,
                )
            )
    cards: list[RateCard] = []
    for i, r in enumerate(f.rate_cards):
        if any(c.platform == r.platform and c.unit == r.unit for c in cards):
            loc = ("rate_cards", i, "unit")
            raise CampaignError(
                p,
                _key(loc),
                f"a second {r.unit} rate card for platform {r.platform!r}; give one price per "
                "platform and unit",
                _line(text, loc),
            )
        line = _line(text, ("rate_cards", i))
        where = f"{p.name}, line {line}" if line else f"{p.name}, [[rate_cards]] entry {i + 1}"
        cards.append(RateCard(r.platform, r.unit, r.price, r.currency or camp.currency, where))
    fx = {e.currency: e.rate for e in f.fx}
    settings = {
        k: _validate(section_models[k], v, p, text, (k,), base=base)
        for k, v in data.items()
        if k in section_models
    }
    if camp.listen is not None:
        settings["listening"] = _listening_settings(camp.listen, base, p, text, settings)
    return Campaign(
        name=camp.name,
        start=camp.start,
        end=camp.end,
        baseline_start=b0,
        baseline_end=b1,
        timezone=camp.timezone,
        currency=camp.currency,
        benchmarks={k: v for k, v in f.benchmarks.model_dump().items() if v is not None},
        sources=sources,
        rate_cards=cards,
        fx=fx,
        generated=camp.generated,
        baseline_defaulted=defaulted,
        settings=settings,
        sections=tuple(camp.sections) if camp.sections is not None else None,
        path=path,
    )
