"""Serve the emulator until interrupted, e.g. for `make bench API=<its base URL>`:

python -m tests.emulator --port 8770 --latency-ms 150 --accounts 5 --days 365
"""

from __future__ import annotations

import argparse
import contextlib
import threading

from tests.emulator import Emulator, EmulatorConfig

parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
parser.add_argument("--port", type=int, default=8770)
parser.add_argument("--latency-ms", type=int, default=150)
parser.add_argument("--accounts", type=int, default=EmulatorConfig.accounts)
parser.add_argument("--days", type=int, default=EmulatorConfig.days)
parser.add_argument(
    "--campaigns-per-account", type=int, default=EmulatorConfig.campaigns_per_account
)
parser.add_argument("--seed", type=int, default=EmulatorConfig.seed)
args = parser.parse_args()
config = EmulatorConfig(
    seed=args.seed,
    accounts=args.accounts,
    days=args.days,
    latency_ms=args.latency_ms,
    campaigns_per_account=args.campaigns_per_account,
    port=args.port,
)
with Emulator(config) as emulator:
    print(
        f"emulator: base_url={emulator.base_url} access_token={emulator.access_token} "
        f"first_day={emulator.first_day}",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
