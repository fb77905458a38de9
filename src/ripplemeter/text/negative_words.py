"""Negative words in Chinese and Korean texts: the inbox's praise check beyond English.

The inbox (:func:`ripplemeter.operations.inbox.negative_cues`) files a mildly negative
sentiment reading as a complaint only when the text holds a negative word. English texts are
read with VADER's lexicon; this module does the same job for Chinese and Korean with a small
hand-written lexicon, so that praise the review-trained models read mildly negative
("客服一个小时就回复了，还帮我改了订单", "고객센터가 한 시간 만에 답해주고 주문도 고쳐줬어요")
is not queued as a complaint.

A text holds a negative word when, after :func:`ripplemeter.text.aspects.fold`, it has

* a **complaint word** that is not negated: the ``negative`` cue words of every aspect of the
  shipped ``product`` taxonomy (``taxonomies/product.toml``: 太贵, 还没到, 态度差, 비싸, 늦,
  불친절...) plus the words of :data:`COMPLAINT_WORDS` (差, 慢, 失望, 垃圾, 有点...; 별로, 최악,
  실망, 불만, 고장...). Negation is read by
  :func:`ripplemeter.text.aspects.negated` (不/没/未/别/无 in the two characters before a
  Chinese word; 안/못 before a Korean word, or 지 않/지 못/없 after it), so 不贵, 一点也不慢,
  안 비싸요 and 나쁘지 않아요 are not complaints;
* a **topic word** of complaints (:data:`TOPIC_WORDS`: 退款, 投诉; 환불, 반품), negated or not,
  in a text that does not thank or call the matter settled (:data:`SETTLED_WORDS`); or
* a **negation** (:data:`NEGATORS`: 不, 没, 未, 别; 안, 못, 않, 지 못) that does not negate a
  complaint word (不好吃, 没回复, 안 와요, 좋지 않아요 count; 不贵, 안 늦어요 do not).

Words that hold a negation or a complaint word but praise or say nothing bad are set aside
first (:data:`POSITIVE_COMPOUNDS`, plus the ``positive`` cue words of the taxonomy): 不错,
没问题, 不愧, 别提多好, 特别, 帮我退款; 괜찮, 못지않, 문제없, 환불해 주... Matching runs left to
right and takes the longest entry at each place, so 不满意 is a complaint word even though
满意 is a positive cue, and 비싸고 is 비싸 (not the positive cue 싸고).

:func:`complaint_words` gives the complaint and topic words alone (no bare negation), and
:func:`clear_complaint_words` the ones of them that clearly complain about an order or the
service (:data:`CLEAR_COMPLAINTS`: 느려, 안 왔, 찢어, 연락이 안 돼, 환불해 주세요...; 还没到,
联系不上, 退款...): with one of these the inbox files a Korean text as a complaint even when the
sentiment model, trained on movie reviews, reads it neutral or mildly positive
(:data:`ripplemeter.operations.inbox.COMPLAINT_WORD_BELOW`).

The lists are written by hand (a ripplemeter decision, not a published lexicon); how well the
check sorts real reviews is measured in ``training/praise_check_zh_ko.py`` and reported at
:data:`ripplemeter.operations.inbox.COMPLAINT_SURE`.
"""

from __future__ import annotations

import re
from functools import cache

from ripplemeter.text.aspects import fold, load_taxonomy, negated

__all__ = [
    "CLEAR_COMPLAINTS",
    "COMPLAINT_WORDS",
    "LANGS",
    "NEGATORS",
    "POSITIVE_COMPOUNDS",
    "SETTLED_WORDS",
    "TOPIC_WORDS",
    "clear_complaint_words",
    "complaint_words",
    "has_negative_word",
    "negative_words",
]

LANGS = ("zh", "ko")
"""Languages with a lexicon here."""

COMPLAINT_WORDS: dict[str, tuple[str, ...]] = {
    "zh": (
        # quality, breakage, wrong or missing goods
        "差", "差劲", "差评", "坏", "烂", "破", "漏", "假货", "假的", "山寨", "劣质", "次品",
        "发霉", "变质", "过期", "馊", "臭", "异味", "脏", "恶心", "蟑螂", "吃出", "有头发", "异物",
        "拉肚子", "死机", "卡顿", "闪退", "掉色", "起球", "色差", "缺货", "少送", "漏送",
        "没送", "少发", "漏发", "错发", "发错", "送错", "少了", "洒了", "凉了",
        "有问题", "出问题", "质量问题", "毛病", "故障",
        # taste and size
        "难吃", "难喝", "难闻", "难用", "太少", "太小", "太咸", "太淡", "太油", "太腻", "太硬",
        "太酸", "太辣", "太甜", "太久", "一般", "有点", "苦", "腥", "腻", "咸", "淡", "偏淡", "偏咸", "偏油", "很淡", "淡了",
        "很咸", "油腻", "太腻", "量少", "量小", "好少", "很少", "太长", "时间长", "很长时间",
        "晚了", "很晚", "太晚", "晚送", "送晚", "凉了", "冷了", "陈旧", "老旧", "旧了", "太旧",
        # time and service
        "慢", "延误", "怎么还", "还没到", "还没收到", "收不到", "联系不到", "找不到", "打不通",
        "用不了", "打不开", "不满", "态度恶劣", "无法", "无语", "无奈", "无聊",
        # money and trust
        "贵", "骗", "坑", "上当", "黑心",
        # feelings
        "失望", "垃圾", "糟糕", "后悔", "郁闷", "生气", "气死", "火大", "窝火", "心塞", "崩溃",
        "可惜", "遗憾", "忍无可忍", "受不了", "最差", "再也不", "不能更", "太次", "呵呵", "醉了", "服了", "晕",
        "无耻", "过分", "套路", "吃亏", "心疼", "肉疼", "怀疑", "水货", "一无是处", "缺陷",
        "枯燥", "平庸", "浅薄", "肤浅", "俗气", "矫情", "凌乱", "乱七八糟", "混乱", "过时",
        "炒作", "很卡", "会卡", "卡死", "了点", "太肥", "太厚",
    ),
    "ko": (
        # quality, breakage, wrong or missing goods
        "별로", "최악", "불량", "고장", "깨졌", "깨져", "깨진", "부서졌", "부서져", "망가", "찢어", "새요",
        "샜", "잘못", "누락", "빠졌", "오배송", "가짜", "짝퉁", "곰팡이", "상했", "썩", "냄새나",
        "더럽", "지저분", "오류", "에러", "문제가 있", "문제 있", "문제가 생", "문제 생",
        "문제가 많",
        # taste and fun
        "맛없", "맛이 없", "재미없", "재미가 없", "노잼", "지루", "지겹", "지겨", "졸작", "망작",
        "형편없", "실패", "부족", "엉성", "어설프", "어설퍼", "조잡", "허무", "뻔하", "뻔한",
        "식상", "빈약", "낭비", "막장", "못생", "불가", "이해하기 힘들", "재미 없", "그저 그",
        "그냥 그래", "그냥 그렇", "궁색", "씁쓸", "악취미", "루즈", "그나마",
        # time and service
        "느려", "느렸", "느리", "늦", "오래 걸", "한참 기다", "한참 걸", "답이 없", "답도 없", "연락이 없", "연락도 없",
        "안 와", "안와", "안 옴", "안 왔", "안왔", "못 받", "못받", "성의 없", "성의없",
        # money and trust
        "비싸", "비싼", "아깝", "사기", "속았",
        # feelings
        "실망", "불만", "불편", "불쾌", "짜증", "화나", "화가 나", "화났", "열받", "답답", "어이없",
        "황당", "엉망", "쓰레기", "후회", "아쉽", "아쉬", "싫", "나쁘", "나빠", "나쁜", "비추",
        "구려", "구리", "허접", "속상", "ㅡㅡ", "ㅅㅂ", "ㅆㅂ", "시발", "씨발",
    ),
}  # fmt: skip
"""Complaint words written here, added to the ``negative`` cue words of the ``product``
taxonomy. A negated one (:func:`ripplemeter.text.aspects.negated`) does not count."""

CLEAR_COMPLAINTS: dict[str, tuple[str, ...]] = {
    "zh": (
        # delivery
        "太慢", "很慢", "慢死", "还没到", "还没收到", "还没发货", "没收到", "收不到", "迟迟",
        "延迟", "丢了", "丢件",
        # packaging and breakage
        "破了", "破损", "压坏", "摔坏", "瘪", "漏了", "坏了",
        # wrong or missing goods
        "发错", "错发", "送错", "少发", "漏发", "少送", "漏送", "没送",
        # contact and service
        "联系不上", "联系不到", "打不通", "不回复", "没回复", "没人回复", "不理", "没人理",
        "态度差", "态度很差", "态度太差", "敷衍", "推脱",
        # money and quality
        "太贵", "不值", "坑人", "质量差", "质量太差", "质量很差", "质量不好", "难喝", "难吃",
    ),
    "ko": (
        # delivery: late, slow, lost, not arrived
        "느려", "느렸", "느림", "느리게", "늦어", "늦네", "늦게 와", "늦게 왔", "늦게 오",
        "늦게 도착", "늦게 받", "늦게 배송", "지연", "분실", "안 와", "안와", "안 옴", "안 왔",
        "안왔", "안 오네", "못 받", "못받", "감감무소식", "무소식",
        # packaging and breakage
        "찢어", "찢겨", "찢긴", "찌그러", "파손", "깨져", "깨졌", "깨진", "부서져", "부서졌",
        "뜯어져", "새서", "샜어", "불량", "고장", "터져서 왔", "터진 채", "곰팡이",
        # wrong or missing goods
        "누락", "오배송", "잘못 왔", "잘못 배송", "잘못 보내", "다른 게 왔", "다른 상품이 왔",
        "다른 제품이 왔",
        # contact and service
        "연락이 안 돼", "연락이 안 되", "연락이 안돼", "연락이 안되", "연락 안 돼", "연락 안 되",
        "연락안돼", "연락안되", "연락이 없", "연락도 없", "답이 없", "답도 없", "답변이 없",
        "답변도 없", "답장이 없", "답장도 없", "응답이 없", "전화를 안 받", "전화 안 받",
        "전화도 안 받", "전화가 안 돼", "전화 연결이 안", "불친절", "성의 없", "성의없", "먹통",
        # money: a refund asked for (환불해 주세요; the taxonomy reads 환불해 주 as thanks),
        # price, waste of money
        "환불해 주세요", "환불해주세요", "환불 해주세요", "환불 해 주세요", "돈 아깝", "돈 아까",
        "돈이 아깝", "돈이 아까", "비싸", "비싼", "비쌈", "비쌌", "사기당했", "사기 당했",
        # taste and quality
        "맛없", "맛이 없", "맛이 써", "맛이 쓰", "너무 써", "이상한 맛", "싱겁", "떫",
        "품질이 별로", "품질 별로", "퀄리티 별로", "가성비 별로",
    ),
}  # fmt: skip
"""Clear complaint words: complaints about an order (late, lost, broken, wrong or missing
goods, no answer from the shop, a refund asked for, the price, a bad taste), the words the
inbox trusts where the Korean sentiment model, trained on movie reviews, reads a service
complaint as neutral or mildly positive (:func:`clear_complaint_words`,
:data:`ripplemeter.operations.inbox.COMPLAINT_WORD_BELOW`). They are complaint words of the
lexicon too. Words of feeling or judgement (실망, 아쉽, 지루, 최악; 失望, 一般, 有点) are left
out: in reviews the model does not read negative they mostly come with praise ("뒤늦게 본
좋은 영화", "쌀이 아까워", "무시무시한 영화", "웃음이 터져"), so bare 늦, 아까워, 무시, 터져,
쓴맛 and 사기 (사기 전에: "before buying") are left out as well, for the longer forms above.
Measured in ``training/praise_check_zh_ko.py``."""

TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "zh": ("退款", "退货", "退钱", "换货", "投诉", "差价", "索赔", "赔偿"),
    "ko": ("환불", "반품", "교환", "취소", "보상"),
}
"""Words of what people complain about (refunds, returns, claims): they count negated too
(还没退款, 환불 안 해줘요 are complaints) and a negation before them still counts, unless the
text thanks or says the matter is settled (:data:`SETTLED_WORDS`): 退款已经到账了，谢谢 and
교환 신청했는데 하루 만에 처리됐어요 are no complaints. Thanks for a refund written as one
phrase (帮我退款, 退款成功, 환불해 주셨어요) are set aside as positive compounds."""

SETTLED_WORDS: dict[str, tuple[str, ...]] = {
    "zh": ("谢谢", "感谢", "多谢", "解决了", "处理了", "处理好了", "到账", "已经退", "办好了"),
    "ko": ("감사", "고맙", "고마워", "해결됐", "해결되", "해결해", "처리됐", "처리되", "처리해"),
}
"""Thanks and settled matters: with one of these in the text, a topic word does not count."""

NEGATORS: dict[str, tuple[str, ...]] = {
    "zh": ("不", "没", "未", "别"),
    "ko": ("안", "못", "않", "지 못", "지못", "아니다"),
}
"""Negations (before the word they negate; Korean 않, 지 못 and 아니다 after it). Korean 안 and 못 count as the word before a verb: a word of their own (안 와요,
못 받았어요) or fused with a common verb (안돼, 안좋아요, 못받음; see :data:`_KO_FUSED`), never
inside a longer word (안내, 동안, 잘못)."""

POSITIVE_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "zh": (
        # praise holding a negation
        "不错", "不赖", "不愧", "不负", "不辜负", "别提多", "没问题", "没有问题", "没什么问题",
        "没有任何问题", "没毛病", "没得说", "没的说", "没话说", "没说的", "无可挑剔", "挑不出",
        "没得挑", "不一般", "了不起", "不得了", "忍不住", "离不开", "舍不得", "爱不释手",
        "迫不及待", "赞不绝口", "不亦乐乎", "不虚此行", "不失为", "不可多得", "不容错过",
        "不在话下", "不亚于", "不逊色", "毫不逊色", "毫不犹豫", "不输", "不厌其烦", "不枉",
        "不要太", "不得不说", "不得不夸", "不得不赞", "没让我失望", "没有让我失望", "没令人失望",
        "不会让你失望", "不让人失望", "不用担心", "不必担心", "不用等", "没等多久", "没多久",
        "不多久", "没一会", "不一会", "没想到", "没抱", "没关系", "没事", "不客气", "不好意思", "对不起",
        # plain words holding 不/没/未/别
        "不仅", "不但", "不只", "不止", "不断", "不久", "不管", "不论", "不同", "不少", "不用",
        "不过", "不然", "不禁", "不停", "不时", "不妨", "不到", "未来", "特别", "区别", "分别",
        "差别", "别人", "别的", "别处", "别家", "个别", "级别", "类别", "性别", "告别", "识别",
        "辨别", "鉴别", "别致", "别墅",
        # plain words holding a complaint word
        "差不多", "出差", "时差", "差异", "误差", "慢慢", "慢用", "慢走", "慢炖", "灿烂", "软烂",
        "炖烂", "突破", "破费", "打破", "宝贵", "珍贵", "贵宾", "尊贵", "高贵", "名贵", "可贵",
        "有点意思", "有点东西", "辛苦", "刻苦", "苦瓜", "苦尽甘来", "细腻", "滑腻", "咸甜",
        "咸鸭蛋", "咸蛋", "咸菜", "清淡", "淡雅", "淡定", "淡季", "淡香", "淡淡的香", "冷淡",
        "还没用", "还没喝", "还没吃", "还没试", "还没穿", "还没拆", "还没打开", "还没开始",
        "贵州", "贵阳", "贵店", "贵公司", "贵司", "臭豆腐", "差点", "入坑", "垃圾袋", "垃圾桶", "垃圾箱", "一般来说", "一般都", "比一般",
        "已退款", "退款成功", "换货成功",
    ),
    "ko": (
        "괜찮", "못지않", "못지 않", "문제없", "문제 없", "문제가 없", "이상 없", "이상이 없",
        "하자 없", "하자가 없", "흠잡을 데", "나무랄 데", "손색없", "손색이 없", "더할 나위",
        "변함없", "아낌없", "아끼지 않", "기대 안 했", "기대 안했", "기대를 안 했", "기대 안 하고", "빈틈없", "빠짐없", "틀림없", "어김없", "거침없",
        "아쉬움 없", "아쉬움이 없", "아쉬운 점 없", "아쉬운 점이 없", "불편함 없", "불편함이 없",
        "불편 없", "부족함 없", "부족함이 없", "부족한 게 없", "부족한 것 없", "늦은 시간", "늦은 밤", "늦게까지", "안녕", "안내", "안전", "안심", "안정", "편안", "안쪽", "동안",
        "교환해 주", "교환해주", "교환해 줬", "교환해줬", "교환 받았", "교환받았",
        "취소해 주", "취소해주", "취소해 줬", "취소해줬",
        "며느리", "사기 전", "사기전",  # daughter-in-law (느리); "before buying" (사기)
    ),
}  # fmt: skip
"""Words that hold a negation or a complaint word but do not complain (set aside before the
search), added to the ``positive`` cue words of the ``product`` taxonomy."""

_KO_FUSED = re.compile(
    r"(?:돼|되|좋|와|옴|오|왔|맞|나와|나오|나옴|열리|열려|들어|먹|가|갔|해|했|함|줘|줬|보내|"
    r"보|읽|켜|움직|받|쓰|써|찾|알|봤|생겨|하|한)"
)
"""What may follow a Korean 안/못 written together with its verb (안돼, 못받음)."""

_GAP = 2
"""Characters allowed between a negation and the complaint word it negates (不太贵, 안 비싸요,
나쁘지 않아요)."""

_AFTER = {"않": _GAP, "지 못": _GAP, "지못": _GAP, "아니다": 4}
"""Korean negations written after the word they negate, with the characters allowed between
(나쁘지 않아요; 나쁜 건 아니다)."""


@cache
def _lexicon(lang: str) -> tuple[re.Pattern, dict[str, str]]:
    """The combined pattern (longest entry first) and each folded entry's kind."""
    tax = load_taxonomy("product")
    kinds: dict[str, str] = {}
    for w in NEGATORS[lang]:
        kinds[fold(w)] = "negator"
    for aspect in tax.cues:
        for cue, polarity in tax.cue_terms(lang, aspect).items():
            if cue.endswith("*"):
                continue
            kinds.setdefault(cue, "complaint" if polarity == "negative" else "positive")
    for w in (*COMPLAINT_WORDS[lang], *CLEAR_COMPLAINTS[lang]):
        kinds[fold(w)] = "complaint"
    for w in TOPIC_WORDS[lang]:
        kinds[fold(w)] = "topic"
    for w in POSITIVE_COMPOUNDS[lang]:
        kinds[fold(w)] = "positive"
    alternation = "|".join(re.escape(w) for w in sorted(kinds, key=len, reverse=True))
    return re.compile(alternation), kinds


def _is_ko_word_negator(folded: str, start: int, end: int) -> bool:
    """Korean 안/못 as the word before a verb, not inside a longer word."""
    if start > 0 and "\uac00" <= folded[start - 1] <= "\ud7a3":
        return False  # 동안, 잘못
    rest = folded[end:]
    if rest[:1].isspace():
        return bool(re.match(r"\s+[\uac00-\ud7a3]", rest))
    return bool(_KO_FUSED.match(rest))


def _found(text: str | None, lang: str) -> list[tuple[str, str]]:
    """The negative words of a text with their kind (complaint, topic or negator)."""
    if lang not in LANGS:
        raise ValueError(f"no negative-word lexicon for {lang!r}: expected one of {LANGS}")
    folded = fold(text) if isinstance(text, str) else ""
    if not folded:
        return []
    pattern, kinds = _lexicon(lang)
    hits = []
    for m in pattern.finditer(folded):
        kind = kinds[m.group()]
        if kind == "negator" and lang == "ko" and m.group() in ("안", "못"):
            if not _is_ko_word_negator(folded, m.start(), m.end()):
                continue
        hits.append((m.start(), m.end(), kind, m.group()))
    # the negation rule of the aspects reads a text with the set-aside words blanked out
    # (特别差: the 别 of 特别 negates nothing)
    chars = list(folded)
    for a, b, kind, _w in hits:
        if kind == "positive":
            chars[a:b] = "\u25a1" * (b - a)
    blanked = "".join(chars)
    complaints = [(a, b) for a, b, kind, _w in hits if kind == "complaint"]
    # a negation and the complaint word it negates cancel out (不贵, 나쁜 건 아니다)
    cancelled: set[tuple[int, int]] = set()
    for a, b, kind, w in hits:
        if kind != "negator":
            continue
        if w in _AFTER:  # after the verb: 나쁘지 않아요, 나쁜 건 아니다
            pair = [(x, y) for x, y in complaints if 0 <= a - y <= _AFTER[w]]
        else:  # before it, as the aspects read negation: 不贵, 不太贵, 안 비싸요 (不脆了可惜: no)
            pair = [
                (x, y) for x, y in complaints if 0 <= x - b <= _GAP and negated(blanked, x, y, lang)
            ]
        if pair:
            cancelled |= {(a, b), pair[-1] if w in _AFTER else pair[0]}
    settled = any(fold(w) in folded for w in SETTLED_WORDS[lang])
    found = []
    for a, b, kind, w in hits:
        if kind == "topic":
            if not settled:
                found.append((w, kind))
        elif kind == "positive" or (a, b) in cancelled:
            continue
        elif kind == "negator" or not negated(blanked, a, b, lang):
            found.append((w, kind))
    return found


def negative_words(text: str | None, lang: str) -> list[str]:
    """The negative words of a Chinese or Korean text, as found (folded), in order.

    Parameters
    ----------
    text : str or None
        Any text; None and non-strings count as empty.
    lang : {"zh", "ko"}
        The text's language.

    Returns
    -------
    list of str
        Complaint words that are not negated, and negations that do not negate a complaint
        word (see the module notes); empty when there are none.

    Raises
    ------
    ValueError
        If ``lang`` has no lexicon here (see :data:`LANGS`).

    Examples
    --------
    >>> negative_words("服务不错，没问题", "zh")
    []
    >>> negative_words("等了两个小时还没到，太失望了", "zh")
    ['等了', '还没到', '失望']
    >>> negative_words("나쁘지 않아요", "ko"), negative_words("배송이 안 와요", "ko")
    ([], ['안 와'])
    """
    return [w for w, _kind in _found(text, lang)]


def has_negative_word(text: str | None, lang: str) -> bool:
    """Whether a Chinese or Korean text holds a negative word (:func:`negative_words`).

    Parameters
    ----------
    text : str or None
    lang : {"zh", "ko"}

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``lang`` has no lexicon here.
    """
    return bool(negative_words(text, lang))


def complaint_words(text: str | None, lang: str) -> list[str]:
    """The complaint words of a Chinese or Korean text: :func:`negative_words` without the
    bare negations.

    A complaint word that is not negated (느려, 안 왔, 찢어, 별로, 연락이 안 돼; 慢, 还没到)
    or a topic word of complaints in a text that neither thanks nor calls the matter settled
    (환불, 退款). A negation alone (안, 않, 不, 没) says less: 안 매워요 ("not spicy") is no
    complaint. The inbox trusts only the clear ones (:func:`clear_complaint_words`) where the
    sentiment model does not read the text negative.

    Parameters
    ----------
    text : str or None
        Any text; None and non-strings count as empty.
    lang : {"zh", "ko"}
        The text's language.

    Returns
    -------
    list of str
        The complaint and topic words found (folded), in order; empty when there are none.

    Raises
    ------
    ValueError
        If ``lang`` has no lexicon here (see :data:`LANGS`).

    Examples
    --------
    >>> complaint_words("고객센터 연락이 안 돼요", "ko"), negative_words("좋지 않아요", "ko")
    (['연락이 안 돼'], ['않'])
    >>> complaint_words("좋지 않아요", "ko")
    []
    """
    return [w for w, kind in _found(text, lang) if kind != "negator"]


@cache
def _clear(lang: str) -> frozenset[str]:
    """The folded clear complaint words and topic words of a language."""
    return frozenset(fold(w) for w in (*CLEAR_COMPLAINTS[lang], *TOPIC_WORDS[lang]))


def clear_complaint_words(text: str | None, lang: str) -> list[str]:
    """The clear complaint words of a Chinese or Korean text (:data:`CLEAR_COMPLAINTS`).

    Parameters
    ----------
    text : str or None
        Any text; None and non-strings count as empty.
    lang : {"zh", "ko"}
        The text's language.

    Returns
    -------
    list of str
        The words of :func:`complaint_words` that are clear complaint words or topic words
        (:data:`TOPIC_WORDS`: 환불, 退款...), folded, in order; empty when there are none.

    Raises
    ------
    ValueError
        If ``lang`` has no lexicon here (see :data:`LANGS`).

    Examples
    --------
    >>> clear_complaint_words("배송이 너무 느려요", "ko"), clear_complaint_words("지루했어요", "ko")
    (['느려'], [])
    >>> clear_complaint_words("뒤늦게 본 좋은 영화", "ko"), complaint_words("뒤늦게 본 좋은 영화", "ko")
    ([], ['늦'])
    """
    clear = _clear(lang) if lang in LANGS else frozenset()
    return [w for w in complaint_words(text, lang) if w in clear]
