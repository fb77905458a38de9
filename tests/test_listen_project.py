"""listen.toml: loading, validation messages with file/line/key, and a campaign pointing to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import CampaignError
from ripplemeter.listen.project import ListenProjectError, load_listen_project

GOOD = """\
[project]
name = "Lumen Tea listening"
timezone = "Asia/Shanghai"

[[topics]]
id = "lumen"
name = "Lumen Tea"
role = "brand"
query = '"lumen tea" OR 路明茶 OR 루멘'

[[topics]]
id = "acme"
name = "Acme"
role = "competitor"
query = 'acme AND NOT lang:ja'

[[topics]]
id = "lt500"
name = "LT-500"
role = "product"
query = 'LT-500'
terms = ["LT-500X"]

[[sources]]
id = "tea-tag"
kind = "mastodon"
instance = "https://mastodon.example"
hashtags = ["tea"]

[[sources]]
id = "news"
kind = "rss"
url = "https://news.example/feed.xml"

[alerts]
rule = "meltwater"
k = 2.5

[[alerts.deliver]]
kind = "webhook"
id = "team-hook"
url = "http://127.0.0.1:9/hook"
secret = "env:LISTEN_HOOK_SECRET"

[[alerts.deliver]]
kind = "email"
id = "team-mail"
host = "127.0.0.1"
sender = "alerts@example.com"
to = ["team@example.com"]

[listening]
terms = 20
"""


def _write(tmp_path: Path, text: str, name: str = "listen.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _error(tmp_path: Path, text: str) -> ListenProjectError:
    with pytest.raises(ListenProjectError) as e:
        load_listen_project(_write(tmp_path, text))
    return e.value


def test_a_good_project(tmp_path):
    proj = load_listen_project(_write(tmp_path, GOOD))
    assert proj.name == "Lumen Tea listening" and proj.timezone == "Asia/Shanghai"
    assert proj.workspace == tmp_path / "listen.duckdb"  # <stem>.duckdb beside the file
    assert [t.id for t in proj.topics] == ["lumen", "acme", "lt500"]
    assert [t.role for t in proj.topics] == ["brand", "competitor", "product"]
    assert [s.kind for s in proj.sources] == ["mastodon", "rss"]
    assert proj.sources[0].hashtags == ["tea"]
    assert proj.alerts.rule == "meltwater" and proj.alerts.k == 2.5
    assert [d.kind for d in proj.delivery] == ["webhook", "email"]
    s = proj.section_settings()
    assert s.terms == 20 and len(s.topics) == 3
    assert s.alert_rule == "meltwater" and s.alerts is proj.alerts
    # a folder holding listen.toml works too
    assert load_listen_project(tmp_path).name == proj.name


def test_workspace_path_is_relative_to_the_file(tmp_path):
    text = GOOD.replace(
        'timezone = "Asia/Shanghai"', 'timezone = "UTC"\nworkspace = "data/tea.duckdb"'
    )
    proj = load_listen_project(_write(tmp_path, text))
    assert proj.workspace == tmp_path / "data" / "tea.duckdb"


def test_unknown_key_names_line_and_key(tmp_path):
    e = _error(tmp_path, GOOD.replace('role = "brand"', 'role = "brand"\ncolour = "red"'))
    assert e.key == "topics[1].colour" and e.line == 9
    assert "unknown key" in str(e) and "listen.toml, line 9" in str(e)


def test_bad_role(tmp_path):
    e = _error(tmp_path, GOOD.replace('role = "competitor"', 'role = "rival"'))
    assert e.key == "topics[2].role" and e.line == 14
    assert "brand" in str(e) and "competitor" in str(e)


def test_bad_query_points_at_its_column(tmp_path):
    e = _error(tmp_path, GOOD.replace("acme AND NOT lang:ja", "acme AND (tea"))
    assert e.key == "topics[2].query" and e.line == 15
    assert "column" in str(e)


def test_unknown_source_kind_lists_the_collectors(tmp_path):
    e = _error(tmp_path, GOOD.replace('kind = "rss"', 'kind = "myspace"'))
    assert e.key == "sources[2].kind" and e.line == 32
    assert "mastodon" in str(e) and "rss" in str(e)


def test_source_settings_are_the_collectors_own(tmp_path):
    e = _error(tmp_path, GOOD.replace('instance = "https://mastodon.example"\n', ""))
    assert e.key == "sources[1].instance" and "missing" in str(e)
    e = _error(tmp_path, GOOD.replace('hashtags = ["tea"]', 'hashtags = ["tea"]\npage_size = 3'))
    assert e.key == "sources[1].page_size" and e.line == 29


def test_twice_the_same_ids(tmp_path):
    e = _error(tmp_path, GOOD.replace('id = "acme"', 'id = "lumen"'))
    assert e.key == "topics[2].id" and "twice" in str(e)
    e = _error(tmp_path, GOOD.replace('id = "news"', 'id = "tea-tag"'))
    assert e.key == "sources[2].id" and "twice" in str(e)


def test_alert_settings_and_delivery(tmp_path):
    e = _error(tmp_path, GOOD.replace("k = 2.5", "k = -1"))
    assert e.key == "alerts.k" and e.line == 37
    e = _error(tmp_path, GOOD.replace('sender = "alerts@example.com"\n', ""))
    assert e.key.startswith("alerts.deliver") and "sender" in str(e)


def test_missing_pieces(tmp_path):
    e = _error(tmp_path, "[[topics]]\nid='a'\nname='A'\nrole='brand'\nquery='a'\n")
    assert e.key == "project"
    e = _error(tmp_path, '[project]\nname = "x"\n')
    assert e.key == "topics" and "[[topics]]" in str(e)
    e = _error(tmp_path, GOOD.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Base"'))
    assert e.key == "project.timezone" and "IANA" in str(e)
    e = _error(tmp_path, GOOD.replace("[project]", "[project"))
    assert "not valid TOML" in str(e) and e.line == 1
    with pytest.raises(ListenProjectError, match="not found"):
        load_listen_project(tmp_path / "nope.toml")


def test_a_campaign_points_to_a_listening_project(tmp_path):
    _write(tmp_path, GOOD)
    camp_text = (
        '[campaign]\nname = "Spring"\nstart = 2026-03-01\nend = 2026-03-31\n'
        'listen = "listen.toml"\n\n[listening]\ntop = 5\n'
    )
    camp = load_campaign(_write(tmp_path, camp_text, "campaign.toml"))
    s = camp.settings["listening"]
    assert [t.id for t in s.topics] == ["lumen", "acme", "lt500"]
    assert s.top == 5  # the campaign's own limit wins
    assert s.alert_rule == "meltwater"
    e_text = camp_text.replace('"listen.toml"', '"missing.toml"')
    with pytest.raises(CampaignError) as e:
        load_campaign(_write(tmp_path, e_text, "campaign.toml"))
    assert e.value.key == "campaign.listen" and e.value.line == 5


def test_the_campaign_report_carries_the_listening_section(tmp_path):
    """A campaign naming listen.toml: the section counts the campaign's own mention file."""
    from ripplemeter.evaluate import evaluate_campaign
    from ripplemeter.workspace import Workspace

    _write(tmp_path, GOOD)
    (tmp_path / "mentions.csv").write_text(
        "id,platform,author,created_at,text\n"
        "m1,x,u1,2026-03-02T01:00:00Z,Lumen Tea is lovely\n"
        "m2,weibo,w1,2026-03-03T04:00:00Z,路明茶很好喝\n"
        "m3,x,u3,2026-03-03T05:00:00Z,acme tea is fine\n"
        "m4,x,u4,2026-02-03T05:00:00Z,lumen tea before the window\n",
        encoding="utf-8",
    )
    camp_text = (
        '[campaign]\nname = "Spring"\nstart = 2026-03-01\nend = 2026-03-31\n'
        'timezone = "Asia/Shanghai"\nlisten = "listen.toml"\nsections = ["listening"]\n\n'
        '[[sources]]\npath = "mentions.csv"\nformat = "comments"\n'
    )
    camp = load_campaign(_write(tmp_path, camp_text, "campaign.toml"))
    with Workspace(tmp_path / "ws.duckdb") as ws:
        camp.import_sources(ws)
        res = evaluate_campaign(camp, ws)
    t = res["listening"].data["listening"]["topics"]
    # m1 and m2 in the campaign window; m4 is before it
    assert (t["lumen"]["mentions"], t["acme"]["mentions"]) == (2, 1)
    assert res.value("listening.topics.lumen.share_of_voice.mentions") == 2 / 3
