"""The staff API tests may use the access matrix's cast (tests/access/conftest.py): Cleo at
Tidewater, in ana's care; bea a colleague outside her care; sam a student with no sessions."""

from tests.access.conftest import world  # noqa: F401
