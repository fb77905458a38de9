"""The contract every registered format keeps, checked on a small valid file of each.

In the manner of scikit-learn's ``parametrize_with_checks``: every check runs for every
format :func:`ripplemeter.formats.available_formats` lists, so a newly registered format is
checked as soon as it is registered (and fails until it has a sample in ``SAMPLES``).

Per format and sample file:

1. an empty file and a file with only its header are a ``FormatError`` naming the file;
2. the same content separated by ``;`` or tabs instead of commas is a ``FormatError`` naming
   the file and the separator found, or, where the format reads that separator, the very
   same rows;
3. a file cut in the middle of its last row is a ``FormatError`` naming that row; a file cut
   inside its last value is too, where the format's real files end with a line break;
4. another format's valid file is a ``FormatError`` naming the file;
5. importing the same file twice changes nothing (the second import is ``skipped``);
6. a failed import, including one that fails while storing, leaves every table as it was.

Samples are written here (no public data needed). Checks that do not apply to a kind of
file (a separator in an .xlsx workbook, a header in JSON Lines) skip, saying why.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pytest

from ripplemeter import schema
from ripplemeter.errors import FormatError
from ripplemeter.formats import (
    _REGISTRY,
    FormatInfo,
    Rows,
    SourceContext,
    available_formats,
    get_format,
    meta_ads,
    simple,
    x_analytics,
)
from ripplemeter.formats import google_trends as trends
from ripplemeter.workspace import Workspace

IMPORTED_AT = pd.Timestamp("2026-04-02 00:00:00")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}

# Hand-made sheets (and spreadsheets' CSV downloads, e.g. Google Sheets') end without a line
# break, so a file cut inside its last value cannot be told from a complete one.
HAND_MADE = (
    "hand-made tables often end without a line break (Google Sheets downloads do), so a "
    "file cut inside its last value looks complete; a cut that loses a column is checked"
)


# ----------------------------------------------------------------------------- samples
@dataclass(frozen=True)
class Sample:
    """A small valid file of one format and what importing it gives.

    Attributes
    ----------
    fmt : str
        Registered format name.
    variant : str
        Short name of the sample (``csv``, ``xlsx``, ``jsonl``, ``follows``).
    name : str
        File name to write it under.
    text : str
        The file's text; for ``kind='xlsx'`` the CSV the workbook's first sheet is made of.
    rows : dict[str, int]
        Rows a valid import stores per canonical table.
    kind : str
        ``csv`` (any delimited text), ``xlsx`` or ``jsonl``.
    delimiter : str
        The separator the text is written with.
    accepts : frozenset of str
        Other separators the format reads (the import must give the same rows).
    header_row : int or None
        1-based line of the header (the file up to it is the header-only file); None when
        the kind has no header.
    cut_last_value : str or None
        None when a file cut inside its last value must be an error naming the row (the
        format's real files end with a line break); else why that cannot be detected.
    ctx : dict
        SourceContext settings for the import.
    bom : bool
        Write a UTF-8 byte-order mark first.
    """

    fmt: str
    variant: str
    name: str
    text: str
    rows: dict[str, int]
    kind: str = "csv"
    delimiter: str = ","
    accepts: frozenset[str] = frozenset()
    header_row: int | None = 1
    cut_last_value: str | None = HAND_MADE
    ctx: dict = field(default_factory=dict)
    bom: bool = False

    @property
    def id(self) -> str:
        return f"{self.fmt}-{self.variant}"

    def context(self) -> SourceContext:
        return SourceContext(**self.ctx, imported_at=IMPORTED_AT)

    def records(self) -> list[list[str]]:
        """The text's records (a blank line is an empty record, as a spreadsheet row)."""
        if self.kind == "jsonl":
            objs = [json.loads(line) for line in self.text.splitlines() if line.strip()]
            header = list(dict.fromkeys(k for o in objs for k in o))
            return [header] + [[_flat(o.get(k)) for k in header] for o in objs]
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        return list(reader)

    def data(self, text: str | None = None) -> bytes:
        """The file's bytes (of ``text`` instead of the sample's, when given)."""
        if self.kind == "xlsx":
            return xlsx_bytes(self.records() if text is None else _csv_records(text))
        raw = (self.text if text is None else text).encode("utf-8")
        return (b"\xef\xbb\xbf" + raw) if self.bom else raw


def _flat(v: object) -> str:
    return json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else str(v))


def _csv_records(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def write_csv(
    records: list[list[str]], *, delimiter: str = ",", quote_all: bool = False, end: str = "\n"
) -> str:
    """Records as CSV text; ``#`` comment lines are written as they are."""
    out = []
    for rec in records:
        if len(rec) == 1 and rec[0].startswith("#"):
            out.append(rec[0])
            continue
        buf = io.StringIO()
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="").writerow(rec)
        out.append(buf.getvalue())
    return "\n".join(out) + end


def xlsx_bytes(records: list[list[str]]) -> bytes:
    """An .xlsx workbook whose first sheet holds the records as text cells."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    for rec in records:
        sheet.append(list(rec) if rec else [None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _x_values(impressions: int, engagements: int, parts: list[int], media: list[int]) -> list:
    """Activity columns as X writes them: floats for the first parts, ints after."""
    rate = str(engagements / impressions)
    return [
        f"{float(impressions)}",
        f"{float(engagements)}",
        rate,
        *(f"{float(p)}" for p in parts[:8]),
        *(str(p) for p in parts[8:]),
        *(str(m) for m in media),
    ]


def _x_promoted(values: list | None) -> list[str]:
    if values is None:
        return ["-"] * len(x_analytics.PROMOTED_COLUMNS)
    return [str(v).removesuffix(".0") for v in values]


def _x_tweets() -> str:
    head = list(x_analytics.TWEETS_HEADER)
    parts = [[2, 1, 9, 3, 4, 1, 6, 0, 0, 0, 1, 0, 0], [1, 0, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0]]
    base = "https://twitter.com/lumentea/status/"
    rows = [
        [
            "1768000000000000003",
            base + "1768000000000000003",
            "Spring Matcha is here &amp; ships today\nWhisk included",
            "2026-03-03 02:15 +0000",
            *_x_values(1520, 34, parts[0], [40, 3]),
            *_x_promoted(_x_values(22000, 180, parts[0], [400, 20])),
        ],
        [
            "1768000000000000002",
            base + "1768000000000000002",
            "@matcha_min thanks for the kind words!",
            "2026-03-02 11:40 +0000",
            *_x_values(310, 8, parts[1], [0, 0]),
            *_x_promoted(None),
        ],
        [
            "1768000000000000001",
            base + "1768000000000000001",
            "Slow mornings, good tea.",
            "2026-03-01 01:05 +0000",
            *_x_values(980, 8, parts[1], [0, 0]),
            *_x_promoted(None),
        ],
    ]
    return write_csv([head, *rows], quote_all=True)


def _x_daily() -> str:
    head = list(x_analytics.DAILY_HEADER)
    parts = [3, 1, 12, 4, 5, 1, 8, 1, 0, 0, 1, 0, 0]
    rows = []
    for day, published, impressions, promoted in (
        ("2026-03-01", "1", 1400, None),
        ("2026-03-02", "2", 1900, [5200, 60]),
        ("2026-03-03", "1", 1250, None),
    ):
        organic = [str(impressions), "45", str(45 / impressions), *map(str, parts), "30", "5"]
        if promoted is None:
            paid = ["-"] * len(x_analytics.PROMOTED_COLUMNS)
        else:
            p_impr, p_eng = promoted
            paid = [str(p_impr), str(p_eng), str(p_eng / p_impr), *map(str, parts), "90", "7"]
        rows.append([day, published, *organic, *paid])
    return write_csv([head, *rows], quote_all=True)


def _trends() -> str:
    head = trends.timeline_header("day", [("lumen tea", "Worldwide"), ("matcha", "Worldwide")])
    return write_csv(
        [
            [trends.CATEGORY_LINE.format(category=trends.ALL_CATEGORIES)],
            [],
            list(head),
            ["2026-02-01", trends.BELOW_ONE, "31"],
            ["2026-02-02", "3", "28"],
            ["2026-02-03", "100", "45"],
        ]
    )


def _meta() -> str:
    head = list(meta_ads.export_header("USD"))
    dates = ["2026-03-01", "2026-03-31"]
    return write_csv(
        [
            head,
            ["", "1500", "2400", "1.6", "USD", "120.5", "60", "2.00833333", "75"]
            + ["1.60666667", "3.125", "4", "30.125", "2", "60.25", "1", *dates],
            ["Spring Matcha_Traffic", "900", "1400", "1.55555556", "USD", "70.25", "40"]
            + ["1.75625", "50", "1.405", "3.57142857", "", "", "", "", "", *dates],
            ["LumenTea_Sales", "700", "1000", "1.42857143", "USD", "50.25", "20", "2.5125"]
            + ["25", "2.01", "2.5", "4", "12.5625", "2", "25.125", "1", *dates],
        ]
    )


GA4 = """# ----------------------------------------
# Events: Event name
# Account: Lumen Tea
# Property: Lumen Tea web
# ----------------------------------------
#
# All Users
# Start date: 20260301
# End date: 20260331
Event name,Event count,Total users
page_view,1520,640
session_start,830,610
add_to_cart,42,40"""  # GA4 downloads end without a line break

GA_UNIVERSAL = """# ----------------------------------------
# Lumen Tea - All Web Site Data
# Search Terms
# 20260301-20260303
# ----------------------------------------

Search Term,Total Unique Searches,% Search Exits,Time after Search
matcha,120,12.50%,00:01:57
whisk,40,20.00%,00:00:39
,160,14.38%,00:01:37

Day Index,Total Unique Searches
3/1/26,70
3/2/26,50
3/3/26,40
,"1,160"
"""

_FB_HEAD = (
    "Page total likes;Type;Category;Post Month;Post Weekday;Post Hour;Paid;"
    "Lifetime Post Total Reach;Lifetime Post Total Impressions;Lifetime Engaged Users;"
    "Lifetime Post Consumers;Lifetime Post Consumptions;"
    "Lifetime Post Impressions by people who have liked your Page;"
    "Lifetime Post reach by people who like your Page;"
    "Lifetime People who have liked your Page and engaged with your post;"
    "comment;like;share;Total Interactions"
)
FACEBOOK = f"""{_FB_HEAD}
139441;Photo;2;12;4;3;0;2752;5091;178;109;159;3078;1640;119;4;79;17;100
139441;Status;2;12;3;10;0;10460;19057;1457;1361;1674;11710;6112;1108;5;130;29;164
139441;Photo;3;12;3;3;1;2413;4373;177;113;154;2812;1503;132;0;66;14;80
"""

OUTCOMES = write_csv(
    [
        list(simple.OUTCOMES_COLUMNS),
        ["2026-03-01", "orders", "26", "shop"],
        ["2026-03-01", "registrations", "42", "crm"],
        ["2026-03-02", "orders", "31", "shop"],
        ["2026-03-02", "registrations", "47", "crm"],
        ["2026-03-03", "orders", "29", "shop"],
        ["2026-03-03", "registrations", "51", "crm"],
    ]
)
SPEND = """date,platform,campaign,amount,currency,impressions,link_clicks
2026-03-01,meta,Launch,120.50,USD,24000,310
2026-03-02,meta,Launch,98.25,USD,19000,250
2026-03-03,x,Promoted tweets,60.00,USD,12000,140
"""
RATE_CARD = """platform,unit,price,currency
x,cpm,6.5,USD
x,cpc,0.8,USD
weibo,per_post,1200,CNY
"""
ACCOUNTS = """account_id,platform,handle,name,role,followers
lumentea,x,@lumentea,Lumen Tea,owned,12000
matcha_min,x,matcha_min,Min,kol,56000
rivaltea,x,rivaltea,Rival Tea,competitor,30000
"""
GENERIC_POSTS = """post_id,created_at,text,kind,impressions
1001,2026-03-01T10:00:00+08:00,"Spring Matcha is here, finally",original,1520
1002,2026-03-02 09:30,Launch week: free whisk,original,980
1003,2026-03-03T12:00:00Z,@fan thanks!,reply,310
"""
GENERIC_FOLLOWS = """src_account_id,dst_account_id
fan0001,lumentea
fan0002,lumentea
lumentea,fan0002
"""
GENERIC_JSONL = (
    "\n".join(
        json.dumps(o, ensure_ascii=False)
        for o in (
            {"id": "1001", "user": {"id": "lumentea"}, "text": "Spring Matcha, finally"},
            {"id": "1002", "user": {"id": "lumentea"}, "text": "Launch week"},
            {"id": "1003", "user": {"id": "lumentea"}, "text": "Thanks!"},
        )
    )
    + "\n"
)

# two cascades, one root exported without time or text, and a post id repeated with other
# text (real repost crawls repeat posts; the generic posts format refuses such a file)
REPOSTS = """post_id,parent_id,account_id,created_at,text
5001,,lumentea,2026-03-01T10:00:00+08:00,"Spring Matcha is here, finally"
5002,5001,fan01,2026-03-01T10:05:00+08:00,RT so good
5003,5002,fan02,2026-03-01T10:09:00+08:00,RT RT
5004,,matcha_min,,
5005,5004,fan03,2026-03-02T08:00:00+08:00,me too
5003,5002,fan02,2026-03-01T10:09:00+08:00,RT RT (edited)
"""

SAMPLES: list[Sample] = [
    Sample(
        x_analytics.TWEETS_FORMAT,
        "csv",
        "tweet_activity_metrics_lumentea_20260301_20260401_en.csv",
        _x_tweets(),
        {"posts": 3, "post_metrics": 3, "accounts": 1},
        cut_last_value=None,
    ),
    Sample(
        x_analytics.DAILY_FORMAT,
        "csv",
        "daily_tweet_activity_metrics_lumentea_20260301_20260401_en.csv",
        _x_daily(),
        {"account_daily": 3, "accounts": 1},
        cut_last_value=None,
    ),
    Sample(
        trends.FORMAT,
        "csv",
        "multiTimeline.csv",
        _trends(),
        {"index_series": 6},
        header_row=3,
        cut_last_value=None,
    ),
    Sample(
        meta_ads.FORMAT,
        "csv",
        "Untitled-report-Mar-1-2026-to-Mar-31-2026.csv",
        _meta(),
        {"ad_metrics": 3, "ad_conversions": 9},
        bom=True,
        cut_last_value=None,
    ),
    Sample(
        "ga4",
        "csv",
        "Events_Event_name.csv",
        GA4,
        {"web_metrics": 6},
        header_row=10,
        cut_last_value="GA4 downloads end without a line break, so a file cut inside its last "
        "value looks complete; a cut that loses a column is checked",
    ),
    Sample(
        "ga-universal",
        "csv",
        "Analytics Lumen Tea Search Terms 20260301-20260303.csv",
        GA_UNIVERSAL,
        {"web_metrics": 13},
        header_row=7,
        cut_last_value=None,
    ),
    Sample(
        "facebook-insights-posts",
        "csv",
        "dataset_Facebook.csv",
        FACEBOOK,
        {"posts": 3, "post_metrics": 3},
        delimiter=";",
        accepts=frozenset({","}),
        ctx={"account": "lumentea"},
        cut_last_value="the legacy layout reaches users re-saved by spreadsheets (as the UCI "
        "table), which may end without a line break; a cut that loses a column is checked",
    ),
    Sample(
        "generic",
        "posts",
        "posts.csv",
        GENERIC_POSTS,
        {"posts": 3, "post_metrics": 3},
        accepts=frozenset({";", "\t"}),
        ctx={"platform": "x", "timezone": "Asia/Shanghai"},
    ),
    Sample(
        "reposts",
        "csv",
        "reposts.csv",
        REPOSTS,
        {"posts": 6},
        accepts=frozenset({";", "\t"}),
        ctx={"platform": "weibo"},
    ),
    Sample(
        "generic",
        "follows",
        "follows.csv",
        GENERIC_FOLLOWS,
        {"follows": 3},
        accepts=frozenset({";", "\t"}),
        ctx={"platform": "x", "table": "follows"},
    ),
    Sample(
        "generic",
        "jsonl",
        "posts.jsonl",
        GENERIC_JSONL,
        {"posts": 3},
        kind="jsonl",
        header_row=None,
        ctx={
            "platform": "x",
            "columns": {"post_id": "id", "account_id": "user.id", "text": "text"},
        },
    ),
    Sample(
        "twitter-trees",
        "tree",
        "1001.txt",
        "['ROOT', 'ROOT', '0.0']->['11', '1001', '0.0']\n"
        "['11', '1001', '0.0']->['12', '1001', '1.5']\n"
        "['11', '1001', '0.0']->['13', '1001', '2.0']\n"
        "['12', '1001', '1.5']->['14', '1001', '3.25']\n",
        {"posts": 4},
        header_row=None,
        cut_last_value="a tree line ends with its closing bracket, so a cut inside the last "
        "value is a syntax error; a file without its final line break is complete",
    ),
    Sample(
        "weibo-ced",
        "cascade",
        "1_zSample01_1000001.json",
        '[{"kids": [], "uid": "2001", "parent": "", "text": "转发微博", "mid": "zA1", '
        '"date": "2013-02-21 19:48:59"},\n'
        '{"kids": [], "uid": "2002", "parent": "zA1", "text": "", "mid": "zA2", '
        '"date": "2013-02-21 20:00:00"},\n'
        '{"kids": [], "uid": "someone", "parent": "", "text": "", "mid": "zA3", '
        '"date": "2013-02-22 08:00:00"}]\n',
        {"posts": 4},
        kind="jsonl",
        header_row=None,
        cut_last_value="a JSON array ends with its closing bracket; a file without its final "
        "line break is complete",
    ),
    Sample(
        "deephawkes",
        "lines",
        "dataset.txt",
        "1\t100\t1464739201\t3\t100:0 100/200:60 100/200/300:120\n"
        "2\t400\t1464739300\t2\t400:0 400/500:30\n",
        {"posts": 5},
        delimiter="\t",
        header_row=None,
        cut_last_value="the DeepHawkes sample itself ends without a line break, so a cut inside "
        "the last delay looks complete; n_participants catches a cut that loses a participant",
    ),
]
for _fmt, _text, _rows in (
    ("outcomes", OUTCOMES, {"outcomes": 6}),
    ("spend", SPEND, {"spend": 3}),
    ("rate-card", RATE_CARD, {"rate_cards": 3}),
    ("accounts", ACCOUNTS, {"accounts": 3}),
):
    _stem = _fmt.replace("-", "_")
    SAMPLES.append(
        Sample(_fmt, "csv", f"{_stem}.csv", _text, _rows, accepts=frozenset({";", "\t"}))
    )
    SAMPLES.append(Sample(_fmt, "xlsx", f"{_stem}.xlsx", _text, _rows, kind="xlsx"))
SAMPLES.append(
    Sample(
        "generic",
        "xlsx",
        "posts.xlsx",
        GENERIC_POSTS,
        {"posts": 3, "post_metrics": 3},
        kind="xlsx",
        ctx={"platform": "x", "timezone": "Asia/Shanghai"},
    )
)

# mentions, search results and Search Console (issue 8)
COMMENTS = """id,platform,channel,author,created_at,text,parent_id,url
v1,youtube,video,@lumentea,2026-03-01T09:00:00+09:00,Spring Matcha is here,,https://youtu.be/v1
c1,youtube,video,mina,2026-03-01 10:15:00,"Love it, ordering now",v1,
c2,youtube,video,lumentea,2026-03-01 11:00:00,@mina thank you!,c1,
"""
SAMPLES += [
    Sample(
        "comments",
        "csv",
        "mentions.csv",
        COMMENTS,
        {"posts": 3, "accounts": 2},
        accepts=frozenset({";", "\t"}),
    ),
    Sample(
        "comments",
        "jsonl",
        "mentions.jsonl",
        "".join(
            json.dumps(dict(zip(COMMENTS.splitlines()[0].split(","), r, strict=True))) + "\n"
            for r in csv.reader(io.StringIO(COMMENTS.split("\n", 1)[1]))
        ),
        {"posts": 3, "accounts": 2},
        kind="jsonl",
        header_row=None,
    ),
    Sample(
        "serp",
        "csv",
        "serps.csv",
        "title,snippet,link,position,date\r\n"
        "Lumen Tea - Official site,Matcha &amp; <b>tea</b>,https://lumentea.example/,0,"
        "2026-03-02 08:00:00\r\n"
        'Lumen Tea review,"Bitter, but fine",https://blog.example/lumen,1,2026-03-02 08:00:00\r\n'
        "Best matcha 2026,,https://list.example/matcha,0,2026-03-02 08:00:05\r\n",
        {"serp_results": 3},
        accepts=frozenset({";", "\t"}),
        ctx={"platform": "google", "query": ["lumen tea", "best matcha"]},
    ),
    Sample(
        "serp",
        "serpapi",
        "serpapi.json",
        json.dumps(
            {
                "search_metadata": {"status": "Success", "created_at": "2026-03-02 08:00:00 UTC"},
                "search_parameters": {"engine": "google", "q": "lumen tea"},
                "organic_results": [
                    {"position": 1, "title": "Lumen Tea", "link": "https://lumentea.example/"},
                    {"position": 2, "title": "Lumen Tea review", "link": "https://b.example/"},
                ],
            },
            indent=2,
        ),
        {"serp_results": 2},
        kind="jsonl",
        header_row=None,
        cut_last_value="a JSON document ends with its closing brace; SerpApi files end without "
        "a line break",
    ),
    Sample(
        "search-console",
        "csv",
        "Queries.csv",
        "Top queries,Clicks,Impressions,CTR,Position\n"
        "lumen tea,120,800,15%,1.2\n"
        "matcha whisk,3,410,0.73%,8\n"
        "0120373618,0,17,0%,67.06",
        {"search_console": 3},
        accepts=frozenset({";", "\t"}),
        cut_last_value="Search Console exports end without a line break, so a file cut inside "
        "its last value looks complete",
    ),
    Sample(
        "search-console",
        "fr",
        "Requêtes.csv",
        "Requêtes les plus fréquentes,Clics,Impressions,CTR,Position\n"
        "lumen tea,120,800,15%,1.2\n"
        "thé matcha,3,410,0.73%,8",
        {"search_console": 2},
        accepts=frozenset({";", "\t"}),
        cut_last_value="Search Console exports end without a line break, so a file cut inside "
        "its last value looks complete",
    ),
]

# listening, import-first formats (issue 10); hand-made from the documented layouts
PYTRENDS = """date,lumen tea,matcha,isPartial
2026-02-01,12,31,False
2026-02-08,3,28,False
2026-02-15,100,45,True
"""
SAMPLES += [
    Sample(
        "pytrends",
        "csv",
        "interest_over_time.csv",
        PYTRENDS,
        {"index_series": 6},
        cut_last_value=None,
    ),
    Sample(
        "baidu-index",
        "csv",
        "baidu_index.csv",
        "日期,关键词,搜索指数\n2026-02-01,绿茶,1520\n2026-02-02,绿茶,1384\n2026-02-03,绿茶,1610\n",
        {"index_series": 3},
        cut_last_value=None,
    ),
    Sample(
        "naver-datalab",
        "csv",
        "datalab.csv",
        "period,title,ratio\n2026-01-01,말차,41.2\n2026-02-01,말차,100\n2026-01-01,녹차,12.5\n"
        "2026-02-01,녹차,20.25\n",
        {"index_series": 4},
        cut_last_value=None,
    ),
    Sample(
        "x-api-v2",
        "flat",
        "tweets.jsonl",
        "".join(
            json.dumps(t) + "\n"
            for t in (
                {
                    "id": "1768000000000000101",
                    "text": "Lumen Tea's matcha is smooth",
                    "author_id": "3003",
                    "created_at": "2026-03-02T07:30:00.000Z",
                    "edit_history_tweet_ids": ["1768000000000000101"],
                    "author": {"id": "3003", "username": "jon", "name": "Jon"},
                },
                {
                    "id": "1768000000000000102",
                    "text": "@jon agreed",
                    "author_id": "3001",
                    "created_at": "2026-03-02T08:00:00.000Z",
                    "conversation_id": "1768000000000000101",
                    "edit_history_tweet_ids": ["1768000000000000102"],
                    "referenced_tweets": [{"type": "replied_to", "id": "1768000000000000101"}],
                    "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1},
                    "author": {"id": "3001", "username": "mina_p", "name": "Mina"},
                },
            )
        ),
        {"posts": 2, "post_metrics": 1, "accounts": 2},
        kind="jsonl",
        header_row=None,
        cut_last_value="a JSON line ends with its closing brace; twarc2 files end with a line "
        "break, but a line cut inside its last value is not valid JSON either way",
    ),
    Sample(
        "weibo-trends",
        "json",
        "trend_hourly.json",
        '{\n    "trends": {\n        "2012-03-06 09:28": [{\n            "name": "雷锋在我心中",\n'
        '            "query": "雷锋在我心中",\n            "amount": "3879",\n'
        '            "delta": "90"\n        }]\n    },\n    "as_of": 1330997282\n}',
        {"trending_topics": 1},
        kind="jsonl",
        header_row=None,
        cut_last_value="a JSON document ends with its closing brace; Weibo answers end without "
        "a line break",
    ),
]


def _cases() -> list:
    """(format, sample) for every registered format; a format without a sample fails."""
    out = []
    for info in available_formats():
        mine = [s for s in SAMPLES if s.fmt == info.name]
        if not mine:
            out.append(pytest.param(info.name, None, id=f"{info.name}-no-sample"))
        out += [pytest.param(info.name, s, id=s.id) for s in mine]
    return out


CASES = _cases()


def _require(fmt: str, sample: Sample | None) -> Sample:
    if sample is None:
        pytest.fail(
            f"format '{fmt}' is registered but has no sample: add a small valid file of it to "
            "SAMPLES in tests/test_format_contract.py"
        )
    return sample


# ----------------------------------------------------------------------------- helpers
def write(tmp: Path, sample: Sample, data: bytes, sub: str = "in") -> Path:
    folder = tmp / sub
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / sample.name
    path.write_bytes(data)
    return path


def expect_format_error(call: Callable[[], object], path: Path) -> FormatError:
    """Run ``call``; it must raise a FormatError whose message names ``path``'s file."""
    try:
        result = call()
    except FormatError as exc:
        assert path.name in str(exc), f"the message does not name the file: {exc}"
        return exc
    except Exception as exc:  # noqa: BLE001 - the contract: nothing else escapes
        pytest.fail(f"{type(exc).__name__} escaped instead of a FormatError: {exc!r}")
    pytest.fail(f"no error; the import returned {result!r}")


def import_into(ws: Workspace, sample: Sample, path: Path, fmt: str | None = None):
    return ws.import_file(path, fmt or sample.fmt, sample.context())


def read(sample: Sample, path: Path) -> Rows:
    return get_format(sample.fmt).reader(path, sample.context())


def last_row(sample: Sample, text: str) -> int:
    """Spreadsheet row of the last record of ``text`` (blank lines count as rows)."""
    if sample.kind == "jsonl":
        return len(text.rstrip("\n").split("\n"))
    return len(_csv_records(text, sample.delimiter))


def with_delimiter(sample: Sample, delimiter: str) -> str:
    """The sample's text written with another separator (comment lines unchanged)."""
    end = "\n" if sample.text.endswith("\n") else ""
    return write_csv(sample.records(), delimiter=delimiter, quote_all=False, end=end)


def header_only(sample: Sample) -> str:
    assert sample.header_row is not None
    return "\n".join(sample.text.split("\n")[: sample.header_row]) + "\n"


def cut_mid_last_row(text: str) -> str:
    """The text cut in the middle of its last line (no line break after it)."""
    body = text.rstrip("\r\n")
    start = body.rfind("\n") + 1
    return body[: start + (len(body) - start) // 2]


def snapshot(ws: Workspace) -> dict[str, list[tuple[str, ...]]]:
    """Every table of the workspace (canonical tables, the import log, meta), sorted."""
    names = [
        r[0]
        for r in ws.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    return {
        n: [
            tuple(map(repr, row))
            for row in ws.con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall()
        ]
        for n in names
    }


def foreign_samples(sample: Sample) -> list[Sample]:
    """Other formats' valid files, in the sample's kind of container."""
    out = []
    for other in SAMPLES:
        if other.fmt == sample.fmt or other.kind == "xlsx" or other.kind == "jsonl":
            continue
        if sample.kind == "xlsx":
            records = other.records()
            text = write_csv(records)
            stem = Path(other.name).stem
            other = replace(other, kind="xlsx", text=text, name=f"{stem}.xlsx", delimiter=",")
        elif sample.kind == "jsonl":
            records = [r for r in other.records() if r and not r[0].startswith("#")]
            head = records[0]
            text = "".join(
                json.dumps(dict(zip(head, r, strict=False)), ensure_ascii=False) + "\n"
                for r in records[1:]
            )
            stem = Path(other.name).stem
            other = replace(other, kind="jsonl", text=text, name=f"{stem}.jsonl", bom=False)
        out.append(other)
    return out


def broken_reader(info: FormatInfo) -> Callable[[Path, SourceContext], Rows]:
    """The format's reader with one unstorable value appended to its last non-empty table,
    so that the import fails while storing, after its other tables were written."""

    def read_then_break(path: Path, ctx: SourceContext) -> Rows:
        rows = info.reader(path, ctx)
        tname = [t for t, df in rows.tables.items() if len(df)][-1]
        typed = next(c for c in schema.TABLES[tname].columns if c.type != "VARCHAR")
        df = rows.tables.pop(tname)
        values = list(df[typed.name]) if typed.name in df.columns else [None] * len(df)
        out = pd.concat([df, df.head(1)], ignore_index=True)
        out[typed.name] = pd.Series([*values, "not a value"], dtype=object)
        rows.tables[tname] = out
        return rows

    return read_then_break


# ----------------------------------------------------------------------------- the checks
@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_sample_is_valid(fmt, sample, tmp_path):
    """The sample itself imports into the tables it should (the other checks rely on it)."""
    sample = _require(fmt, sample)
    path = write(tmp_path, sample, sample.data())
    with Workspace() as ws:
        result = import_into(ws, sample, path)
    assert result.rows == sample.rows


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_empty_file(fmt, sample, tmp_path, workspace):
    sample = _require(fmt, sample)
    path = write(tmp_path, sample, b"")
    exc = expect_format_error(lambda: import_into(workspace, sample, path), path)
    assert "the file is empty" in str(exc), str(exc)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_header_only(fmt, sample, tmp_path, workspace):
    sample = _require(fmt, sample)
    if sample.header_row is None:
        pytest.skip("JSON Lines files have no header row")
    path = write(tmp_path, sample, sample.data(header_only(sample)))
    exc = expect_format_error(lambda: import_into(workspace, sample, path), path)
    assert "no data" in str(exc) or "no rows" in str(exc), str(exc)
    assert workspace.counts() == dict.fromkeys(schema.TABLES, 0)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_wrong_delimiter(fmt, sample, tmp_path, workspace):
    sample = _require(fmt, sample)
    if sample.kind != "csv":
        pytest.skip(f"{sample.kind} files have no separator")
    good = read(sample, write(tmp_path, sample, sample.data()))
    for delim in SEPARATORS:
        if delim == sample.delimiter:
            continue
        path = write(tmp_path, sample, sample.data(with_delimiter(sample, delim)), sub=repr(delim))
        if delim in sample.accepts:
            rows = read(sample, path)
            assert rows.tables.keys() == good.tables.keys()
            for t, df in good.tables.items():
                pd.testing.assert_frame_equal(rows.tables[t], df, obj=f"{t} ({delim!r})")
            continue
        exc = expect_format_error(lambda p=path: import_into(workspace, sample, p), path)
        assert SEPARATORS[delim] in str(exc).lower(), f"the separator is not named: {exc}"
    assert workspace.counts() == dict.fromkeys(schema.TABLES, 0)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_truncated_mid_row(fmt, sample, tmp_path, workspace):
    """A download cut in the middle of its last row: an error naming that row."""
    sample = _require(fmt, sample)
    if sample.kind == "xlsx":
        data = sample.data()
        path = write(tmp_path, sample, data[: len(data) // 2])
        expect_format_error(lambda: import_into(workspace, sample, path), path)
        return
    text = cut_mid_last_row(sample.text)
    path = write(tmp_path, sample, sample.data(text))
    exc = expect_format_error(lambda: import_into(workspace, sample, path), path)
    assert exc.row == last_row(sample, sample.text), str(exc)
    assert workspace.counts() == dict.fromkeys(schema.TABLES, 0)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_truncated_in_last_value(fmt, sample, tmp_path, workspace):
    """A download cut inside its last value (same number of columns, no final line break)."""
    sample = _require(fmt, sample)
    if sample.cut_last_value is not None:
        pytest.skip(sample.cut_last_value)
    for text in (sample.text.rstrip("\r\n"), sample.text.rstrip("\r\n")[:-1]):
        path = write(tmp_path, sample, sample.data(text))
        exc = expect_format_error(lambda p=path: import_into(workspace, sample, p), path)
        assert exc.row == last_row(sample, sample.text), str(exc)
    assert workspace.counts() == dict.fromkeys(schema.TABLES, 0)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_other_formats_file(fmt, sample, tmp_path, workspace):
    sample = _require(fmt, sample)
    problems = []
    for other in foreign_samples(sample):
        path = write(tmp_path, other, other.data(), sub=other.id)
        try:
            result = import_into(workspace, sample, path)
        except FormatError as exc:
            if path.name not in str(exc):
                problems.append(f"{other.id}: the message does not name the file: {exc}")
            # a platform export that its own format recognises is named, so users can fix it
            recognised = get_format(other.fmt).recognise is not None and other.kind == "csv"
            if recognised and other.fmt not in str(exc):
                problems.append(f"{other.id}: the message does not name {other.fmt}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{other.id}: {type(exc).__name__} escaped: {exc!r}")
            continue
        problems.append(f"{other.id}: imported as {fmt}: {result.rows}")
    assert not problems, "\n".join(problems)
    assert workspace.counts() == dict.fromkeys(schema.TABLES, 0)


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_reimport_is_idempotent(fmt, sample, tmp_path, workspace):
    sample = _require(fmt, sample)
    path = write(tmp_path, sample, sample.data())
    first = import_into(workspace, sample, path)
    assert not first.skipped and first.rows == sample.rows
    before = snapshot(workspace)
    second = import_into(workspace, sample, path)
    assert second.skipped
    assert second.import_id == first.import_id
    assert second.rows == first.rows
    assert snapshot(workspace) == before


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_failure_leaves_every_table(fmt, sample, tmp_path, workspace, monkeypatch):
    sample = _require(fmt, sample)
    good = write(tmp_path, sample, sample.data())
    import_into(workspace, sample, good)
    before = snapshot(workspace)

    bad: list[tuple[str, bytes]] = [("empty", b"")]
    if sample.header_row is not None:
        bad.append(("header-only", sample.data(header_only(sample))))
    if sample.kind != "xlsx":
        bad.append(("cut", sample.data(cut_mid_last_row(sample.text))))
    other = foreign_samples(sample)[0]
    bad.append(("foreign", other.data()))
    for label, data in bad:
        path = write(tmp_path, sample, data, sub=label)
        expect_format_error(lambda p=path: import_into(workspace, sample, p), path)
        assert snapshot(workspace) == before, f"tables changed by the failed '{label}' import"

    # fails while storing: its first tables are written, then the transaction rolls back
    info = get_format(fmt)
    broken = FormatInfo("contract-broken", broken_reader(info), info.summary)
    monkeypatch.setitem(_REGISTRY, "contract-broken", broken)
    expect_format_error(lambda: import_into(workspace, sample, good, "contract-broken"), good)
    assert snapshot(workspace) == before, "tables changed by an import that failed storing"

    # the workspace still works, and still knows the good import
    again = import_into(workspace, sample, good)
    assert again.skipped
    assert snapshot(workspace) == before
