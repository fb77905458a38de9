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
        ("20% off everything this weekend, use code SPRING20 at checkout", ["discount", "coupon"]),
        (
            "New hoodies in! Shop now: https://teespring.com/stores/socal-surfer",
            ["call_to_buy", "shop_link"],
        ),
        ("Only $19.99 while stocks last", ["price"]),
        ("Sponsored by #MilkIt! Sky Brown can skate and surf", ["sponsored"]),
        ("CHECK OUT MY MERCH: WWW.", ["call_to_buy"]),
    ],
)
def test_english_promotional(text, kinds):
    m = PromotionalRules()
    assert m.kinds(text) == kinds
    assert list(m.predict([text])) == ["promotional"]


@pytest.mark.parametrize(
    "text",
    [
        "Thrasio raises $1 billion to buy Amazon sellers",  # a sum in the news, not a price asked
        "I ate bugs and it was O-K.",
        "Is there anything more anti-climactic than watching beginners play pool?",
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
    assert m.kinds("【160116】【出】DB十字架/红舞鞋") == ["call_to_buy"]
    assert m.kinds("ap独角兽jsk【多图】_价格_图片- 天猫精选") == ["price", "shop_link"]
    # 折 in 折腾 and a news report are not offers
    assert list(
        m.predict(["这几天真折腾，晚安", "家乐福发生突发事件：营业时间所有出入口用铁门封闭"])
    ) == ["ok", "ok"]


def test_korean():
    m = PromotionalRules()
    assert m.kinds("번개장터 2019 서울숲재즈페스티벌 양일권 2매 판매합니다") == ["call_to_buy"]
    assert m.kinds("금호동 힐스테이트서울숲리버 24평 전세 6억3천") == ["listing"]
    assert m.kinds("오늘의집, 집에 필요한 할인 혜택 가득") == ["discount"]
    # 세일즈 외교 (sales diplomacy) and 차익 실현 매물 (selling shares) are news, not offers
    assert (
        m.predict(
            [
                "세일즈 외교 집중",
                "대규모 차익 실현 매물이 쏟아졌다",
                "삼성전자는 9만7900원에 거래되고 있다",
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
        ("You should check out this underground book called Heartfix on AMAZON", ["shop_link"]),
        # money-making schemes offered to the reader
        ("wanna earn money online without investment... just visit this link", ["money_scheme"]),
        ("I am making over $3,000+ per month at this site, start today", ["price", "money_scheme"]),
        ("Being paid for surveys from home lets me make 4500 bucks monthly", ["money_scheme"]),
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
        "it would be really awesome and i'll give you 5 dollars",  # a sum, nothing offered
        "Can you please donate 50 dollars to help my dog's surgery",  # a donation appeal
        "Is India ready for Thrasio-like clones? Sellers on Amazon are being bought up",
    ],
)
def test_english_v2_false_alarms_fixed(text):
    assert PromotionalRules().predict([text]).tolist() == ["ok"]


@pytest.mark.parametrize(
    "text",
    [
        # working from home is how many people work, not a scheme offered (review of v2)
        "Working from home today, the wifi keeps dropping",
        "I'm so tired of working from home",
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
    assert m.kinds("*惠泽传真一句中特*_惠泽传真 - 【6合 机密】》》》") == ["listing"]
    assert m.kinds("*天下彩每日彩票手机报*") == ["listing"]
    # money-making schemes
    assert m.kinds("【官方唯一赚钱通道】598赚jnue赚") == ["money_scheme"]
    assert m.kinds("在家致富之路 zhangqi526") == ["money_scheme"]
    # a second-hand flat with rooms and a price; a B2B supply page
    assert m.kinds("【多图】海德公园二手房, 2室2厅1卫, 175万元...") == ["listing"]
    assert m.kinds("供应规划模型-广州市某模型设计有限公司 -慧聪网") == ["shop_link"]
    # a price per person is asked; a bare sum beside it is weak (0.3) but adds up
    assert m.kinds("成都至暹粒4晚6天自由行，3960元/人！共40个位置") == ["sum", "price"]
    assert m.kinds("限时秒杀，今天只要99元") == ["discount", "sum"]
    assert m.kinds("JSK-5 电子计时器 |上海某电子有限公司 厂家 价格") == ["price"]
    assert m.predict(["转发本条并关注我们，送iPhone一台"]).tolist() == ["promotional"]


def test_chinese_v2_false_alarms_fixed():
    m = PromotionalRules()
    texts = [
        "【交通新规】闯红灯，记6分，罚100元。扩散给大家!",  # a fine
        "工人老王取款8200元一事已被银行证实",  # a withdrawal in the news
        "网友自造取暖神器 花费不到4000元",  # a cost reported
        "举报卖猫狗肉，政府奖励¥500！",  # a reward reported
        "这一瞬间。。。秒杀。。。起范儿了",  # 秒杀 as slang
        "李敏镐携手某户外品牌拍摄一则冬装广告",  # news about an advert
        "发现有个同学在朋友圈里发广告",  # someone else's adverts in a story
        "这个办法要是能推广，能省下不少医疗成本",  # 推广 = spread a method
        "美国佬却买着10分之1价格的产品",  # 价格 in running prose
        "我国前年赠送韩国的一对大熊猫",  # a state gift in the news
    ]
    assert m.predict(texts).tolist() == ["ok"] * len(texts)
    # the weak sum alone stays below the threshold: 1 - 0.98 * 0.7
    assert m.predict_proba(["罚100元"])[0, 0] == pytest.approx(1 - 0.98 * 0.7)


def test_korean_v2_rules():
    m = PromotionalRules()
    # the same service after two place names, or twice in hashtags
    assert m.kinds("성수동꽃배달, 성수역꽃집, 서울숲역꽃집 안녕하세요") == ["service_ad"]
    assert m.kinds("#교감미용 #성동구애견미용 #왕십리애견미용") == ["service_ad"]
    # a list of stations or areas served
    assert m.kinds("왕십리역,한양대역,뚝섬역,성수역,건대입구역") == ["service_ad"]
    assert m.kinds("보컬 레슨 기록 뚝섬 / 서울숲 / 한양대 / 왕십리 / 상왕십리 / 신당") == [
        "service_ad"
    ]
    # a business introducing itself; a space hired out; a fitting service
    assert m.kinds("안녕하세요, 성수동 가죽공방 아뜰리에입니다. 오늘은 가죽 커버") == ["service_ad"]
    assert m.kinds("3층은 갤러리로 50여명 강의시 대관 가능하고") == ["service_ad"]
    assert m.kinds("샤워부스벽 줄눈시공 성수동 트리마제") == ["service_ad"]
    # deal hashtags, an advertorial's words, an opening event
    assert m.kinds("1인실 쉐어하우스 #서울숲월세") == ["listing"]
    assert m.kinds("소형 평형대를 공급하는 오피스텔이지만 특화설계를 갖춰") == ["listing"]
    assert m.kinds("코리빙하우스 오픈이벤트 진행") == ["discount"]


def test_korean_v2_false_alarms_fixed():
    m = PromotionalRules()
    texts = [
        # 분양가상한제 (a price-cap policy) in housing news is not a sale
        "분양가상한제 우려에도 강남 아파트값 껑충",
        # a customer's food hashtags are not a service advert
        "불백맨숀 갔다왔습니다 #서울숲맛집 #성수동맛집 #뚝섬역맛집",
        # one florist named by a customer
        "성수동꽃집에서 꽃다발을 샀어요",
    ]
    assert m.predict(texts).tolist() == ["ok"] * len(texts)


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
    assert PromotionalRules(lang="en").kinds("양일권 2매 판매합니다") == []
    assert PromotionalRules(lang="ko").kinds("양일권 2매 판매합니다") == ["call_to_buy"]
    with pytest.raises(RippleError, match="no rules for the language 'ja'"):
        PromotionalRules(lang="ja")


def test_predict_proba_noisy_or_and_fit():
    m = PromotionalRules()
    # price (0.6) and coupon (0.9) with base rate 0.02: 1 - 0.98 * 0.4 * 0.1
    p = m.predict_proba(["$5 with promo code X"])
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
