"""Password guessing at the admin login stops after a few tries (django-axes, issue 5).

Logins go through the real login form (a POST to /admin/login/), which hands the
request to `authenticate()` as axes needs.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "richtiges-Passwort-2025"


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True  # tests/conftest.py turns it off for everything else
    # Cheap hashing: this test is about counting attempts, not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.AXES_FAILURE_LIMIT


def staff_user(name: str):
    return get_user_model().objects.create_user(name, password=PASSWORD, is_staff=True, is_superuser=True)


def log_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_login_works_before_any_failure(throttled):
    staff_user("redakteurin")
    response = log_in(Client(), "redakteurin", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_guessing_locks_the_account_out(throttled):
    limit = throttled
    assert 0 < limit <= 10, "a few tries, not many"
    staff_user("redakteurin")
    staff_user("chefin")
    guesser = Client()

    statuses = [log_in(guesser, "redakteurin", f"falsch-{n}").status_code for n in range(limit)]

    # The form answers every wrong password until the limit is reached.
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert AccessAttempt.objects.get(username="redakteurin").failures_since_start == limit

    # Now even the right password is refused, and no session is made.
    locked = log_in(guesser, "redakteurin", PASSWORD)
    assert locked.status_code == 429, locked.content[:300]
    assert "_auth_user_id" not in guesser.session
    assert log_in(Client(), "redakteurin", PASSWORD).status_code == 429
    assert Client().get("/admin/").status_code == 302  # still the way to the login form

    # Another account is not locked: the lockout is per user (and address), not global.
    other = Client()
    response = log_in(other, "chefin", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert other.get("/admin/").status_code == 200


def test_a_success_before_the_limit_resets_the_count(throttled):
    limit = throttled
    staff_user("redakteurin")
    client = Client()
    for n in range(limit - 1):
        assert log_in(client, "redakteurin", f"falsch-{n}").status_code == 200
    assert log_in(client, "redakteurin", PASSWORD).status_code == 302
    client.logout()

    # AXES_RESET_ON_SUCCESS: a typo now and then never adds up to a lockout.
    assert log_in(client, "redakteurin", "falsch-again").status_code == 200
    assert log_in(client, "redakteurin", PASSWORD).status_code == 302
