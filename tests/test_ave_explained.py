"""The AVE section says what it leaves out (paid posts) and what it adds (other accounts'
posts) against the posts table, with figures counted by hand."""

from __future__ import annotations

import re

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.pipeline import run_report

POSTS = """id,author,at,paid,impressions,clicks
1,brand,2026-03-02 10:00,false,1000,10
2,brand,2026-03-03 10:00,true,5000,40
3,brand,2026-03-04 10:00,true,2000,5
4,fan,2026-03-05 10:00,false,300,2
5,brand,2026-02-10 10:00,true,9999,99
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ave")
    (tmp / "p.csv").write_text(POSTS)
    (tmp / "accounts.csv").write_text(
        "account_id,platform,handle,role\nbrand,x,brand,owned\nfan,x,fan,public\n"
    )
    (tmp / "campaign.toml").write_text(
        '[campaign]\nname = "A"\nstart = 2026-03-01\nend = 2026-03-31\ncurrency = "USD"\n'
        '[[sources]]\npath = "p.csv"\nformat = "generic"\nplatform = "x"\n'
        '[sources.columns]\npost_id = "id"\naccount_id = "author"\ncreated_at = "at"\n'
        'is_paid = "paid"\nimpressions = "impressions"\nlink_clicks = "clicks"\n'
        '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
        '[[rate_cards]]\nplatform = "x"\nunit = "cpm"\nprice = 10.0\n'
        '[[rate_cards]]\nplatform = "x"\nunit = "cpc"\nprice = 0.5\n'
    )
    res, paths = run_report(load_campaign(tmp / "campaign.toml"), tmp / "out")
    page = paths.html.read_text()
    html = page[page.index('<section id="ave">') :]
    return res, html[: html.index("</section>")]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_paid_posts_left_out_and_other_accounts_added_by_hand(report):
    res, html = report
    # in March: non-paid posts 1 (brand) and 4 (fan): 1,000 + 300 impressions, 10 + 2 clicks
    assert res.value("quantitative.ave.by_platform.x.cpm.quantity") == 1300
    assert res.value("quantitative.ave.by_platform.x.cpc.quantity") == 12
    # paid posts 2 and 3 (post 5 is in February): 5,000 + 2,000 impressions, 40 + 5 clicks
    assert res.value("quantitative.ave.paid_left_out") == {
        "posts": 2,
        "impressions": 7000,
        "link_clicks": 45,
    }
    # fan's post 4 is priced but not in the posts table (the brand's posts 1, 2, 3)
    assert res.value("quantitative.ave.other_accounts") == {
        "posts": 1,
        "original_posts": 1,
        "impressions": 300,
        "link_clicks": 2,
    }
    # the posts table: 1,000 + 5,000 + 2,000 = 1,300 - 300 + 7,000
    assert res.value("quantitative.exposure.impressions") == 8000
    text = _text(html)
    assert (
        "Left out of the quantities priced: the 2 paid posts created in the window, with "
        "7,000 impressions and 45 link clicks. Their exposure was bought, so AVE does not "
        "price it as if it had been earned."
    ) in text
    assert (
        "Priced here but not in the posts table: the 1 non-paid post of accounts that are not "
        "the campaign's own (mentions, comments, replies), with 300 impressions and 2 link "
        "clicks: AVE prices earned exposure too."
    ) in text
    for path, metric in (
        ("paid_left_out.posts", "ave_paid_left_out"),
        ("paid_left_out.impressions", "ave_paid_left_out"),
        ("paid_left_out.link_clicks", "ave_paid_left_out"),
        ("other_accounts.impressions", "ave_other_accounts"),
    ):
        assert f'data-metric="{metric}" data-path="quantitative.ave.{path}"' in html
