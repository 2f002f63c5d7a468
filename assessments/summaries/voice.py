"""Who a sentence is about: the mechanism's short name, "it", "the ISCM", in turn.

The 2019 summaries name the mechanism at the start of a section and vary after it ("The
EU-CELAC dialogue …", "It …", "The ISCM …"); five sentences in a row starting "The mechanism"
is what a secretariat editor rewrites first. French and Spanish need the name's gender for a
pronoun: French takes it from the short name's article, Spanish drops the subject pronoun.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mechanisms.models import Mechanism
from mechanisms.translation import localized


def short_name(mechanism: Mechanism, language: str) -> str:
    """How a sentence names the mechanism, with its article where it takes one."""
    if language == "en":
        return mechanism.short_name or mechanism.name
    return getattr(mechanism, f"short_name_{language}", "") or localized(
        mechanism, "name", language
    )


def french_gender(mechanism: Mechanism) -> str:
    """'m', 'f', or '' when the short name does not say (no article, no recorded gender)."""
    name = (mechanism.short_name_fr or "").strip()
    if name.startswith("le ") or name.startswith("les "):
        return "m"
    if name.startswith("la "):
        return "f"
    if name.startswith(("l'", "l’")):
        return mechanism.short_name_fr_gender
    return ""


def is_plural(name: str, language: str) -> bool:
    """A name with a plural article ("les Consultations caribéennes", "las CMC")."""
    articles = {"fr": ("les ",), "es": ("los ", "las ")}.get(language, ())
    return name.lower().startswith(articles)


class Voice:
    """Hands out the subject of each sentence about the mechanism, section by section."""

    def __init__(self, mechanism: Mechanism, language: str) -> None:
        self.name = short_name(mechanism, language)
        self.language = language
        self.forms = self.rotation(mechanism)
        self.turn = 0

    def rotation(self, mechanism: Mechanism) -> list[str]:
        # Translators: the mechanism as the subject of a sentence, after its name was given.
        generic = pgettext("summary subject", "the ISCM")
        if is_plural(self.name, self.language):
            # "Les Consultations caribéennes se concentre…": the sentences are written for a
            # singular subject, so a plural name is given where it is not the subject.
            return [generic, "il", generic] if self.language == "fr" else [generic, "", generic]
        if self.language == "fr":
            pronoun = {"m": "il", "f": "elle"}.get(french_gender(mechanism), "")
            # "le mécanisme" then "il": a masculine pair that fits any name.
            return [self.name, pronoun or generic, self.name, "le mécanisme", "il"]
        if self.language == "es":
            return [self.name, "", generic, ""]  # Spanish drops the subject pronoun
        return [self.name, _("it"), generic, _("it")]

    def new_section(self) -> None:
        self.turn = 0

    def subject(self) -> str:
        form = self.forms[self.turn % len(self.forms)]
        self.turn += 1
        return form

    def named(self) -> str:
        """The name itself (a sentence that must name the mechanism, whatever the turn)."""
        return self.name
