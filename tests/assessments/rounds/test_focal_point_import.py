"""Focal points (and their participants' invitations) imported from a CSV or XLSX file: the
service's plan and its application, and the admin's upload → preview → confirm pages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

import assessments.questionnaires.admin  # noqa: F401  (registers the admin)
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant
from assessments.rounds.services import focal_point_import as fpi
from assessments.rounds.services.rounds import round_close
from tests.factories import (
    FocalPointFactory,
    OrganizationFactory,
    StaffUserFactory,
    StateFactory,
    secretariat_round,
)

pytestmark = pytest.mark.django_db

HEADER = "kind,code,name,email,language\n"


@pytest.fixture
def small(questionnaires):
    return secretariat_round()


def rows_of(text: str) -> list[dict]:
    return fpi.read_rows(name="focal-points.csv", content=text.encode())


def plan_of(world, text: str) -> fpi.ImportPlan:
    return fpi.focal_points_import_plan(survey_round=world.round, rows=rows_of(text))


def errors_of(plan: fpi.ImportPlan) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in plan.errors]


# --- reading the file ---


def test_it_reads_csv_in_any_column_order_with_semicolons_and_a_bom():
    rows = fpi.read_rows(
        name="FP.CSV",
        content="\ufeffEmail;Name;Code;Kind\nana@example.org;Ana;XALPHA;mechanism\n\n".encode(),
    )

    assert rows == [
        {"row": 2, "email": "ana@example.org", "name": "Ana", "code": "XALPHA", "kind": "mechanism"}
    ]


def test_it_reads_xlsx():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kind", "code", "name", "email", "language"])
    sheet.append(["state", "FR", "Marie", "marie@example.org", None])
    sheet.append([None, None, None, None, None])
    sheet.append(["state", "DE", "Hans", "hans@example.org", "en"])
    out = io.BytesIO()
    workbook.save(out)

    rows = fpi.read_rows(name="focal-points.xlsx", content=out.getvalue())

    assert [(row["row"], row["code"], row["language"]) for row in rows] == [
        (2, "FR", ""),
        (4, "DE", "en"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fp.csv", b"kind,code,email\nstate,FR,a@example.org\n", "Missing columns: name."),
        ("fp.txt", b"kind,code,name,email\n", "Upload a .csv or .xlsx file."),
        ("fp.csv", "kind,code,name,email\nstate,FR,Zoë,z@example.org\n".encode("latin-1"), "UTF-8"),
        ("fp.xlsx", b"not a zip file", "not a readable .xlsx"),
        ("fp.csv", b"", "no header row"),
        ("fp.csv", b"kind,code,name,email\n,,,\n", "no focal points below its header"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(name, content, message):
    with pytest.raises(ValidationError) as refused:
        fpi.read_rows(name=name, content=content)

    assert message in " ".join(refused.value.messages)


def test_files_are_capped_in_size_and_rows(settings):
    too_big = SimpleUploadedFile("fp.csv", b"x" * (fpi.MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        fpi.read_upload(too_big)
    many = HEADER + "state,FR,A,a@example.org,en\n" * (fpi.MAX_ROWS + 1)
    with pytest.raises(ValidationError, match=f"more than {fpi.MAX_ROWS} rows"):
        rows_of(many)
    assert len(rows_of(HEADER + "state,FR,A,a@example.org,en\n" * fpi.MAX_ROWS)) == fpi.MAX_ROWS


# --- planning ---


def test_each_kind_of_error_is_given_with_its_row_number(small):
    plan = plan_of(
        small,
        HEADER
        + "mechanism,NOPE,Ana,ana@example.org,en\n"  # 2: unknown mechanism
        + "state,ZZ,Zed,zed@example.org,en\n"  # 3: unknown State
        + "organization,NOORG,Org,org@example.org,en\n"  # 4: unknown organization
        + "planet,XALPHA,Ana,ana@example.org,en\n"  # 5: unknown kind
        + "state,FR,Marie,not-an-email,en\n"  # 6: bad e-mail
        + "state,FR,,marie@example.org,de\n"  # 7: no name, unknown language
        + "state,IT,Gina,gina@example.org,it\n"  # 8: unknown language
        + "state,IT,Gina,GINA@example.org,en\n"  # 9: fine
        + "state,it,Gina B.,gina@example.org,en\n",  # 10: same as row 9
    )

    assert errors_of(plan) == [
        (2, "code"),
        (3, "code"),
        (4, "code"),
        (5, "kind"),
        (6, "email"),
        (7, "name"),
        (7, "language"),
        (8, "language"),
        (10, "email"),
    ]
    messages = [error.message for error in plan.errors]
    assert "No mechanism has the acronym “NOPE”." in messages
    assert "No State has the ISO code “ZZ”." in messages
    assert "“not-an-email” is not a valid e-mail address." in messages
    assert "The same focal point as row 9." in messages


def test_the_plan_tells_new_from_changed_and_unchanged_focal_points(small):
    # Existing: XALPHA alpha@example.org (fr), FR fr@example.org (es), DE de1 (en) and de2 (fr).
    de1 = FocalPoint.objects.get(email="de1@example.org")
    plan = plan_of(
        small,
        HEADER
        + f"mechanism,xalpha,{small.focal_points[0].name},ALPHA@example.org,fr\n"  # unchanged
        + "state,FR,Nouveau Nom,fr@example.org,\n"  # renamed, language kept
        + f"state,DE,{de1.name},hans@example.org,en\n"  # same name: new e-mail
        + "state,IT,Gina,gina@example.org,\n"  # new (IT had none)
        + "organization,xorg,Olga,olga@example.org,es\n",  # new
    )

    assert plan.errors == []
    assert plan.unchanged == 1
    assert {change.focal_point.email: change.changes for change in plan.changed} == {
        "fr@example.org": {"name": (small.focal_points[1].name, "Nouveau Nom")},
        "de1@example.org": {"email": ("de1@example.org", "hans@example.org")},
    }
    assert [(row.row, row.email) for row in plan.new] == [
        (5, "gina@example.org"),
        (6, "olga@example.org"),
    ]
    assert plan.new_participants == []  # all seven are in the round already
    assert FocalPoint.objects.count() == 4  # planning writes nothing


def test_two_focal_points_of_the_same_name_need_an_email_to_tell_them_apart(small):
    FocalPointFactory(kind="state", mechanism=None, state=small.states["IT"], name="Gina")
    FocalPointFactory(kind="state", mechanism=None, state=small.states["IT"], name="gina")

    plan = plan_of(small, HEADER + "state,IT,Gina,new@example.org,en\n")

    assert errors_of(plan) == [(2, "name")]


# --- applying ---


def test_applying_creates_and_updates_focal_points_and_invites_new_participants_once(
    small, django_capture_on_commit_callbacks
):
    text = (
        HEADER
        + "state,FR,Nouveau Nom,fr@example.org,fr\n"
        + "state,ES,Lucía,lucia@example.org,es\n"  # ES is not in the round
        + "organization,XNEW,Olga,olga@example.org,\n"
    )
    OrganizationFactory(acronym="XNEW")
    rows = rows_of(text)

    with django_capture_on_commit_callbacks() as callbacks:
        plan = fpi.focal_points_import_apply(survey_round=small.round, rows=rows)

    assert (len(plan.new), len(plan.changed), len(plan.new_participants), plan.invitations) == (
        2,
        1,
        2,
        2,
    )
    assert len(callbacks) == 1  # the invitations' e-mails are sent after commit, once
    lucia = FocalPoint.objects.get(email="lucia@example.org")
    assert (lucia.kind, lucia.state.country.code, lucia.language) == ("state", "ES", "es")
    assert FocalPoint.objects.get(email="olga@example.org").language == "en"
    renamed = FocalPoint.objects.get(email="fr@example.org")
    assert (renamed.name, renamed.language) == ("Nouveau Nom", "fr")
    assert renamed.history.count() == 2
    spain = RoundParticipant.objects.get(round=small.round, state__country="ES")
    assert Invitation.objects.filter(participant=spain).count() == 1

    again = fpi.focal_points_import_apply(survey_round=small.round, rows=rows)

    assert (again.new, again.changed, again.new_participants, again.unchanged) == ([], [], [], 3)
    assert FocalPoint.objects.count() == 6
    assert Invitation.objects.filter(participant__round=small.round).count() == 9


def test_a_draft_round_gets_participants_and_its_invitations_when_it_opens(questionnaires):
    draft = secretariat_round(slug="draft-2025", open_it=False)

    plan = fpi.focal_points_import_apply(
        survey_round=draft.round, rows=rows_of(HEADER + "state,ES,Lucía,lucia@example.org,es\n")
    )

    assert (len(plan.new_participants), plan.invitations) == (1, 0)
    assert draft.round.participants.filter(state__country="ES").exists()
    assert not Invitation.objects.filter(participant__round=draft.round).exists()


def test_a_closed_round_takes_no_new_participants(small):
    round_close(survey_round=small.round)
    small.round.refresh_from_db()

    plan = plan_of(
        small, HEADER + "state,FR,Marie,marie@example.org,fr\nstate,ES,Lucía,lucia@example.org,\n"
    )

    assert errors_of(plan) == [(3, "code")]
    assert "no longer accepts participants" in plan.errors[0].message


def test_nothing_is_written_when_a_row_has_an_error(small):
    StateFactory(country="ES")
    rows = rows_of(HEADER + "state,ES,Lucía,lucia@example.org,es\nstate,FR,Marie,bad,fr\n")

    with pytest.raises(ValidationError, match="nothing was imported"):
        fpi.focal_points_import_apply(survey_round=small.round, rows=rows)

    assert not FocalPoint.objects.filter(email="lucia@example.org").exists()
    assert not small.round.participants.filter(state__country="ES").exists()


def test_the_template_file_reads_back_with_every_column():
    rows = rows_of(fpi.template_csv())

    assert {column for row in rows for column in row} == {"row", *fpi.COLUMNS}
    assert [row["kind"] for row in rows] == ["mechanism", "state", "organization"]


# --- the admin pages ---


def import_url(world) -> str:
    return reverse("admin:assessments_surveyround_import_focal_points", args=[world.round.pk])


@pytest.fixture
def staff_client(client):
    client.force_login(StaffUserFactory())
    return client


def test_upload_preview_and_confirm_in_the_admin(staff_client, small):
    round_page = staff_client.get(
        reverse("admin:assessments_surveyround_change", args=[small.round.pk])
    )
    assert import_url(small) in round_page.content.decode()
    StateFactory(country="ES")
    upload = SimpleUploadedFile(
        "focal-points.csv",
        (
            HEADER + "state,ES,Lucía,lucia@example.org,es\nstate,FR,Nouveau,fr@example.org,\n"
        ).encode(),
    )

    preview = staff_client.post(import_url(small), {"upload": upload})

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "1 new focal point" in html
    assert "1 focal point updated" in html
    assert "1 participant added to the round" in html
    assert "1 invitation created and e-mailed" in html
    assert "lucia@example.org" in html
    assert not FocalPoint.objects.filter(email="lucia@example.org").exists()

    done = staff_client.post(
        import_url(small), {"confirm": "1", "rows": preview.context["rows_token"]}, follow=True
    )

    assert done.redirect_chain[-1][0].endswith(
        reverse("admin:assessments_surveyround_change", args=[small.round.pk])
    )
    assert "1 new, 1 updated" in " ".join(str(m) for m in done.context["messages"])
    assert FocalPoint.objects.filter(email="lucia@example.org").exists()
    assert FocalPoint.objects.get(email="fr@example.org").name == "Nouveau"
    assert Invitation.objects.filter(participant__state__country="ES").count() == 1


def test_a_bad_file_lists_its_errors_in_the_admin_and_offers_no_confirmation(staff_client, small):
    upload = SimpleUploadedFile(
        "focal-points.csv", (HEADER + "state,ZZ,Zed,zed@example.org,en\nstate,FR,M,bad,\n").encode()
    )

    page = staff_client.post(import_url(small), {"upload": upload})

    html = page.content.decode()
    assert page.status_code == 200
    assert "the file has 2 errors" in html
    assert "No State has the ISO code “ZZ”." in html
    assert "“bad” is not a valid e-mail address." in html
    assert 'name="confirm"' not in html
    assert FocalPoint.objects.count() == 4


def test_an_unreadable_file_or_an_altered_preview_is_refused_in_the_admin(staff_client, small):
    upload = SimpleUploadedFile("focal-points.csv", b"kind,code\nstate,FR\n")
    page = staff_client.post(import_url(small), {"upload": upload})
    assert page.status_code == 200
    assert "Missing columns: name, email." in page.content.decode()

    forged = staff_client.post(import_url(small), {"confirm": "1", "rows": "forged"})

    assert forged.status_code == 200
    assert "upload the file again" in forged.content.decode()
    assert FocalPoint.objects.count() == 4


def test_the_template_downloads_as_csv(staff_client):
    response = staff_client.get(reverse("admin:assessments_surveyround_focal_point_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().startswith("kind,code,name,email,language")


def test_the_import_needs_the_change_permission(client, small):
    client.force_login(StaffUserFactory(is_superuser=False))

    assert client.get(import_url(small)).status_code == 403


def test_errors_are_given_in_the_users_language(small):
    from django.utils import translation

    with translation.override("fr"):
        plan = plan_of(small, HEADER + "state,ZZ,Zed,zed@example.org,en\n")
        with pytest.raises(ValidationError) as refused:
            rows_of("kind,code\n")

    assert plan.errors[0].message == "Aucun État n'a le code ISO «\u00a0ZZ\u00a0»."
    assert refused.value.messages == ["Colonnes manquantes\u00a0: name, email."]
