"""Functions › Provisioning: where Parley gets its settings from."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parley.settings.types import _MODEL_CONFIG, OptPath


class ProvisioningSettings(BaseModel):
    model_config = _MODEL_CONFIG

    url: str | None = Field(
        default=None,
        max_length=2000,
        description="Provisioning URL (https://…; http:// only with allow_http). Empty: no "
        "provisioning.",
    )
    username: str = Field(
        default="", max_length=200, description="User name for the provisioning server."
    )
    remember: bool = Field(
        default=True,
        description="Remember me: keep the provisioning password in the keyring (never in "
        "this file), so provisioning runs again without asking.",
    )
    auto: bool = Field(
        default=True,
        description="Registering automatically: provision at every start (and every "
        "interval_minutes); an unchanged profile costs one request (ETag).",
    )
    interval_minutes: int = Field(
        default=0, ge=0, le=10080, description="Provision again every N minutes; 0: only at start."
    )
    allow_http: bool = Field(
        default=False,
        description="Allow an unencrypted http:// URL. Anyone on the way could read the "
        "passwords in the profile and change it.",
    )
    ca_file: OptPath = Field(
        default=None,
        description="PEM file of the CA (or the server's own certificate) to trust for the "
        "provisioning server; empty: the system's CAs.",
    )
