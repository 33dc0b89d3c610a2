"""The `outreach` command as a coordinator runs it, in this process and on the test's app."""

from __future__ import annotations

from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo

from app import main


def outreach(app: Flask, *args: str, input: str | None = None) -> Result:
    """`outreach ARGS…` through the console script's own command (its errors as it shows
    them), on `app` (its clock, its database)."""
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)
    return CliRunner().invoke(main, list(args), input=input, obj=info)
