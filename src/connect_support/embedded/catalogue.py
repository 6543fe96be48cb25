"""Every section of the components by id, and which one answers a requirement."""

from __future__ import annotations

from connect_support.embedded.business_sections import BUSINESS_TYPE, PROFESSIONAL_DETAILS, PUBLIC_DETAILS
from connect_support.embedded.payout_sections import PAYOUT_DETAILS
from connect_support.embedded.personal_sections import PERSONAL_DETAILS
from connect_support.embedded.sections import Section

__all__ = ["BUSINESS_TYPE", "PAYOUT_DETAILS", "PERSONAL_DETAILS", "PROFESSIONAL_DETAILS", "PUBLIC_DETAILS", "SECTIONS"]

SECTIONS: dict[str, Section] = {
    section.id: section
    for section in (BUSINESS_TYPE, PROFESSIONAL_DETAILS, PUBLIC_DETAILS, PERSONAL_DETAILS, PAYOUT_DETAILS)
}


def section_for_requirement(code: str) -> Section | None:
    """The section whose fields answer the requirement ``code``."""
    if code == "business_type":
        return BUSINESS_TYPE
    if code.startswith(("individual.", "representative.")):
        return PERSONAL_DETAILS
    if code.startswith(("company.", "business_profile.")):
        return PROFESSIONAL_DETAILS
    if code == "external_account":
        return PAYOUT_DETAILS
    return None
