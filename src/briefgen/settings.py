"""What the environment asks of briefgen, read once at the entry point.

The command line reads these variables into one frozen ``Settings`` and passes it down;
the application layer (``app.py``) hands each stage the part it needs. So a test or an
embedding program states what it wants instead of setting process-wide variables. The
clock is read here too, once: ``today`` is the day the command runs on (a test fixes it).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from briefgen.errors import ConfigError
from briefgen.model import OUTPUT_DATES


@dataclass(frozen=True)
class Settings:
    use_cache: bool = True  # BRIEFGEN_NO_CACHE unset, empty or 0
    source_date_epoch: str | None = None  # SOURCE_DATE_EPOCH as given: see ``epoch``
    colour: bool = True  # NO_COLOR unset (colour still needs a terminal)
    debug: bool = False  # BRIEFGEN_DEBUG: tracebacks for internal errors
    today: dt.date = field(default_factory=dt.date.today)  # dated statements are held to it

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls(
            use_cache=env.get("BRIEFGEN_NO_CACHE", "") in ("", "0"),
            source_date_epoch=env.get("SOURCE_DATE_EPOCH"),
            colour="NO_COLOR" not in env,
            debug=bool(env.get("BRIEFGEN_DEBUG")),
        )

    def epoch(self) -> int | None:
        """Every build's timestamp, when SOURCE_DATE_EPOCH fixes one. Checked only where a
        build needs it, so a check runs whatever the variable holds; raises ConfigError."""
        return parse_epoch(self.source_date_epoch)


def parse_epoch(value: str | None) -> int | None:
    """SOURCE_DATE_EPOCH in seconds, None when unset or empty. Anything but a whole number
    of seconds within OUTPUT_DATES is an error: it is never ignored in silence (the build
    would not be the reproducible one asked for) nor handed on to pandoc or typst."""
    epoch = (value or "").strip()
    if not epoch:
        return None
    last = dt.datetime.combine(OUTPUT_DATES[1], dt.time.max, dt.UTC).timestamp()
    if re.fullmatch(r"[0-9]{1,15}", epoch) and int(epoch) <= last:
        return int(epoch)
    shown = epoch if len(epoch) <= 24 else epoch[:21] + "..."
    raise ConfigError(
        f"SOURCE_DATE_EPOCH={shown!r} is not a date briefgen can use: give the seconds since "
        f"1970 of a date up to {OUTPUT_DATES[1].isoformat()}, or unset it"
    )
