"""Clients are not in the admin: their names and contact details are seen by their practice's staff
in the staff area, never by the operator's tool (practice/access.py, PRIVATE_ADMIN_FIELDS)."""
