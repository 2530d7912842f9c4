"""Automation: event rules that open a URL, run a program or call a REST API."""
