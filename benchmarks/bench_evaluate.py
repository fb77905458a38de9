"""Benchmark: campaign exposure over 10 million post-metric rows: ripplemeter, SQL, pandas.

Generates, once and seeded, a ``posts`` table and a ``post_metrics`` table of several
snapshots per post (Parquet, in ``benchmarks/_data/``), then evaluates the same figures with
three implementations, each in its own Python process:

``ripplemeter``
    The Ibis layer, as the exposure section of ``ripplemeter report`` runs it: DuckDB views
    ``posts`` and ``post_metrics`` over the Parquet files,
    :class:`ripplemeter.evaluate.context.TableAccess` (scope None: every row) whose
    ``latest_posts(window.campaign)`` materialises the window's latest snapshots once into a
    temporary table, then :func:`ripplemeter.evaluate.exposure.exposure`,
    :func:`~ripplemeter.evaluate.exposure.posts_per_day` and ``TableAccess.undated_posts``.
``sql``
    The f-string DuckDB SQL that the Ibis layer replaced, frozen in ``_sql_reference.py``
    (from ``ripplemeter.evaluate.quantitative`` at commit 8357d0c): ``latest_posts_sql`` with
    a creation window ranked once into a temporary table, ``exposure``, ``posts_per_day`` and
    ``undated_posts``. It is there only to measure what the Ibis layer costs.
``pandas``
    What an analyst would write: read the needed columns, keep each post's latest snapshot
    (sort, drop duplicates) and each post's latest row, filter posts to the window, merge,
    sum, group by platform and by local day.

Each figure (posts, original posts, the sums of impressions, reach, engagements, reposts,
replies, likes and link clicks, both engagement rates, the per-platform breakdown, undated
posts and posts per day) must be identical in every run of every implementation, or the run
fails; a figure returned as something other than a plain JSON value (e.g. ``Decimal``) is
compared by value and named in a WARNING line. The parent prints the median wall time of the
evaluation (imports excluded), its CPU time and the peak resident memory of each child
process (``ru_maxrss``, imports included), then the ratios against the targets:

- time pandas/ripplemeter at least 5x;
- memory ripplemeter/pandas at most 1/3;
- time ripplemeter/sql at most 1.2: when the Ibis median is more than 20% above the SQL
  median, a line ``IBIS OVERHEAD ABOVE 20%`` with both figures is printed (the exit status
  stays 0: the figures agree; the line is the report).

Usage
-----
::

    .venv/bin/python benchmarks/bench_evaluate.py                 # 10M rows, 3 runs each
    .venv/bin/python benchmarks/bench_evaluate.py --rows 1000000 --repeat 1
    .venv/bin/python benchmarks/bench_evaluate.py --duckdb-set threads=1
    .venv/bin/python benchmarks/bench_evaluate.py --impl sql      # one child, JSON out

Notes
-----
The campaign window is June 2025 in Asia/Tokyo, i.e. [2025-05-31 15:00, 2025-06-30 15:00)
UTC, about 1/12 of the posts. ``--impl NAME`` runs one implementation in this process and
prints its result as JSON (that is what the parent runs, once per implementation per repeat,
in the order ripplemeter, sql, pandas). ``--duckdb-set`` passes DuckDB settings
(``threads=1``, ``preserve_insertion_order=false``) to both DuckDB children. Wall times
depend on what else runs on the machine; the CPU seconds beside them are steadier.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
SEED = 20251
SNAPSHOTS = 3
CHUNK = 500_000
TZ = "Asia/Tokyo"
START, END = dt.date(2025, 6, 1), dt.date(2025, 6, 30)
PLATFORMS = ["x", "facebook", "instagram", "weibo"]
SUMS = ["impressions", "reach", "engagements", "reposts", "replies", "likes", "link_clicks"]
TARGET_SPEEDUP, TARGET_MEMORY = 5.0, 1 / 3
TARGET_OVERHEAD = 1.2  # Ibis median wall time at most 20% above the SQL reference's


# ---------------------------------------------------------------- data
def _paths(rows: int) -> tuple[Path, Path]:
    d = DATA / f"rows_{rows}"
    return d / "posts.parquet", d / "post_metrics.parquet"


def _window_utc() -> tuple[str, str]:
    """The campaign window [START, END + 1 day) in TZ as naive UTC timestamps."""
    import pandas as pd

    lo = pd.Timestamp(START, tz=TZ).tz_convert("UTC").tz_localize(None)
    hi = pd.Timestamp(END + dt.timedelta(days=1), tz=TZ).tz_convert("UTC").tz_localize(None)
    return str(lo), str(hi)


def generate(rows: int) -> tuple[Path, Path]:
    """Write posts.parquet and post_metrics.parquet with ``rows`` metric rows (once).

    ``rows // 3`` posts get three snapshots each (1, 7 and 30 days after creation, counts
    growing, imports 101-103); the remainder get a fourth. Posts come from monthly imports
    (1-12) and 2% of them again from the next month's import, which fills a missing kind.
    Reach is NULL on X, link clicks on 30% of posts, impressions on 2% and engagements on 1%;
    0.1% of posts have no creation time and half a percent no kind. Rows are shuffled within
    each row group of about 500,000 rows.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    posts_path, metrics_path = _paths(rows)
    if posts_path.exists() and metrics_path.exists():
        return posts_path, metrics_path
    posts_path.parent.mkdir(parents=True, exist_ok=True)
    n_posts = rows // SNAPSHOTS
    extra = rows - n_posts * SNAPSHOTS  # posts 0..extra-1 get a fourth snapshot
    t0 = np.datetime64("2025-01-01T00:00:00", "us")
    year_us = 365 * 86_400 * 1_000_000
    day_us = 86_400 * 1_000_000
    posts_schema = pa.schema(
        [
            ("post_id", pa.string()),
            ("platform", pa.string()),
            ("account_id", pa.string()),
            ("created_at", pa.timestamp("us")),
            ("kind", pa.string()),
            ("is_paid", pa.bool_()),
            ("import_id", pa.int64()),
            ("source_row", pa.int64()),
        ]
    )
    metrics_schema = pa.schema(
        [("post_id", pa.string()), ("observed_at", pa.timestamp("us"))]
        + [(c, pa.int64()) for c in SUMS]
        + [("import_id", pa.int64()), ("source_row", pa.int64())]
    )
    tmp_p, tmp_m = posts_path.with_suffix(".tmp"), metrics_path.with_suffix(".tmp")
    growth = [0.55, 0.9, 1.0, 1.04]
    obs_days = [1, 7, 30, 60]
    source_rows = [0] * (SNAPSHOTS + 1)
    posts_rows = 0
    with (
        pq.ParquetWriter(tmp_p, posts_schema, compression="snappy") as wp,
        pq.ParquetWriter(tmp_m, metrics_schema, compression="snappy") as wm,
    ):
        for chunk, a in enumerate(range(0, n_posts, CHUNK)):
            b = min(a + CHUNK, n_posts)
            n = b - a
            rng = np.random.default_rng([SEED, chunk])
            idx = np.arange(a, b, dtype=np.int64)
            plat_i = rng.choice(len(PLATFORMS), size=n, p=[0.4, 0.3, 0.2, 0.1])
            plat = pa.array(np.asarray(PLATFORMS, dtype=object)[plat_i], pa.string())
            native = pa.array(1_500_000_000_000_000_000 + idx * 7919).cast(pa.string())
            post_id = pc.binary_join_element_wise(plat, native, ":")
            acct = pa.array(rng.integers(0, 50_000, n)).cast(pa.string())
            account_id = pc.binary_join_element_wise(plat, acct, ":acct")
            created = t0 + rng.integers(0, year_us, n).astype("timedelta64[us]")
            undated = rng.random(n) < 0.001
            kind_i = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
            kind = np.asarray(["original", "reply", "repost"], dtype=object)[kind_i]
            kind[rng.random(n) < 0.005] = None
            paid = rng.random(n) < 0.05
            paid_null = rng.random(n) < 0.01
            # posts come from monthly exports (import 1-12, undated ones from import 13); 2%
            # were exported again by the next month's export, which also fills a missing kind
            month = (created - t0).astype("timedelta64[D]").astype(np.int64) * 12 // 365
            import_id = np.where(undated, 13, 1 + month)
            again = np.flatnonzero(rng.random(n) < 0.02)
            kind2 = kind[again]
            kind2[np.array([k is None for k in kind2], bool)] = "original"
            rows_idx = np.concatenate([np.arange(n), again])
            t = pa.table(
                {
                    "post_id": post_id.take(pa.array(rows_idx)),
                    "platform": plat.take(pa.array(rows_idx)),
                    "account_id": account_id.take(pa.array(rows_idx)),
                    "created_at": pa.array(
                        created[rows_idx], pa.timestamp("us"), mask=undated[rows_idx]
                    ),
                    "kind": pa.array(np.concatenate([kind, kind2]), pa.string()),
                    "is_paid": pa.array(paid[rows_idx], pa.bool_(), mask=paid_null[rows_idx]),
                    "import_id": pa.array(
                        np.concatenate([import_id, import_id[again] + 1]).astype(np.int64)
                    ),
                    "source_row": pa.array(
                        np.arange(posts_rows + 1, posts_rows + len(rows_idx) + 1, dtype=np.int64)
                    ),
                },
                schema=posts_schema,
            )
            posts_rows += len(rows_idx)
            wp.write_table(t.take(pa.array(rng.permutation(len(rows_idx)))))
            # lifetime figures of the final snapshot; earlier snapshots are fractions of them
            imp = np.round(rng.lognormal(7.0, 1.5, n)).astype(np.int64) + 1
            er = rng.beta(2, 60, n)
            eng = np.round(imp * er).astype(np.int64)
            split = rng.dirichlet([5, 1, 3, 1], n)  # likes, replies, reposts, other
            reach_f = rng.uniform(0.5, 0.95, n)
            link_f = rng.uniform(0.0, 0.3, n)
            null_reach = plat_i == 0  # X has no reach
            null_link = rng.random(n) < 0.3
            null_imp = rng.random(n) < 0.02
            null_eng = rng.random(n) < 0.01
            base_obs = np.where(undated, np.datetime64("2026-01-15T00:00:00", "us"), created)
            for s in range(SNAPSHOTS + (1 if a < extra else 0)):
                sel = np.arange(n) if s < SNAPSHOTS else np.arange(min(n, extra - a))
                k = len(sel)
                g = growth[s]
                jitter = rng.integers(0, 6 * 3600 * 1_000_000, k).astype("timedelta64[us]")
                observed = base_obs[sel] + np.timedelta64(obs_days[s] * day_us, "us") + jitter
                e = np.floor(eng[sel] * g).astype(np.int64)
                cols = {
                    "post_id": post_id.take(pa.array(sel)),
                    "observed_at": pa.array(observed, pa.timestamp("us")),
                    "impressions": pa.array(
                        np.floor(imp[sel] * g).astype(np.int64), mask=null_imp[sel]
                    ),
                    "reach": pa.array(
                        np.floor(imp[sel] * reach_f[sel] * g).astype(np.int64),
                        mask=null_reach[sel],
                    ),
                    "engagements": pa.array(e, mask=null_eng[sel]),
                    "reposts": pa.array(np.floor(e * split[sel, 2]).astype(np.int64)),
                    "replies": pa.array(np.floor(e * split[sel, 1]).astype(np.int64)),
                    "likes": pa.array(np.floor(e * split[sel, 0]).astype(np.int64)),
                    "link_clicks": pa.array(
                        np.floor(e * link_f[sel]).astype(np.int64), mask=null_link[sel]
                    ),
                    "import_id": pa.array(np.full(k, 101 + s, np.int64)),
                    "source_row": pa.array(
                        np.arange(source_rows[s] + 1, source_rows[s] + k + 1, dtype=np.int64)
                    ),
                }
                source_rows[s] += k
                t = pa.table(cols, schema=metrics_schema)
                wm.write_table(t.take(pa.array(rng.permutation(k))))
    tmp_p.rename(posts_path)
    tmp_m.rename(metrics_path)
    return posts_path, metrics_path


# ---------------------------------------------------------------- implementations
def _duckdb(settings: list[str]) -> Any:
    """A DuckDB connection in UTC with the ``--duckdb-set`` settings."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    for s in settings:
        con.execute(f"SET {s}")
    return con


def run_ripplemeter(posts: Path, metrics: Path, settings: list[str]) -> dict:
    """Exposure and posts per day with ripplemeter's Ibis layer over the Parquet files.

    What the exposure section of ``ripplemeter report`` runs: DuckDB views ``posts`` and
    ``post_metrics`` over the files stand for the workspace tables, :class:`TableAccess`
    (scope None: every row) materialises the window's latest snapshots once into a temporary
    table, which :func:`exposure` and :func:`posts_per_day` read; undated posts are counted
    from posts alone. Building the Ibis backend and compiling the expressions are timed.
    """
    import ibis

    from ripplemeter.evaluate.context import TableAccess, Window
    from ripplemeter.evaluate.exposure import exposure, posts_per_day

    t, c = time.perf_counter(), time.process_time()
    con = _duckdb(settings)
    con.execute(f"CREATE VIEW posts AS SELECT * FROM read_parquet('{posts}')")
    con.execute(f"CREATE VIEW post_metrics AS SELECT * FROM read_parquet('{metrics}')")
    backend = ibis.duckdb.from_connection(con)
    tables = TableAccess(backend, None)
    before = START - dt.timedelta(days=(END - START).days + 1)
    window = Window.from_dates(START, END, before, START - dt.timedelta(days=1), TZ)
    period = window.campaign
    if (str(period.lo), str(period.hi)) != _window_utc():
        raise RuntimeError(f"window {period.lo}..{period.hi} != {_window_utc()}")
    latest = tables.latest_posts(period)
    undated = tables.undated_posts()
    exp = exposure(latest, period, undated=undated)
    daily = posts_per_day(latest, window, period)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    return {"seconds": seconds, "cpu_seconds": cpu, "result": _result(exp, daily)}


def run_sql(posts: Path, metrics: Path, settings: list[str]) -> dict:
    """The same with the pre-Ibis f-string SQL (``_sql_reference.py``, frozen at 8357d0c).

    What ``ripplemeter report`` ran before the Ibis layer: :func:`latest_posts_sql` with a
    creation window over ``read_parquet(...)`` ranked once into a temporary table, then the
    hand-written aggregates of ``exposure`` and ``posts_per_day`` over it.
    """
    import pandas as pd

    from _sql_reference import exposure, latest_posts_sql, posts_per_day, undated_posts

    t, c = time.perf_counter(), time.process_time()
    con = _duckdb(settings)
    lo, hi = (pd.Timestamp(x) for x in _window_utc())
    rel = {"posts": f"read_parquet('{posts}')", "post_metrics": f"read_parquet('{metrics}')"}
    window = latest_posts_sql(None, **rel, created_from=lo, created_before=hi)
    con.execute(f"CREATE TEMP TABLE latest_window AS {window}")
    undated = undated_posts(con, None, posts=rel["posts"])
    exp = exposure(con, "SELECT * FROM latest_window", lo, hi, undated=undated)
    daily = posts_per_day(con, "SELECT * FROM latest_window", START, END, TZ)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    return {"seconds": seconds, "cpu_seconds": cpu, "result": _result(exp, daily)}


def _result(exp: Any, daily: Any) -> dict:
    """Exposure.to_dict() without the prose reasons, plus posts per day as plain rows.

    A figure that is not a plain JSON value (int, float, str, bool, None) is converted
    (``decimal.Decimal`` to int or float) so that it can be compared, and its path and type
    are listed under ``"_not_plain"``: the parent prints them, because metrics.json's writer
    would reject them.
    """
    d = exp.to_dict()
    d.pop("reasons", None)
    d["posts_per_day"] = [
        [str(r.date), int(r.posts), _int(r.impressions), _int(r.engagements)]
        for r in daily.itertuples()
    ]
    odd: list[str] = []
    d = _plain(d, "", odd)
    if odd:
        d["_not_plain"] = odd
    return d


def _plain(o: Any, path: str, odd: list[str]) -> Any:
    if isinstance(o, dict):
        return {k: _plain(v, f"{path}/{k}", odd) for k, v in o.items()}
    if isinstance(o, list):
        return [_plain(v, f"{path}[{i}]", odd) for i, v in enumerate(o)]
    if o is None or isinstance(o, (bool, int, float, str)):
        return o
    odd.append(f"{path}: {type(o).__module__}.{type(o).__name__}")
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    return o


# ---------------------------------------------------------------- pandas
def run_pandas(posts: Path, metrics: Path, settings: list[str]) -> dict:
    """The same figures as an analyst would compute them with pandas (``settings`` unused)."""
    import pandas as pd

    t, c = time.perf_counter(), time.process_time()
    lo, hi = (pd.Timestamp(x) for x in _window_utc())
    m = pd.read_parquet(metrics, columns=["post_id", "observed_at", "import_id", *SUMS])
    latest = m.sort_values(["observed_at", "import_id"]).drop_duplicates("post_id", keep="last")
    del m
    p = pd.read_parquet(posts, columns=["post_id", "platform", "created_at", "kind", "import_id"])
    p = p.sort_values("import_id").drop_duplicates("post_id", keep="last")
    undated = int(p["created_at"].isna().sum())
    p = p[(p["created_at"] >= lo) & (p["created_at"] < hi)]
    df = p.merge(latest.drop(columns=["observed_at", "import_id"]), on="post_id", how="left")
    del latest

    def figures(g: pd.DataFrame) -> dict:
        d = {"posts": len(g)}
        for col in SUMS:
            d[col] = _int(g[col].sum(min_count=1))
        eng_i = g.loc[g["impressions"].notna(), "engagements"].sum(min_count=1)
        imp_e = g.loc[g["engagements"].notna(), "impressions"].sum(min_count=1)
        d["engagement_rate_impressions"] = _rate(eng_i, imp_e)
        return d

    out = {
        "posts": len(df),
        "original_posts": int((df["kind"].eq("original") | df["kind"].isna()).sum()),
    }
    out.update({col: _int(df[col].sum(min_count=1)) for col in SUMS})
    out["engagement_rate_impressions"] = _rate(
        df.loc[df["impressions"].notna(), "engagements"].sum(min_count=1),
        df.loc[df["engagements"].notna(), "impressions"].sum(min_count=1),
    )
    out["engagement_rate_reach"] = _rate(
        df.loc[df["reach"].notna(), "engagements"].sum(min_count=1),
        df.loc[df["engagements"].notna(), "reach"].sum(min_count=1),
    )
    out["by_platform"] = {k: figures(g) for k, g in df.groupby("platform", sort=True)}
    out["undated_posts"] = undated
    df["date"] = df["created_at"].dt.tz_localize("UTC").dt.tz_convert(TZ).dt.date
    per_day = df.groupby("date").agg(
        posts=("post_id", "size"),
        impressions=("impressions", lambda s: s.sum(min_count=1)),
        engagements=("engagements", lambda s: s.sum(min_count=1)),
    )
    days = pd.date_range(START, END, freq="D").date
    per_day = per_day.reindex(days)
    out["posts_per_day"] = [
        [str(d), _int(r.posts) or 0, _int(r.impressions), _int(r.engagements)]
        for d, r in zip(days, per_day.itertuples(), strict=True)
    ]
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    return {"seconds": seconds, "cpu_seconds": cpu, "result": out}


def _int(v: object) -> int | None:
    """An integral figure as int, NaN/None as None."""
    if v is None or v != v:  # NaN
        return None
    return int(v)  # type: ignore[call-overload]


def _rate(num: object, den: object) -> float | None:
    num, den = _int(num), _int(den)
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


IMPLS = {"ripplemeter": run_ripplemeter, "sql": run_sql, "pandas": run_pandas}


# ---------------------------------------------------------------- driver
def child(args: argparse.Namespace) -> None:
    """Run one implementation and print its timing, peak RSS and result as JSON."""
    posts, metrics = _paths(args.rows)
    out = IMPLS[args.impl](posts, metrics, args.duckdb_set)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out["impl"] = args.impl
    out["peak_rss_mb"] = ru.ru_maxrss / 1024
    print(json.dumps(out, sort_keys=True))


def _warm(*paths: Path) -> None:
    """Read the data files once, so that no child pays for reading them from disk.

    pandas' child uses about 3 GB and evicts the files from the page cache; without this the
    child that runs after it (whichever implementation) is timed reading the disk.
    """
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def _spawn(impl: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--impl", impl, "--rows", str(args.rows)]
    for s in args.duckdb_set:
        cmd += ["--duckdb-set", s]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit(f"{impl} failed with exit code {r.returncode}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _diff(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: only in one" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += _diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            x
            for i, (u, v) in enumerate(zip(a, b, strict=True))
            for x in _diff(u, v, f"{path}[{i}]")
        ]
    if isinstance(a, float) or isinstance(b, float):
        ok = a is not None and b is not None and abs(a - b) <= 1e-12 * max(abs(a), abs(b))
        return [] if ok else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="post-metric rows")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each implementation")
    ap.add_argument("--impl", choices=sorted(IMPLS), help="run one implementation (child)")
    ap.add_argument(
        "--duckdb-set", action="append", default=[], metavar="NAME=VALUE", help="DuckDB SET"
    )
    args = ap.parse_args(argv)
    if args.impl:
        child(args)
        return 0
    t = time.perf_counter()
    posts, metrics = generate(args.rows)
    print(f"data: {posts.parent} ({time.perf_counter() - t:.1f} s)", flush=True)
    impls = list(IMPLS)
    runs: dict[str, list[dict]] = {k: [] for k in impls}
    for i in range(args.repeat):
        for impl in impls:
            _warm(posts, metrics)  # the same page cache for every child, whatever ran before
            r = _spawn(impl, args)
            runs[impl].append(r)
            print(
                f"  run {i + 1} {impl:12s} {r['seconds']:7.2f} s  cpu {r['cpu_seconds']:7.2f} s"
                f"  {r['peak_rss_mb']:6.0f} MB",
                flush=True,
            )
    ref = runs["pandas"][0]["result"]
    for impl in impls:
        odd = sorted({x for r in runs[impl] for x in r["result"].pop("_not_plain", [])})
        if odd:
            print(
                f"WARNING: {impl} returned {len(odd)} figure(s) that are not plain JSON values "
                "(converted here to compare them; write_json of metrics.json would reject "
                "them):\n  " + "\n  ".join(odd[:10]),
                flush=True,
            )
    for impl in impls:
        diffs = [d for r in runs[impl] for d in _diff(r["result"], ref)]
        if diffs:
            print(f"{impl} and pandas DIFFER:\n  " + "\n  ".join(diffs[:20]), file=sys.stderr)
            raise SystemExit(1)
    print(
        f"figures identical in every run of {', '.join(impls)}: {ref['posts']} posts in the "
        f"window, {ref['impressions']} impressions, {len(ref['by_platform'])} platforms, "
        f"{ref['undated_posts']} undated"
    )
    sec = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    cpu = {k: statistics.median(r["cpu_seconds"] for r in v) for k, v in runs.items()}
    rss = {k: max(r["peak_rss_mb"] for r in v) for k, v in runs.items()}
    print(f"\n{args.rows:,} post-metric rows; median wall and CPU of {args.repeat} runs, max RSS")
    if args.duckdb_set:
        print("DuckDB settings: " + ", ".join(args.duckdb_set))
    print(f"{'impl':12s} {'wall s':>8s} {'CPU s':>8s} {'peak RSS MB':>12s}")
    for k in impls:
        print(f"{k:12s} {sec[k]:8.2f} {cpu[k]:8.2f} {rss[k]:12.0f}")
    rm = "ripplemeter"
    speedup, memory = sec["pandas"] / sec[rm], rss[rm] / rss["pandas"]
    ok_t = "met" if speedup >= TARGET_SPEEDUP else "NOT met"
    ok_m = "met" if memory <= TARGET_MEMORY else "NOT met"
    print(f"time pandas/ripplemeter = {speedup:.2f}x (target >= {TARGET_SPEEDUP:g}x: {ok_t})")
    print(f"memory ripplemeter/pandas = {memory:.2f} (target <= {TARGET_MEMORY:.2f}: {ok_m})")
    over, over_cpu = sec[rm] / sec["sql"], cpu[rm] / cpu["sql"]
    ok_o = "met" if over <= TARGET_OVERHEAD else "NOT met"
    print(
        f"time ripplemeter/sql = {over:.2f} (target <= {TARGET_OVERHEAD:.2f}: {ok_o}); "
        f"CPU {over_cpu:.2f}, memory {rss[rm] / rss['sql']:.2f}"
    )
    if over > TARGET_OVERHEAD:
        print(
            f"IBIS OVERHEAD ABOVE 20%: the Ibis path's median wall time {sec[rm]:.2f} s is "
            f"{(over - 1) * 100:.0f}% above the SQL reference's {sec['sql']:.2f} s "
            f"(CPU {cpu[rm]:.2f} s vs {cpu['sql']:.2f} s, {(over_cpu - 1) * 100:+.0f}%)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
