"""Regressions found in review: who counts as the campaign's own, and a render that fails."""

from __future__ import annotations

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report
from test_opinion_section import COMMENTS  # tests/ is on sys.path (rootdir, no package)


def _comments_only(tmp_path, accounts: str | None = None):
    (tmp_path / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    toml = (
        '[campaign]\nname = "C"\nstart = 2026-03-01\nend = 2026-03-31\ntimezone = "UTC"\n'
        '[[sources]]\npath = "comments.csv"\nformat = "comments"\n'
    )
    if accounts is not None:
        (tmp_path / "accounts.csv").write_text(accounts)
        toml += '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
    (tmp_path / "campaign.toml").write_text(toml)
    return import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))


def test_comments_without_an_accounts_file_are_not_posts_published(tmp_path):
    # Every author of a comments import is the public: none of the 9 comments in the window is
    # a post the campaign published (before the fix: quantitative.exposure.posts == 9).
    res = _comments_only(tmp_path)
    try:
        posts = res.value("quantitative.exposure.posts")
    except KeyError:
        posts = 0  # the section has nothing to count
    assert posts == 0
    top = res.frame("top_posts")
    assert top is None or len(top) == 0


def test_an_accounts_file_naming_the_brand_makes_its_posts_the_campaigns(tmp_path):
    res = _comments_only(tmp_path, "account_id,platform,role\nbrand,x,owned\n")
    assert res.value("quantitative.exposure.posts") == 1  # b1 only


def test_a_partners_post_is_not_public_opinion(tmp_path):
    # u5 (weibo:c5) is a paid partner: its post is the campaign's, not a mention
    (tmp_path / "a").mkdir()
    base = _comments_only(tmp_path / "a", "account_id,platform,role\nbrand,x,owned\n")
    (tmp_path / "b").mkdir()
    part = _comments_only(
        tmp_path / "b", "account_id,platform,role\nbrand,x,owned\nu5,weibo,partner\n"
    )
    n0 = base.value("qualitative.opinion.overall.mentions")
    n1 = part.value("qualitative.opinion.overall.mentions")
    assert n1 == n0 - 1


def test_a_failing_template_leaves_the_report_folder_as_it_was(tmp_path, monkeypatch):
    res = _comments_only(tmp_path, "account_id,platform,role\nbrand,x,owned\n")
    out = tmp_path / "out"
    out.mkdir()
    from ripplemeter.report import html as H

    def broken(*a, **k):
        raise KeyError("the template shows 'x', which no section reports as a figure")

    monkeypatch.setattr(H, "render_html", broken)
    with pytest.raises(KeyError):
        write_report(res, out)
    assert list(out.iterdir()) == []
