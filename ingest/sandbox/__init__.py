"""A loopback emulator of the LinkedIn Marketing API for demo data and tests.

with run_sandbox(SandboxConfig(seed=7)) as sandbox:
    sandbox.base_url, sandbox.oauth_url, sandbox.access_token, sandbox.truth, ...
"""

from .config import SandboxConfig
from .server import Sandbox, SandboxStats, main, run_sandbox
from .truth import Truth

__all__ = ["Sandbox", "SandboxConfig", "SandboxStats", "Truth", "main", "run_sandbox"]
