"""`outreach lottery …`: invite, targets, select, replace, close, status. Each command lives
in its own module beside the work it does; this module only gathers them."""

from __future__ import annotations

import click
from flask.cli import AppGroup

lottery_group = AppGroup("lottery", help="The civic lottery that selects the assembly's "
                                        "members (docs/lottery.md).")


def init_app(app) -> None:
    for command in _commands():
        lottery_group.add_command(command)
    app.cli.add_command(lottery_group)


def _commands() -> list[click.Command]:
    commands: list[click.Command] = []
    # invite (lottery/invite.py) ------------------------------------------------------------
    from lottery.invite import invite

    commands.append(invite)
    # targets, select, replace (lottery/targets.py, lottery/selection.py) --------------------
    from lottery.selection_cli import replace_command, select_command
    from lottery.targets import targets_command

    commands += [targets_command, select_command, replace_command]
    # close, status, confirmations (lottery/confirm.py, lottery/status.py) ------------------
    from lottery import confirm

    commands += confirm.COMMANDS
    from lottery.status import status_command
    commands.append(status_command)
    return commands
