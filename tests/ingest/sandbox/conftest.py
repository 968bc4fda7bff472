"""Fixtures of the sandbox tests: a shared read-only sandbox and fresh ones for knob tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sandbox_helpers import Api

from ingest.sandbox import Sandbox, SandboxConfig, run_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One default sandbox per module; tests using it must not change knobs or data."""
    with run_sandbox(SandboxConfig()) as running:
        yield running


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.close()


@pytest.fixture
def fresh() -> Iterator[Callable[..., Api]]:
    """A factory of private sandboxes (with their client) for tests that turn knobs."""
    stack: list[tuple[Any, Api]] = []

    def make(**knobs: Any) -> Api:
        context = run_sandbox(SandboxConfig(**knobs))
        client = Api(context.__enter__())
        stack.append((context, client))
        return client

    yield make
    for context, client in stack:
        client.close()
        context.__exit__(None, None, None)
