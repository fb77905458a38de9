"""Issue 11: the accounts registry (role, owners, time zone, credentials reference)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from ripplemeter.errors import FormatError
from ripplemeter.operations import AccountError, NotAllowed
from ripplemeter.operations.accounts import (
    add_account,
    check_credentials_ref,
    get_account,
    import_accounts,
    list_accounts,
    looks_like_secret,
)
from ripplemeter.operations.team import load_team
from ripplemeter.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
#: a token shaped like Mastodon's (43 characters of base64url), made here, never real
TOKEN = base64.urlsafe_b64encode(hashlib.sha256(b"ripplemeter test").digest()).decode()[:43]

HEADER = "account_id,platform,handle,name,role,owners,timezone,credentials_ref\n"
GOOD = (
    HEADER
    + '109876,mastodon,@ripplecoffee,Ripple Coffee,owned,"mina, tom",Asia/Seoul,'
    + "env:MASTODON_TOKEN_RIPPLE\n"
    + "did:plc:abc123,bluesky,ripplecoffee.bsky.social,Ripple Coffee,partner,mina,"
    + "Asia/Seoul,file:~/.config/ripplemeter/bluesky.json\n"
    + "9981,weibo,bean_rival,Bean Rival,competitor,,Asia/Shanghai,\n"
)


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as w:
        yield w


@pytest.fixture(scope="module")
def team():
    return load_team(EXAMPLES / "team.toml")


def write(tmp_path: Path, text: str, name: str = "accounts.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def snapshot(ws: Workspace) -> tuple:
    return (
        ws.con.execute("SELECT count(*) FROM accounts").fetchone()[0],
        ws.con.execute("SELECT count(*) FROM imports").fetchone()[0],
    )


def test_import_registers_every_column(ws, tmp_path):
    res = import_accounts(ws, write(tmp_path, GOOD))
    assert res.rows == {"accounts": 3} and not res.skipped
    df = list_accounts(ws)
    assert df["account_id"].tolist() == [
        "bluesky:did:plc:abc123",
        "mastodon:109876",
        "weibo:9981",
    ]
    acc = get_account(ws, "mastodon:109876")
    assert acc.role == "owned" and acc.handle == "ripplecoffee"
    assert acc.owners == ("mina", "tom")  # "mina, tom" stored as mina,tom
    assert acc.timezone == "Asia/Seoul"
    assert acc.credentials_ref == "env:MASTODON_TOKEN_RIPPLE"
    assert get_account(ws, "weibo:9981").credentials_ref is None
    assert list_accounts(ws, role="partner")["account_id"].tolist() == ["bluesky:did:plc:abc123"]
    # the same file again changes nothing
    again = import_accounts(ws, write(tmp_path, GOOD))
    assert again.skipped and again.import_id == res.import_id
    assert snapshot(ws) == (3, 1)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "555,x,fan1,Fan,fan,,Asia/Seoul,\n",
            "accounts.csv, row 5, column 'role': expected one of owned, partner, competitor, "
            "media, kol, public, found 'fan'",  # the accounts format's own check
        ),
        (
            "555,x,fan1,Fan,public,,Asia/Seoul,\n",
            "accounts.csv, row 5, column 'role': expected one of owned, partner, competitor, "
            "media, kol, found 'public'",  # the registry's: the public is not registered
        ),
        (
            "555,x,fan1,Fan,kol,,Asia/Seol,\n",
            "accounts.csv, row 5, column 'timezone': unknown time zone 'Asia/Seol'; expected an "
            "IANA name such as Asia/Seoul",
        ),
        (
            "555,x,fan1,Fan,kol,,,MASTODON_TOKEN\n",
            "accounts.csv, row 5, column 'credentials_ref': expected env:NAME or file:PATH, found "
            "a value of 14 characters (not shown, in case it is a secret)",
        ),
        (
            "555,x,fan1,Fan,kol,,,env:MY-TOKEN\n",
            "accounts.csv, row 5, column 'credentials_ref': after env: expected an environment "
            "variable name",
        ),
    ],
)
def test_a_bad_row_names_row_and_column_and_writes_nothing(ws, tmp_path, row, expected):
    add_account(ws, "x:1", role="owned")
    before = snapshot(ws)
    with pytest.raises(FormatError) as e:
        import_accounts(ws, write(tmp_path, GOOD + row))
    assert str(e.value).startswith(expected), str(e.value)
    assert snapshot(ws) == before
    assert list_accounts(ws)["account_id"].tolist() == ["x:1"]


def test_a_secret_is_refused_and_never_repeated_or_stored(ws, tmp_path):
    before = snapshot(ws)
    for ref in (TOKEN, f"env:{TOKEN}", f"file:/tmp/{TOKEN}"):
        bad = GOOD + f"555,x,fan1,Fan,kol,,,{ref}\n"
        with pytest.raises(FormatError) as e:
            import_accounts(ws, write(tmp_path, bad))
        msg = str(e.value)
        assert msg.startswith("accounts.csv, row 5, column 'credentials_ref': a value of")
        assert "looks like a token or password (not shown)" in msg
        assert TOKEN not in msg and TOKEN[:12] not in msg
        with pytest.raises(AccountError) as e:
            add_account(ws, "x:555", role="kol", credentials_ref=ref)
        assert TOKEN[:12] not in str(e.value)
    assert snapshot(ws) == before
    ws.con.execute("CHECKPOINT")
    assert TOKEN.encode() not in Path(ws.path).read_bytes()


def test_looks_like_secret_tells_tokens_from_references():
    assert looks_like_secret(TOKEN)
    assert looks_like_secret("file:jidt9UywopZLDKV_lA3WuMqPZDB_teAEnbvXuBZKaCI")  # "_" splits it
    assert looks_like_secret(hashlib.md5(b"x").hexdigest())  # 32 hex characters
    assert looks_like_secret("ghp_" + "a" * 36)  # GitHub's prefix
    assert looks_like_secret("file:abcd-ef2h-ijkl-mn7p")  # a Bluesky app password
    for ref in (
        "env:MASTODON_ACCESS_TOKEN_KR2",
        "env:X_API_KEY_RIPPLECOFFEE2026",
        "file:~/.config/ripplemeter/ripple-kr-2026.json",
        "file:/home/mina/.secrets/mastodon_ripplecoffee_kr_2026_token.json",
        "file:~/Documents/RippleCoffeeKorea2026Credentials.json",
    ):
        assert not looks_like_secret(ref), ref


def test_credentials_file_inside_the_workspace_folder_is_refused(ws, tmp_path):
    with pytest.raises(AccountError, match="is inside the workspace's folder"):
        add_account(ws, "x:1", role="owned", credentials_ref=f"file:{tmp_path}/creds.json")
    outside = "file:~/.config/ripplemeter/x.json"
    assert check_credentials_ref(outside, workspace_dir=tmp_path) == outside


def test_add_account_versions_and_idempotence(ws):
    acc = add_account(
        ws,
        "109876",
        platform="Mastodon",
        role="Owned",
        handle="@ripplecoffee",
        owners=["mina", "tom"],
        timezone="Asia/Seoul",
        credentials_ref="env:MASTODON_TOKEN",
    )
    assert acc.account_id == "mastodon:109876" and acc.role == "owned"
    assert acc.owners == ("mina", "tom") and acc.handle == "ripplecoffee"
    assert get_account(ws, "mastodon:109876") == acc
    n = snapshot(ws)
    assert (
        add_account(
            ws,
            "mastodon:109876",
            role="owned",
            handle="ripplecoffee",
            owners="mina,tom",
            timezone="Asia/Seoul",
            credentials_ref="env:MASTODON_TOKEN",
        )
        == acc
    )
    assert snapshot(ws) == n  # the same values again: nothing written
    add_account(ws, "mastodon:109876", role="partner", timezone="Asia/Tokyo")
    now = get_account(ws, "mastodon:109876")
    assert (now.role, now.timezone, now.owners) == ("partner", "Asia/Tokyo", ())
    assert snapshot(ws) == (n[0] + 1, n[1] + 1)  # a new version, history kept


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"account_id": "109876", "role": "owned"}, "account_id: expected platform:id"),
        ({"account_id": "x:1", "role": "public"}, "role: expected one of owned, partner"),
        ({"account_id": "x:1", "role": "owned", "platform": "bluesky"}, "names platform 'x'"),
        ({"account_id": "x:1", "role": "owned", "timezone": "KST"}, "unknown time zone 'KST'"),
    ],
)
def test_add_account_refuses_bad_values(ws, kwargs, expected):
    with pytest.raises(AccountError, match=expected):
        add_account(ws, **kwargs)
    assert snapshot(ws) == (0, 0)


def test_team_owners_and_permissions(ws, tmp_path, team):
    with pytest.raises(AccountError, match="owners: 'bob' is not a member of the team"):
        add_account(ws, "x:1", role="owned", owners=["mina", "bob"], team=team)
    with pytest.raises(NotAllowed) as e:
        add_account(ws, "x:1", role="owned", team=team, user="tom")
    assert "rule 'accounts.edit' lets only admin add or import accounts" in str(e.value)
    with pytest.raises(NotAllowed, match="rule 'accounts.edit'"):
        import_accounts(ws, write(tmp_path, GOOD), team=team, user="jisoo")
    assert snapshot(ws) == (0, 0)
    bad_owner = HEADER + "1,x,a,A,owned,mina;bob,,\n"
    with pytest.raises(FormatError, match="row 2, column 'owners': 'mina;bob' is not a member"):
        import_accounts(ws, write(tmp_path, bad_owner), team=team, user="mina")
    res = import_accounts(ws, write(tmp_path, GOOD), team=team, user="mina")
    assert res.rows == {"accounts": 3}


def test_lint_reads_the_role_of_a_registered_account(ws):
    from ripplemeter.operations.lint import lint
    from ripplemeter.operations.standards import load_standards

    std = load_standards(EXAMPLES / "standards.toml")
    add_account(ws, "x:kol1", role="kol")
    add_account(ws, "x:own1", role="owned")
    assert [f.rule for f in lint("New blend", get_account(ws, "x:kol1"), std)] == [
        "disclosure-missing"
    ]
    assert lint("New blend", get_account(ws, "x:own1"), std) == []
    assert lint("#ad New blend", get_account(ws, "x:kol1"), std) == []
