"""The admin of every domain: Django's admin autodiscovery imports this module."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from assessments.access import role_label
from assessments.jobs import admin as jobs_admin
from assessments.questionnaires import admin as questionnaires_admin
from assessments.responses import admin as responses_admin
from assessments.rounds import admin as rounds_admin
from assessments.summaries import admin as summaries_admin

__all__ = [
    "RoleAdmin",
    "jobs_admin",
    "questionnaires_admin",
    "responses_admin",
    "rounds_admin",
    "summaries_admin",
]


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """The roles (groups), named in the reader's language."""

    list_display = ["role", "name"]

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj: Group) -> str:
        return role_label(obj.name)
