"""The propagation section: how the campaign's posts spread, repost by repost.

Reads the ``posts`` rows of the campaign's sources that take part in a cascade (a repost or
comment with its ``parent_id``, and the posts they hang from), rebuilds one tree per root
with :func:`ripplemeter.network.cascades.build_cascades` and reports, per cascade, size,
depth, maximum breadth, structural virality, broadcast share and the time to half and 90% of
the final size; the accounts whose reposts carried the most (tipping points); and every
anomaly of the data (orphan fragments, duplicates, cut cycles, reposts timed before their
parent), counted rather than dropped.
"""

from __future__ import annotations

import math
from pathlib import Path

import ibis
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section

COLUMNS = ("post_id", "parent_id", "root_id", "account_id", "created_at", "delay_seconds", "kind")
PER_CASCADE = {
    "size": "cascade_size",
    "depth": "cascade_depth",
    "max_breadth": "cascade_max_breadth",
    "structural_virality": "structural_virality",
    "broadcast_share": "broadcast_share",
    "t50": "cascade_t50",
    "t90": "cascade_t90",
}
ANOMALIES = ("orphans", "duplicates", "cycles", "before_parent")


class PropagationSettings(BaseModel):
    """``[propagation]`` in campaign.toml.

    Attributes
    ----------
    top_cascades : int
        Cascades listed in the report (all of them are in metrics.json).
    top_accounts : int
        Key spreaders and secondary sources listed.
    notable_top_share : float
        Notable accounts are the top share of the participating accounts (by followers where
        an accounts import gives them, else by the spread they carried); 0.01 = top 1%.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    top_cascades: int = Field(10, ge=1, le=1000)
    top_accounts: int = Field(10, ge=1, le=1000)
    notable_top_share: float = Field(0.01, gt=0, le=1)


def cascade_rows(ctx: EvalContext) -> pd.DataFrame:
    """The campaign's posts that take part in a cascade, latest import first.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: every post with a parent, and every post named as a parent or a root
        by one. Ordered by import (latest first), then by row, so that of a post imported
        twice the latest row is the one kept.
    """
    p = ctx.tables.posts
    child = p.filter(p.parent_id.notnull())
    named = child.select(x=child.parent_id).union(child.select(x=child.root_id))
    rows = p.filter(p.parent_id.notnull() | p.post_id.isin(named.x))
    return rows.order_by([ibis.desc("import_id"), "source_row"]).select(*COLUMNS).to_pandas()


def root_texts(ctx: EvalContext, post_ids: list, width: int = 60) -> dict:
    """How each root post reads in the report: the start of its text.

    Parameters
    ----------
    ctx : EvalContext
    post_ids : list of str
        Root post ids.
    width : int
        Characters kept (cut at a word with "…" by :func:`ripplemeter.operations.shorten`).

    Returns
    -------
    dict
        post id -> the start of its text, from the latest import holding it; posts with no
        text (or not among the sources) are left out, and the report shows their id.
        Untrusted text, stored as exported: the report's template escapes it.
    """
    from ripplemeter.operations import shorten

    ids = [i for i in post_ids if isinstance(i, str)]
    if not ids:
        return {}
    p = ctx.tables.posts
    df = (
        p.filter(p.post_id.isin(ids) & p.text.notnull())
        .select("post_id", "text", "import_id", "source_row")
        .order_by([ibis.desc("import_id"), "source_row"])
        .to_pandas()
    )
    out: dict = {}
    for r in df.itertuples(index=False):
        t = shorten(r.text, width)
        if r.post_id not in out and t:
            out[r.post_id] = t
    return out


def _plain(v: object) -> object:
    v = clean(v)
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


@register_section
class PropagationSection:
    """Repost cascades: how far, how deep, through whom."""

    id = "propagation"
    title = "Propagation: how the posts spread"
    order = 75
    headline_group = "organic"  # the report's headline groups its cards (report/html.py)
    metrics = (
        M.CASCADES,
        M.CASCADE_SIZE,
        M.CASCADE_DEPTH,
        M.CASCADE_MAX_BREADTH,
        M.STRUCTURAL_VIRALITY,
        M.BROADCAST_SHARE,
        M.CASCADE_T50,
        M.CASCADE_T90,
        M.SPREADER_CARRIED,
        M.CASCADE_ANOMALIES,
        M.FIRST_APPEARANCE,
        M.SEED_SPREAD_SHARE,
        M.SEED_CASCADES,
        M.SEED_ACCOUNTS,
        M.SEED_OVERLAP,
        M.EXPECTED_SPREAD,
        M.DIRECT_REPOSTS,
        M.AUDIENCE_OVERLAP,
    )
    settings = PropagationSettings

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: cascades and the largest one."""
        return [
            ("propagation.cascades", "repost cascades"),
            ("propagation.top.0.size", "posts in the largest cascade"),
        ]

    def run(self, ctx: EvalContext) -> SectionResult:
        from ripplemeter.network.cascades import build_cascades

        s = ctx.settings_for(self)
        rows = cascade_rows(ctx)
        if rows.empty:
            return SectionResult.no_data(
                "no reposts or comments with their parent post among the campaign's sources"
            )
        cs = build_cascades(rows)
        m = cs.metrics_frame()
        # a cascade: a root with reposts, or whose reposts hang from a missing parent
        m = m[(m["size"] > 1) | (m["orphan_nodes"] > 0)]
        p = ctx.window.campaign
        if m.empty:
            t = cs.trees
            frag = t[t["kind"] == "fragment"]
            n_frag = int(cs.summary.get("unattributed_nodes", 0))
            return SectionResult.no_data(
                f"no root post with reposts in the data: {n_frag} repost(s) in {len(frag)} "
                "fragment(s) whose root post is not among the sources"
                if len(frag)
                else "no reposts or comments with their parent post among the campaign's sources"
            )
        all_nodes = cs.node_frame()
        when = _cascade_times(all_nodes, rows, m["root_id"])
        untimed = int(when.isna().sum())
        inside = when.isna() | ((when >= p.lo) & (when < p.hi))
        outside = int((~inside).sum())
        m = m[inside.to_numpy()].sort_values(
            ["size", "root_id"], ascending=[False, True], kind="stable"
        )
        if m.empty:
            return SectionResult.no_data(
                f"no cascade started in the campaign window {p.label()} ({outside} started "
                "outside it)"
            )
        keep = set(m["root_id"])
        nodes = all_nodes[all_nodes["in_cascade"] & all_nodes["root_id"].isin(keep)]
        first = m.iloc[0]["root_id"]
        per_cascade = [{k: _plain(v) for k, v in r.items()} for r in m.to_dict("records")]
        top = per_cascade[: s.top_cascades]
        texts = root_texts(ctx, [c["root_id"] for c in top])
        for c in top:
            c["root_text"] = texts.get(c["root_id"])
        spreaders = _restrict(cs.key_spreaders(max(len(cs.ids), 1), overall=False), keep)
        overall = (
            spreaders.groupby("account_id", sort=False)
            .agg(
                carried=("carried", "sum"),
                cascades=("root_id", "nunique"),
                reposts=("reposts", "sum"),
            )
            .reset_index()
            .sort_values(["carried", "account_id"], ascending=[False, True], kind="stable")
            .head(s.top_accounts)
        )
        overall = overall[overall["carried"] > 0]
        key = [
            {"rank": i + 1, **{k: _plain(v) for k, v in r.items()}}
            for i, r in enumerate(overall.to_dict("records"))
        ]
        sec = nodes[nodes["parent_id"].notna() & (nodes["direct_reposts"] > 0)]
        sec = sec.sort_values(
            ["direct_reposts", "subtree_size", "post_id"],
            ascending=[False, False, True],
            kind="stable",
        ).head(s.top_accounts)
        secondary = [
            {
                "rank": i + 1,
                "post_id": r["post_id"],
                "account_id": r["account_id"],
                "root_id": r["root_id"],
                "direct_reposts": int(r["direct_reposts"]),
                "subtree_size": int(r["subtree_size"]),
            }
            for i, r in enumerate(sec.to_dict("records"))
        ]
        t = cs.trees
        loose = t[(t["kind"] == "fragment") & t["root_id"].isna()]
        anomalies = {
            # fragments headed by a repost whose parent is missing: attributed to a cascade
            # of the window, or to no cascade at all
            "orphans": int(m["orphans"].sum()) + int((loose["reason"] == "missing_parent").sum()),
            "orphan_nodes": int(m["orphan_nodes"].sum()),
            "duplicates": int(m["duplicates"].sum()),
            "cycles": int(m["cycles"].sum()),
            "before_parent": int(m["before_parent"].sum()),
            "unattributed_fragments": int(cs.summary.get("unattributed_fragments", 0)),
            "unattributed_nodes": int(cs.summary.get("unattributed_nodes", 0)),
        }
        all_carried = (
            spreaders.groupby("account_id", sort=False)["carried"].sum().reset_index()
            if len(spreaders)
            else pd.DataFrame(
                {"account_id": pd.Series([], dtype=object), "carried": pd.Series([], dtype=int)}
            )
        )
        accounts = ctx.tables.accounts.select(
            "account_id", "followers", "role", "import_id", "source_row"
        ).to_pandas()
        has_follows = ctx.tables.has_rows("follows")
        follows = (
            ctx.tables.follows.select("src_account_id", "dst_account_id").to_pandas()
            if has_follows
            else None
        )
        infl = influence(
            nodes,
            all_carried,
            accounts,
            top_share=s.notable_top_share,
            limit=s.top_accounts,
            follows=follows,
        )
        vs_plan = None
        if has_follows:
            used = [str(a) for a in nodes.loc[nodes["parent_id"].isna(), "account_id"].dropna()]
            vs_plan = versus_plan(ctx, sorted(set(used)), all_carried)
        data = {
            "cascades": len(m),
            "nodes": int(m["size"].sum()),
            "outside_window": outside,
            "largest_root_id": first,
            "top": top,
            "key_spreaders": key,
            "secondary_sources": secondary,
            "anomalies": anomalies,
            "influence": infl,
            "versus_plan": vs_plan,
            "per_cascade": per_cascade,
        }
        from ripplemeter.evaluate.top_posts import _account_labels

        shown = {k["account_id"] for k in key} | {k["account_id"] for k in secondary}
        for part in ("notable", "media", "seeds"):
            shown |= {a["account_id"] for a in infl[part]}
        shown |= {o[x] for o in infl["audience_overlap"] for x in ("a", "b")}
        shown |= set((vs_plan or {}).get("used_seeds") or ())
        shown |= set((vs_plan or {}).get("plan_seeds") or ())
        # account id -> @handle or name from the accounts rows (the report shows the id in a
        # tooltip); accounts without one keep their id
        data["account_names"] = _account_labels(ctx, sorted(a for a in shown if isinstance(a, str)))
        figs = [
            Figure("propagation.cascades", "cascades", data["cascades"]),
            Figure("propagation.nodes", "cascade_size", data["nodes"]),
        ]
        for i, c in enumerate(top):
            for col, mid in PER_CASCADE.items():
                v = c.get(col)
                why = None
                if v is None:
                    why = (
                        "the time of some of its posts is unknown"
                        if col in ("t50", "t90")
                        else "a root alone"
                    )
                figs.append(Figure(f"propagation.top.{i}.{col}", mid, v, why))
        for i, r in enumerate(key):
            figs.append(
                Figure(f"propagation.key_spreaders.{i}.carried", "spreader_carried", r["carried"])
            )
        for i, _r in enumerate(secondary):
            figs.append(
                Figure(
                    f"propagation.secondary_sources.{i}.direct_reposts",
                    "direct_reposts",
                    secondary[i]["direct_reposts"],
                )
            )
        for k in ANOMALIES:
            figs.append(Figure(f"propagation.anomalies.{k}", "cascade_anomalies", anomalies[k]))
        for i, r in enumerate(infl["notable"]):
            figs.append(
                Figure(
                    f"propagation.influence.notable.{i}.carried", "spreader_carried", r["carried"]
                )
            )
        for i, r in enumerate(infl["media"]):
            figs.append(
                Figure(f"propagation.influence.media.{i}.carried", "spreader_carried", r["carried"])
            )
            figs.append(
                Figure(
                    f"propagation.influence.media.{i}.first_seconds",
                    "first_appearance",
                    r["first_seconds"],
                    None if r["first_seconds"] is not None else "its post has no time",
                )
            )
        if vs_plan is not None:
            figs.append(
                Figure("propagation.versus_plan.jaccard", "seed_overlap", vs_plan["jaccard"])
            )
            sp = vs_plan["used_seeds_spread"]
            figs.append(
                Figure(
                    "propagation.versus_plan.used_seeds_spread.mean",
                    "expected_spread",
                    sp["mean"] if sp else None,
                    None if sp else "no root author is in the follows graph",
                )
            )
            ps = vs_plan["plan_spread"]
            figs.append(
                Figure(
                    "propagation.versus_plan.plan_spread.mean",
                    "expected_spread",
                    ps["mean"] if ps else None,
                    None if ps else "the plan has no Monte Carlo spread",
                )
            )
        for i, r in enumerate(infl["audience_overlap"]):
            figs.append(
                Figure(
                    f"propagation.influence.audience_overlap.{i}.jaccard",
                    "audience_overlap",
                    r["jaccard"],
                    None
                    if r["jaccard"] is not None
                    else "neither account has a follower in the follows graph"
                    if r["known"]
                    else "one of the two accounts is not in the follows graph",
                )
            )
        figs.append(
            Figure("propagation.influence.seed_accounts", "seed_accounts", infl["seed_accounts"])
        )
        for i, r in enumerate(infl["seeds"]):
            share = float(r["share"]) if r["share"] is not None else None
            figs.append(
                Figure(f"propagation.influence.seeds.{i}.share", "seed_spread_share", share)
            )
            figs.append(
                Figure(f"propagation.influence.seeds.{i}.cascades", "seed_cascades", r["cascades"])
            )
        notes = []
        if untimed:
            notes.append(
                f"{untimed} cascade(s) have no time at all (their source gives only delays "
                "after the root post) and are included whatever the campaign window."
            )
        if outside:
            notes.append(
                f"{outside} cascade(s) started outside the campaign window {p.label()} and are "
                "left out of the propagation section."
            )
        if anomalies["orphans"]:
            notes.append(
                f"{anomalies['orphans']} repost(s) name a "
                "parent post that is not in the data: each heads a detached fragment, counted "
                "apart; no link to the root is invented."
            )
        edges = nodes[nodes["parent_id"].notna()]
        acc = dict(zip(nodes["post_id"], nodes["account_id"], strict=True))
        edge_frame = pd.DataFrame(
            {
                "root_id": edges["root_id"].to_numpy(),
                "parent_id": edges["parent_id"].to_numpy(),
                "post_id": edges["post_id"].to_numpy(),
                "parent_account_id": [acc.get(x) for x in edges["parent_id"]],
                "account_id": edges["account_id"].to_numpy(),
                "depth": edges["depth"].to_numpy(),
                "seconds_after_root": edges["seconds"].to_numpy(),
            }
        )
        return SectionResult(
            figures=figs,
            data={"propagation": data},
            frames={
                "cascade_metrics": m,
                "depths": m["depth"].value_counts().sort_index().rename("cascades").reset_index(),
                "largest_cascade": nodes[nodes["root_id"] == first],
                "breadth": cs.breadth_frame(),
                "growth": pd.concat(
                    [cs.growth_curve(r).assign(root_id=r) for r in m["root_id"].head(5)],
                    ignore_index=True,
                ),
                "cascade_edges": edge_frame,
            },
            notes=notes,
        )

    def exports(self, res: SectionResult, out: Path) -> list[Path]:
        """``cascade_edges.csv`` (one row per repost) and ``cascades.gexf`` (accounts,
        weighted by reposts; opens in Gephi)."""
        from ripplemeter.report.exports import write_gexf, write_table

        edges = res.frames["cascade_edges"]
        return [
            write_table(edges, out / "cascade_edges.csv"),
            write_gexf(edges, out / "cascades.gexf"),
        ]


def _account_facts(accounts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each account's role and followers from its rows, whatever order they were read in:
    the latest registered role, else the latest role; the latest known followers."""
    from ripplemeter.operations.standards import ACCOUNT_ROLES

    acc = accounts
    keys = [c for c in ("import_id", "source_row") if c in acc.columns]
    if keys:
        acc = acc.sort_values(keys, kind="stable", na_position="first")
    g = acc.groupby("account_id", sort=False)
    # GroupBy.last skips missing values: the latest known value of each column
    followers = g["followers"].last() if "followers" in acc else pd.Series(dtype=float)
    if "role" not in acc:
        return pd.Series(dtype=object), followers
    role = g["role"].last()
    registered = acc[acc["role"].isin(ACCOUNT_ROLES)]
    role.update(registered.groupby("account_id", sort=False)["role"].last())
    return role, followers


def influence(
    nodes: pd.DataFrame,
    carried: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    top_share: float,
    limit: int = 10,
    follows: pd.DataFrame | None = None,
) -> dict:
    """Notable accounts that joined on their own, media follow-up, and the seeds' shares.

    Parameters
    ----------
    nodes : DataFrame
        Cascade nodes (:meth:`CascadeSet.node_frame`) of the cascades reported: post_id,
        parent_id, account_id, root_id, seconds, subtree_size.
    carried : DataFrame
        Per account: ``account_id``, ``carried`` (posts that came through it, over cascades).
    accounts : DataFrame
        The campaign's ``accounts`` rows (account_id, followers, role, optionally import_id
        and source_row), possibly empty. An account on several rows (a comments file names
        its authors as the public, an accounts file registers some of them) takes its
        latest registered role (owned, partner, competitor, media, kol) when it has one,
        else its latest role, and its latest known followers; "latest" by import and row,
        or by the order of the rows without them.
    top_share : float
        Notable = this top share of the participating accounts (at least one).
    limit : int
        Rows kept in each list (the largest first).
    follows : DataFrame, optional
        The campaign's follows rows, for the seeds' audience overlap.

    Returns
    -------
    dict
        ``notable``: accounts whose role is not owned or partner, in the top share by
        followers (when every participant's followers are known from an accounts import,
        ``ranked_by`` = "followers") else by the spread they carried ("carried"), each with
        what it added. ``media``: accounts with role ``media`` (not partners), when each
        first appeared (seconds after its cascade's root) and the spread it started.
        ``seeds``: per root account, its cascades, their posts and the share of all cascade
        posts that came through it, the ``limit`` whose cascades hold the most posts;
        ``seed_accounts``: how many distinct accounts started a cascade (all of them, known
        accounts only). ``audience_overlap``, ``audience_basis`` and
        ``seeds_not_in_follows``: :func:`audience_overlap` of those root accounts
        (``audience_accounts`` of them).
    """
    part = nodes[nodes["parent_id"].notna() & nodes["account_id"].notna()]
    role, followers = _account_facts(accounts)
    per = (
        part.groupby("account_id", sort=False)
        .agg(reposts=("post_id", "size"), first_seconds=("seconds", "min"))
        .reset_index()
        .astype({"account_id": object})
        .merge(carried.astype({"account_id": object}), on="account_id", how="left")
    )
    per["carried"] = per["carried"].fillna(0).astype(int)
    per["role"] = per["account_id"].map(role)
    per["followers"] = per["account_id"].map(followers)
    known = per["followers"].notna().all() and len(per) > 0
    ranked_by = "followers" if known else "carried"
    n_top = max(1, int(math.ceil(top_share * len(per)))) if len(per) else 0
    top = per.sort_values([ranked_by, "account_id"], ascending=[False, True], kind="stable")
    top = top.head(n_top)
    notable = top[~top["role"].isin(["owned", "partner"])].head(limit)
    media = per[per["role"] == "media"].sort_values("first_seconds", kind="stable").head(limit)
    roots = nodes[nodes["parent_id"].isna()]
    sizes = nodes.groupby("root_id").size()
    seeds = (
        roots.assign(posts=roots["post_id"].map(sizes))
        .groupby("account_id", sort=False, dropna=False)
        .agg(cascades=("post_id", "size"), posts=("posts", "sum"))
        .reset_index()
        .sort_values(["posts", "account_id"], ascending=[False, True], kind="stable")
    )
    total = float(seeds["posts"].sum()) or 1.0
    seeds["share"] = seeds["posts"] / total
    n_seed_accounts = int(seeds["account_id"].notna().sum())
    seeds = seeds.head(limit)
    compared = [a for a in seeds["account_id"] if isinstance(a, str)]
    overlap, basis, outside = audience_overlap(compared, nodes, follows)

    def rec(df: pd.DataFrame, cols: list[str]) -> list[dict]:
        return [{c: _plain(r[c]) for c in cols} for r in df.to_dict("records")]

    return {
        "ranked_by": ranked_by,
        "participants": int(len(per)),
        "notable": rec(notable, ["account_id", "role", "followers", "reposts", "carried"]),
        "media": rec(media, ["account_id", "first_seconds", "reposts", "carried"]),
        "seeds": rec(seeds, ["account_id", "cascades", "posts", "share"]),
        "seed_accounts": n_seed_accounts,
        "audience_overlap": overlap,
        "audience_basis": basis,
        "seeds_not_in_follows": outside,
        "audience_accounts": len(compared),
    }


def audience_overlap(
    seeds: list[str], nodes: pd.DataFrame, follows: pd.DataFrame | None
) -> tuple[list[dict], str]:
    """Pairwise overlap (Jaccard) of the seed accounts' audiences.

    An audience is the account's followers when the campaign has a follows table (``basis``
    = "followers"), else the accounts that took part in the cascades it started ("cascade
    participants").

    Returns
    -------
    (list of dict, str, list of str)
        One dict per pair of seeds: ``a``, ``b``, ``jaccard`` (|A ∩ B| / |A ∪ B|, null when
        both audiences are empty or either is unknown), ``shared`` (null when unknown) and
        ``known``; the basis; and the seeds absent from the follows graph (neither following
        nor followed in it), whose audience is unknown rather than empty - any pair with one
        of them has ``known`` False.
    """
    if len(seeds) < 2:
        return [], "", []
    outside: list[str] = []
    if follows is not None and len(follows):
        basis = "followers"
        in_graph = set(follows["src_account_id"]) | set(follows["dst_account_id"])
        outside = [a for a in seeds if a not in in_graph]
        f = follows[follows["dst_account_id"].isin(seeds)]
        aud = {a: set(g["src_account_id"]) for a, g in f.groupby("dst_account_id")}
    else:
        basis = "cascade participants"
        root_of = nodes.loc[nodes["parent_id"].isna(), ["root_id", "account_id"]]
        seed_of = dict(zip(root_of["root_id"], root_of["account_id"], strict=True))
        part = nodes[nodes["parent_id"].notna()].assign(seed=lambda d: d["root_id"].map(seed_of))
        aud = {a: set(g["account_id"].dropna()) for a, g in part.groupby("seed")}
    out = []
    for i, a in enumerate(seeds):
        for b in seeds[i + 1 :]:
            if a in outside or b in outside:
                out.append({"a": a, "b": b, "shared": None, "jaccard": None, "known": False})
                continue
            A, B = aud.get(a, set()), aud.get(b, set())
            union = A | B
            out.append(
                {
                    "a": a,
                    "b": b,
                    "shared": len(A & B),
                    "jaccard": len(A & B) / len(union) if union else None,
                    "known": True,
                }
            )
    return out, basis, outside


def versus_plan(ctx: EvalContext, used_seeds: list[str], carried: pd.DataFrame) -> dict:
    """The accounts that really carried the spread against the seeding plan's choice.

    Runs the seeding section's plan (same ``[seeding]`` settings and random state, so the
    same seeds) on the campaign's follows graph, takes as many of the real carriers (by
    spread carried), and reports their overlap, and the expected spread the plan's model
    gives to the accounts the campaign really seeded from (the authors of the root posts).

    Returns
    -------
    dict
        ``plan_seeds``, ``carriers``, ``overlap`` (accounts in both), ``jaccard``,
        ``used_seeds`` (root authors found in the follows graph), ``used_seeds_spread``
        (Monte Carlo mean with its 95% interval) and ``plan_spread``.
    """
    from ripplemeter.evaluate.seeding import campaign_graph, plan_seeding
    from ripplemeter.network.diffusion import estimate_spread

    settings = ctx.settings_for("seeding")
    if settings is None:
        from ripplemeter.evaluate.seeding import SeedingSettings

        settings = SeedingSettings()
    plan = plan_seeding(ctx, settings)
    plan_seeds = [str(x) for x in plan.summary["seeds"]]
    top = carried[carried["carried"] > 0].sort_values(
        ["carried", "account_id"], ascending=[False, True], kind="stable"
    )
    carriers = [str(a) for a in top["account_id"].head(len(plan_seeds))]
    both = sorted(set(plan_seeds) & set(carriers))
    union = set(plan_seeds) | set(carriers)
    g, _ = campaign_graph(ctx, settings)
    known = set(str(x) for x in g.ids)
    used = [a for a in used_seeds if a in known]
    spread = None
    if used:
        est = estimate_spread(
            g, used, settings.model, runs=settings.mc_runs, random_state=settings.random_state + 1
        )
        spread = {"mean": float(est.mean), "ci95": [float(x) for x in est.ci95], "runs": est.runs}
    return {
        "plan_seeds": plan_seeds,
        "carriers": carriers,
        "overlap": both,
        "jaccard": len(both) / len(union) if union else None,
        "used_seeds": used,
        "used_seeds_spread": spread,
        "plan_spread": plan.summary.get("spread"),
    }


def _cascade_times(nodes: pd.DataFrame, rows: pd.DataFrame, roots: pd.Series) -> pd.Series:
    """When each cascade started: its root post's time, else its earliest known post's.

    ``nodes`` is :meth:`CascadeSet.node_frame` (root_id and post_id of every node).

    Returns
    -------
    Series of naive UTC timestamps (NaT when no post of the cascade has a time), aligned
    with ``roots``.
    """
    created = pd.to_datetime(rows.drop_duplicates("post_id").set_index("post_id")["created_at"])
    nodes = nodes.loc[nodes["root_id"].isin(set(roots)), ["root_id", "post_id"]]
    nodes = nodes.assign(at=created.reindex(nodes["post_id"]).to_numpy())
    earliest = nodes.groupby("root_id")["at"].min()
    root_at = created.reindex(roots.to_numpy())
    out = pd.Series(root_at.to_numpy(), index=roots.to_numpy())
    return out.fillna(earliest.reindex(roots.to_numpy())).reset_index(drop=True)


def _restrict(frame: pd.DataFrame, roots: set) -> pd.DataFrame:
    return frame[frame["root_id"].isin(roots)] if len(frame) else frame


__all__ = ["PropagationSection", "PropagationSettings", "cascade_rows"]
