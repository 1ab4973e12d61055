"""No input to custom blocks, the miss log or notes gives a 5xx: each gets a clear 4xx."""


def test_bad_input_to_blocks_tags_and_notes_is_a_clear_4xx(api, alice_client, finished_mock):
    big = 10**30
    for url in (
        f"/api/v1/exams/{big}/items/1/miss/",
        f"/api/v1/exams/{finished_mock.id}/items/{big}/note/",
    ):
        assert api.put(url, {"reason": "time"}, format="json").status_code == 404
    assert (
        alice_client.post(
            f"/sittings/{finished_mock.id}/items/{big}/note/", {"text": "x"}
        ).status_code
        == 404
    )
    assert (
        api.put(
            f"/api/v1/exams/{finished_mock.id}/items/1/miss/",
            "garbage",
            content_type="application/json",
        ).status_code
        == 400
    )
    assert (
        api.put(
            f"/api/v1/exams/{finished_mock.id}/items/1/note/", {"text": None}, format="json"
        ).status_code
        == 400
    )
    assert api.get(f"/api/v1/exams/available/?domains={big}").status_code == 400
    assert api.get("/api/v1/exams/available/?tasks=1.1&tasks=%00").status_code == 400
    assert alice_client.post("/practice/", {"sources": ["x"], "count": 5}).status_code == 200
    assert alice_client.post(
        "/practice/", {"sources": ["incorrect"], "timed": "on", "count": 5}
    ).status_code in (200, 302)
    assert (
        api.post(
            "/api/v1/exams/", {"mode": "practice", "from": "incorrect"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(
            "/api/v1/exams/", {"mode": "practice", "timed": "maybe"}, format="json"
        ).status_code
        == 400
    )
    assert alice_client.post(
        f"/sittings/{finished_mock.id}/items/1/note/", {"text": "\x00"}
    ).status_code in (302, 400)
