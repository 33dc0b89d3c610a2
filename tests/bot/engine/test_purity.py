"""The engine is pure: importing it pulls in no web, database or provider library."""

import importlib.util
import pkgutil
import subprocess
import sys

FORBIDDEN = {"flask", "sqlalchemy", "twilio", "telegram", "requests", "httpx", "psycopg",
             "deep_translator", "alembic", "werkzeug"}
# Every module of the package, whether or not its __init__ imports it.
MODULES = ["bot.engine", *(f"bot.engine.{m.name}" for m in pkgutil.iter_modules(
    importlib.util.find_spec("bot.engine").submodule_search_locations))]


def test_every_module_of_the_engine_is_checked():
    assert {"bot.engine.turn", "bot.engine.survey", "bot.engine.keywords"} <= set(MODULES)


def test_engine_imports_no_io_libraries():
    code = (f"import sys, {', '.join(MODULES)}, bot.state; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "bot" in loaded
    assert loaded & FORBIDDEN == set()
