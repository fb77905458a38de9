"""Promotional-post rules: hits per language with their spans, the estimator API, the gold set's
figures re-scored from the shared data, and Cohen's kappa checked by hand."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.errors import RippleError
from ripplemeter.text.promotional import PromotionalRules

TRAINING = Path(__file__).resolve().parents[1] / "training"
sys.path.insert(0, str(TRAINING))
import promotional_agreement  # noqa: E402
import train_promotional  # noqa: E402

GOLD = Path(__file__).parent / "data" / "promotional_gold"


def _kinds(text, lang="auto"):
    return PromotionalRules(lang=lang).kinds(text)


# ------------------------------------------------------------------ rules per language


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("Take 20% off all candles through Sunday, use code GLOW20", ["discount", "coupon"]),
        (
            "Fresh hoodies dropped! Shop now: https://teespring.com/fern-and-fox",
            ["call_to_buy", "shop_link"],
        ),
        ("Only $19.99 while stocks last", ["price"]),
        ("Sponsored by PaddleCo: our summer kayak trip", ["sponsored"]),
        ("GO CHECK OUT OUR MERCH, LINK IN BIO", ["call_to_buy"]),
    ],
)
def test_english_promotional(text, kinds):
    m = PromotionalRules()
    assert m.kinds(text) == kinds
    assert list(m.predict([text])) == ["promotional"]


@pytest.mark.parametrize(
    "text",
    [
        "Startup raises $2 billion to acquire online sellers",  # a sum in the news, not a price asked
        "Tried fried crickets today, they were fine.",
        "Nothing is duller than a snooker match between two novices.",
    ],
)
def test_english_ok(text):
    assert list(PromotionalRules().predict([text])) == ["ok"]


def test_chinese():
    m = PromotionalRules()
    assert m.kinds("双十一大促！全场5折，满200减30，领优惠券立即购买") == [
        "discount",
        "coupon",
        "call_to_buy",
    ]
    assert m.kinds("【出】闲置洛丽塔裙一条/九成新") == ["call_to_buy"]
    assert m.kinds("某品牌连衣裙_价格_图片 - 天猫") == ["price", "shop_link"]
    # 折 in 折腾 and a news report are not offers
    assert list(m.predict(["这几天真折腾，晚安", "某超市昨晚突发事件，出入口全部临时关闭"])) == [
        "ok",
        "ok",
    ]


def test_korean():
    m = PromotionalRules()
    assert m.kinds("재즈 공연 이틀권 두 장 판매합니다") == ["call_to_buy"]
    assert m.kinds("옥수동 한 아파트 30평 전세 5억") == ["listing"]
    assert m.kinds("주방용품 할인 혜택 모음") == ["discount"]
    # 세일즈 외교 (sales diplomacy) and 차익 실현 매물 (selling shares) are news, not offers
    assert (
        m.predict(
            [
                "세일즈 외교 집중",
                "외국인 차익 실현 매물 출회",
                "주가는 5만1200원에 마감했다",
            ]
        ).tolist()
        == ["ok"] * 3
    )


# ------------------------------------------------------------------ v2 rules (enriched dev set)
# Every rule added in version 2 and every false alarm it fixed, per language. The texts are
# short paraphrases of the kinds of post found in the development part (not the posts).


@pytest.mark.parametrize(
    "text, kinds",
    [
        # a product plugged with where to buy it
        ("Go check out my new novel, it is on Amazon", ["shop_link"]),
        # money-making schemes offered to the reader
        ("Earn easy money online, no investment needed, visit my page", ["money_scheme"]),
        ("Now I earn $2,500 a month on this platform, start today", ["price", "money_scheme"]),
        ("Answering polls from home, I make 3800 bucks monthly", ["money_scheme"]),
        # a price asked in dollars is still a price
        ("Hand-made mugs, yours for only 12 dollars", ["price"]),
    ],
)
def test_english_v2_rules(text, kinds):
    m = PromotionalRules()
    assert m.kinds(text) == kinds
    assert m.predict([text]).tolist() == ["promotional"]


@pytest.mark.parametrize(
    "text",
    [
        "that would be great, I'd pay you 5 dollars for it",  # a sum, nothing offered
        "Please chip in 30 dollars toward my cat's vet bill",  # a donation appeal
        "Will Europe copy the aggregator model? Brands on Amazon are being bought up fast",
    ],
)
def test_english_v2_false_alarms_fixed(text):
    assert PromotionalRules().predict([text]).tolist() == ["ok"]


@pytest.mark.parametrize(
    "text",
    [
        # working from home is how many people work, not a scheme offered (review of v2)
        "My router dies whenever I am working from home",
        "Honestly sick of working from home this week",
        # a wage or a bill per period, with no invitation to join anything
        "I only make 12 dollars a day at this job",
        "we earn 40 dollars a day picking fruit, it's hard work",
    ],
)
def test_english_money_scheme_needs_an_offer(text):
    m = PromotionalRules()
    assert "money_scheme" not in m.kinds(text)
    assert m.predict([text]).tolist() == ["ok"]


def test_chinese_liuhe_place_name_is_not_gambling():
    """六合 is a district of Nanjing and a common place name; the lottery is 六合彩."""
    m = PromotionalRules()
    assert m.predict(["今天天气不错，去六合区的公园散步"]).tolist() == ["ok"]
    assert m.kinds("香港六合彩开奖结果") == ["listing"]


def test_chinese_v2_rules():
    m = PromotionalRules()
    # lottery-tip and gambling pages are listings (guideline rule 6)
    assert m.kinds("某某传真 一句中特 【6合 资料】") == ["listing"]
    assert m.kinds("天下彩 今日推荐号码") == ["listing"]
    # money-making schemes
    assert m.kinds("最新赚钱通道，每天都能领") == ["money_scheme"]
    assert m.kinds("宝妈在家致富经验分享") == ["money_scheme"]
    # a second-hand flat with rooms and a price; a B2B supply page
    assert m.kinds("湖景花园二手房 3室1厅 精装 120万") == ["listing"]
    assert m.kinds("供应不锈钢水箱 - 某某设备厂 - 慧聪网") == ["shop_link"]
    # a price per person is asked; a bare sum beside it is weak (0.3) but adds up
    assert m.kinds("上海出发海岛5晚7天游，4280元/人！名额有限") == ["sum", "price"]
    assert m.kinds("限时秒杀，今天只要99元") == ["discount", "sum"]
    assert m.kinds("XR-2 数显温控器 | 某仪表厂 厂家 价格") == ["price"]
    assert m.predict(["转发本条并关注我们，送iPhone一台"]).tolist() == ["promotional"]


def test_chinese_v2_false_alarms_fixed():
    m = PromotionalRules()
    texts = [
        "新规提醒：违停一次罚200元，转给家人看看",  # a fine
        "工人老王取款8200元一事已被银行证实",  # a withdrawal in the news
        "小伙自制暖手宝，成本不到300元",  # a cost reported
        "举报卖猫狗肉，政府奖励¥500！",  # a reward reported
        "这个进球太帅了，直接秒杀全场",  # 秒杀 as slang
        "某男星为一家运动品牌拍了条新广告",  # news about an advert
        "发现有个同学在朋友圈里发广告",  # someone else's adverts in a story
        "这个办法要是能推广，能省下不少医疗成本",  # 推广 = spread a method
        "他们只花十分之一的价格就买到同款",  # 价格 in running prose
        "我国前年赠送韩国的一对大熊猫",  # a state gift in the news
    ]
    assert m.predict(texts).tolist() == ["ok"] * len(texts)
    # the weak sum alone stays below the threshold: 1 - 0.98 * 0.7
    assert m.predict_proba(["罚100元"])[0, 0] == pytest.approx(1 - 0.98 * 0.7)


def test_korean_v2_rules():
    m = PromotionalRules()
    # the same service after two place names, or in three hashtags
    assert m.kinds("합정역꽃집, 망원동꽃집 오늘의 꽃다발") == ["service_ad"]
    assert m.kinds("#마포구애견미용 #합정애견미용 #망원동애견미용") == ["service_ad"]
    # a list of stations or areas served
    assert m.kinds("왕십리역,한양대역,뚝섬역,성수역,건대입구역") == ["service_ad"]
    assert m.kinds("기타 레슨 후기 공덕 / 애오개 / 아현동 / 신촌 / 이화여대 / 홍대입구") == [
        "service_ad"
    ]
    # a business introducing itself; a space hired out; a fitting service
    assert m.kinds("반갑습니다, 연남동 도자기공방 흙손입니다") == ["service_ad"]
    assert m.kinds("2층 세미나실은 30명까지 대관 가능합니다") == ["service_ad"]
    assert m.kinds("욕실 타일 줄눈시공 후기 망원동 빌라") == ["service_ad"]
    # deal hashtags, an advertorial's words, an opening event
    assert m.kinds("여성 전용 원룸 #망원동월세") == ["listing"]
    assert m.kinds("소형 주거 상품이지만 특화 설계로 수납을 늘렸다") == ["listing"]
    assert m.kinds("코리빙하우스 오픈이벤트 진행") == ["discount"]


def test_korean_v2_false_alarms_fixed():
    m = PromotionalRules()
    texts = [
        # 분양가상한제 (a price-cap policy) in housing news is not a sale
        "분양가상한제 시행 앞두고 집값 관망세",
        # a customer's food hashtags are not a service advert
        "친구랑 국밥집 다녀왔어요 #합정맛집 #망원동맛집 #합정역맛집",
        # one florist named by a customer
        "성수동꽃집에서 꽃다발을 샀어요",
    ]
    assert m.predict(texts).tolist() == ["ok"] * len(texts)


# ------------------------------------------------------------------ v2.1 (review of v2)
# False alarms a reviewer found on made-up everyday posts; each fired before v2.1.


def test_korean_topic_list_and_customer_tags_are_no_service_ad():
    m = PromotionalRules()
    texts = [
        # a blogger's topic list: five slash-separated words, none of them a place
        "먹방/카페투어/일상/소통/맞팔/데일리룩 오늘도 기록",
        # a customer tagging a visit: the service after two places, both in hashtags
        "오늘 받은 손톱 너무 마음에 들어요 #연남동네일 #홍대네일",
    ]
    assert m.predict(texts).tolist() == ["ok", "ok"]
    # a business tags its service by area three times or more; a slash list naming two
    # places (-동, -역, a 3-letter -대 / -리 station) is a list of areas served
    assert m.kinds("#연남동네일 #홍대네일 #합정네일 예약은 전화로") == ["service_ad"]
    assert m.kinds("망원동/합정역/서교동/연남/상수/성산 출장 청소") == ["service_ad"]


def test_english_warning_against_a_scheme_is_no_offer():
    m = PromotionalRules()
    warning = "Making money from home with those apps is a scam, do not sign up, visit the FTC site"
    assert "money_scheme" not in m.kinds(warning)
    assert m.predict([warning]).tolist() == ["ok"]
    assert m.predict(["Beware: earn money online offers that say join now are fake"]).tolist() == [
        "ok"
    ]
    # the scheme's own "not a scam" is still an offer
    offer = "This is not a scam! Earn money from home, visit my site"
    assert m.kinds(offer) == ["money_scheme"]


def test_chinese_selling_in_a_crime_report_is_no_offer():
    m = PromotionalRules()
    news = ["某男子因非法出售公民个人信息被判刑三年", "警方通报：两人出售假药被抓获"]
    assert m.predict(news).tolist() == ["ok", "ok"]
    assert m.kinds("出售九成新自行车一辆，可小刀") == ["call_to_buy", "listing"]


def _literals(path: Path) -> list[tuple[int, str]]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_test_string_copies_a_shared_post(real_data):
    """The shared posts have no licence to be copied into the repository: every text in this
    file is a paraphrase. No string shares with a post of the pool (the 6,408 posts the gold
    sets are drawn from) a run of 10 characters of which 8 are Chinese or Korean, or a run
    of 30 characters (common English phrases such as "working from home" are shorter)."""
    import html
    import re

    real_data("weibo_ced_repost_cascades/original-microblog")
    real_data("serp_samples/baidu_naver")

    def norm(t: str) -> str:
        return re.sub(r"\s+", " ", html.unescape(t)).strip()

    posts = "\n".join(norm(p["text"]) for p in train_promotional.pool())
    cjk = re.compile(r"[\u3400-\u9fff\uac00-\ud7a3]")
    copied = []
    for line, value in _literals(Path(__file__)):
        v = norm(value)
        for width, need in ((10, 8), (30, 0)):
            runs = (v[i : i + width] for i in range(len(v) - width + 1))
            hit = next((r for r in runs if len(cjk.findall(r)) >= need and r in posts), None)
            if hit:
                copied.append((line, hit))
                break
    assert copied == []


def test_explain_spans_point_into_the_text():
    text = "Big news: 30% off all mugs, use code MUG30"
    hits = PromotionalRules().explain(text)
    assert [(h.rule, h.span) for h in hits] == [
        ("en.discount", "30% off"),
        ("en.coupon", "use code"),
    ]
    for h in hits:
        assert text[h.start : h.end] == h.span


def test_lang_fixed_applies_only_that_languages_rules():
    # a Korean offer read with the English rules only: nothing fires
    assert PromotionalRules(lang="en").kinds("공연 티켓 두 장 판매합니다") == []
    assert PromotionalRules(lang="ko").kinds("공연 티켓 두 장 판매합니다") == ["call_to_buy"]
    with pytest.raises(RippleError, match="no rules for the language 'ja'"):
        PromotionalRules(lang="ja")


def test_predict_proba_noisy_or_and_fit():
    m = PromotionalRules()
    # price (0.6) and coupon (0.9) with base rate 0.02: 1 - 0.98 * 0.4 * 0.1
    p = m.predict_proba(["$5, promo code X"])
    assert p.shape == (1, 2)
    assert p[0, 0] == pytest.approx(1 - 0.98 * 0.4 * 0.1)
    assert p[0, 1] == pytest.approx(0.98 * 0.4 * 0.1)
    assert m.predict_proba([]).shape == (0, 2)
    # fit: price fired on 3 texts, 1 positive -> (1+1)/(3+2) = 0.4; no-hit texts 0 of 1 -> 1/3
    texts = ["$5 now", "$6 fine", "it was $7", "hello"]
    m.fit(texts, ["promotional", "ok", "ok", "ok"])
    assert m.weights_["price"] == pytest.approx(0.4)
    assert m.base_rate_ == pytest.approx(1 / 3)
    assert m.predict_proba(["$1"])[0, 0] == pytest.approx(1 - (2 / 3) * 0.6)
    with pytest.raises(RippleError, match="label 2 is 'spam'"):
        m.fit(["a", "b"], ["ok", "spam"])
    with pytest.raises(RippleError, match="2 texts but 1 labels"):
        m.fit(["a", "b"], ["ok"])


def test_non_text_is_ok():
    out = PromotionalRules().predict([None, "", float("nan")])
    assert out.tolist() == ["ok", "ok", "ok"]


# ------------------------------------------------------------------ gold set


def test_gold_files_shape():
    rows = train_promotional.read_gold()
    assert len(rows) == 430
    assert sum(r["label"] == "promotional" for r in rows) == 39
    held = [r for r in rows if r["split"] == "heldout"]
    assert (len(held), sum(r["label"] == "promotional" for r in held)) == (129, 12)
    with open(GOLD / "second_pass_input.csv", encoding="utf-8", newline="") as fh:
        second = list(csv.DictReader(fh))
    assert len(second) == 100
    assert "label" not in second[0]  # blind: no labels
    by_n = {r["n"]: r for r in rows}
    assert all(by_n[r["n"]]["ref"] == r["ref"] for r in second)
    fresh = train_promotional.read_gold(GOLD / "fresh.csv")
    assert (len(fresh), sum(r["label"] == "promotional" for r in fresh)) == (100, 7)
    assert not {r["ref"] for r in fresh} & {r["ref"] for r in rows}
    with open(GOLD / "fresh_input.csv", encoding="utf-8", newline="") as fh:
        fresh_in = list(csv.DictReader(fh))
    assert [r["ref"] for r in fresh_in] == [r["ref"] for r in fresh]
    assert "label" not in fresh_in[0]
    # the enriched set (v2): 312 posts, 45 promotional; 30 % of each label held out
    enr = train_promotional.read_gold(GOLD / "enriched.csv")
    assert (len(enr), sum(r["label"] == "promotional" for r in enr)) == (312, 45)
    held = [r for r in enr if r["split"] == "heldout"]
    assert (len(held), sum(r["label"] == "promotional" for r in held)) == (94, 14)
    assert not {r["ref"] for r in enr} & ({r["ref"] for r in rows} | {r["ref"] for r in fresh})
    with open(GOLD / "enriched_input.csv", encoding="utf-8", newline="") as fh:
        assert [r["ref"] for r in csv.DictReader(fh)] == [r["ref"] for r in enr]


def test_committed_second_pass_kappa():
    # SECOND_PASS.md reports kappa 1.000 on the 100 posts; recompute from the committed labels
    path = GOLD / "second_pass_labels.csv"
    if not path.exists():
        pytest.skip("no second pass committed")
    res = promotional_agreement.agreement(promotional_agreement.read_labels(path))
    assert res["n"] == 100
    assert res["kappa"] == pytest.approx(1.0)


def test_committed_fresh_second_pass_kappa():
    # the blind second pass on the fresh 100 (SECOND_PASS.md): 6 promotional against the first
    # pass's 7, one disagreement. By hand: p_o = 0.99, p_e = 0.07*0.06 + 0.93*0.94 = 0.8784
    path = GOLD / "fresh_second_pass_labels.csv"
    second = promotional_agreement.read_labels(path)
    assert sum(v == "promotional" for v in second.values()) == 6
    res = promotional_agreement.agreement(second, GOLD, "fresh.csv")
    assert (res["n"], res["first_promotional"], res["second_promotional"]) == (100, 7, 6)
    assert res["raw_agreement"] == pytest.approx(0.99)
    assert res["kappa"] == pytest.approx((0.99 - 0.8784) / (1 - 0.8784))
    assert round(res["kappa"], 3) == 0.918


def test_gold_references_resolve_and_rescore(real_data):
    real_data("weibo_ced_repost_cascades/original-microblog")
    real_data("serp_samples/baidu_naver")
    real_data("youtube_spam_collection")  # the enriched set's YouTube comments
    rows = train_promotional.read_gold()
    # the gold file is exactly the seeded draw described in the guideline
    assert [r["ref"] for r in train_promotional.draw()] == [r["ref"] for r in rows]
    res = train_promotional.measure(learned=False)  # the rules only: no scikit-learn needed
    held = res["rules"]["heldout/all"]
    # the model card's figures for the v2 rules (v1 gave TP 10, FP 1, FN 2 on this held-out part
    # and 31/3/8 on all 430: training/logs/promotional_v1.json)
    assert (held["tp"], held["fp"], held["fn"]) == (10, 0, 2)
    assert held["precision"] == pytest.approx(1.0)
    assert held["recall"] == pytest.approx(10 / 12)
    allp = res["rules"]["all/all"]
    assert (allp["tp"], allp["fp"], allp["fn"]) == (34, 1, 5)
    # the blind figure: 100 fresh posts drawn after the rules were written
    assert [r["ref"] for r in train_promotional.draw_fresh()] == [
        r["ref"] for r in train_promotional.read_gold(GOLD / "fresh.csv")
    ]
    fresh = res["rules"]["fresh/all"]  # v1: 4, 3, 3 (blind); v2 was widened on these posts
    assert (fresh["tp"], fresh["fp"], fresh["fn"]) == (6, 0, 1)
    # the enriched set: the seeded draw, and its held-out part scored once with the v2 rules
    assert [r["ref"] for r in train_promotional.draw_enriched()] == [
        r["ref"] for r in train_promotional.read_gold(GOLD / "enriched.csv")
    ]
    eh = res["rules"]["enriched_heldout/all"]
    assert (eh["n"], eh["tp"], eh["fp"], eh["fn"]) == (94, 11, 0, 3)
    by_lang = {
        lang: tuple(res["rules"][f"enriched_heldout/{lang}"][k] for k in ("tp", "fp", "fn"))
        for lang in ("en", "zh", "ko")
    }
    assert by_lang == {"en": (2, 0, 1), "zh": (3, 0, 0), "ko": (6, 0, 2)}
    # Wilson 95 % interval of recall 11/14 (by hand: centre 0.7242, half-width 0.2001)
    lo, hi = eh["recall_ci"]
    assert (round(lo, 3), round(hi, 3)) == (0.524, 0.924)
    ed = res["rules"]["enriched_dev/all"]
    assert (ed["tp"], ed["fp"], ed["fn"]) == (29, 0, 2)


def test_wilson_interval():
    # 5/10: centre 0.5, half-width 1.96*sqrt(0.025 + 1.96^2/400)/(1 + 1.96^2/10) = 0.2634;
    # 0/10: upper bound z^2/(n + z^2) = 3.8415/13.8415
    lo, hi = train_promotional.wilson(5, 10)
    assert (lo, hi) == (pytest.approx(0.23659, abs=1e-4), pytest.approx(0.76341, abs=1e-4))
    assert train_promotional.wilson(0, 10) == (0.0, pytest.approx(3.8415 / 13.8415, abs=1e-4))
    assert train_promotional.wilson(10, 10)[1] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in train_promotional.wilson(0, 0))


# ------------------------------------------------------------------ agreement


def test_cohen_kappa_by_hand():
    a = ["promotional"] * 3 + ["ok"] * 7
    b = ["promotional", "promotional", "ok", "promotional"] + ["ok"] * 6
    # p_o = 8/10; p_e = 0.3*0.3 + 0.7*0.7 = 0.58; kappa = (0.8-0.58)/(1-0.58)
    assert promotional_agreement.cohen_kappa(a, b) == pytest.approx(0.22 / 0.42)
    assert math.isnan(promotional_agreement.cohen_kappa(["ok"] * 4, ["ok"] * 4))
    with pytest.raises(ValueError):
        promotional_agreement.cohen_kappa(["ok"], [])


def test_cohen_kappa_against_sklearn():
    sklearn_metrics = pytest.importorskip(
        "sklearn.metrics", reason="scikit-learn (the train extra) is the peer for this check"
    )
    cohen_kappa_score = sklearn_metrics.cohen_kappa_score

    rng = np.random.default_rng(3)
    x = rng.choice(["promotional", "ok"], 60).tolist()
    y = rng.choice(["promotional", "ok"], 60).tolist()
    assert promotional_agreement.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))


def test_agreement_reads_second_pass_labels(tmp_path):
    (tmp_path / "gold.csv").write_text(
        "n,ref,source,lang,label,split\n0,a#1,x,en,ok,dev\n1,a#2,x,en,promotional,dev\n"
        "2,a#3,x,en,ok,dev\n3,a#4,x,en,promotional,dev\n",
        encoding="utf-8",
    )
    second = tmp_path / "second_pass_labels.csv"
    second.write_text("n,label\n0,ok\n1,promotional\n2,promotional\n3,promotional\n", "utf-8")
    res = promotional_agreement.agreement(promotional_agreement.read_labels(second), tmp_path)
    # p_o = 3/4; p_e = (2*1 + 2*3)/16 = 0.5; kappa = 0.5
    assert res["n"] == 4 and res["raw_agreement"] == 0.75
    assert res["kappa"] == pytest.approx(0.5)
    second.write_text("n,label\n0,maybe\n", "utf-8")
    with pytest.raises(ValueError, match="second_pass_labels.csv, line 2, column label"):
        promotional_agreement.read_labels(second)
