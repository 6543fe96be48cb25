"""Data rights and the audit trail: exporting everything kept about an account or a
requester, erasing it on request (keeping ids, counts and the trail), and the one view of
the trail that joins identity's audit events with case changes and chat events."""
