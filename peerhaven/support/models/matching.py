"""support models: matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback."""

from __future__ import annotations
