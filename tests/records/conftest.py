"""The records tests use the access matrix's cast (tests/access/conftest.py): Cleo at Tidewater, in
ana's care, with a booking note; bea a colleague outside her care; Harbour next door."""

from tests.access.conftest import world  # noqa: F401
