"""The audit section's account indices print Kaushik's rates with their unit (per post)."""

from __future__ import annotations

import re

POSTS = (
    "id,author,at,kind,replies,reposts,likes\n"
    "p1,1,2026-03-02 09:00:00,original,3,1,10\n"
    "p2,1,2026-03-09 09:00:00,original,2,0,5\n"
)


def test_kaushik_rates_carry_per_post(tmp_path):
    from ripplemeter.campaign import load_campaign
    from ripplemeter.evaluate import evaluate_campaign
    from ripplemeter.report.html import write_report
    from ripplemeter.workspace import Workspace

    (tmp_path / "accounts.csv").write_text("account_id,platform,role,handle\n1,x,owned,lumen\n")
    (tmp_path / "posts.csv").write_text(POSTS)
    (tmp_path / "standards.toml").write_text('[brand]\nname = "Lumen"\n')
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "K"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
        '[[sources]]\npath = "posts.csv"\nformat = "generic"\nplatform = "x"\n'
        '[sources.columns]\npost_id = "id"\naccount_id = "author"\ncreated_at = "at"\n'
        'kind = "kind"\nreplies = "replies"\nreposts = "reposts"\nlikes = "likes"\n'
        '[audit]\nstandards = "standards.toml"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    ws = Workspace(tmp_path / "ws.duckdb")
    res = evaluate_campaign(camp, ws, imports=camp.import_sources(ws))
    ws.close()
    ind = res["audit"].data["audit"]["accounts"][0]["indices"]
    # 2 posts: replies 3 + 2 = 5, reposts 1 + 0 = 1, likes 10 + 5 = 15
    assert (ind["conversation_rate"], ind["amplification_rate"], ind["applause_rate"]) == (
        2.5,
        0.5,
        7.5,
    )
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    audit = html[html.index('<section id="audit">') :]
    audit = audit[: audit.index("</section>")]
    table = audit[audit.index("<h4>Account indices</h4>") :]
    for k, label, shown in (
        ("conversation_rate", "Conversation rate", "2.50"),
        ("amplification_rate", "Amplification rate", "0.5"),
        ("applause_rate", "Applause rate", "7.50"),
    ):
        assert re.search(
            rf"<td>{label}</td><td class=\"num\"><span [^>]*data-metric=\"{k}\"[^>]*>{shown}"
            r"</span> per post</td>",
            table,
        ), (k, table)
    # the indices of another kind keep no unit text (a missing BCI reads only "—")
    assert re.search(r"<td>Weibo BCI</td><td class=\"num\"><span [^>]*>—</span></td>", table)
