"""Phone numbers for text messages, normalised with Google's libphonenumber (the `phonenumbers`
package): E.164 (`+12075550142`), read in the practice's country when typed without a country
code. Pure Python: no Django.
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "US"


def e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Return the number in E.164 form, or None when it is not a valid phone number.

    `region` is an ISO 3166 code (the practice's country) used for numbers typed without a
    country code, e.g. "(207) 555-0142" in "US".
    """
    if not raw or len(raw) > 40 or "\x00" in raw:
        return None
    try:
        number = phonenumbers.parse(raw, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
