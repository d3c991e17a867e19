"""The pages in a browser when reads need a key: the key given once (form or ``?key=``), then a cookie.

The cookie must open the pages and their scripts, never carry the key itself, never be readable by a script or
sent by another site, and never allow a write; the key must appear in no address the pages answer or draw.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.deps import PAGES_COOKIE
from tests.api.conftest import AUTH, KEY, ClientFactory


@pytest.fixture
def locked(make_client: ClientFactory) -> TestClient:
    client = make_client(read_requires_key=True)
    client.follow_redirects = False
    return client


def set_cookie(response: object) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])  # type: ignore[attr-defined]
    return cookie


def test_a_page_without_a_key_is_refused_and_says_where_to_give_one(locked: TestClient) -> None:
    response = locked.get("/pages/overview")
    assert response.status_code == 401
    assert "login form" in response.json()["detail"]
    assert locked.get("/pages/static/graphsvc-page.js").status_code == 401


def test_a_browser_without_a_key_is_sent_to_the_form(locked: TestClient) -> None:
    response = locked.get("/pages/communities/c1", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 303
    assert response.headers["location"] == "/pages/login?next=%2Fpages%2Fcommunities%2Fc1"
    form = locked.get(response.headers["location"])
    assert 'name="next" value="/pages/communities/c1"' in form.text


def test_a_key_given_once_in_the_address_becomes_a_cookie_and_leaves_the_address(locked: TestClient) -> None:
    response = locked.get(f"/pages/communities/c1?rank=gap&key={KEY}")
    assert response.status_code == 303
    assert response.headers["location"] == "/pages/communities/c1?rank=gap"
    cookie = set_cookie(response)[PAGES_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/pages"
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    assert KEY not in cookie.value and KEY not in str(response.headers)
    page = locked.get(response.headers["location"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert KEY not in page.text  # no link or script of the page carries the key
    assert locked.get("/pages/overview").status_code == 200
    assert locked.get("/pages/static/graphsvc-page.js").status_code == 200


def test_a_wrong_key_in_the_address_is_refused_without_a_cookie(locked: TestClient) -> None:
    response = locked.get("/pages/overview?key=wrong")
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert locked.get("/pages/overview").status_code == 401


def test_the_login_form_opens_the_page_asked_for(locked: TestClient) -> None:
    form = locked.get("/pages/login", params={"next": "/pages/streets/%E6%8B%B1%E5%8C%97"})
    assert form.status_code == 200 and 'type="password"' in form.text
    assert 'value="/pages/streets/%E6%8B%B1%E5%8C%97"' in form.text
    response = locked.post("/pages/login", data={"key": KEY, "next": "/pages/streets/%E6%8B%B1%E5%8C%97"})
    assert response.status_code == 303
    assert response.headers["location"] == "/pages/streets/%E6%8B%B1%E5%8C%97"
    assert set_cookie(response)[PAGES_COOKIE]["httponly"] is True
    assert locked.get(response.headers["location"]).status_code == 200


def test_a_wrong_key_in_the_form_is_the_form_again(locked: TestClient) -> None:
    response = locked.post("/pages/login", data={"key": "wrong"})
    assert response.status_code == 401
    assert "not valid" in response.text and "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "wanted", ["https://evil.example/", "//evil.example/pages/", "/pages//evil.example", "/communities", "/\\evil"]
)
def test_the_login_goes_only_to_a_page(locked: TestClient, wanted: str) -> None:
    response = locked.post("/pages/login", data={"key": KEY, "next": wanted})
    assert response.headers["location"] == "/pages/overview"


def test_the_form_shows_a_hostile_next_as_text(locked: TestClient) -> None:
    form = locked.get("/pages/login", params={"next": '/pages/x"><script>alert(1)</script>'})
    assert "<script>" not in form.text


def test_the_cookie_reads_and_never_writes(locked: TestClient) -> None:
    token = set_cookie(locked.get(f"/pages/overview?key={KEY}"))[PAGES_COOKIE].value
    cookies = {PAGES_COOKIE: token}
    upload = {"files": ("entities.csv", b"id,kind,name\nc9,community,x\n", "text/csv")}
    locked.cookies.clear()
    assert locked.post("/imports", files=upload, headers={"Cookie": f"{PAGES_COOKIE}={token}"}).status_code == 401
    assert locked.delete("/entities/c1", headers={"Cookie": f"{PAGES_COOKIE}={token}"}).status_code == 401
    assert locked.get("/entities/c1", headers=AUTH).status_code == 200
    locked.cookies.update({PAGES_COOKIE: "0" * 64})
    assert locked.get("/pages/overview").status_code == 401  # a made-up cookie opens nothing
    locked.cookies.clear()
    locked.cookies.update(cookies)
    assert locked.get("/pages/overview").status_code == 200


def test_with_reads_open_there_is_no_login(make_client: ClientFactory) -> None:
    client = make_client()
    assert client.get("/pages/login").status_code == 404
    assert client.get("/pages/overview").status_code == 200
