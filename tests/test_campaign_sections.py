"""campaign.toml and sections: each section owns its table; errors name file, line and key."""

from __future__ import annotations

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import CampaignError
from ripplemeter.pipeline import import_and_evaluate

BASE = """[campaign]
name = "Sections"
start = 2026-03-01
end = 2026-03-31
{campaign_extra}
[[sources]]
path = "o.csv"
format = "outcomes"
{tables}
"""


def write(tmp_path, campaign_extra="", tables=""):
    (tmp_path / "o.csv").write_text(
        "date,metric,value\n"
        + "".join(f"2026-02-{d:02d},orders,{10 + d % 3}\n" for d in range(1, 29))
        + "".join(f"2026-03-{d:02d},orders,{14 + d % 5}\n" for d in range(1, 32))
    )
    p = tmp_path / "campaign.toml"
    p.write_text(BASE.format(campaign_extra=campaign_extra, tables=tables), encoding="utf-8")
    return p


def test_sections_key_limits_the_report(tmp_path):
    camp = load_campaign(write(tmp_path, 'sections = ["outcomes"]'))
    res = import_and_evaluate(camp)
    assert list(res.results) == ["outcomes"]
    doc = res.metrics()
    assert set(doc["sections"]) == {"outcomes"}
    feb = [10 + d % 3 for d in range(1, 29)]
    mar = [14 + d % 5 for d in range(1, 32)]
    o = doc["quantitative"]["conversion"]["orders"]
    assert o["lift"] == pytest.approx((sum(mar) / 31) / (sum(feb) / 28) - 1)
    assert "exposure" not in doc["quantitative"]


@pytest.mark.parametrize(
    "extra, tables, key, line, words",
    [
        ('sections = ["outcome"]', "", "campaign.sections", 5, "unknown section 'outcome'"),
        ("", "[top_posts]\nn = 0\n", "top_posts.n", 10, "expected a number >= 1"),
        ("", "[top_posts]\ncount = 5\n", "top_posts.count", 10, "unknown key; expected one of n"),
        ("", "[opinions]\nmodel = 'x'\n", "opinions", 9, "unknown section"),
        ("", '[seeding]\nforced = "x:brand"\n', "seeding.forced", 10, "list of account ids"),
        ("", "[seeding]\nk = 2.5\n", "seeding.k", 10, "expected a whole number, found 2.5"),
        ("", "[[sources]]\npath = 'o.csv'\n", "sources[2].format", 9, "missing required key"),
        ("", "[benchmarks]\ncpc = 0\n", "benchmarks.cpc", 10, "positive number"),
    ],
)
def test_section_tables_are_validated_with_their_line(tmp_path, extra, tables, key, line, words):
    p = write(tmp_path, extra, tables)
    with pytest.raises(CampaignError) as ei:
        load_campaign(p)
    msg = str(ei.value)
    assert msg.startswith(f"campaign.toml, line {line}, key '{key}'"), msg
    assert words in msg


def test_section_settings_reach_the_section(tmp_path):
    camp = load_campaign(write(tmp_path, tables="[top_posts]\nn = 3\n"))
    assert camp.settings["top_posts"].n == 3
    assert camp.seeding.k == 10  # defaults when the table is absent
