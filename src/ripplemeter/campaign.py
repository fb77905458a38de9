"""campaign.toml: parsing and validation.

A campaign names its window, baseline, time zone, currency, benchmarks, rate cards, FX rates
and the list of ``[[sources]]``. Every problem raises :class:`~ripplemeter.errors.CampaignError`
naming the file, the line where it can be found and the key.

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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

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
    """

    path: Path
    format: str
    platform: str | None = None
    account: str | None = None
    timezone: str | None = None
    table: str | None = None
    columns: dict[str, str] | None = None


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
    """

    platform: str
    unit: str
    price: float
    currency: str


@dataclass(frozen=True)
class SeedingSettings:
    """``[seeding]``: how the campaign report plans seeds when the workspace has follows.

    Attributes
    ----------
    k : int
        Seeds to choose (ignored when ``costs`` and ``budget`` are given).
    model : {"ic", "lt"}
    probability : str
        Edge probability model: ``given``, ``wc``, ``constant:P`` or ``trivalency``.
    epsilon : float
        Approximation slack of IMM / OPIM-C.
    algorithm : {"imm", "opim-c"}
    costs : Path or None
        KOL price list (CSV ``id,cost``) for a budgeted plan.
    budget : float or None
    forced : tuple[str, ...]
        Accounts that are seeded anyway (the brand's own).
    random_state : int
    mc_runs : int
        Monte Carlo simulations of the independent spread check.
    """

    k: int = 10
    model: str = "ic"
    probability: str = "wc"
    epsilon: float = 0.1
    algorithm: str = "imm"
    costs: Path | None = None
    budget: float | None = None
    forced: tuple[str, ...] = ()
    random_state: int = 0
    mc_runs: int = 10000


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
    seeding: SeedingSettings = field(default_factory=SeedingSettings)
    path: Path | None = None

    @property
    def days(self) -> int:
        """Days in the campaign window."""
        return (self.end - self.start).days + 1

    @property
    def baseline_days(self) -> int:
        """Days in the baseline window."""
        return (self.baseline_end - self.baseline_start).days + 1

    def utc_bounds(self, start: dt.date, end: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[start 00:00, end + 1 day 00:00) in the campaign's zone, as naive UTC timestamps."""
        tz = ZoneInfo(self.timezone)
        lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return (
            pd.Timestamp(lo).tz_convert("UTC").tz_localize(None),
            pd.Timestamp(hi).tz_convert("UTC").tz_localize(None),
        )

    def window_utc(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The campaign window as naive UTC bounds, end exclusive."""
        return self.utc_bounds(self.start, self.end)

    def baseline_utc(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The baseline window as naive UTC bounds, end exclusive."""
        return self.utc_bounds(self.baseline_start, self.baseline_end)

    def to_rate(self, currency: str) -> float | None:
        """Units of the campaign currency per unit of ``currency``, or None if unknown."""
        if currency == self.currency:
            return 1.0
        return self.fx.get(currency)


_ALLOWED = {
    "campaign": {
        "name",
        "start",
        "end",
        "baseline_start",
        "baseline_end",
        "timezone",
        "currency",
        "generated",
        "description",
    },
    "benchmarks": {"cpc", "cpm", "engagement_rate"},
    "sources": {"path", "format", "platform", "account", "timezone", "table", "columns"},
    "rate_cards": {"platform", "unit", "price", "currency"},
    "fx": {"currency", "rate"},
    "seeding": {
        "k",
        "model",
        "probability",
        "epsilon",
        "algorithm",
        "costs",
        "budget",
        "forced",
        "random_state",
        "mc_runs",
    },
}
_TOP = {"campaign", "benchmarks", "sources", "rate_cards", "fx", "seeding"}


def _duckdb_zones() -> set[str]:
    """IANA zone names DuckDB's ICU knows (the evaluation converts times with it)."""
    global _ZONES
    if _ZONES is None:
        import duckdb

        con = duckdb.connect()
        _ZONES = {r[0] for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
        con.close()
    return _ZONES


_ZONES: set[str] | None = None


def _section_of(text: str, line: int) -> str | None:
    """The [section] or [[section]] a 1-based line belongs to."""
    for ln in reversed(text.splitlines()[: line - 1]):
        m = re.match(r"^\s*\[+\s*([\w.-]+)\s*\]+", ln)
        if m:
            return m.group(1)
    return None


def _line_of(text: str, key: str, occurrence: int = 0) -> int | None:
    pat = re.compile(rf"^\s*{re.escape(key)}\s*=", re.M)
    matches = list(pat.finditer(text))
    if not matches:
        pat = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*\]+", re.M)
        matches = list(pat.finditer(text))
    if not matches:
        return None
    m = matches[min(occurrence, len(matches) - 1)]
    return text.count("\n", 0, m.start()) + 1


def _date(path: Path, text: str, key: str, value: object, occ: int = 0) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CampaignError(
            path,
            key,
            "expected a date like 2021-08-01, found a date-time",
            _line_of(text, key.split(".")[-1], occ),
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CampaignError(
        path,
        key,
        f"expected a date like 2021-08-01, found {value!r}",
        _line_of(text, key.split(".")[-1], occ),
    )


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign.toml.

    Parameters
    ----------
    path : str or Path
        The campaign file; source paths inside it are relative to its folder.

    Returns
    -------
    Campaign

    Raises
    ------
    CampaignError
        Unreadable TOML (with its line), unknown keys, missing required keys, bad dates, an
        end before the start, an unknown time zone, a missing source file, a bad rate card.
    """
    path = Path(path)
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


def parse_campaign(data: dict, *, path: Path | None = None, text: str = "") -> Campaign:
    """Validate an already-parsed TOML mapping (see :func:`load_campaign`)."""
    p = path or Path("campaign.toml")
    base = p.parent if path else Path.cwd()

    def err(key: str | None, msg: str, occ: int = 0, line_key: str | None = None) -> CampaignError:
        lk = line_key or (key.split(".")[-1].split("[")[0] if key else None)
        return CampaignError(p, key, msg, _line_of(text, lk, occ) if lk and text else None)

    for k in data:
        if k not in _TOP:
            raise err(k, f"unknown section; expected one of {', '.join(sorted(_TOP))}")
    camp = data.get("campaign")
    if not isinstance(camp, dict):
        raise err("campaign", "missing [campaign] section")
    for k in camp:
        if k not in _ALLOWED["campaign"]:
            raise err(
                f"campaign.{k}",
                f"unknown key; expected one of {', '.join(sorted(_ALLOWED['campaign']))}",
            )
    for k in ("name", "start", "end"):
        if k not in camp:
            raise err(f"campaign.{k}", "missing required key", line_key="campaign")
    name = camp["name"]
    if not isinstance(name, str) or not name.strip():
        raise err("campaign.name", "expected a non-empty string")
    start = _date(p, text, "campaign.start", camp["start"])
    end = _date(p, text, "campaign.end", camp["end"])
    if end < start:
        raise err("campaign.end", f"end {end} is before start {start}")
    defaulted = False
    if "baseline_start" in camp or "baseline_end" in camp:
        if not ("baseline_start" in camp and "baseline_end" in camp):
            missing = "baseline_end" if "baseline_start" in camp else "baseline_start"
            raise err(
                f"campaign.{missing}",
                "give both baseline_start and baseline_end, or "
                "neither (default: as many days right before start)",
                line_key="campaign",
            )
        b0 = _date(p, text, "campaign.baseline_start", camp["baseline_start"])
        b1 = _date(p, text, "campaign.baseline_end", camp["baseline_end"])
        if b1 < b0:
            raise err("campaign.baseline_end", f"baseline_end {b1} is before baseline_start {b0}")
        if b1 >= start and b0 <= end:
            raise err("campaign.baseline_end", "the baseline overlaps the campaign window")
    else:
        n = (end - start).days + 1
        b1 = start - dt.timedelta(days=1)
        b0 = start - dt.timedelta(days=n)
        defaulted = True
    tz = camp.get("timezone", "UTC")
    try:
        ZoneInfo(str(tz))
        if str(tz) not in _duckdb_zones():
            raise ValueError(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise err(
            "campaign.timezone",
            f"unknown time zone {tz!r}; use an IANA name such as "
            "'UTC', 'Asia/Shanghai' or 'Asia/Seoul'",
        ) from None
    currency = camp.get("currency", "USD")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise err("campaign.currency", f"expected a 3-letter ISO 4217 code, found {currency!r}")
    generated = camp.get("generated", False)
    if not isinstance(generated, bool):
        raise err("campaign.generated", "expected true or false")

    bench_raw = data.get("benchmarks", {})
    if not isinstance(bench_raw, dict):
        raise err("benchmarks", "expected a [benchmarks] table")
    benchmarks: dict[str, float] = {}
    for k, v in bench_raw.items():
        if k not in _ALLOWED["benchmarks"]:
            raise err(
                f"benchmarks.{k}",
                f"unknown benchmark; expected one of {', '.join(sorted(_ALLOWED['benchmarks']))}",
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
            raise err(f"benchmarks.{k}", f"expected a positive number, found {v!r}")
        benchmarks[k] = float(v)

    sources: list[Source] = []
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise err("sources", "expected [[sources]] entries")
    from ripplemeter.formats import available_formats

    known_formats = {f.name for f in available_formats()}
    for i, s in enumerate(raw_sources):
        kp = f"sources[{i + 1}]"
        for k in s:
            if k not in _ALLOWED["sources"]:
                raise err(
                    f"{kp}.{k}",
                    f"unknown key; expected one of {', '.join(sorted(_ALLOWED['sources']))}",
                    occ=0,
                    line_key=k,
                )
        for k in ("path", "format"):
            if k not in s:
                raise err(f"{kp}.{k}", "missing required key", occ=i, line_key="sources")
        if s["format"] not in known_formats:
            raise err(
                f"{kp}.format",
                f"unknown format {s['format']!r}; known formats: "
                f"{', '.join(sorted(known_formats))}",
                occ=i,
                line_key="format",
            )
        sp = Path(s["path"])
        if not sp.is_absolute():
            sp = (base / sp).resolve()
        if not sp.is_file():
            raise err(f"{kp}.path", f"file not found: {sp}", occ=i, line_key="path")
        cols = s.get("columns")
        if cols is not None and (
            not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values())
        ):
            raise err(f"{kp}.columns", "expected a table of canonical name = source column")
        stz = s.get("timezone")
        if stz is not None:
            try:
                ZoneInfo(str(stz))
            except (ZoneInfoNotFoundError, ValueError):
                raise err(f"{kp}.timezone", f"unknown time zone {stz!r}") from None
        sources.append(
            Source(
                sp,
                s["format"],
                s.get("platform"),
                s.get("account"),
                stz,
                s.get("table"),
                dict(cols) if cols else None,
            )
        )

    cards: list[RateCard] = []
    for i, r in enumerate(data.get("rate_cards", [])):
        kp = f"rate_cards[{i + 1}]"
        for k in r:
            if k not in _ALLOWED["rate_cards"]:
                raise err(
                    f"{kp}.{k}", "unknown key; expected platform, unit, price, currency", line_key=k
                )
        for k in ("platform", "unit", "price"):
            if k not in r:
                raise err(f"{kp}.{k}", "missing required key", occ=i, line_key="rate_cards")
        if r["unit"] not in RATE_UNITS:
            raise err(
                f"{kp}.unit",
                f"expected one of {', '.join(RATE_UNITS)}, found {r['unit']!r}",
                occ=i,
                line_key="unit",
            )
        price = r["price"]
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            raise err(
                f"{kp}.price",
                f"expected a non-negative number, found {price!r}",
                occ=i,
                line_key="price",
            )
        cur = r.get("currency", currency)
        if not isinstance(cur, str) or not _CURRENCY.match(cur):
            raise err(f"{kp}.currency", f"expected a 3-letter ISO 4217 code, found {cur!r}")
        if any(c.platform == str(r["platform"]) and c.unit == r["unit"] for c in cards):
            raise err(
                f"{kp}.unit",
                f"a second {r['unit']} rate card for platform "
                f"{r['platform']!r}; give one price per platform and unit",
                occ=i,
                line_key="unit",
            )
        cards.append(RateCard(str(r["platform"]), r["unit"], float(price), cur))

    fx: dict[str, float] = {}
    for i, r in enumerate(data.get("fx", [])):
        kp = f"fx[{i + 1}]"
        for k in r:
            if k not in _ALLOWED["fx"]:
                raise err(f"{kp}.{k}", "unknown key; expected currency and rate", line_key=k)
        cur, rate = r.get("currency"), r.get("rate")
        if not isinstance(cur, str) or not _CURRENCY.match(cur):
            raise err(
                f"{kp}.currency",
                f"expected a 3-letter ISO 4217 code, found {cur!r}",
                occ=i,
                line_key="currency",
            )
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
            raise err(
                f"{kp}.rate", f"expected a positive number, found {rate!r}", occ=i, line_key="rate"
            )
        fx[cur] = float(rate)

    seeding = _parse_seeding(data.get("seeding", {}), err, base)

    return Campaign(
        seeding=seeding,
        name=name.strip(),
        start=start,
        end=end,
        baseline_start=b0,
        baseline_end=b1,
        timezone=str(tz),
        currency=currency,
        benchmarks=benchmarks,
        sources=sources,
        rate_cards=cards,
        fx=fx,
        generated=generated,
        baseline_defaulted=defaulted,
        path=path,
    )


def _parse_seeding(raw: object, err, base: Path) -> SeedingSettings:
    if not isinstance(raw, dict):
        raise err("seeding", "expected a [seeding] table")
    for k in raw:
        if k not in _ALLOWED["seeding"]:
            raise err(
                f"seeding.{k}",
                f"unknown key; expected one of {', '.join(sorted(_ALLOWED['seeding']))}",
            )
    d = SeedingSettings()
    k = raw.get("k", d.k)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise err("seeding.k", f"expected a whole number of seeds >= 1, found {k!r}")
    model = raw.get("model", d.model)
    if model not in ("ic", "lt"):
        raise err("seeding.model", f"expected 'ic' or 'lt', found {model!r}")
    prob = raw.get("probability", d.probability)
    ok = isinstance(prob, str) and (
        prob in ("given", "wc", "trivalency")
        or re.fullmatch(r"constant:(0(\.\d+)?|1(\.0+)?)", prob)
    )
    if not ok:
        raise err(
            "seeding.probability",
            f"expected given, wc, trivalency or constant:P with P in [0, 1], found {prob!r}",
        )
    eps = raw.get("epsilon", d.epsilon)
    if isinstance(eps, bool) or not isinstance(eps, int | float) or not 0 < eps < 1:
        raise err("seeding.epsilon", f"expected a number in (0, 1), found {eps!r}")
    algo = raw.get("algorithm", d.algorithm)
    if algo not in ("imm", "opim-c"):
        raise err("seeding.algorithm", f"expected 'imm' or 'opim-c', found {algo!r}")
    costs = raw.get("costs")
    budget = raw.get("budget")
    if (costs is None) != (budget is None):
        raise err(
            "seeding.budget" if costs is not None else "seeding.costs",
            "a budgeted plan needs both costs (a price list) and budget",
        )
    cpath = None
    if costs is not None:
        cpath = Path(costs)
        if not cpath.is_absolute():
            cpath = (base / cpath).resolve()
        if not cpath.is_file():
            raise err("seeding.costs", f"file not found: {cpath}")
        if isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0:
            raise err("seeding.budget", f"expected a positive number, found {budget!r}")
    forced = raw.get("forced", [])
    if not isinstance(forced, list) or not all(isinstance(x, str) for x in forced):
        raise err("seeding.forced", "expected a list of account ids such as ['x:brand']")
    rs = raw.get("random_state", d.random_state)
    runs = raw.get("mc_runs", d.mc_runs)
    for key, v in (("random_state", rs), ("mc_runs", runs)):
        if isinstance(v, bool) or not isinstance(v, int) or v < (1 if key == "mc_runs" else 0):
            raise err(f"seeding.{key}", f"expected a whole number, found {v!r}")
    return SeedingSettings(
        k,
        model,
        prob,
        float(eps),
        algo,
        cpath,
        float(budget) if budget is not None else None,
        tuple(forced),
        rs,
        runs,
    )
