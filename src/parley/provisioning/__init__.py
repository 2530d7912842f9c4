"""Provisioning: settings, accounts and contact sources from a server's profile."""
