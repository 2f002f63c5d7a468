"""Write operations on the registry."""

from __future__ import annotations

from mechanisms.services.memberships import membership_create, membership_end
from mechanisms.services.reference_data import LoadReport, load_reference_data

__all__ = ["LoadReport", "load_reference_data", "membership_create", "membership_end"]
