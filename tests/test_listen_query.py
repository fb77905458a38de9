"""Listening queries: the language, its matching rules, and Python == SQL on real workspaces.

Expected post sets are written out by hand from the rules in docs/listening-queries.md;
the same query is then run by both backends (regex over the frame, RE2 in DuckDB over the
stored ``posts.search_text``), which must agree.
"""

from __future__ import annotations

import csv
import json
import random
import re
import unicodedata

import duckdb
import pandas as pd
import pytest

from ripplemeter.errors import RippleError
from ripplemeter.listen.query import (
    PARTICLES,
    POSTS_RELATION,
    QuerySyntaxError,
    parse,
    search_text,
)
from ripplemeter.workspace import Workspace

# id, platform, author, lang, text
POSTS = [
    ("1", "x", "@Acme", "en", "ACME launched a new phone today"),
    ("2", "x", "bob", "en", "acmex is not the brand"),
    ("3", "x", "bob", "en", "Acme's launch event, finally"),
    ("4", "mastodon", "carol", "en", "The launchpad is ready"),
    ("5", "mastodon", "carol", "en", "Launching soon: the Acme phone"),
    ("6", "x", "dave", "en", "ＡＣＭＥ　ｌａｕｎｃｈｅｓ ｔｈｅ ＰＨＯＮＥ"),  # full-width
    ("7", "x", "dave", "en", "acme1 is a different account"),
    ("8", "weibo", "小王", "zh", "我最近买了华为手机，很好用"),
    ("9", "weibo", "小王", "zh", "华为发布了新款手机"),
    ("10", "weibo", "小李", "zh", "华为今天在上海发布了一款很贵的新手机"),
    ("11", "weibo", "小李", "zh", "小米手机也不错"),
    ("12", "naver", "kim", "ko", "삼성이 새 폰을 냈다"),
    ("13", "naver", "kim", "ko", "삼성동에서 만나요"),
    ("14", "naver", "lee", "ko", "삼성전자 주가가 올랐다"),
    ("15", "naver", "lee", "ko", "오늘 삼성에서 발표했어요"),
    ("16", "naver", "park", "ko", "Acme는 좋아요"),
    ("17", "x", "erin", "en", "The AB-9000 is great"),
    ("18", "x", "erin", "en", "AB-90001 is a different model"),
    ("19", "x", "erin", "en", "XAB-9000 is a knock-off"),
    ("20", "x", "erin", "en", "ab 9000 written with a space"),
    ("21", "x", "erin", "en", "AB9000 written glued"),
    ("22", "x", "erin", "en", "the AB-9000-X pro"),
    ("23", "x", "frank", "en", "new ＡＢ－９０００ in full width"),
    ("24", "reddit", "gina", "en", "acme, the phone"),
    ("25", "reddit", "gina", "en", "phone by acme"),
    ("26", "reddit", "gina", "en", "acme a b c d phone"),
    ("27", "x", "hiro", "ja", "新しいアクメのスマホを買った"),
    ("28", "x", "hiro", "ja", "アクメ新製品発表"),
]
CHANNEL = {"x": "microblog", "mastodon": "microblog", "weibo": "microblog"}
CHANNEL |= {"naver": "blog", "reddit": "forum"}


def _write_posts(path, posts):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "platform", "channel", "author", "created_at", "text", "lang"])
        for pid, platform, author, lang, text in posts:
            w.writerow(
                [pid, platform, CHANNEL.get(platform, "sns"), author, "2026-01-05", text, lang]
            )


def _workspace(tmp_path, posts) -> tuple[Workspace, pd.DataFrame]:
    """A workspace built by the real importer (``comments``) and its posts relation."""
    path = tmp_path / "mentions.csv"
    _write_posts(path, posts)
    ws = Workspace(tmp_path / "ws.duckdb")
    ws.import_file(path, "comments")
    return ws, ws.sql(f"SELECT * FROM {POSTS_RELATION} ORDER BY post_id")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    ws, frame = _workspace(tmp_path_factory.mktemp("q"), POSTS)
    yield ws, frame
    ws.close()


def native(post_ids) -> set[str]:
    return {p.split(":", 1)[1] for p in post_ids}


def run(corpus, query: str) -> set[str]:
    """Posts selected by ``query`` (native ids), after checking Python == SQL."""
    ws, frame = corpus
    q = parse(query)
    py = native(frame.post_id[q.match(frame)])
    sql = native(ws.sql(f"SELECT post_id FROM {POSTS_RELATION} WHERE {q.to_sql()}").post_id)
    assert py == sql, f"{query}: Python {sorted(py)} != SQL {sorted(sql)}"
    return py


# ----------------------------------------------------------------------------- search form


def test_search_text_normalises_width_case_and_space():
    assert search_text("ＡＣＭＥ　Ｐｈｏｎｅ\n\t１２３") == "acme phone 123"
    assert search_text("  Straße  ") == "strasse"
    assert search_text("AB\u20119000 and AB\u20139000 and ＡＢ－９０００") == (
        "ab-9000 and ab-9000 and ab-9000"
    )
    assert search_text("doesn\u2019t") == "doesn't"
    assert search_text("ｱｸﾒ") == "ア ク メ"  # full-width katakana, one word per character
    assert search_text("华为Mate60手机。") == "华 为 mate60 手 机 。"
    assert search_text("zero\u200bwidth") == "zerowidth"
    assert search_text(None) is None
    assert search_text(float("nan")) is None


def test_workspace_stores_search_text_at_import(corpus):
    ws, _ = corpus
    got = dict(ws.sql("SELECT post_id, search_text FROM posts").itertuples(index=False))
    assert got["x:6"] == "acme launches the phone"  # the ideographic space is a space
    assert got["x:23"] == "new ab-9000 in full width"
    # NFKC: the full-width comma is ","; each Chinese character is a word of its own
    assert got["weibo:8"] == "我 最 近 买 了 华 为 手 机 , 很 好 用"


# ----------------------------------------------------------------------------- the rules


def test_words_match_whole_and_width_insensitive(corpus):
    # acmex (2), acme1 (7) are other words; Acme's (3) and Acme는 (16, a particle) are acme
    assert run(corpus, "acme") == {"1", "3", "5", "6", "16", "24", "25", "26"}
    assert run(corpus, "ＡＣＭＥ") == run(corpus, "acme")  # the query is normalised too
    assert run(corpus, "acmex") == {"2"}


def test_phrases(corpus):
    # separators between a phrase's words are free (spaces, punctuation); order is not
    assert run(corpus, '"acme phone"') == {"5"}
    assert run(corpus, '"the phone"') == {"6", "24"}
    assert run(corpus, '"acme launches the phone"') == {"6"}


def test_not_and_implicit_and(corpus):
    assert run(corpus, "acme NOT phone") == {"3", "16"}
    assert run(corpus, "acme AND NOT phone") == {"3", "16"}
    assert (
        run(corpus, "acme phone")
        == run(corpus, "acme AND phone")
        == {"1", "5", "6", "24", "25", "26"}
    )
    assert run(corpus, "NOT acme AND lang:en") == {
        "2",
        "4",
        "7",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
    }


def test_near_counts_words_in_latin_text(corpus):
    # words between acme and phone: 1: 3, 5: 0, 6: 2 (launches the), 24: 1, 25: 1, 26: 4
    assert run(corpus, "acme NEAR/0 phone") == {"5"}
    assert run(corpus, "acme NEAR/1 phone") == {"5", "24", "25"}
    assert run(corpus, "acme NEAR/2 phone") == {"5", "6", "24", "25"}
    assert run(corpus, "acme NEAR/3 phone") == {"1", "5", "6", "24", "25"}
    assert run(corpus, "phone NEAR/4 acme") == {"1", "5", "6", "24", "25", "26"}


def test_near_counts_characters_in_unspaced_chinese(corpus):
    # characters between 华为 and 手机: 8: 0, 9: 发布了新款 = 5, 10: 今天在上海发布了一款很贵的新 = 14
    assert run(corpus, "华为 NEAR/0 手机") == {"8"}
    assert run(corpus, "华为 NEAR/4 手机") == {"8"}
    assert run(corpus, "华为 NEAR/5 手机") == {"8", "9"}
    assert run(corpus, "手机 NEAR/13 华为") == {"8", "9"}
    assert run(corpus, "华为 NEAR/14 手机") == {"8", "9", "10"}


def test_wildcards(corpus):
    assert run(corpus, "launch*") == {"1", "3", "4", "5", "6"}
    assert run(corpus, "launche*") == {"1", "6"}
    assert run(corpus, "launch") == {"3"}


def test_fields(corpus):
    assert run(corpus, "lang:zh") == {"8", "9", "10", "11"}
    assert run(corpus, "platform:reddit") == {"24", "25", "26"}
    assert run(corpus, "channel:blog") == {"12", "13", "14", "15", "16"}
    # author: the handle without @ (any case) or the full account id
    assert run(corpus, "author:acme") == {"1"}
    assert run(corpus, "author:@ACME") == {"1"}
    assert run(corpus, "author:weibo:小王") == {"8", "9"}
    assert run(corpus, "author:小李 华为") == {"10"}
    assert run(corpus, "platform:x* lang:ja") == {"27", "28"}


def test_chinese_and_japanese_brands_inside_unspaced_sentences(corpus):
    assert run(corpus, "华为") == {"8", "9", "10"}
    assert run(corpus, '"华为手机"') == {"8"}
    assert run(corpus, "手机 NOT 华为") == {"11"}
    assert run(corpus, "アクメ") == {"27", "28"}
    assert run(corpus, "ｱｸﾒ") == {"27", "28"}  # half-width katakana in the query


def test_hyphenated_product_code(corpus):
    # AB-9000 also matches "AB 9000" and "AB9000"; not AB-90001, XAB-9000 or AB-9000-X
    assert run(corpus, "AB-9000") == {"17", "20", "21", "23"}
    assert run(corpus, "AB9000") == {"21"}  # written without its hyphen: only that spelling
    assert run(corpus, "AB-90001") == {"18"}
    assert run(corpus, "AB-9000-X") == {"22"}


def test_korean_brand_with_particles_not_place_name(corpus):
    # 삼성이 (12) and 삼성에서 (15) carry particles; 삼성동 (13, a district of Seoul) and
    # 삼성전자 (14, a longer noun) do not match
    assert run(corpus, "삼성") == {"12", "15"}
    assert run(corpus, "삼성*") == {"12", "13", "14", "15"}
    assert run(corpus, "삼성전자") == {"14"}
    assert run(corpus, "삼성동") == {"13"}
    assert {"이", "에서", "는", "을", "를", "의", "으로", "와", "과", "도", "만"} <= set(PARTICLES)
    assert "동" not in PARTICLES and "전자" not in PARTICLES


def test_particles_attach_to_latin_brands(tmp_path):
    posts = [
        ("1", "naver", "a", "ko", "Acme는 좋아요"),
        ("2", "naver", "a", "ko", "AB-9000을 샀어요"),
        ("3", "naver", "a", "ko", "Acme폰 출시"),  # 폰 is a noun, not a particle
        ("4", "naver", "a", "ko", "삼성과 Acme의 대결"),
    ]
    ws, frame = _workspace(tmp_path, posts)
    try:
        c = (ws, frame)
        assert run(c, "acme") == {"1", "4"}
        assert run(c, "AB-9000") == {"2"}
        assert run(c, "삼성 NEAR/0 acme") == {"4"}
    finally:
        ws.close()


def test_full_width_syntax_characters(corpus):
    # a Chinese input method types （ ） “ ” and ： for ( ) " and :
    assert run(corpus, "（华为 OR “小米 手机”） lang：zh") == run(
        corpus, '(华为 OR "小米 手机") lang:zh'
    )
    assert run(corpus, "（华为 OR “小米 手机”） lang：zh") == {"8", "9", "10", "11"}


def test_terms_lists_positive_words():
    q = parse('(acme OR "Acme Phone" OR launch*) NOT lang:ja NOT spam AND 华为 NEAR/3 手机')
    assert q.terms() == ["acme", "acme phone", "华为", "手机"]


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("acme AND", 9, "the query ends here"),
        ("acme AND OR phone", 10, "found OR"),
        ("(acme OR phone", 15, "expected ')'"),
        ("acme) phone", 5, "closes no '('"),
        ('acme "new phone', 6, "never closed"),
        ("la*nch", 3, "wildcard * may only end a word"),
        ("acme NEAR/ phone", 6, "NEAR needs a number"),
        ("acme NEAR/3 phone NEAR/2 x", 19, "not another NEAR"),
        ("(acme OR x) NEAR/3 phone", 1, 'a word or a "phrase" on each side'),
        ("NEAR/3 phone", 1, "needs a word or a phrase on its left"),
        ("lang: ", 7, "the query ends here"),
        ("acme NEAR/99 phone", 6, "at most NEAR/50"),
        ('acme ""', 6, "phrase is empty"),
        ("   ", 1, "the query is empty"),
    ],
)
def test_syntax_errors_name_the_column(query, column, words):
    with pytest.raises(QuerySyntaxError) as err:
        parse(query)
    assert err.value.column == column
    assert words in str(err.value)
    assert f"column {column}:" in str(err.value)
    assert isinstance(err.value, RippleError)


def test_match_names_a_missing_column():
    with pytest.raises(RippleError, match="'handle'"):
        parse("author:acme").match(pd.DataFrame({"account_id": ["x:1"], "search_text": ["a"]}))


def test_match_names_the_first_missing_field_by_name():
    # two fields missing: the error names the same one on every run (not a set's order)
    with pytest.raises(RippleError, match="filters on lang:"):
        parse("platform:x AND lang:en").match(pd.DataFrame({"search_text": ["a"]}))


# ----------------------------------------------------------------------------- Python == SQL

WORDS = [
    "acme", "Acme", "ACME", "ＡＣＭＥ", "acmex", "acme's", "launch", "launched", "Launching",
    "launchpad", "phone", "new", "the", "a", "great", "coca-cola", "cola", "AB-9000",
    "AB-90001", "XAB-9000", "AB9000", "AB 9000", "AB-9000-X", "ＡＢ－９０００", "#acme",
    "@acme", "co-op", "Straße", "strasse",
]  # fmt: skip
CJK = ["华为", "手机", "发布", "了", "新款", "很", "好用", "小米", "的", "アクメ", "の", "スマホ",
       "新製品", "を", "買った", "ｱｸﾒ", "ー"]  # fmt: skip
KOREAN = ["삼성", "삼성동", "삼성전자", "애플", "폰", "출시", "좋아요", "오늘"]
SEPARATORS = [" ", " ", " ", "", ", ", "! ", "-", "。", "，", "\n", "　"]
QUERY_WORDS = [
    "acme", "ACME", "acme*", "launch*", "launch", "phone", "cola", "coca-cola", "AB-9000",
    "ab9000", "AB-9000-X", "华为", "手机", "华为手机", "アクメ", "삼성", "삼성*", "애플",
    "strasse", "new", "\"acme phone\"", "\"new AB-9000\"", "\"华为 手机\"", "\"삼성 폰\"",
    "ｌａｕｎｃｈ*", "co-op", "a",
]  # fmt: skip
FIELD_FILTERS = [
    "lang:en", "lang:zh", "lang:ko", "lang:ja", "platform:x", "platform:mastodon",
    "platform:naver", "channel:microblog", "channel:forum", "author:acme", "author:@Bob",
    "author:小王", "platform:m*",
]  # fmt: skip


def _random_post(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 9)):
        pool = rng.choice((WORDS, WORDS, CJK, KOREAN))
        w = rng.choice(pool)
        if pool is KOREAN and rng.random() < 0.6:
            w += rng.choice(PARTICLES)
        parts.append(w)
        parts.append("" if pool is CJK and rng.random() < 0.7 else rng.choice(SEPARATORS))
    return "".join(parts).strip() or "acme"


def _random_query(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth > 2 or r < 0.35:
        return rng.choice(QUERY_WORDS)
    if r < 0.45:
        return rng.choice(FIELD_FILTERS)
    if r < 0.6:
        a, b = rng.choice(QUERY_WORDS), rng.choice(QUERY_WORDS)
        return f"{a} NEAR/{rng.randint(0, 6)} {b}"
    if r < 0.7:
        return "NOT " + _random_query(rng, depth + 1)
    op = rng.choice((" AND ", " OR ", " "))
    return f"({_random_query(rng, depth + 1)}{op}{_random_query(rng, depth + 1)})"


def test_python_and_sql_select_the_same_posts(tmp_path):
    rng = random.Random(20261202)
    platforms = ["x", "mastodon", "naver", "weibo", "reddit"]
    authors = ["Acme", "bob", "小王", "김"]
    posts = [
        (
            str(i),
            rng.choice(platforms),
            rng.choice(authors),
            rng.choice(["en", "zh", "ko", "ja", "zh-tw"]),
            _random_post(rng),
        )
        for i in range(500)
    ]
    ws, frame = _workspace(tmp_path, posts)
    try:
        sizes = []
        for _ in range(250):
            query = _random_query(rng)
            sizes.append(len(run((ws, frame), query)))
        # the generated queries are not trivial: many select some posts, but not all
        assert sum(0 < s < len(posts) for s in sizes) > 120
    finally:
        ws.close()


def test_python_and_sql_agree_on_real_texts(real_data):
    """Real reviews and tweets (Chinese, Korean, English) through both backends."""
    texts = []
    waimai = pd.read_csv(real_data("waimai_10k/waimai_10k.train80.csv"))
    texts += [("zh", t) for t in waimai["review"].astype(str).head(3000)]
    raw = sorted(real_data("nsmc_raw_movie_reviews_sample/raw").glob("*.json"))[:60]
    for p in raw:
        texts += [("ko", r["review"]) for r in json.loads(p.read_text(encoding="utf-8"))]
    tweets = real_data("tweeteval_sentiment/val_text.txt").read_text(encoding="utf-8")
    texts += [("en", t) for t in tweets.splitlines()]
    frame = pd.DataFrame({"lang": [x[0] for x in texts], "text": [x[1] for x in texts]})
    frame["search_text"] = [search_text(t) for t in frame.text]
    for c in ("platform", "channel", "account_id", "handle"):
        frame[c] = None
    con = duckdb.connect()
    con.register("posts_frame", frame)
    queries = [
        "送餐 NEAR/3 慢", "好吃 NOT 难吃", "\"味道 不错\"", "外卖*", "영화", "영화 NEAR/2 최고",
        "배우* NOT 별로", "드라마", "trump NEAR/3 (news)", "apple OR iphone*", "\"national day\"",
        "launch* lang:en", "game NEAR/5 trailer", "小时 NEAR/0 送到",
    ]  # fmt: skip
    hits = 0
    for query in queries:
        q = parse(query)
        py = set(frame.index[q.match(frame)])
        sql = set(
            con.execute(
                f"SELECT rowid FROM (SELECT row_number() OVER () - 1 AS rowid, * FROM posts_frame)"
                f" WHERE {q.to_sql()}"
            )
            .fetchnumpy()["rowid"]
            .tolist()
        )
        assert py == sql, query
        hits += bool(py)
    assert hits >= 10


def test_old_workspace_gets_search_text_on_open(tmp_path):
    """A workspace made before posts.search_text existed: the column is added and filled."""
    path = tmp_path / "old.duckdb"
    with Workspace(path) as ws:
        ws.import_file(_csv(tmp_path, [("1", "x", "a", "en", "ＡＣＭＥ  Phone")]), "comments")
        ws.con.execute("ALTER TABLE posts DROP COLUMN search_text")
    with Workspace(path) as ws:
        assert ws.sql("SELECT search_text FROM posts").search_text.tolist() == ["acme phone"]
        # an import into the migrated table (search_text now after the lineage columns)
        ws.import_file(_csv(tmp_path, [("2", "x", "b", "en", "Acme launch")], "b.csv"), "comments")
        got = ws.sql("SELECT post_id, search_text, source_row FROM posts ORDER BY post_id")
        assert got.values.tolist() == [["x:1", "acme phone", 2], ["x:2", "acme launch", 2]]


def test_words_never_match_inside_web_addresses(tmp_path):
    """The trial: topic "twitter" matched a Guardian blog through pic.twitter.com/... only.

    By hand: u1 and u5 hold "twitter" only inside links; u2 says it; u3 has a bare domain
    (lumentea.com: kept, it names the brand); u4 links to the brand's shop; u6 is Chinese
    with a link. Python and SQL must select the same posts (``run`` checks it).
    """
    posts = [
        ("u1", "x", "a", "en", "Town sign Cotter https://t.co/BAwgd5VZEY pic.twitter.com/tCdMx"),
        ("u2", "x", "b", "en", "I left Twitter for Mastodon"),
        ("u3", "x", "c", "en", "Order at lumentea.com today"),
        ("u4", "x", "d", "en", "Shop: HTTPS://LumenTea.com/Shop/matcha?ref=twitter"),
        ("u5", "x", "e", "en", "see www.twitter.com/lumentea"),
        ("u6", "weibo", "f", "zh", "路明茶新品 https://weibo.com/twitter 好喝"),
    ]
    assert search_text(posts[0][4]) == "town sign cotter"
    assert search_text(posts[5][4]) == "路 明 茶 新 品 好 喝"
    ws, frame = _workspace(tmp_path, posts)
    try:
        c = (ws, frame)
        assert run(c, "twitter") == {"u2"}
        assert run(c, "lumentea OR matcha") == {"u3"}  # the shop link's words are not text
        assert run(c, "路明茶 OR weibo") == {"u6"}
    finally:
        ws.close()


def test_old_search_form_is_refreshed_once(tmp_path):
    """A workspace stored with the old search form (links kept): brought up to date once."""
    from ripplemeter.listen.query import SEARCH_FORM
    from ripplemeter.listen.store import refresh_search_text

    ws, _ = _workspace(
        tmp_path,
        [("1", "x", "a", "en", "Goal! pic.twitter.com/abc"), ("2", "x", "b", "en", "no link")],
    )
    try:
        # as an older ripplemeter stored it
        ws.con.execute("UPDATE posts SET search_text = 'goal! pic.twitter.com/abc' WHERE rowid = 0")
        ws.con.execute("DELETE FROM meta WHERE key = 'search_form'")
        q = parse("twitter")
        sql = f"SELECT post_id FROM {POSTS_RELATION} WHERE {q.to_sql()}"
        assert ws.sql(sql).post_id.tolist() == ["x:1"]
        assert refresh_search_text(ws) == 1
        assert ws.sql(sql).post_id.tolist() == []
        assert ws.sql("SELECT search_text FROM posts ORDER BY post_id").search_text.tolist() == [
            "goal!",
            "no link",
        ]
        meta = ws.sql("SELECT value FROM meta WHERE key = 'search_form'").value.tolist()
        assert meta == [SEARCH_FORM]
        assert refresh_search_text(ws) == 0  # current: nothing to do
    finally:
        ws.close()


def _csv(tmp_path, posts, name="a.csv"):
    path = tmp_path / name
    _write_posts(path, posts)
    return path


# ----------------------------------------------------------------------------- an oracle
# The rules again, computed another way: tokens instead of regular expressions. A post is
# cut into tokens (a run of letters/digits, or one Chinese/Japanese character); a word
# matches a token equal to it or to it plus a particle; a phrase matches consecutive
# tokens; NEAR/n counts the tokens between two occurrences.


def _is_cjk(ch: str) -> bool:
    if len(ch) != 1:
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED", "HIRAGANA", "KATAKANA")) or ch == "ー"


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(t.split())


def _tokens(t: str) -> list[tuple[str, int, int]]:
    """(token, start, end) over the normalised text ``t``."""
    out, i = [], 0
    while i < len(t):
        ch = t[i]
        if _is_cjk(ch):
            out.append((ch, i, i + 1))
            i += 1
        elif ch.isalnum() or ch == "_":
            j = i
            while j < len(t) and (t[j].isalnum() or t[j] == "_") and not _is_cjk(t[j]):
                j += 1
            out.append((t[i:j], i, j))
            i = j
        else:
            i += 1
    return out


def _spans(words: list[str], toks, t: str) -> list[tuple[int, int]]:
    """Token spans (first, last) where the query words occur in order."""
    out = []
    for i in range(len(toks) - len(words) + 1):
        ok = True
        for k, w in enumerate(words):
            tok, start, _ = toks[i + k]
            last = k == len(words) - 1
            if not (tok == w or (last and any(tok == w + p for p in PARTICLES))):
                ok = False
                break
            if k and _is_cjk(w) and _is_cjk(words[k - 1]):  # CJK: adjacent, or only spaces
                if t[toks[i + k - 1][2] : start].strip():
                    ok = False
                    break
        if ok:
            out.append((i, i + len(words) - 1))
    return out


def _code(parts: list[str], toks, t: str) -> bool:
    """A product code: parts joined by '-', ' ' or nothing; no hyphen glued on either side."""
    variants = {parts[0]}
    for p in parts[1:]:
        variants = {v + j + p for v in variants for j in ("-", " ", "")}
    variants |= {v + p for v in variants for p in PARTICLES}
    for i, (tok, start, _end) in enumerate(toks):
        if start and t[start - 1] == "-":
            continue
        s, j = tok, i
        while True:
            if s in variants and not t[toks[j][2] : toks[j][2] + 1] == "-":
                return True
            gap = t[toks[j][2] : toks[j + 1][1]] if j + 1 < len(toks) else None
            if gap not in ("-", " ") or len(s) > 20:
                break
            s, j = s + gap + toks[j + 1][0], j + 1
    return False


def _oracle_leaf(leaf: str, t: str, toks) -> bool:
    if " NEAR/" in leaf:
        a, n, b = re.fullmatch(r"(.+) NEAR/(\d+) (.+)", leaf).groups()
        sa = _spans([x for x, _, _ in _tokens(_norm(a))], toks, t)
        sb = _spans([x for x, _, _ in _tokens(_norm(b))], toks, t)
        return any(
            (x1 < y0 and y0 - x1 - 1 <= int(n)) or (y1 < x0 and x0 - y1 - 1 <= int(n))
            for x0, x1 in sa
            for y0, y1 in sb
        )
    q = _norm(leaf.strip('"'))
    if q.endswith("*"):
        return any(tok.startswith(q[:-1]) for tok, _, _ in toks)
    if "-" in q:
        return _code(q.split("-"), toks, t)
    return bool(_spans([x for x, _, _ in _tokens(q)], toks, t))


ORACLE_LEAVES = [
    "acme", "ACME", "acme*", "launch*", "launch", "phone", "cola", "coca-cola", "AB-9000",
    "ab9000", "AB-9000-X", "华为", "手机", "华为手机", "アクメ", "삼성", "삼성*", "애플",
    "strasse", "new", '"acme phone"', '"华为 手机"', '"삼성 폰"', "ｌａｕｎｃｈ*", "co-op",
    "acme NEAR/0 phone", "acme NEAR/2 launch", "华为 NEAR/3 手机", "삼성 NEAR/1 폰",
    "phone NEAR/4 new", "アクメ NEAR/2 スマホ", "acme NEAR/1 acme",
]  # fmt: skip


def test_matching_agrees_with_a_token_oracle(tmp_path):
    rng = random.Random(7)
    posts = [(str(i), "x", "a", "en", _random_post(rng)) for i in range(1500)]
    ws, frame = _workspace(tmp_path, posts)
    try:
        cut = {f"x:{pid}": (_norm(text), _tokens(_norm(text))) for pid, _, _, _, text in posts}
        for leaf in ORACLE_LEAVES:
            got = set(frame.post_id[parse(leaf).match(frame)])
            want = {pid for pid in frame.post_id if _oracle_leaf(leaf, *cut[pid])}
            assert got == want, (
                f"{leaf}: only regex {sorted(got - want)[:3]}, only oracle {sorted(want - got)[:3]}"
            )
            assert got, f"{leaf} matched nothing; the generator should produce it"
    finally:
        ws.close()


def test_old_search_form_with_a_full_width_link_is_refreshed(tmp_path):
    """NFKC turns ｗｗｗ．twitter．com／x into a link, which the search form drops: the refresh
    must pick the full-width text too, or SQL keeps matching 'twitter' where Python does not."""
    from ripplemeter.listen.store import refresh_search_text

    ws, _ = _workspace(tmp_path, [("1", "x", "a", "zh", "ｗｗｗ．twitter．com／x 好")])
    try:
        ws.con.execute("UPDATE posts SET search_text = 'www.twitter.com/x 好'")
        ws.con.execute("DELETE FROM meta WHERE key = 'search_form'")
        sql = f"SELECT post_id FROM {POSTS_RELATION} WHERE {parse('twitter').to_sql()}"
        assert ws.sql(sql).post_id.tolist() == ["x:1"]
        assert refresh_search_text(ws) == 1
        assert ws.sql(sql).post_id.tolist() == []
        assert ws.sql("SELECT search_text FROM posts").search_text.tolist() == ["好"]
    finally:
        ws.close()


def test_emoji_variation_selector_does_not_split_matches(tmp_path):
    """'❤️' (U+2764 U+FE0F) and a plain '❤' are one symbol: each query finds both posts,
    in Python and in SQL; a workspace stored before search form 3 is refreshed."""
    from ripplemeter.listen.query import SEARCH_FORM
    from ripplemeter.listen.store import refresh_search_text

    posts = [
        ("e1", "x", "a", "en", "I \u2764\ufe0f lumen tea"),
        ("e2", "x", "b", "en", "I \u2764 lumen tea"),
        ("e3", "x", "c", "en", "I like lumen tea"),
    ]
    assert search_text(posts[0][4]) == "i \u2764 lumen tea"
    ws, frame = _workspace(tmp_path, posts)
    try:
        c = (ws, frame)
        assert run(c, "\u2764\ufe0f") == {"e1", "e2"}
        assert run(c, "\u2764") == {"e1", "e2"}
        assert run(c, '"\u2764\ufe0f lumen"') == {"e1", "e2"}
        # as search form 2 stored it (selector kept): refreshed once, then found by SQL
        ws.con.execute(
            "UPDATE posts SET search_text = 'i \u2764\ufe0f lumen tea' WHERE post_id = 'x:e1'"
        )
        ws.con.execute("UPDATE meta SET value = '2' WHERE key = 'search_form'")
        assert refresh_search_text(ws) == 1
        got = ws.sql("SELECT search_text FROM posts WHERE post_id = 'x:e1'").search_text
        assert got.tolist() == ["i \u2764 lumen tea"]
        meta = ws.sql("SELECT value FROM meta WHERE key = 'search_form'").value.tolist()
        assert meta == [SEARCH_FORM] == ["3"]
    finally:
        ws.close()
