from django.contrib.auth import get_user_model


def test_register_returns_a_token_that_authenticates(client, db):
    response = client.post(
        "/api/v1/auth/register/",
        {"username": "dana", "password": "a-long-pass-phrase-9"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["username"] == "dana"
    me = client.get("/api/v1/exams/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_weak_password_gets_the_validators_messages(client, db):
    response = client.post(
        "/api/v1/auth/register/",
        {"username": "dana", "password": "12345"},
        content_type="application/json",
    )
    assert response.status_code == 400
    messages = " ".join(e["detail"] for e in response.json()["errors"] if e["attr"] == "password")
    assert "too short" in messages and "entirely numeric" in messages
    assert not get_user_model().objects.filter(username="dana").exists()


def test_duplicate_username_is_refused(client, alice):
    response = client.post(
        "/api/v1/auth/register/",
        {"username": "Alice", "password": "a-long-pass-phrase-9"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "taken" in str(response.json())


def test_token_endpoint(client, alice):
    ok = client.post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 64 and ok.json()["expiry"]
    bad = client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    assert bad.status_code == 400


def test_browser_signup_login_logout(client, blueprint):
    page = client.post(
        "/accounts/signup/",
        {
            "username": "erin",
            "email": "",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert page.status_code == 302 and page.url == "/home/"
    home = client.get("/home/").text
    assert "Welcome, erin" in home and "Welcome back" not in home  # a brand-new account
    client.post("/accounts/logout/")
    assert client.get("/home/").status_code == 302
    mismatch = client.post(
        "/accounts/signup/",
        {
            "username": "fay",
            "password1": "a-long-pass-phrase-9",
            "password2": "different-pass-phrase-9",
        },
    )
    assert "didn’t match" in mismatch.text


def test_csrf_is_enforced_on_forms(db, alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/mock/start/").status_code == 403


def test_landing_page_shows_the_exam_at_a_glance(client, blueprint):
    page = client.get("/")
    assert "75" in page.text and "180" in page.text and "750" in page.text
    assert "Monitoring and Logging" in page.text


def test_password_change_page(alice_client):
    assert alice_client.get("/accounts/password_change/").status_code == 200
