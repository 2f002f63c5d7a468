"""A summary's life: generation, edits kept across regenerations, publication; the round
job, the command and the admin that drive it; mechanisms without answers skipped."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.jobs import services as jobs
from assessments.jobs.models import Job, JobItem
from assessments.summaries.models import Summary
from assessments.summaries.services import (
    summaries_job_start,
    summary_edit_section,
    summary_generate,
    summary_publish,
)
from assessments.summaries.tasks import generate_round_summaries_task, generate_summary_task
from tests.assessments.summaries.world import (
    SECTION_TITLES_EN,
    block_of,
    change_answers,
    docx_paragraphs,
    generate,
    pdf_pages,
    summary_url,
)


@pytest.mark.django_db
def test_regenerating_keeps_an_edited_section_and_flags_newer_answers(world):
    summary = generate(world, "RCM")
    assert summary.status == Summary.Status.GENERATED and summary.generated_at
    versions = summary.history.count()
    summary = summary_edit_section(summary=summary, number="5", text="Our own words.")
    assert summary.status == Summary.Status.EDITED
    assert summary.history.count() == versions + 1

    again = generate(world, "RCM")  # same answers: nothing newer
    assert again.pk == summary.pk and again.section_text("5") == "Our own words."
    assert not again.newer_answers

    change_answers(block_of(world, "MX", "RCM"), {"added_value": ["PROJECTS"]})
    regenerated = generate(world, "RCM")
    assert regenerated.status == Summary.Status.EDITED
    assert regenerated.section_text("5") == "Our own words."
    assert regenerated.newer_answers
    # the generated text underneath follows the new answers
    assert (
        "knowledge (2 of 3), actual projects and programmes (2 of 3)"
        in (regenerated.generated_sections["5"])
    )

    forced = generate(world, "RCM", force=True)
    assert forced.status == Summary.Status.GENERATED
    assert forced.edited_sections == {} and not forced.newer_answers
    assert forced.section_text("5") == forced.generated_sections["5"]
    assert "actual projects and programmes (2 of 3)" in forced.section_text("5")
    assert Summary.objects.filter(round_id=world.round_id).count() == 1
    assert forced.history.count() > versions + 3


@pytest.mark.django_db
def test_a_published_summary_keeps_its_text_on_regenerate_and_stays_published_if_forced(world):
    summary = summary_publish(summary=generate(world, "RCM"))
    assert summary.status == Summary.Status.PUBLISHED and summary.published_at
    text = dict(summary.generated_sections)
    change_answers(block_of(world, "HN", "RCM"), {"added_value": ["VISIBILITY"]})

    kept = generate(world, "RCM")
    assert kept.status == Summary.Status.PUBLISHED
    assert kept.generated_sections == text and kept.newer_answers

    # Forcing regenerates the working text but never unpublishes (issue 15): readers keep the
    # published text until someone publishes the new one.
    forced = generate(world, "RCM", force=True)
    assert forced.status == Summary.Status.PUBLISHED and forced.published_at
    assert forced.generated_sections != text
    assert forced.published_text["sections"] == {n: text[n] for n in text}
    assert forced.has_unpublished_changes
    statuses = list(forced.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[0] == "generated" and statuses[-1] == "published"


@pytest.mark.django_db
def test_an_empty_edit_restores_the_generated_text_and_bad_numbers_are_refused(world):
    summary = summary_edit_section(summary=generate(world, "SACM"), number="2", text="Mine.")
    summary = summary_edit_section(summary=summary, number="2", text="  ")
    assert summary.status == Summary.Status.GENERATED and summary.edited_sections == {}
    with pytest.raises(ValidationError):
        summary_edit_section(summary=summary, number="6", text="Nothing.")
    with pytest.raises(ValidationError):
        summary_publish(summary=Summary.objects.create(
            round_id=world.round_id, mechanism=world.mechanism("MTM"), language="es"
        ))  # fmt: skip
    assert (
        summary_generate(
            survey_round=world.survey_round, mechanism=world.mechanism("MTM"), language="en"
        )
        is None
    )  # nobody answered about MTM: nothing written


@pytest.mark.django_db
def test_the_round_job_generates_one_summary_per_mechanism_and_language(
    world, eager, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = summaries_job_start(survey_round=world.survey_round, user=admin_user)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.error == ""
    keys = sorted(job.items.values_list("key", flat=True))
    # MTM, which nobody answered about, is skipped
    assert keys == sorted(f"{m}:{lang}" for m in ("RCM", "SACM") for lang in ("en", "fr", "es"))
    assert set(job.items.values_list("status", flat=True)) == {JobItem.Status.DONE}
    assert job.progress_total == job.progress_done == 6 and job.percent == 100
    summaries = Summary.objects.filter(round_id=world.round_id)
    assert summaries.count() == 6

    # re-running replaces, never duplicates
    generate_round_summaries_task(job.pk)  # the same job again: already finished, a no-op
    with django_capture_on_commit_callbacks(execute=True):
        second = summaries_job_start(survey_round=world.survey_round, languages=["en"])
    second.refresh_from_db()
    assert second.status == Job.Status.SUCCEEDED and second.items.count() == 2
    generate_summary_task(world.round_id, world.mechanism("RCM").pk, "en")
    assert summaries.count() == 6


@pytest.mark.django_db
def test_a_failing_summary_is_recorded_and_the_others_are_still_generated(
    world, eager, monkeypatch, django_capture_on_commit_callbacks
):
    from assessments.summaries import services as summary_services

    real = summary_services.summary_generate

    def failing_for_rcm(*, mechanism, **kwargs):
        if mechanism.acronym == "RCM":
            raise RuntimeError("the RCM summary broke")
        return real(mechanism=mechanism, **kwargs)

    monkeypatch.setattr(summary_services, "summary_generate", failing_for_rcm)
    with django_capture_on_commit_callbacks(execute=True):
        job = summaries_job_start(survey_round=world.survey_round, languages=["en"])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "RCM:en" in job.error and "the RCM summary broke" in job.error
    assert "SACM" not in job.error and "MTM" not in job.error
    assert job.progress_done == job.progress_total == 2
    items = dict(job.items.values_list("key", "status"))
    assert items == {"RCM:en": "failed", "SACM:en": "done"}
    generated = Summary.objects.filter(round_id=world.round_id).values_list(
        "mechanism__acronym", flat=True
    )
    assert sorted(generated) == ["SACM"]


@pytest.mark.django_db
def test_the_job_page_shows_progress_to_staff_and_the_requester_only(
    world, client, admin_client, django_user_model
):
    requester = django_user_model.objects.create_user("requester", password="x")
    other = django_user_model.objects.create_user("other", password="x")
    job = jobs.job_create(kind=Job.Kind.SUMMARIES, survey_round=world.survey_round, user=requester)
    jobs.job_add_items(job_id=job.pk, keys=["RCM:en", "SACM:en"])
    jobs.job_claim(job_id=job.pk)
    jobs.job_item_finish(job_id=job.pk, key="RCM:en")

    page = admin_client.get(reverse("assessments:job", args=[job.pk]))
    assert page.status_code == 200
    assert '<progress max="100" value="50"' in page.text
    state = admin_client.get(reverse("assessments:job_status", args=[job.pk])).json()
    assert state["status"] == "running" and state["done"] == 1 and state["total"] == 2
    assert state["percent"] == 50 and state["finished"] is False
    assert {"id", "message", "error", "files", "status_label"} <= set(state)
    # The unit last written, as a reader says it, and the summaries written so far as links.
    assert state["message"] == "RCM, English"
    rcm = reverse("assessments:summary", args=[world.slug, "RCM"]) + "?lang=en"
    assert [(f["name"], f["url"]) for f in state["files"]] == [("RCM, English", rcm)]
    assert f'<a href="{rcm}">RCM, English</a>' in page.text and "RCM:en" not in page.text

    client.force_login(other)
    assert client.get(reverse("assessments:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("assessments:job_status", args=[job.pk])).status_code == 404
    client.force_login(requester)
    assert client.get(reverse("assessments:job_status", args=[job.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_the_command_writes_one_file_per_mechanism(world, tmp_path, fmt):
    out = io.StringIO()
    call_command("generate_summaries", world.slug, format=fmt, out=tmp_path / fmt, stdout=out)
    files = sorted(path.name for path in (tmp_path / fmt).iterdir())
    assert files == [f"{world.slug}-{m}-en.{fmt}" for m in ("RCM", "SACM")]
    content = (tmp_path / fmt / f"{world.slug}-RCM-en.{fmt}").read_bytes()
    check = {
        "md": lambda: content.decode().startswith("# Summary of Findings per ISCM"),
        "html": lambda: b"Regional Conference on Migration" in content,
        "docx": lambda: ("Heading 1", SECTION_TITLES_EN[0]) in docx_paragraphs(content),
        "pdf": lambda: "Salient ISCM structures" in " ".join(pdf_pages(content)),
    }[fmt]
    assert check()
    assert "Wrote 2 summaries" in out.getvalue()
    assert "Skipped 1 mechanism nobody submitted an answer about: MTM." in out.getvalue()


@pytest.mark.django_db
def test_the_command_can_write_one_mechanism_in_another_language(world, tmp_path):
    call_command(
        "generate_summaries", world.slug, mechanism="sacm", language="es", format="md",
        out=tmp_path, stdout=io.StringIO(),
    )  # fmt: skip
    assert [path.name for path in tmp_path.iterdir()] == [f"{world.slug}-SACM-es.md"]
    assert (
        "Conferencia Suramericana sobre Migraciones"
        in (tmp_path / f"{world.slug}-SACM-es.md").read_text()
    )


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_round_or_mechanism(world, tmp_path):
    with pytest.raises(CommandError, match="No round"):
        call_command("generate_summaries", "no-such-round", out=tmp_path)
    with pytest.raises(CommandError, match="not a mechanism of this round"):
        call_command("generate_summaries", world.slug, mechanism="BALI", out=tmp_path)
    with pytest.raises(CommandError, match="Nobody submitted an answer about MTM"):
        call_command("generate_summaries", world.slug, mechanism="MTM", out=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_the_admin_change_page_stores_a_section_as_an_edit(world, admin_client):
    summary = generate(world, "RCM")
    url = reverse("admin:assessments_summary_change", args=[summary.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="section_3"' in page.text

    data = {f"section_{n}": "" for n in "12345"} | {"section_3": "Rewritten by the secretariat."}
    assert admin_client.post(url, data).status_code == 302
    summary.refresh_from_db()
    assert summary.status == Summary.Status.EDITED
    assert summary.edited_sections == {"3": "Rewritten by the secretariat."}
    assert summary.section_text("3") == "Rewritten by the secretariat."


@pytest.mark.django_db
def test_the_admin_lists_summaries_and_publishes_them(world, admin_client):
    summary = summary_edit_section(
        summary=generate(world, "RCM"), number="3", text="Rewritten by the secretariat."
    )
    changelist = reverse("admin:assessments_summary_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert f"{summary_url(world, 'RCM')}?lang=en" in page.text

    response = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [summary.pk]}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == Summary.Status.PUBLISHED and summary.published_at
    assert summary.section_text("3") == "Rewritten by the secretariat."
