"""factory_boy factories, grouped by app."""

from __future__ import annotations

import factory
from django_countries import countries

from mechanisms.models import (
    GcmObjective,
    Mechanism,
    Membership,
    Organization,
    State,
    Term,
    ThematicArea,
    Vocabulary,
)

# --- mechanisms ---

COUNTRY_CODES = [country.code for country in countries]


class VocabularyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vocabulary
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"vocabulary_{n}")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    vocabulary = factory.SubFactory(VocabularyFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    label = factory.Sequence(lambda n: f"Term {n}")
    position = factory.Sequence(lambda n: n)


class GcmObjectiveFactory(factory.django.DjangoModelFactory):
    """Only 23 objectives exist: the sequence wraps and get_or_create reuses them."""

    class Meta:
        model = GcmObjective
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n % 23 + 1)
    code = factory.LazyAttribute(lambda o: f"O{o.number}")
    label = factory.LazyAttribute(lambda o: f"Objective {o.number}")
    title = factory.LazyAttribute(lambda o: f"Title of objective {o.number}")


class ThematicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicArea

    code = factory.Sequence(lambda n: f"TA{n}")
    label = factory.Sequence(lambda n: f"Thematic area {n}")
    position = factory.Sequence(lambda n: n)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    acronym = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.IGO


class StateFactory(factory.django.DjangoModelFactory):
    """A real ISO 3166-1 code; reuses the row when the State already exists."""

    class Meta:
        model = State
        django_get_or_create = ("country",)

    country = factory.Sequence(lambda n: COUNTRY_CODES[n % len(COUNTRY_CODES)])


class MechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mechanism

    acronym = factory.Sequence(lambda n: f"M{n}")
    name = factory.Sequence(lambda n: f"Mechanism {n}")
    kind = Mechanism.Kind.RCP
    status = Mechanism.Status.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    """A State member by default; `of_organization=True` (or `state=None, organization=...`)."""

    class Meta:
        model = Membership

    mechanism = factory.SubFactory(MechanismFactory)
    state = factory.SubFactory(StateFactory)
    organization = None
    role = Membership.Role.MEMBER

    class Params:
        of_organization = factory.Trait(
            state=None, organization=factory.SubFactory(OrganizationFactory)
        )


# --- assessments: rounds and responses (respondent views) ---


def open_round_with_shipped_questionnaires(
    *, slug: str = "round-2025", name: str = "Survey 2025"
):  # -> SurveyRound
    """An open round of the shipped questionnaires over the whole registry (load the registry
    first); every default participant gets an invitation."""
    import datetime

    from assessments.questionnaires.models import Questionnaire
    from assessments.questionnaires.shipped import load_shipped_questionnaires
    from assessments.rounds.services.rounds import round_create, round_open

    load_shipped_questionnaires()
    today = datetime.date.today()
    survey_round = round_create(
        name=name,
        slug=slug,
        year=today.year,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
    )
    return round_open(survey_round=survey_round)


class RespondentUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"respondent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StateFocalPointFactory(factory.django.DjangoModelFactory):
    """A focal point of a State (pass `state=`), optionally with a user account (`user=`)."""

    class Meta:
        model = "assessments.FocalPoint"

    kind = "state"
    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Focal point {n}")
    email = factory.Sequence(lambda n: f"focal{n}@example.org")
    user = None


# --- api ---


def submit_generated_answers(participant, seed: int = 2024) -> None:
    """A complete, valid answer set for each response the participant owes, submitted."""
    import random

    from assessments.demo.answers import generate_answers
    from assessments.questionnaires.selectors import questionnaire_schema
    from assessments.responses import services as response_services

    schema = questionnaire_schema(participant.round.questionnaire_for(participant.kind))
    rng = random.Random(seed)
    for response in response_services.participant_responses(participant):
        scope = "per_mechanism" if response.mechanism_id else "once"
        response_services.response_save_answers(
            response=response,
            answers=generate_answers(schema, rng, scope=scope),
            expected_version=None,
        )
    assert response_services.participant_submit(participant=participant) == {}


def api_world(answered: tuple[str, ...] = ()):  # -> types.SimpleNamespace
    """What the REST API tests share (load the registry first): three rounds of the shipped
    questionnaires (draft 2026, open 2025, published 2024), users for every role with API tokens
    (staff: a secretariat administrator; respondent A, focal point of Mexico; respondent B, of
    Argentina; a viewer; a round manager, a summary editor and an analyst on the three rounds'
    team; a staff user with no role), and B's
    draft response in the open round with one answer. Respondent A has no response yet."""
    import datetime
    import types

    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from assessments.questionnaires.models import Questionnaire
    from assessments.responses import services as response_services
    from assessments.rounds.models import RoundParticipant
    from assessments.rounds.services.rounds import (
        round_close,
        round_create,
        round_open,
        round_publish,
    )

    open_round = open_round_with_shipped_questionnaires(slug="round-2025", name="Survey 2025")
    questionnaires = {q.audience: q for q in Questionnaire.objects.published()}
    published = round_create(
        name="Survey 2024", slug="round-2024", year=2024, opens_on=datetime.date(2024, 3, 1),
        closes_on=datetime.date(2024, 6, 30), questionnaires=questionnaires,
    )  # fmt: skip
    published = round_open(survey_round=published)
    # The mechanisms (acronyms) whose secretariats submitted answers in the published round:
    # summaries are written only about mechanisms someone answered about.
    for acronym in answered:
        submit_generated_answers(
            RoundParticipant.objects.get(round=published, mechanism__acronym=acronym)
        )
    published = round_publish(survey_round=round_close(survey_round=published))
    draft = round_create(
        name="Survey 2026", slug="round-2026", year=2026, opens_on=datetime.date(2026, 3, 1),
        closes_on=datetime.date(2026, 6, 30), questionnaires=questionnaires,
    )  # fmt: skip
    mexico, argentina = StateFactory(country="MX"), StateFactory(country="AR")
    from assessments import access

    users = {
        "staff": SecretariatUserFactory(username="secretariat", roles=[access.ADMINISTRATOR]),
        "respondent": RespondentUserFactory(username="mexico"),
        "respondent_b": RespondentUserFactory(username="argentina"),
        "viewer": RespondentUserFactory(username="viewer"),
        "round_manager": SecretariatUserFactory(username="manager", roles=[access.ROUND_MANAGER]),
        "summary_editor": SecretariatUserFactory(username="editor", roles=[access.SUMMARY_EDITOR]),
        "analyst": SecretariatUserFactory(username="analyst", roles=[access.ANALYST]),
        "staff_no_role": SecretariatUserFactory(username="staff-no-role"),
    }
    users["viewer"].groups.add(Group.objects.get(name=access.VIEWER))
    for role in ("round_manager", "summary_editor", "analyst"):
        for survey_round in (open_round, published, draft):
            survey_round.team.add(users[role])
    StateFocalPointFactory(state=mexico, user=users["respondent"], email="mx@example.org")
    StateFocalPointFactory(state=argentina, user=users["respondent_b"], email="ar@example.org")
    participant_a = RoundParticipant.objects.get(round=open_round, state=mexico)
    participant_b = RoundParticipant.objects.get(round=open_round, state=argentina)
    response_b = response_services.response_get_or_create(participant=participant_b)
    response_b, _ = response_services.response_save_answers(
        response=response_b, answers={"institution": "Dirección Nacional de Migraciones"},
        expected_version=1,
    )  # fmt: skip
    return types.SimpleNamespace(
        open_round=open_round, published_round=published, draft_round=draft,
        users=users, tokens={role: Token.objects.create(user=u).key for role, u in users.items()},
        participant_a=participant_a, participant_b=participant_b, response_b=response_b,
        questionnaires=questionnaires,
    )  # fmt: skip


# --- assessments: rounds (secretariat) ---


class SecretariatUserFactory(factory.django.DjangoModelFactory):
    """A staff user (may sign in to the admin) holding the roles named in `roles=[...]`
    (assessments.access.ADMINISTRATOR, ROUND_MANAGER, ...): no role, no permission."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        from django.contrib.auth.models import Group

        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class StaffUserFactory(factory.django.DjangoModelFactory):
    """A secretariat member: staff and superuser, so every admin page and action is allowed."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"secretariat{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True
    is_superuser = True


class FocalPointFactory(factory.django.DjangoModelFactory):
    """A focal point of a mechanism by default; pass `kind="state", state=..., mechanism=None`
    (or the organization equivalent) for the others."""

    class Meta:
        model = "assessments.FocalPoint"

    kind = "mechanism"
    mechanism = factory.SubFactory(MechanismFactory)
    state = None
    organization = None
    name = factory.Sequence(lambda n: f"Focal point {n}")
    email = factory.Sequence(lambda n: f"focal-point-{n}@example.org")
    language = "en"


def secretariat_round(*, slug: str = "small-2025", open_it: bool = True):  # -> SimpleNamespace
    """A small round, by hand, of the shipped questionnaires (load the registry and the shipped
    questionnaires first), closing on 30 June 2025 with reminders 14, 7 and 2 days before:

    mechanisms XALPHA and XBETA (region "North", group Europe and Central Asia), XGAMMA ("South",
    Middle East and North Africa); States FR (member of XALPHA
    and XBETA), DE (XALPHA, XGAMMA), IT (XBETA, XGAMMA) and ES (XGAMMA, but not in the round);
    organization XORG (observer of XALPHA). Seven participants. Focal points: XALPHA (French),
    FR (Spanish), DE (two: English and French); the others have none.
    """
    import datetime
    import types

    from assessments.questionnaires.models import Questionnaire
    from assessments.rounds.services.rounds import round_add_participant, round_create, round_open

    north, south = "North", "South"
    mechanisms = {
        "XALPHA": MechanismFactory(
            acronym="XALPHA", region=north, region_group="europe_central_asia"
        ),
        "XBETA": MechanismFactory(
            acronym="XBETA", region=north, region_group="europe_central_asia"
        ),
        "XGAMMA": MechanismFactory(acronym="XGAMMA", region=south, region_group="mena"),
    }
    states = {code: StateFactory(country=code) for code in ("FR", "DE", "IT", "ES")}
    for code, acronyms in {
        "FR": ["XALPHA", "XBETA"],
        "DE": ["XALPHA", "XGAMMA"],
        "IT": ["XBETA", "XGAMMA"],
        "ES": ["XGAMMA"],
    }.items():
        for acronym in acronyms:
            MembershipFactory(mechanism=mechanisms[acronym], state=states[code])
    organization = OrganizationFactory(acronym="XORG")
    MembershipFactory(
        mechanism=mechanisms["XALPHA"],
        state=None,
        organization=organization,
        role=Membership.Role.OBSERVER,
    )
    survey_round = round_create(
        name=f"Small round {slug}",
        slug=slug,
        year=2025,
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 6, 30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )
    parties = [*mechanisms.values(), *(states[c] for c in ("FR", "DE", "IT")), organization]
    participants = {
        getattr(party, "acronym", None) or party.country.code: round_add_participant(
            survey_round=survey_round, party=party
        )
        for party in parties
    }
    focal_points = [
        FocalPointFactory(mechanism=mechanisms["XALPHA"], language="fr", email="alpha@example.org"),
        FocalPointFactory(
            kind="state", mechanism=None, state=states["FR"], language="es", email="fr@example.org"
        ),
        FocalPointFactory(
            kind="state", mechanism=None, state=states["DE"], language="en", email="de1@example.org"
        ),
        FocalPointFactory(
            kind="state", mechanism=None, state=states["DE"], language="fr", email="de2@example.org"
        ),
    ]
    if open_it:
        survey_round = round_open(survey_round=survey_round)
    return types.SimpleNamespace(
        round=survey_round,
        mechanisms=mechanisms,
        states=states,
        organization=organization,
        participants=participants,
        focal_points=focal_points,
    )
