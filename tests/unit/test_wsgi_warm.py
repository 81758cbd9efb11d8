"""A server process compiles the email validator's regular expressions when it loads the WSGI
application, not while it answers the first booking (longtide/wsgi.py)."""

import subprocess
import sys

CHECK = """
from django.core.validators import EmailValidator
from django.utils.functional import empty

before = [r._wrapped is empty for r in (EmailValidator.user_regex, EmailValidator.domain_regex, EmailValidator.literal_regex)]
import longtide.wsgi  # noqa: F401
after = [r._wrapped is empty for r in (EmailValidator.user_regex, EmailValidator.domain_regex, EmailValidator.literal_regex)]
print(before, after)
"""


def test_loading_the_wsgi_application_compiles_the_email_patterns() -> None:
    # A fresh interpreter: this test process may have validated an email address already.
    done = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["[True,", "True,", "True]", "[False,", "False,", "False]"], done.stderr
