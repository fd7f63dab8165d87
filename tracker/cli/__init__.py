"""The ``tracker`` command line: thin click commands over the service layer.

Heavy libraries (SQLAlchemy, Alembic) are imported inside the commands that
need them, so ``tracker --help`` and parse errors stay instant.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from contextlib import suppress
from typing import Any

import click

from tracker.cli import startup
from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import DATABASE, PATIENT
from tracker.domain.errors import TrackerError

MAX_ERROR_LENGTH = 400
# What a shell reports for a program stopped by a closed pipe (128 + SIGPIPE).
EXIT_PIPE_CLOSED = 141
# What reading a record no command could have stored raises (a date SQLite holds
# as '2026-06-02 00:00:00', a class tracker does not know, units stored as text,
# a plan of 0 months, change-log values that are not JSON...).
STORED_VALUE_ERRORS = (ValueError, TypeError, LookupError, ArithmeticError)


def one_line(message: str) -> str:
    """Whatever the user typed, the error stays one short, harmless line.

    click quotes stray arguments verbatim; a line break, an escape sequence or a
    pasted file must not split the line, repaint the terminal or flood it.
    """
    shown = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in message
    )
    if len(shown) > MAX_ERROR_LENGTH:
        shown = shown[: MAX_ERROR_LENGTH - 1] + "…"
    return shown


class TrackerGroup(click.Group):
    """Reports every failure as one ``Error: ...`` line on stderr, never a traceback.

    Commands are loaded on first use from the module COMMAND_MODULES names.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"tracker.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            app = ctx.obj if isinstance(ctx.obj, AppContext) else None
            stored = app is not None and app.stored_changes
            raise output_failure(error, ctx.invoked_subcommand if stored else None) from None

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            result = _tell("Aborted: nothing was changed.", 1)
        except click.ClickException as error:
            result = _tell(f"Error: {one_line(error.format_message())}", error.exit_code)
        except TrackerError as error:
            result = _tell(f"Error: {one_line(str(error))}", error.exit_code)
        except OSError as error:  # printing --help or --version failed
            failure = output_failure(error)
            result = _tell(f"Error: {one_line(str(failure))}", failure.exit_code)
        except STORED_VALUE_ERRORS as error:
            # Checked input never gets this far: what fails here is a stored value no
            # command would have written (a hand edit, an old bug, a damaged file).
            # Its transaction was rolled back (a write already committed stays); `tracker
            # check` names the record.
            message = one_line(f"{type(error).__name__}: {error}")
            result = _tell(
                f"Error: tracker met a stored value it cannot use ({message}); "
                "run 'tracker check' to find the record",
                2,
            )
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def _tell(message: str, exit_code: int) -> int:
    """Say what went wrong on stderr; when even stderr cannot be written, just the exit code."""
    with suppress(OSError):
        click.echo(message, err=True)
    return exit_code


# What a writing command had stored when printing its result failed.
STORED = {
    "log": "the injection",
    "pain": "the pain entry",
    "effect": "the side effect",
    "book": "the appointment",
    "import": "the import",
    "demo": "the sample data",
}


def output_failure(error: OSError, stored_by: str | None = None) -> TrackerError:
    """An OSError met while printing, as one line saying what could not be written.

    Every file tracker writes reports its own errors, naming the file; an error
    of writing with no file name is the output stream's (standard output full,
    closed, or on a failing disk). Anything else is raised again. A closed pipe
    (``| head``) ends the program quietly, as any Unix tool does. ``stored_by``:
    the command whose change was stored before the output failed.
    """
    if error.filename is not None or error.errno not in _OUTPUT_ERRNOS:
        raise error
    _silence(sys.stdout)  # or Python complains again when it flushes at exit
    if isinstance(error, BrokenPipeError):
        raise click.exceptions.Exit(EXIT_PIPE_CLOSED)
    message = f"could not write to standard output ({error.strerror or error})"
    if stored_by is not None:
        message += f"; {STORED.get(stored_by, 'your change')} was stored"
    return TrackerError(message + ".")


# How writing to a full, closed or failing stream fails.
_OUTPUT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EFBIG,
    errno.EIO,
    errno.EBADF,
    errno.EPIPE,
}


def _silence(stream: Any) -> None:
    with suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


@click.group(cls=TrackerGroup, invoke_without_command=True)
@click.option(
    "--db",
    "location",
    type=DATABASE,
    envvar="TRACKER_DB",
    metavar="PATH_OR_URL",
    help="Database file or SQLAlchemy URL [env: TRACKER_DB; default: your data folder].",
)
@click.option(
    "--patient",
    type=PATIENT,
    envvar="TRACKER_PATIENT",
    metavar="NAME",
    help="Whose records to use [env: TRACKER_PATIENT; needed when there are several].",
)
@click.version_option(package_name="tracker", prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, location: str | None, patient: str | None) -> None:
    """Keep track of your injection treatment: log each injection, see when the
    next one is due, and bring a clear history to your doctor.

    \b
    Start with:
      tracker log today --units 200     record today's injection
      tracker due                       when is the next one due?
      tracker history                   every injection so far
      tracker pain 6                    today's pain, 0-10
      tracker effect headache           a side effect, and what to do
      tracker review                    is it helping?
    """
    ctx.obj = AppContext(location, patient)
    if ctx.invoked_subcommand is None:
        ctx.invoke(status)


@pass_app
def status(app: AppContext) -> None:
    from tracker.cli.confirmations import injection_summary
    from tracker.cli.due_output import due_reminder
    from tracker.services.injections import due_status, history

    rows = history(app.database())
    app.heading()
    if rows:
        click.echo(f"Last injection: {injection_summary(rows[-1].record)}")
    click.echo(due_reminder(due_status(app.database(), app.today()), app.today()))
    click.echo("Run 'tracker --help' to see all commands.")


def main() -> None:
    """The console script: start-up tricks first (tracker.cli.startup), then the command."""
    startup.start()
    cli()


# Where each command lives. Only the module of the command being run is
# imported, so `tracker pain 5` does not pay for loading export or review code.
COMMAND_MODULES = {
    "log": "injections",
    "edit": "injections",
    "delete": "injections",
    "history": "injections",
    "due": "schedule",
    "plan": "schedule",
    "book": "schedule",
    "appointments": "schedule",
    "cancel": "schedule",
    "pain": "diary",
    "diary": "diary",
    "effect": "effects",
    "effects": "effects",
    "review": "review",
    "export": "transfer",
    "demo": "transfer",
    "import": "importing",
    "changes": "audit",
    "undo": "audit",
    "backup": "maintenance",
    "restore": "maintenance",
    "check": "maintenance",
    "patients": "patients",
    "treatments": "treatments",
}
