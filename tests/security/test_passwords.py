"""A password that is short, well known or built from the user's own name is refused wherever a password
is set (an admin creating a login, a user changing their own, the command line), naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.schemas.passwords import TOO_EASY, TOO_SHORT, password_problem
from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from tests.conftest import PASSWORD


@pytest.mark.parametrize("password", [
    "password1234",  # on every list of leaked passwords
    "qwertyuiop12",  # a keyboard row
    "aaaaaaaaaaaaaaa",  # a repeat
    "Sommar2024!!",  # a Swedish season and a year, the classic office password
    "Lösenord1234",  # "password" in Swedish, with its ö
    "sundsvall2026",
])
def test_a_well_known_or_patterned_password_is_too_easy(password: str) -> None:
    assert password_problem(password) in {TOO_EASY, TOO_SHORT}
    assert password_problem(password) == TOO_EASY or len(password) < 12


def test_eleven_characters_are_too_few_and_a_long_passphrase_is_fine() -> None:
    assert password_problem("Xk3#pQ9!vR2") == TOO_SHORT
    assert password_problem("tallbarr-kaffe-indalsälven") is None


def test_a_password_made_of_the_users_name_is_refused_when_an_admin_creates_the_login(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team) -> None:
    answer = client.post("/api/users", headers=headers["admin"], json={
        "username": "margareta.holmqvist", "full_name": "Margareta Holmqvist",
        "password": "margareta.holmqvist1", "role": "member", "team_ids": [team_a.id]})
    assert answer.status_code == 422
    assert "password" in str(answer.json()["detail"]) and "guess" in str(answer.json()["detail"])
    fine = client.post("/api/users", headers=headers["admin"], json={
        "username": "margareta.holmqvist", "full_name": "Margareta Holmqvist",
        "password": "tallbarr-kaffe-indalsälven", "role": "member", "team_ids": [team_a.id]})
    assert fine.status_code == 201, fine.text


def test_a_user_cannot_change_to_a_well_known_password(client: TestClient,
                                                       headers: dict[str, dict[str, str]]) -> None:
    answer = client.post("/api/me/password", headers=headers["member"],
                         json={"current_password": PASSWORD, "new_password": "password1234"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "new_password"]
    assert TOO_EASY in answer.json()["detail"][0]["msg"]


def test_the_password_page_says_in_swedish_why_a_password_is_refused(client: TestClient,
                                                                     users: dict[str, m.User]) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    client.cookies.set("lang", "sv")
    answer = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "Sommar2024!!", "new_password_again": "Sommar2024!!"})
    assert answer.status_code == 422
    assert "för lätt att gissa" in answer.text and "Value error" not in answer.text
