"""support: models, one module per concern (booking: supporters, availability, slots, bookings, calendar (.ics and feed); matching: matching and conflict-of-interest exclusions, search, suggestions, calendar import, buddies, feedback)."""

# Django finds models through this package: each concern's module is imported here.
from peerhaven.support.models.booking import *  # noqa: F403
from peerhaven.support.models.matching import *  # noqa: F403
