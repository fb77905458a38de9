"""Regressions from the review of the sections refactor."""

from __future__ import annotations

import json

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import CampaignError, EvaluationError
from ripplemeter.evaluate.section import Figure, SectionResult, register_section, unregister_section
from ripplemeter.pipeline import import_and_evaluate, run_report

OUTCOMES = "date,metric,value\n" + "".join(f"2026-03-{d:02d},orders,{d}\n" for d in range(1, 32))


def campaign(tmp_path, extra="", tables=""):
    (tmp_path / "o.csv").write_text(OUTCOMES)
    p = tmp_path / "campaign.toml"
    p.write_text(
        f'[campaign]\nname = "R"\nstart = 2026-03-01\nend = 2026-03-31\n{extra}\n'
        f'[[sources]]\npath = "o.csv"\nformat = "outcomes"\n{tables}'
    )
    return p


def test_a_section_without_template_lists_its_figures(tmp_path):
    @register_section
    class NoTemplate:
        id = "no_template"
        title = "No template"
        order = 99
        metrics = ()
        settings = None

        def run(self, ctx):
            return SectionResult(
                figures=[Figure("no_template.days", "days_with_data", 31)],
                data={"no_template": {"days": 31}},
            )

    try:
        _, paths = run_report(load_campaign(campaign(tmp_path)), tmp_path / "out")
        html = paths.html.read_text()
        assert 'data-path="no_template.days"' in html and "has no template" in html
    finally:
        unregister_section("no_template")


def test_sections_may_not_overwrite_each_other(tmp_path):
    @register_section
    class Intruder:
        id = "intruder"
        title = "Intruder"
        order = 5
        metrics = ()
        settings = None

        def run(self, ctx):
            return SectionResult(
                figures=[Figure("quantitative.conversion.note", "days_with_data", 1)],
                data={"quantitative.conversion.note": 1},
            )

    try:
        res = import_and_evaluate(load_campaign(campaign(tmp_path)))
        with pytest.raises(EvaluationError, match="'intruder' and 'outcomes' both write"):
            res.metrics()
    finally:
        unregister_section("intruder")


@pytest.mark.parametrize(
    "extra, tables, words",
    [
        ('sections = ["outcomes", "outcomes"]', "", "'outcomes' listed twice"),
        ("[benchmarks]\ncpc = nan", "", "expected a positive number, found nan"),
        ("", '[[rate_cards]]\nplatform = "x"\nunit = "cpm"\nprice = inf\n', "found inf"),
        ("", "[seeding]\nepsilon = 1\n", "expected a number in (0, 1), found 1"),
        ("", "[seeding]\nbudget = inf\ncosts = 'o.csv'\n", "positive amount, found inf"),
        ("", "[[seeding]]\nk = 3\n", "write [seeding] as one table (single brackets)"),
    ],
)
def test_more_bad_settings_are_refused_plainly(tmp_path, extra, tables, words):
    with pytest.raises(CampaignError) as ei:
        load_campaign(campaign(tmp_path, extra, tables))
    assert words in str(ei.value)


def test_sources_written_as_one_table_say_double_brackets(tmp_path):
    (tmp_path / "o.csv").write_text(OUTCOMES)
    p = tmp_path / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "R"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[sources]\npath = "o.csv"\nformat = "outcomes"\n'
    )
    with pytest.raises(CampaignError) as ei:
        load_campaign(p)
    assert str(ei.value) == (
        "campaign.toml, line 5, key 'sources': write each entry as its own [[sources]] table "
        "(double brackets)"
    )


def test_key_in_a_sub_table_is_located(tmp_path):
    p = campaign(tmp_path, "[campaign.extra]\nx = 1\n")
    with pytest.raises(CampaignError) as ei:
        load_campaign(p)
    assert str(ei.value).startswith("campaign.toml, line 5, key 'campaign.extra'")


def test_top_posts_export_keeps_whole_numbers(tmp_path):
    (tmp_path / "p.csv").write_text(
        "id,at,text,impressions,engagements\n"
        "1,2026-03-02 10:00:00,a,250,20\n"
        "2,2026-03-03 10:00:00,b,150,\n"
    )
    p = tmp_path / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "R"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "p.csv"\nformat = "generic"\nplatform = "facebook"\n'
        '[sources.columns]\npost_id = "id"\ncreated_at = "at"\ntext = "text"\n'
        'impressions = "impressions"\nengagements = "engagements"\n'
    )
    _, paths = run_report(load_campaign(p), tmp_path / "out")
    rows = paths.top_posts_csv.read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    first = dict(zip(header, rows[1].split(","), strict=False))
    second = dict(zip(header, rows[2].split(","), strict=False))
    assert (first["impressions"], first["engagements"]) == ("250", "20")
    assert (second["impressions"], second["engagements"]) == ("150", "")
    doc = json.loads(paths.metrics.read_text())
    assert doc["quantitative"]["top_posts"][1]["engagement_rate"] is None


def test_cli_errors_keep_their_brackets(tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    (tmp_path / "o.csv").write_text(OUTCOMES)
    p = tmp_path / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "R"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[sources]\npath = "o.csv"\nformat = "outcomes"\n'
    )
    res = CliRunner().invoke(app, ["report", str(p), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "write each entry as its own [[sources]] table" in res.output
    assert "Traceback" not in res.output


def test_evaluating_before_importing_says_so_and_writes_nothing(tmp_path):
    from ripplemeter.evaluate import evaluate_campaign

    camp = load_campaign(campaign(tmp_path))
    with pytest.raises(EvaluationError, match="import the campaign's sources first"):
        evaluate_campaign(camp)
    assert not (tmp_path / "ripplemeter.duckdb").exists()


def test_a_missing_figure_says_which_sections_had_no_data(tmp_path):
    res = import_and_evaluate(load_campaign(campaign(tmp_path)))
    with pytest.raises(KeyError, match="Paid media \\(no ads export or spend file"):
        res.value("quantitative.cpc.value")
