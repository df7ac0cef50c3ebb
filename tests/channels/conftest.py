"""Fixtures of the channel tests: a private Dovecot (real IMAP) for the mail-polling tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.channels.imap_support import Dovecot, IdentityProvider, dovecot_binary, dovecot_running


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot per test session (per pytest-xdist worker), on free loopback ports."""
    if dovecot_binary() is None:
        pytest.skip("Dovecot is not installed (`make browser` installs Debian's dovecot-imapd)")
    with dovecot_running() as server:
        yield server


@pytest.fixture
def idp(dovecot: Dovecot) -> Iterator[IdentityProvider]:
    """The fake identity provider that Dovecot's oauth2 passdb asks, emptied per test."""
    dovecot.idp.reset()
    yield dovecot.idp
    dovecot.idp.reset()


@pytest.fixture
def trust_dovecot(dovecot: Dovecot, monkeypatch: Any) -> None:
    """Trust the test server's self-signed certificate as an intranet CA would be trusted:
    through SSL_CERT_FILE (the poller uses the default TLS context, host names checked)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))
