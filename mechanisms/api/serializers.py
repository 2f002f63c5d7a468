from __future__ import annotations

from rest_framework import serializers

from mechanisms.models import Mechanism, Membership, Organization, State


class StateSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="country.code", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = State
        fields = ["id", "code", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "acronym", "name", "name_fr", "name_es", "display_name", "kind"]


class MembershipSerializer(serializers.ModelSerializer):
    mechanism = serializers.SlugRelatedField(slug_field="acronym", read_only=True)
    participant_kind = serializers.SerializerMethodField()
    participant = serializers.SerializerMethodField()
    participant_name = serializers.CharField(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id", "mechanism", "participant_kind", "participant", "participant_name",
            "role", "start_date", "end_date",
        ]  # fmt: skip

    def get_participant_kind(self, obj: Membership) -> str:
        return "state" if obj.state_id else "organization"

    def get_participant(self, obj: Membership) -> str:
        """ISO code of a State, acronym of an organization."""
        return obj.state.country.code if obj.state_id else obj.organization.acronym


class MechanismSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    chair_model = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    secretariat_type = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    observer_count = serializers.IntegerField(read_only=True)
    # A plain string: the address, or "" when there is none (which is not a valid URI).
    website = serializers.CharField(read_only=True, help_text="The website's address, or empty.")

    class Meta:
        model = Mechanism
        fields = [
            "acronym", "name", "name_fr", "name_es", "display_name", "kind", "status",
            "established", "region", "formal_association", "chair_model", "secretariat_type",
            "secretariat_host", "website", "thematic_areas", "member_count", "observer_count",
        ]  # fmt: skip


class MechanismDetailSerializer(MechanismSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta(MechanismSerializer.Meta):
        fields = [*MechanismSerializer.Meta.fields, "description", "memberships"]

    def get_memberships(self, obj: Mechanism) -> list[dict]:
        return MembershipSerializer(obj.current_memberships, many=True).data
