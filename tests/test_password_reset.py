"""Password reset by e-mail: Django's views with the site's templates, in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import RespondentUserFactory

pytestmark = pytest.mark.django_db


def reset_link(message: str) -> str:
    return re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message).group(1)


def test_the_sign_in_page_links_to_the_password_reset(client: Client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in page


def test_a_user_resets_the_password_through_the_link_sent_by_e_mail(client: Client):
    user = RespondentUserFactory(username="mexico", email="mx@example.org")

    sent = client.post("/accounts/password-reset/", {"email": "mx@example.org"})
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mx@example.org"]
    link = reset_link(mail.outbox[0].body)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new_password1" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a much longer secret 42", "new_password2": "a much longer secret 42"},
    )
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("a much longer secret 42")
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: Client):
    sent = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert sent.status_code == 302 and mail.outbox == []


def test_the_pages_and_the_mail_are_translated(client: Client):
    RespondentUserFactory(username="mexico", email="mx@example.org")
    page = client.get("/accounts/password-reset/", headers={"accept-language": "fr"})
    assert "Réinitialiser votre mot de passe" in page.content.decode()
    client.post(
        "/accounts/password-reset/", {"email": "mx@example.org"}, headers={"accept-language": "es"}
    )
    assert "contraseña" in mail.outbox[0].subject
    assert "/accounts/password-reset/" in client.get("/accounts/login/").content.decode()
