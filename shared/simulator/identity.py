"""Plausible but fictitious personal data: names, id numbers, phones and addresses in the
formats of each country (US phones use the 555 range reserved for fiction)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from shared.simulator import reference as ref

# GB 11643 check digit weights for the 18-digit resident identity number.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person_name(rng: random.Random, region: ref.Region) -> str:
    if region.country == "CN":
        return f"{rng.choice(ref.CN_SURNAMES)} {rng.choice(ref.CN_GIVEN)}"
    return f"{rng.choice(ref.US_FIRST)} {rng.choice(ref.US_LAST)}"


def company_name(rng: random.Random, region: ref.Region) -> str:
    if region.country == "CN":
        trade = rng.choice(("Trading", "Manufacturing", "Technology", "Logistics", "Foods"))
        return f"{region.city} {rng.choice(ref.CN_COMPANY_WORDS)} {trade} Co., Ltd."
    trade = rng.choice(("Supply", "Logistics", "Builders", "Foods", "Tech"))
    return f"{rng.choice(ref.US_COMPANY_WORDS)} {trade} LLC"


def id_number(rng: random.Random, region: ref.Region, corporate: bool) -> str:
    if region.country == "US":
        # Area numbers 9xx are never issued as SSNs; EIN prefixes are two digits.
        if corporate:
            return f"{rng.randint(10, 99)}-{rng.randint(0, 9999999):07d}"
        return f"9{rng.randint(0, 99):02d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    if corporate:
        body = "".join(rng.choice(_USCC_CHARS) for _ in range(10))
        return f"91{region.code}{body}"
    born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 365 * 42))
    digits = f"{region.code}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS)) % 11]
    return digits + check


def phone(rng: random.Random, region: ref.Region) -> str:
    if region.country == "CN":
        return f"+861{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
    area = "212" if region.code == "US-NY" else "213"
    return f"+1{area}555{rng.randint(100, 199):04d}"


def address(rng: random.Random, region: ref.Region) -> str:
    number = rng.randint(1, 999)
    if region.country == "CN":
        return f"{number} {rng.choice(ref.CN_STREETS)}, {region.city}"
    return f"{number} {rng.choice(ref.US_STREETS)}, {region.city}"
