"""The evidence pack for assembly members: aggregate queries, suppression of small numbers,
redaction, theme coding, charts, and the template that shows them (`outreach evidence-pack`)."""


def init_app(app) -> None:
    """Register `outreach evidence-pack` on a Flask app."""
    from staff.evidence.cli import evidence_pack

    app.cli.add_command(evidence_pack)
