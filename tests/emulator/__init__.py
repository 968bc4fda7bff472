"""An independent LinkedIn Marketing API emulator (Rest.li finders, adAnalytics, OAuth stubs),
written from the public wire contract only, to check the project's client against a second
implementation. `Emulator(EmulatorConfig(...))` serves it on loopback; `emu.truth` is what a
warehouse loaded from it should contain."""

from __future__ import annotations

from .analytics import Truth
from .data import EmulatorConfig
from .server import Emulator

__all__ = ["Emulator", "EmulatorConfig", "Truth"]
