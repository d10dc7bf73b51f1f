"""Installed in place of django.contrib.admin (INSTALLED_APPS): the same admin, served by a site
that admits superusers in a passkey session only (peerhaven.staff.admin_site)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class PeerhavenAdminConfig(AdminConfig):
    default_site = "peerhaven.staff.admin_site.PeerhavenAdminSite"
