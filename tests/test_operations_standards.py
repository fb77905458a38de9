"""Issue 11: standards.toml, team.toml, business hours, the linter and the brochure.

Every span below was counted by hand on the draft (code points, Python indices) and is
written beside the draft; every business-hours figure is worked out in the comment above it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from ripplemeter.operations import NotAllowed, OperationsError, StandardsError, TeamError
from ripplemeter.operations.business_hours import BusinessCalendar, business_hours_between
from ripplemeter.operations.lint import entities, find_term, lint
from ripplemeter.operations.standards import (
    Rules,
    TermList,
    describe,
    describe_rules,
    load_standards,
)
from ripplemeter.operations.team import acting_user, load_team

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
KST = dt.timezone(dt.timedelta(hours=9))
IG = "instagram:ripplecoffee.kr"


@pytest.fixture(scope="module")
def std():
    return load_standards(EXAMPLES / "standards.toml")


@pytest.fixture(scope="module")
def team():
    return load_team(EXAMPLES / "team.toml")


def spans(findings, rule):
    return [(f.start, f.end, f.text) for f in findings if f.rule == rule]


# ------------------------------------------------------------------ business hours
@pytest.fixture(scope="module")
def seoul():
    return BusinessCalendar("Asia/Seoul", holidays_country="KR", closed=(dt.date(2026, 12, 31),))


def test_business_hours_skip_the_weekend(seoul):
    # Friday 2026-12-04 17:00 -> 18:00 is 1 h; Saturday and Sunday count nothing;
    # Monday 2026-12-07 09:00 -> 10:00 is 1 h: 2 h in all (65 h on the clock)
    got = business_hours_between(
        dt.datetime(2026, 12, 4, 17, tzinfo=KST), dt.datetime(2026, 12, 7, 10, tzinfo=KST), seoul
    )
    assert got == dt.timedelta(hours=2)


def test_business_hours_skip_a_public_holiday(seoul):
    # Thursday 2026-12-24 16:00 -> 18:00 = 2 h; Friday 12-25 is Christmas, a public holiday
    # in Korea (0 h); weekend 0 h; Monday 12-28 09:00 -> 11:00 = 2 h: 4 h
    got = business_hours_between(
        dt.datetime(2026, 12, 24, 16, tzinfo=KST), dt.datetime(2026, 12, 28, 11, tzinfo=KST), seoul
    )
    assert got == dt.timedelta(hours=4)
    # Chuseok 2026: Thursday 09-24 to Saturday 09-26. Wednesday 09-23 17:30 -> 18:00 = 30 min,
    # then nothing until Monday 09-28 09:00 -> 09:30 = 30 min: 1 h
    got = business_hours_between(
        dt.datetime(2026, 9, 23, 17, 30, tzinfo=KST),
        dt.datetime(2026, 9, 28, 9, 30, tzinfo=KST),
        seoul,
    )
    assert got == dt.timedelta(hours=1)


def test_business_hours_company_closed_day_and_new_year(seoul):
    # Wednesday 2026-12-30 17:00 -> 18:00 = 1 h; Thursday 12-31 closed by the team;
    # Friday 2027-01-01 New Year's Day; weekend; Monday 01-04 09:00 -> 10:00 = 1 h: 2 h
    got = business_hours_between(
        dt.datetime(2026, 12, 30, 17, tzinfo=KST), dt.datetime(2027, 1, 4, 10, tzinfo=KST), seoul
    )
    assert got == dt.timedelta(hours=2)


def test_business_hours_naive_times_are_utc_and_other_zones_convert(seoul):
    # 2026-12-02 00:00 UTC is 09:00 in Seoul, 09:00 UTC is 18:00: one full day, 9 h
    got = business_hours_between(dt.datetime(2026, 12, 2, 0), dt.datetime(2026, 12, 2, 9), seoul)
    assert got == dt.timedelta(hours=9)
    # same span written in New York time (UTC-5 in December)
    ny = dt.timezone(dt.timedelta(hours=-5))
    got = business_hours_between(
        dt.datetime(2026, 12, 1, 19, tzinfo=ny), dt.datetime(2026, 12, 2, 4, tzinfo=ny), seoul
    )
    assert got == dt.timedelta(hours=9)
    # inside one evening: nothing
    got = business_hours_between(
        dt.datetime(2026, 12, 2, 19, tzinfo=KST), dt.datetime(2026, 12, 2, 23, tzinfo=KST), seoul
    )
    assert got == dt.timedelta(0)


def test_business_hours_across_a_daylight_saving_change():
    # New York: clocks go forward on Sunday 2026-03-08. Friday 03-06 17:00 EST (22:00 UTC)
    # -> 18:00 = 1 h; Monday 03-09 09:00 EDT (13:00 UTC) -> 10:00 EDT (14:00 UTC) = 1 h
    cal = BusinessCalendar("America/New_York", holidays_country="US")
    utc = dt.UTC
    got = business_hours_between(
        dt.datetime(2026, 3, 6, 22, tzinfo=utc), dt.datetime(2026, 3, 9, 14, tzinfo=utc), cal
    )
    assert got == dt.timedelta(hours=2)


def test_business_hours_refuse_end_before_start_and_bad_calendars(seoul):
    with pytest.raises(OperationsError, match="before the start"):
        business_hours_between(dt.datetime(2026, 12, 3), dt.datetime(2026, 12, 2), seoul)
    with pytest.raises(OperationsError, match="unknown time zone 'Asia/Seol'"):
        BusinessCalendar("Asia/Seol")
    with pytest.raises(OperationsError, match="unknown country code 'XX'"):
        BusinessCalendar("Asia/Seoul", holidays_country="XX")


def test_standards_business_calendar_is_the_files(std, seoul):
    cal = std.business_calendar()
    assert cal == seoul
    assert std.rules_for(None).reply_within() == dt.timedelta(hours=4)


# ------------------------------------------------------------------ standards.toml
def test_rules_for_applies_account_overrides(std):
    brand = std.rules_for("mastodon:109876")  # no overrides: the brand's rules
    assert brand == std.file.rules
    assert (brand.limits.hashtags, brand.limits.mentions, brand.limits.links) == (5, 3, 1)
    assert (brand.posts_per_week.min, brand.posts_per_week.max) == (3, 10)
    ig = std.rules_for(IG)
    assert (ig.limits.hashtags, ig.limits.mentions, ig.limits.links) == (10, 3, 1)
    assert (ig.posts_per_week.min, ig.posts_per_week.max) == (5, 14)
    assert ig.terms["ko"].banned == ["최고", "무료", "1위"]  # the brand's, then the account's
    assert ig.terms["ko"].required == ["리플커피"]
    assert ig.terms["en"] == brand.terms["en"]
    assert ig.reply_within_hours == 4 and ig.content_mix.max_promotional_share == 0.2


def write(tmp_path: Path, text: str, name: str = "standards.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BASE = """[brand]
name = "Acme"

[rules.limits]
hashtags = 5
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "[rules.disclosure]\nmarkrs = ['#ad']\n",
            "standards.toml, line 8, key 'rules.disclosure.markrs': unknown key; expected one "
            "of markers, paid, platform_flag, roles",
        ),
        (
            '[accounts."x:acme"]\nposts_per_week = { min = 5, max = 3 }\n',
            "standards.toml, line 8, key 'accounts.\"x:acme\".posts_per_week': max: 3 is below "
            "min (5)",
        ),
        (
            '[accounts."x:acme".limits]\nhashtags = "five"\n',
            "standards.toml, line 8, key 'accounts.\"x:acme\".limits.hashtags': expected a "
            "whole number, found 'five'",
        ),
        (
            "[accounts.acme]\nreply_within_hours = 2\n",
            "standards.toml, line 7, key 'accounts': expected account ids such as "
            "[accounts.\"instagram:ripple.kr\"] (platform:id), found 'acme'",
        ),
        (
            "[business_hours]\ntimezone = 'Asia/Seol'\n",
            "standards.toml, line 8, key 'business_hours.timezone': unknown time zone "
            "'Asia/Seol'; expected an IANA name such as Asia/Seoul",
        ),
        (
            "[business_hours]\ntimezone = 'Asia/Seoul'\nholidays = 'KO'\n",
            "standards.toml, line 9, key 'business_hours.holidays': unknown country code 'KO'",
        ),
        (
            "[rules.terms.korean]\nbanned = ['x']\n",
            "standards.toml, line 7, key 'rules.terms': expected a language code such as en, zh "
            "or ko as the table name, found 'korean'",
        ),
        (
            "[[approvals]]\nid = 'paid'\napplies_to = 'boosted'\n",
            "standards.toml, line 9, key 'approvals[1].applies_to': expected one of all, paid, "
            "partner or promotional, found 'boosted'",
        ),
        ("[rules\n", "standards.toml, line 7: not valid TOML"),
    ],
)
def test_bad_standards_name_line_and_key(tmp_path, extra, expected):
    p = write(tmp_path, BASE + "\n" + extra)
    with pytest.raises(StandardsError) as e:
        load_standards(p)
    assert str(e.value).startswith(expected), str(e.value)


def test_approval_group_must_exist_in_the_team_beside(tmp_path):
    shutil.copy(EXAMPLES / "team.toml", tmp_path / "team.toml")
    p = write(
        tmp_path,
        BASE + "\n[[approvals]]\nid = 'paid'\napplies_to = 'paid'\nfrom_groups = ['lawyers']\n",
    )
    with pytest.raises(StandardsError) as e:
        load_standards(p)
    assert str(e.value) == (
        "standards.toml, line 10, key 'approvals[1].from_groups': approval rule 'paid' asks "
        "for the 'lawyers' group, which team.toml does not define (its groups: legal)"
    )


# ------------------------------------------------------------------ team.toml
def test_team_permissions_name_the_rule(team):
    assert team.require("jisoo", "post.approve").name == "Jisoo Lee"
    assert team.require("mina", "accounts.edit").roles == ("admin",)
    with pytest.raises(NotAllowed) as e:
        team.require("tom", "post.approve")
    assert e.value.rule == "post.approve: only admin or approver may approve posts"
    assert str(e.value) == (
        "tom (editor) may not approve posts: rule 'post.approve' lets only admin or approver "
        "approve posts (team.toml gives tom the role editor)"
    )
    with pytest.raises(NotAllowed, match="rule 'accounts.edit' lets only admin"):
        team.require("jisoo", "accounts.edit")
    with pytest.raises(NotAllowed, match="rule 'post.create'"):
        team.require("sam", "post.create")
    assert team.require("sam", "view").id == "sam"
    with pytest.raises(OperationsError, match="unknown action 'post.delete'"):
        team.require("mina", "post.delete")


def test_acting_user_from_as_or_environment(team):
    assert acting_user(team, "wei", env={}).id == "wei"
    assert acting_user(team, None, env={"RIPPLEMETER_USER": "tom"}).id == "tom"
    assert acting_user(team, "mina", env={"RIPPLEMETER_USER": "tom"}).id == "mina"  # --as wins
    with pytest.raises(TeamError) as e:
        acting_user(team, "bob", env={})
    assert str(e.value).startswith("team.toml: 'bob' is not a member of the team; members are")
    with pytest.raises(TeamError, match="pass --as ID or set RIPPLEMETER_USER"):
        acting_user(team, None, env={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[[members]]\nid = 'a'\nname = 'A'\nroles = ['boss']\n",
            "team.toml, line 4, key 'members[1].roles[1]': expected one of admin, editor, "
            "approver or viewer, found 'boss'",
        ),
        (
            "[[members]]\nid = 'a'\nname = 'A'\nroles = ['admin']\n[groups]\nlegal = ['b']\n",
            "team.toml, line 5, key 'groups': group 'legal' names 'b', who is not in [[members]]",
        ),
        (
            "[[members]]\nid = 'a'\nname = 'A'\nroles = ['admin']\n"
            "[[members]]\nid = 'a'\nname = 'B'\nroles = ['viewer']\n",
            "team.toml, line 1, key 'members': the id 'a' is used twice; ids must be unique",
        ),
        (
            "[[members]]\nid = 'A B'\nname = 'A'\nroles = ['admin']\n",
            "team.toml, line 2, key 'members[1].id': expected a short id in lower case",
        ),
    ],
)
def test_bad_team_file_names_line_and_key(tmp_path, text, expected):
    with pytest.raises(TeamError) as e:
        load_team(write(tmp_path, text, "team.toml"))
    assert str(e.value).startswith(expected), str(e.value)


def test_approval_rules_count_only_approvers_and_never_the_author(std, team):
    # every post needs one approver; a paid post two, one of them from legal
    assert [r.id for r in std.approvals_for(paid=True)] == ["every-post", "paid-two-approvers"]
    assert std.approval_shortfall(["wei"], team) == []
    assert std.approval_shortfall(["jisoo"], team, paid=True) == [
        "rule 'paid-two-approvers' needs 2 approvers (has 1)"
    ]
    assert std.approval_shortfall(["wei", "mina"], team, paid=True) == [
        "rule 'paid-two-approvers' needs an approval from the legal group"
    ]
    assert std.approval_shortfall(["jisoo", "wei"], team, paid=True) == []
    # the author's own approval, an editor's and a viewer's do not count
    assert std.approval_shortfall(["jisoo", "wei"], team, author="jisoo", paid=True) == [
        "rule 'paid-two-approvers' needs 2 approvers (has 1)",
        "rule 'paid-two-approvers' needs an approval from the legal group",
    ]
    assert std.approval_shortfall(["tom", "sam"], team) == [
        "rule 'every-post' needs 1 approver (has none)"
    ]


# ------------------------------------------------------------------ the linter
def test_lint_english_banned_terms_whole_words_any_case(std):
    draft = "Guaranteed to CURE your Monday blues. Secure your cup!"
    #        0         1         2
    #        0123456789012345678901234
    f = lint(draft, "mastodon:109876", std)
    assert spans(f, "banned-term") == [(0, 10, "Guaranteed"), (14, 18, "CURE")]  # not "Secure"
    assert f[0].why == "'guaranteed' is a banned English term, written 'Guaranteed'"
    assert f[0].fix == "remove or reword 'Guaranteed'"
    assert f[0].severity == "error"
    assert len(f) == 2  # English: no required term, owned account: no disclosure


def test_lint_full_width_and_invisible_characters_are_caught(std):
    draft = "ＧＵＡＲＡＮＴＥＥＤ, gua\u200branteed and best  in the\nworld"
    # full-width 0-10; ", " 10-12; "gua" 12-15, U+200B at 15, "ranteed" 16-23;
    # " and " 23-28; "best  in the\nworld" 28-46 (white space runs match a space)
    f = lint(draft, None, std)
    assert spans(f, "banned-term") == [
        (0, 10, "ＧＵＡＲＡＮＴＥＥＤ"),
        (12, 23, "gua\u200branteed"),
        (28, 46, "best  in the\nworld"),
    ]


def test_lint_chinese_unspaced(std):
    draft = "这是全城最好的咖啡，第一名！"
    # 这0 是1 全2 城3 最4 好5 的6 咖7 啡8 ，9 第10 一11 名12 ！13
    f = lint(draft, "weibo:1234", std)
    assert spans(f, "banned-term") == [(4, 6, "最好"), (10, 12, "第一")]
    assert [x.why for x in f] == [
        "'最好' is a banned Chinese term",
        "'第一' is a banned Chinese term",
    ]


def test_lint_korean_with_particles_attached(std):
    draft = "리플커피는 국내최고의 커피! 무료로 드려요. 최고급 원두"
    # 리0 플1 커2 피3 는4 _5 국6 내7 최8 고9 의10 _11 커12 피13 !14 _15 무16 료17 로18
    # _19 드20 려21 요22 .23 _24 최25 고26 급27 _28 원29 두30
    f = lint(draft, "mastodon:109876", std)
    # 최고의 and 무료로 are the banned nouns with a particle; 최고급 ("premium") is another word
    assert spans(f, "banned-term") == [(8, 10, "최고"), (16, 18, "무료")]
    assert spans(f, "required-term") == []  # 리플커피 is there, with the particle 는
    f = lint("오늘의 커피, 최고입니다", "mastodon:109876", std)
    # 오0 늘1 의2 _3 커4 피5 ,6 _7 최8 고9 입10 니11 다12
    assert spans(f, "banned-term") == [(8, 10, "최고")]
    assert spans(f, "required-term") == [(None, None, "")]
    assert f[-1].why == "posts in Korean must contain '리플커피'; this draft does not"


def test_lint_account_override_adds_a_banned_term(std):
    draft = "리플커피 판매 1위!"
    # 리0 플1 커2 피3 _4 판5 매6 _7 1(8) 위9 !10
    assert lint(draft, "mastodon:109876", std) == []
    f = lint(draft, IG, std)
    assert spans(f, "banned-term") == [(8, 10, "1위")]


def test_lint_disclosure_on_partner_and_paid_posts(std):
    plain = "New autumn blend, in stores now."
    assert lint(plain, "x:owned", std, role="owned") == []
    f = lint(plain, "x:partner", std, role="partner")
    assert [(x.rule, x.start, x.end) for x in f] == [("disclosure-missing", None, None)]
    assert f[0].why.startswith("Posts from partner accounts must say they are advertising")
    assert f[0].fix == (
        "add #ad at the start of the post or turn on the platform's paid-partnership label"
    )
    f = lint(plain, "x:owned", std, role="owned", paid=True)
    assert f[0].rule == "disclosure-missing" and f[0].why.startswith("Paid posts must say")
    # the disclosure suggested is in the draft's language
    f = lint("리플커피 가을 블렌드", "x:partner", std, role="partner")
    assert f[0].fix.startswith("add #광고 at the start of the post")
    f = lint("秋季新品", "x:partner", std, role="partner")
    assert f[0].fix.startswith("add 广告 at the start of the post")
    # disclosed: a hashtag in any form, the Chinese word, or the platform's label
    for draft in (
        "#ad " + plain,
        "＃AD " + plain,
        "#광고 리플커피 가을 블렌드",
        "广告：秋季新品",
        plain + " #Sponsored",
    ):
        assert lint(draft, "x:partner", std, role="kol") == [], draft
    assert lint(plain, "x:partner", std, role="partner", paid_partnership=True) == []
    # #adventure is not #ad
    f = lint("#adventure " + plain, "x:partner", std, role="partner")
    assert [x.rule for x in f] == ["disclosure-missing"]


def test_lint_disclosure_after_the_visible_part_is_a_warning(std):
    body = "x" * 130
    draft = body + " #ad"  # the hashtag starts at index 131
    f = lint(draft, "x:partner", std, role="partner")
    assert [(x.rule, x.severity, x.start, x.end, x.text) for x in f] == [
        ("disclosure-late", "warning", 131, 134, "#ad")
    ]


def test_lint_limits_point_at_each_extra_entity(std):
    draft = "#a #b #c #d #e #f @x @y @z @w https://a.com https://b.com a@b.com"
    # hashtags at 0,3,6,9,12,15 (2 chars each); mentions @x 18-20, @y 21-23, @z 24-26,
    # @w 27-29; links 30-43 and 44-57; "a@b.com" (58-65) is an address, not a mention
    f = lint(draft, "mastodon:109876", std)
    assert spans(f, "hashtag-limit") == [(15, 17, "#f")]
    assert spans(f, "mention-limit") == [(27, 29, "@w")]
    assert spans(f, "link-limit") == [(44, 57, "https://b.com")]
    assert f[0].why == "account mastodon:109876 allows at most 5 hashtags; this is hashtag 6 of 6"
    assert f[0].fix == "remove 1 hashtag"
    # the Instagram account allows 10 hashtags
    assert spans(lint(draft, IG, std), "hashtag-limit") == []


def test_entities_follow_twitter_text():
    text = "😀 #커피 ＃Latte #1 https://x.com/a#frag @alice@mastodon.social mail@me.com"
    # 😀0 _1 #커피 2-5 _5 ＃Latte 6-12 _12 #1 13-15 (all digits: no hashtag) _15
    # https://x.com/a#frag 16-36 _36 @alice@mastodon.social 37-59 _59 mail@me.com 60-71
    e = entities(text)
    assert e.hashtags == ((2, 5), (6, 12))
    assert e.mentions == ((37, 59),)
    assert e.links == ((16, 36),)  # an e-mail address is neither a mention nor a link


def test_a_term_banned_in_two_languages_is_one_finding(tmp_path):
    p = write(
        tmp_path,
        BASE + "[rules.terms.en]\nbanned = ['No.1']\n[rules.terms.ko]\nbanned = ['NO.1']\n",
    )
    assert spans(lint("We are no.1", None, load_standards(p)), "banned-term") == [(7, 11, "no.1")]


def test_find_term_scripts():
    assert find_term("cure", "secure, cure-all, #cure") == [(8, 12), (19, 23)]
    assert find_term("최고", "최고급") == []
    assert find_term("최고", "최고들의") == [(0, 2)]
    assert find_term("广告", "这是广告") == [(2, 4)]
    assert find_term("Straße", "STRASSE") == [(0, 7)]  # case folding: ß is ss
    # a trailing * matches every word beginning with the term
    assert find_term("무료", "무료배송 이벤트") == []
    assert find_term("무료*", "무료배송 이벤트, 무료로") == [(0, 4), (10, 13)]
    assert find_term("cure*", "cures, cured, secure") == [(0, 5), (7, 12)]
    assert find_term("最好*", "最好的") == [(0, 2)]  # Chinese: anywhere already


# ------------------------------------------------------------------ describe and brochure
def test_a_prefix_term_is_described_as_words_starting_with_it():
    # trial: the brochure said Never write "cure*"; a reader does not know what * means
    rules = Rules(terms={"en": TermList(banned=["guaranteed", "cure*"], required=["ripple*"])})
    said = describe_rules(rules)
    assert said[0] == (
        "Never write \u201cguaranteed\u201d or words starting with \u201ccure\u201d "
        "(English) in any post."
    )
    assert said[1] == "Posts in English must include words starting with \u201cripple\u201d."


def test_describe_says_the_rules_in_plain_words(std, team):
    d = describe(std, team)
    assert d["brand"] == "Ripple Coffee"
    assert (
        "Posts from partner and kol accounts and paid posts must say they are advertising: "
        "\u201c#ad\u201d, \u201c#sponsored\u201d, \u201c#광고\u201d, \u201c#협찬\u201d or "
        "\u201c广告\u201d (the platform's paid-partnership label also counts), at the start of "
        "the post." in d["rules"]
    )
    assert "At most 5 hashtags, 3 mentions and 1 link per post." in d["rules"]
    assert "At most 20% of an account's posts in any week are promotional." in d["rules"]
    assert d["business_hours"] == (
        "Business hours: Monday to Friday, 09:00 to 18:00 (Asia/Seoul), closed on public "
        "holidays in KR and on 2026-12-31."
    )
    assert d["approvals"][1] == (
        "Paid posts need 2 approvers, at least one from the legal group; whoever wrote or "
        "edited a post never approves it (rule paid-two-approvers)."
    )
    assert d["accounts"] == [
        {
            "id": IG,
            "rules": [
                "Never write \u201c1위\u201d (Korean) in its posts.",
                "At most 10 hashtags, 3 mentions and 1 link per post.",
                "This account posts 5 to 14 times a week.",
            ],
        }
    ]
    assert d["groups"] == {"legal": ["Jisoo Lee"]}


HOSTILE = """[brand]
name = "<b>Acme</b>"

[rules.terms.en]
banned = ["<script>alert('x')</script>", "a&b"]
[accounts."x:<img src=x onerror=alert(1)>"]
limits = { links = 0 }
"""


def test_brochure_escapes_hostile_values(tmp_path):
    from ripplemeter.report.brochure import render_brochure

    html = render_brochure(load_standards(write(tmp_path, HOSTILE)))
    assert "<script>" not in html and "<img" not in html and "<b>Acme" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "a&amp;b" in html
    assert "&lt;b&gt;Acme&lt;/b&gt;" in html
    assert "x:&lt;img src=x onerror=alert(1)&gt;" in html
    assert "At most 0 links per post." in html


def test_brochure_pdf(tmp_path, std, team):
    from ripplemeter.report.brochure import write_brochure
    from ripplemeter.report.pdf import PdfError, check_pdf_tools

    try:
        check_pdf_tools()
    except PdfError as exc:
        pytest.skip(f"no PDF tools here: {exc}")
    paths = write_brochure(std, tmp_path / "out", team, pdf=True)
    assert paths.html.read_text(encoding="utf-8").count("<li>") >= 10
    data = paths.pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 5000
