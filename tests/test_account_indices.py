"""Account indices against hand computations."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ripplemeter.evaluate.account_indices import account_indices, bci, kaushik_rates, wci


def test_bci_by_hand():
    # posts 10, reposts 100, comments 50, likes 200:
    # W1 = ln 11 = 2.397895; W2 = 0.4 ln 101 + 0.4 ln 51 + 0.2 ln 201
    #    = 0.4 * 4.615121 + 0.4 * 3.931826 + 0.2 * 5.303305 = 4.479440
    # BCI = (0.2 * 2.397895 + 0.8 * 4.479440) * 160 = (0.479579 + 3.583552) * 160 = 650.1010
    assert bci(10, 100, 50, 200) == pytest.approx(650.1010, abs=1e-3)
    assert bci(0, 0, 0, 0) == 0.0
    with pytest.raises(ValueError):
        bci(-1, 0, 0, 0)


def test_wci_by_hand():
    # one week, 7 articles, R = 7000, Z = 70, L = 140; headlines 7 with 3500 reads, 35, 70;
    # best article 2000 reads, 20, 40.
    # S(1000, 10, 20)  = .85 ln 1001 + .09 ln 101 + .06 ln 201 = 5.872442+.415361+.318198 = 6.606001
    # (per day and per article are equal here: d = n = 7)
    # S(500, 5, 10)    = .85 ln 501 + .09 ln 51 + .06 ln 101 = 5.284115+.353864+.276907 = 5.914886
    # S(2000, 20, 40)  = .85 ln 2001 + .09 ln 201 + .06 ln 401 = 6.461617+.477297+.359638 = 7.298552
    # total = .6*6.606001 + .2*6.606001 + .1*5.914886 + .1*7.298552 = 6.606145
    # WCI = total^2 * 12 = 43.64115 * 12 = 523.69
    v = wci(
        reads=7000, zaikan=70, likes=140, articles=7, days=7,
        headline_reads=3500, headline_zaikan=35, headline_likes=70,
        max_reads=2000, max_zaikan=20, max_likes=40,
    )  # fmt: skip
    s1 = 0.85 * math.log(1001) + 0.09 * math.log(101) + 0.06 * math.log(201)
    s2 = 0.85 * math.log(501) + 0.09 * math.log(51) + 0.06 * math.log(101)
    s3 = 0.85 * math.log(2001) + 0.09 * math.log(201) + 0.06 * math.log(401)
    assert v == pytest.approx((0.8 * s1 + 0.1 * s2 + 0.1 * s3) ** 2 * 12)
    assert v == pytest.approx(523.69, abs=0.01)
    with pytest.raises(ValueError):
        wci(reads=1, zaikan=0, likes=0, articles=0, days=7, headline_reads=0,
            headline_zaikan=0, headline_likes=0, max_reads=0, max_zaikan=0, max_likes=0)  # fmt: skip


def test_kaushik_by_hand():
    assert kaushik_rates(4, 10, 6, 20) == {
        "conversation_rate": 2.5, "amplification_rate": 1.5, "applause_rate": 5.0,
    }  # fmt: skip
    assert kaushik_rates(0, 1, 1, 1)["applause_rate"] is None
    assert kaushik_rates(3, None, 3, 3)["conversation_rate"] is None


def test_account_indices_from_a_workspace(tmp_path):
    from ripplemeter.workspace import Workspace

    ws = Workspace(tmp_path / "w.duckdb")
    t = dt.datetime(2026, 12, 2, 10)
    rows = [  # post, account, created, parent, kind, reposts, replies, likes
        ("weibo:1", "weibo:brand", t, None, "original", 100, 50, 200),
        ("weibo:2", "weibo:brand", t, None, "original", 0, 0, 0),
        ("weibo:3", "weibo:fan", t, "weibo:1", "repost", 1, 1, 1),
        ("weibo:4", "weibo:brand", t + dt.timedelta(days=40), None, "original", 9, 9, 9),
        ("x:1", "x:brand", t, None, "original", 3, None, 5),
    ]
    for pid, acc, c, par, kind, rp, rr, lk in rows:
        ws.con.execute(
            "INSERT INTO posts (post_id, platform, account_id, created_at, parent_id, kind) "
            "VALUES (?, ?, ?, ?, ?, ?)", [pid, acc.split(":")[0], acc, c, par, kind],
        )  # fmt: skip
        ws.con.execute(
            "INSERT INTO post_metrics (post_id, observed_at, reposts, replies, likes) "
            "VALUES (?, ?, ?, ?, ?)", [pid, c, rp, rr, lk],
        )  # fmt: skip
    # an older snapshot of weibo:1 is ignored (the latest counts)
    ws.con.execute(
        "INSERT INTO post_metrics (post_id, observed_at, reposts, replies, likes) "
        "VALUES ('weibo:1', ?, 1, 1, 1)", [t - dt.timedelta(hours=1)],
    )  # fmt: skip
    df = account_indices(
        ws,
        ["weibo:brand", "x:brand", "weibo:none"],
        t - dt.timedelta(days=1),
        t + dt.timedelta(days=30),
    ).set_index("account_id")
    b = df.loc["weibo:brand"]
    assert (b["posts"], b["reposts"], b["comments"], b["likes"]) == (2, 100, 50, 200)
    assert b["weibo_bci"] == pytest.approx(bci(2, 100, 50, 200))
    assert (
        b["conversation_rate"] == 25 and b["amplification_rate"] == 50 and b["applause_rate"] == 100
    )
    assert math.isnan(b["wechat_wci"]) and "no WeChat" in b["wci_reason"]
    x = df.loc["x:brand"]
    assert math.isnan(x["weibo_bci"])  # not a Weibo account
    assert math.isnan(x["conversation_rate"]) and x["applause_rate"] == 5
    n = df.loc["weibo:none"]
    assert n["posts"] == 0 and "no post" in n["reason"]
    ws.close()
