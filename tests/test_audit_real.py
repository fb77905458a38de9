"""The audit and the inbox on a workspace built from real data.

Weibo CED cascades (../shared/data/weibo_ced_repost_cascades): the 15 of the 400 sampled
cascades in which the original poster answers inside their own cascade (found by reading
every file: records whose ``uid`` is the poster's, from the file name ``<idx>_<mid>_<uid>``),
plus the pair of originals that are near-duplicates of each other (1349/741: the same text
posted by two accounts 8 hours apart), the X (Twitter) analytics export of one account and
the recorded Mastodon API statuses of api_samples (turned into rows by the listening
collector's own parser).
The posters are registered as owned accounts; the earlier poster of the pair as a
competitor. Classifiers are the shipped ones (those not yet installed leave their mistake
"no data", which the test accepts).
"""

from __future__ import annotations

import datetime as dt
import glob
import os

import pytest

REPLIERS = [
    "2666_zbi68pNy3_1780754095", "3050_kwqi9c_1917261090", "3839_yEqLSAPNE_2048519422",
    "4869_Aj0ntmi7z_1645823934", "4880_Asb1iafTx_2176519174", "1187_zsZj5ocOw_2184727453",
    "1244_A2StHlz6j_2831338425", "1278_z6Sv4qUlb_2254649741", "1434_zfvWMCUY3_2511957381",
    "1455_A4vVYxeQ6_1504794951", "1976_zx5KutFkd_1728892794", "1979_zeZAY9Hkw_2884073574",
    "203_z5XC7gfSG_2057384454", "2411_z96XfrfCo_2495938075", "682_A7Sfv36ik_2476458562",
]  # fmt: skip
COPIER = "741_zwGRpBBkV_1695825294"  # posted 2013-05-14 09:38 UTC
COPIED = "1349_zwDKTufGV_2939266702"  # posted 2013-05-14 01:43 UTC
X_TWEETS = (
    "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
    "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
)
MASTODON = "api_samples/mastodon/tuskyapp_tusky-json-benchmark/test.json"
MASTODON_ACCOUNT = "mastodon:covid_stats@mastodon.cloud"  # 26 of the sample's 30 statuses


def _add_mastodon_statuses(ws, path) -> None:
    """The recorded Mastodon API statuses, as the listening collector turns them into rows."""
    import json

    import pandas as pd

    from ripplemeter.listen.collectors.mastodon import status_rows
    from ripplemeter.schema import TABLES

    with open(path, encoding="utf-8") as f:
        statuses = json.load(f)
    rows: dict[str, list[dict]] = {}
    for i, s in enumerate(statuses):
        for k, v in status_rows(
            s, "mastodon.cloud", "public", pd.Timestamp("2022-03-13"), i + 1
        ).items():
            rows.setdefault(k, []).extend(v)
    for name, recs in rows.items():
        df = pd.DataFrame(recs)
        cols = [c for c in TABLES[name].column_names if c in df]
        ws.con.register("_statuses", df[cols])
        collist = ", ".join(f'"{c}"' for c in cols)
        ws.con.execute(
            f'INSERT INTO "{name}" ({collist}) SELECT {collist} FROM _statuses'
        ).fetchall()
        ws.con.unregister("_statuses")


STANDARD = """
[brand]
name = "Brand"
[business_hours]
timezone = "Asia/Shanghai"
holidays = "CN"
[rules]
reply_within_hours = 4
"""


@pytest.fixture(scope="module")
def real_ws(tmp_path_factory):
    from ripplemeter.datasets import DataUnavailable, data_path
    from ripplemeter.operations.accounts import add_account
    from ripplemeter.operations.standards import load_standards
    from ripplemeter.workspace import Workspace

    try:
        base = data_path("weibo_ced_repost_cascades")
        x = data_path(X_TWEETS)
    except DataUnavailable as exc:
        pytest.skip(f"public data not available: {exc}")
    tmp = tmp_path_factory.mktemp("real")
    ws = Workspace(tmp / "ws.duckdb")
    for name in [*REPLIERS, COPIER, COPIED]:
        (p,) = glob.glob(os.path.join(base, "*-repost", f"{name}.json"))
        ws.import_file(p, "weibo-ced")
    ws.import_file(x, "x-analytics-tweets")
    _add_mastodon_statuses(ws, data_path(MASTODON))
    for name in [*REPLIERS, COPIER]:
        add_account(ws, "weibo:" + name.split("_")[2], role="owned")
    add_account(ws, "weibo:" + COPIED.split("_")[2], role="competitor")
    x_account = ws.con.execute(
        "SELECT DISTINCT account_id FROM posts WHERE platform = 'x'"
    ).fetchone()[0]
    add_account(ws, x_account, role="owned")
    add_account(ws, MASTODON_ACCOUNT, role="owned")
    (tmp / "standards.toml").write_text(STANDARD)
    yield ws, load_standards(tmp / "standards.toml"), x_account
    ws.close()


def _period(ws, account):
    """Fourteen days from the account's first original post."""
    (t,) = ws.con.execute(
        "SELECT min(created_at) FROM posts WHERE account_id = ? AND kind = 'original'", [account]
    ).fetchone()
    return t, t + dt.timedelta(days=14)


def test_inbox_reply_times_on_real_threads(real_ws):
    from ripplemeter.operations.business_hours import business_hours_between
    from ripplemeter.operations.inbox import InboxSettings, build_inbox

    ws, std, _ = real_ws
    st = InboxSettings(
        target=dt.timedelta(hours=4), calendar=std.business_calendar(), now=dt.datetime(2015, 1, 1)
    )
    ib = build_inbox(ws, settings=st).set_index("item_id")
    answered = ib[ib["reply_hours"].notna()]
    # 5,009 items; the posters of 9 of the 15 cascades answer 186 of them (the other six
    # only repost their own post or answer with "回复@name" and no parent)
    assert len(ib) == 5009
    assert len(answered) == 186 and answered["reply_account"].nunique() == 9
    assert set(answered["reply_account"]) <= {"weibo:" + n.split("_")[2] for n in REPLIERS}
    # by hand: cascade 2666, comment zblXA0tW9 at Tue 2012-12-25 09:49:18 Beijing time, the
    # poster's reply at 09:50:21 the same morning (not a Chinese holiday): 63 s of business time
    row = ib.loc["weibo:zblXA0tW9"]
    assert row["reply_id"] is not None
    assert row["reply_hours"] == pytest.approx(63 / 3600)
    assert not row["breach"]
    # every reply time agrees with business_hours_between on the stored times
    cal = std.business_calendar()
    for t0, t1, h in zip(
        answered["created_at"], answered["replied_at"], answered["reply_hours"], strict=True
    ):
        assert h == pytest.approx(
            business_hours_between(t0.to_pydatetime(), t1.to_pydatetime(), cal).total_seconds()
            / 3600
        )
    # unanswered complaints and questions years ago are all past their deadline; the rest
    # (praise, other) need no reply and are never breaches
    needs = ib["category"].isin(["complaint", "question"])
    assert ib.loc[ib["reply_hours"].isna() & needs, "breach"].all()
    assert not ib.loc[~needs, "breach"].any()


def test_audit_finds_four_mistakes_citing_real_posts(real_ws):
    from ripplemeter.operations.audit import audit_account

    ws, std, x_account = real_ws
    accounts = ["weibo:" + n.split("_")[2] for n in [*REPLIERS, COPIER]]
    accounts += [x_account, MASTODON_ACCOUNT]
    post_ids = {r[0] for r in ws.con.execute("SELECT post_id FROM posts").fetchall()}
    with_findings: dict[str, int] = {}
    for acc in accounts:
        since, until = _period(ws, acc)
        res = audit_account(ws, acc, since=since, until=until, standards=std)
        assert [m.number for m in res.mistakes] == [1, 2, 3, 4, 5, 6, 7]
        for m in res.mistakes:
            assert m.verdict in ("mistake", "ok", "no data")
            if m.verdict == "no data":
                assert m.score is None and m.reason
            for f in m.findings:
                assert f.post_id in post_ids  # a real post
                assert "<" not in f.text_html
            if m.findings:
                with_findings[m.mistake] = with_findings.get(m.mistake, 0) + 1
    assert len(with_findings) >= 4, with_findings
    assert {"lazy", "stubborn", "copying"} <= set(with_findings)


def test_every_verdict_follows_its_rule_and_measures_on_real_accounts(real_ws):
    """On real accounts the verdict printed agrees with the measures printed beside it:
    self-centred needs two of three off, every other mistake one; posting above the
    standard's range never makes a verdict (a note apart)."""
    from ripplemeter.operations.audit import audit_account

    ws, std, x_account = real_ws
    accounts = ["weibo:" + n.split("_")[2] for n in [*REPLIERS, COPIER]]
    accounts += [x_account, MASTODON_ACCOUNT]
    seen = 0
    for acc in accounts:
        since, until = _period(ws, acc)
        res = audit_account(ws, acc, since=since, until=until, standards=std)
        assert res.timezone == std.file.business_hours.timezone
        for m in res.mistakes:
            assert m.name and m.rule
            if m.verdict == "no data" or not m.measures:
                continue
            seen += 1
            n_off = sum(x.state == "off" for x in m.measures)
            need = 2 if m.mistake == "self_centred" else 1
            assert (m.verdict == "mistake") == (n_off >= need), (acc, m.mistake, m.measures)
            for x in m.measures:
                assert x.state in ("off", "ok", "no data", "above the standard")
                assert x.state != "above the standard" or m.mistake == "lazy"
    assert seen >= 20


def test_copying_cites_both_real_posts(real_ws):
    from ripplemeter.operations.audit import audit_account

    ws, std, _ = real_ws
    acc = "weibo:" + COPIER.split("_")[2]
    since, until = _period(ws, acc)
    cop = audit_account(ws, acc, since=since, until=until, standards=std).get("copying")
    assert cop.verdict == "mistake" and cop.score == 1.0
    (f,) = cop.findings
    assert f.post_id == "weibo:zwGRpBBkV" and f.other_post_id == "weibo:zwDKTufGV"
    assert f.value >= 0.6
