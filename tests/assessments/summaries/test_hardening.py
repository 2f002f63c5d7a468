"""Published summaries keep their text through a forced regeneration; their files and the
compendium are rendered once per published version and then read from storage; a control
character stored in a summary does not break its Word files; downloads are throttled."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from assessments.summaries import views
from assessments.summaries.models import Summary
from assessments.summaries.services import summary_edit_section, summary_publish
from tests.assessments.summaries.world import docx_paragraphs, generate

pytestmark = pytest.mark.django_db


def published(world, acronym: str = "RCM") -> Summary:
    return summary_publish(summary=generate(world, acronym))


def test_a_forced_regeneration_keeps_a_published_summary_and_its_text(world, client):
    summary = published(world)
    summary = summary_edit_section(summary=summary, number="1", text="Our own wording.")
    summary = summary_publish(summary=summary)
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "md"])
    before = client.get(url).content.decode()
    assert "Our own wording." in before

    regenerated = generate(world, "RCM", force=True)

    assert regenerated.status == Summary.Status.PUBLISHED
    assert regenerated.published_at is not None
    assert regenerated.edited_sections == {}
    assert regenerated.has_unpublished_changes
    assert client.get(url).content.decode() == before  # readers still see the published text
    republished = summary_publish(summary=regenerated)
    assert republished.published_version == summary.published_version + 1
    assert "Our own wording." not in client.get(url).content.decode()


def counting(monkeypatch, name: str) -> list[int]:
    """Count the calls of a writer the views use, still running it."""
    calls: list[int] = []
    real = getattr(views, name)

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, name, spy)
    return calls


def test_the_compendium_is_laid_out_once_per_published_version(world, client, monkeypatch):
    for acronym in ("RCM", "SACM"):
        published(world, acronym)
    layouts = counting(monkeypatch, "to_pdf")
    url = reverse("assessments:compendium", args=[world.slug, "en", "pdf"])

    first, second = client.get(url), client.get(url)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(layouts) == 1  # the second request read the stored file
    assert any(
        name.startswith("compendium-en-")
        for name in default_storage.listdir(f"summaries/{world.slug}")[1]
    )

    summary = Summary.objects.get(round_id=world.round_id, mechanism__acronym="RCM")
    summary_publish(summary=summary_edit_section(summary=summary, number="2", text="New."))
    assert client.get(url).status_code == 200
    assert len(layouts) == 2  # a new published version is laid out again


def test_a_published_summarys_files_are_rendered_once(world, client, monkeypatch):
    published(world)
    layouts = counting(monkeypatch, "to_docx")
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "docx"])
    assert client.get(url).content == client.get(url).content
    assert len(layouts) == 1


def test_the_secretariats_preview_of_an_unpublished_summary_is_not_stored(
    world, admin_client, monkeypatch
):
    generate(world, "RCM")
    layouts = counting(monkeypatch, "to_docx")
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "docx"])
    admin_client.get(url)
    admin_client.get(url)
    assert len(layouts) == 2
    assert not default_storage.exists(f"summaries/{world.slug}")


def test_a_control_character_in_a_stored_summary_does_not_break_its_word_files(world, client):
    summary = published(world)
    # Stored before the forms refused such characters: written past the validation.
    text = dict(summary.published_text)
    text["sections"] = {**text["sections"], "1": "Before\x01after\x0bend."}
    Summary.objects.filter(pk=summary.pk).update(published_text=text)
    for url in (
        reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "docx"]),
        reverse("assessments:compendium", args=[world.slug, "en", "docx"]),
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "Beforeafterend." in [t for _s, t in docx_paragraphs(answer.content)]


def test_downloads_are_throttled_per_visitor(world, client, settings):
    published(world)
    settings.DOCUMENT_THROTTLE_RATE = "2/minute"
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "md"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.get(url)["Retry-After"]) > 0
