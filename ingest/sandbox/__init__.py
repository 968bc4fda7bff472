"""Test and demo equipment: a loopback emulator of LinkedIn's documented Marketing API.

Nothing here talks to LinkedIn and nothing here is used by the ingestion client
(`ingest.linkedin_ads`), nor does it import from it: the sandbox states the contract it emulates
on its own (`contract`), so that tests comparing the two can catch a client that got it wrong.

    with run_sandbox(SandboxConfig(seed=7)) as sandbox:
        sandbox.base_url, sandbox.oauth_url, sandbox.access_token, sandbox.truth, ...

Modules, by the part of the contract they serve:
    contract             the documented contract as data: metrics, pivots, limits, statuses
    restli               Rest.li wire encoding: query strings, enums, lists, page tokens
    errors, responses    error envelopes and the answer a route returns
    oauth                tokens: grants, introspection, expiry, revocation and their routes
    rest                 the /rest routes: LinkedIn's common checks, then the finders
    entities             adAccounts, adCampaignGroups, adCampaigns and creatives finders
    analytics_request    reading and validating an adAnalytics query
    analytics            aggregating facts into adAnalytics rows
    demographics         approximate MEMBER_* pivot values
    faults               injected faults, the daily quota, the data-volume throttle, the clock
    data, restatement    the seeded advertiser and its late conversion changes
    targeting            campaigns' targetingCriteria, from a generator of their own
    posts                the Posts API (batch get, get) for the creatives' sponsored posts
    truth                what the sandbox serves, for tests to compare with
    config, server       the knobs; the Sandbox, its HTTP server and CLI
"""

from .config import SandboxConfig
from .server import Sandbox, SandboxStats, main, run_sandbox
from .truth import Truth

__all__ = ["Sandbox", "SandboxConfig", "SandboxStats", "Truth", "main", "run_sandbox"]
