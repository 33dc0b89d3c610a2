"""Rows of made-up people gathered in a Batch, then written in a few large statements
(contacts, addresses, responses, answers, consents, alerts) straight through the models."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from store.models import Address, Alert, Answer, ConsentRecord, Contact, Engager, Response


@dataclass
class Batch:
    """Rows to insert, gathered per person and written in a few large statements."""

    contacts: list[dict] = field(default_factory=list)
    addresses: list[dict] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    answers: list[list[dict]] = field(default_factory=list)  # per response
    consents: list[dict] = field(default_factory=list)
    alerts: list[tuple[int, dict]] = field(default_factory=list)  # (response index, alert)


def ids(session: Session, model: type, rows: list[dict]) -> list[int]:
    """Insert rows in one statement per chunk, returning their ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), 2000):
        chunk = rows[start:start + 2000]
        ids += session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                               chunk).all()
    return ids


def write(session: Session, batch: Batch) -> int:
    """Write the batch: contacts, addresses, responses, answers, consents, alerts."""
    contact_ids = ids(session, Contact, batch.contacts)
    session.execute(insert(Address), [dict(a, contact_id=c)
                                      for a, c in zip(batch.addresses, contact_ids, strict=True)])
    engager_contacts = list(session.scalars(select(Engager.contact_id).order_by(Engager.id)))

    def contact(index: int) -> int:
        return contact_ids[index] if index >= 0 else engager_contacts[-1 - index]

    responses = [dict({k: v for k, v in r.items() if k != "contact"},
                      contact_id=contact(r["contact"])) for r in batch.responses]
    response_ids = ids(session, Response, responses)
    answers = [dict(a, response_id=rid)
               for rid, rows in zip(response_ids, batch.answers, strict=True) for a in rows]
    for start in range(0, len(answers), 5000):
        session.execute(insert(Answer), answers[start:start + 5000])
    consents = [dict({k: v for k, v in c.items() if k != "contact"},
                     contact_id=contact(c["contact"])) for c in batch.consents]
    session.execute(insert(ConsentRecord), consents)
    for response, alert in batch.alerts:
        session.add(Alert(contact_id=responses[response]["contact_id"], **alert))
    return len(batch.alerts)
