"""Facilities and contractors print their address one way (``PostalAddress.address_lines``)."""

from hypothesis import given
from hypothesis import strategies as st

from compliance_hub.certificates.models import Contractor
from compliance_hub.facilities.models import Facility

PART = st.sampled_from(["", "1200 Mercy Way", "Suite 4", "Columbus", "OH", "43215", "Saint-Lô"])


@given(address_line1=PART, address_line2=PART, city=PART, region=PART, postal_code=PART)
def test_facilities_and_contractors_print_the_same_address(**parts):
    lines = Facility(**parts).address_lines
    assert Contractor(**parts).address_lines == lines
    assert all(line and line == line.strip(" ,") for line in lines)
    assert all(p in " ".join(lines) for p in parts.values())


def test_the_city_line_reads_city_comma_region_postal_code():
    def lines(**parts):
        return Facility(address_line1="1 Main St", **parts).address_lines

    assert lines(city="Columbus", region="OH", postal_code="43215") == [
        "1 Main St",
        "Columbus, OH 43215",
    ]
    assert lines(city="Columbus") == ["1 Main St", "Columbus"]
    assert lines(region="OH", postal_code="43215") == ["1 Main St", "OH 43215"]
    assert lines(city="Columbus", postal_code="43215") == ["1 Main St", "Columbus, 43215"]
    assert lines() == ["1 Main St"]
