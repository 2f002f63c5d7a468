from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mechanisms.models import Mechanism, ThematicArea
from mechanisms.selectors import region_choices


class MechanismFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or acronym"))
    kind = django_filters.ChoiceFilter(choices=Mechanism.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=Mechanism.Status.choices, label=_("Status"))
    region = django_filters.ChoiceFilter(choices=region_choices, label=_("Region"))
    thematic_area = django_filters.ModelChoiceFilter(
        field_name="thematic_areas",
        queryset=ThematicArea.objects.all(),
        to_field_name="code",
        label=_("Thematic area"),
    )

    class Meta:
        model = Mechanism
        fields = ["q", "kind", "status", "region", "thematic_area"]

    def search(self, queryset: QuerySet[Mechanism], name: str, value: str) -> QuerySet[Mechanism]:
        return queryset.filter(
            Q(acronym__icontains=value)
            | Q(name__icontains=value)
            | Q(name_fr__icontains=value)
            | Q(name_es__icontains=value)
        )
