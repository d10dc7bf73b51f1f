"""groups: models, one module per concern (groups: groups, membership, agreements, threads and case presentations; meetings: recurring meetings, RSVP, attendance and the CE log, agendas and presenter queues)."""

# Django finds models through this package: each concern's module is imported here.
from peerhaven.groups.models.groups import *  # noqa: F403
from peerhaven.groups.models.meetings import *  # noqa: F403
