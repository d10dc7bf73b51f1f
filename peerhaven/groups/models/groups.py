"""groups models: groups, membership, agreements, threads and case presentations."""

from __future__ import annotations
