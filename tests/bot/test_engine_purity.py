"""The engine is pure: importing it pulls in no web, database or provider library."""

import subprocess
import sys

FORBIDDEN = {"flask", "sqlalchemy", "twilio", "telegram", "requests", "httpx", "psycopg",
             "deep_translator", "alembic", "werkzeug"}


def test_engine_imports_no_io_libraries():
    code = ("import sys, bot.engine, bot.state; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "bot" in loaded
    assert loaded & FORBIDDEN == set()
