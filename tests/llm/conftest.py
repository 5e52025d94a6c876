"""Fixtures of the LLM tests: the local fake Messages API."""

import pytest

from skbalance._llm._testing import API_KEY, FakeMessagesAPI


@pytest.fixture
def api(monkeypatch):
    """The local fake Messages API, with the client's key and base URL set."""
    with FakeMessagesAPI() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        yield server
