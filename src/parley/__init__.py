"""Parley: a SIP softphone for people who phone all day through a PBX."""

__version__ = "0.1.0"
