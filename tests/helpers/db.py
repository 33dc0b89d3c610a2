"""What a test's database holds: how many rows match, and the rows themselves."""

from __future__ import annotations

from sqlalchemy import func, select


def count(rt, model, *where) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def rows(rt, model, *where, order=None) -> list:
    with rt.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(order or model.id)))
