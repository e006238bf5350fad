"""Reuse the dossier world (tree, calendar, procedure with a 50 000 đồng fee, officers) and its temporary
PKI, and pin the payment settings so tests never depend on the environment."""

from __future__ import annotations

import pytest

from egov.dossiers.tests.conftest import _pki_and_media, clock, officers, receive, world  # noqa: F401

SECRET = "bi-mat-thu-nghiem"
TMN = "TESTTMN1"


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    settings.EGOV_PAYMENT_SECRET = SECRET
    settings.EGOV_PAYMENT_TMN_CODE = TMN
    settings.EGOV_PAYMENT_GATEWAY_URL = ""


@pytest.fixture
def dossier(world, officers, clock):  # noqa: F811 (fixtures imported above)
    return receive(world, officers["desk"])
