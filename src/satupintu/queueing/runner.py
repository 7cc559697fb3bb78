"""The one place that decides how a hot queue operation runs: PostgreSQL's single statement
(pgstatements.py, in autocommit) or the portable path in a `db.write()` transaction.

Issuing a ticket, calling the next visitor and the steps on the counter's current ticket are
each an `Operation` in four parts:
- `check(db, ...)`: validates from cached catalogue facts and returns the plan; it writes
  nothing, so it may run again when a cache miss moves it to a worker thread;
- `statement(plan)`: PostgreSQL, the whole operation as one statement that commits on its own;
- `done(db, plan, outcome)`: after that statement committed, the refusal it reports, or
  publish (`db.publish`) and the view;
- `perform(db, plan)`: any backend, the same work in one `db.write()` transaction; events go
  out with `db.on_commit`.
An operation may add `follow_up(db, plan, outcome)`: what remains after `done`, as a step
with its own write transaction (the booked visitor's "your number is called" message), or
None when nothing remains, so most calls cross to no worker thread for it.

`run` serves the sync callers (pages, the CLI, tests, routes without the hot path); `run_async`
serves the hot routes: on PostgreSQL the statement runs over the hot path's async connection
in the event loop (hotpath.py), and the checks and the view run there too while every fact
they need is cached (cache.without_thread).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from ..cache import without_thread
from ..db import Database
from . import pgstatements

if TYPE_CHECKING:
    from .hotpath import HotPath

P = TypeVar("P")  # the plan: what the checks found
R = TypeVar("R")  # the statement's outcome
V = TypeVar("V")  # what the caller gets


@dataclass(frozen=True)
class Operation(Generic[P, R, V]):
    """A queue operation that PostgreSQL does in one statement (see the module docstring)."""

    check: Callable[..., P]
    statement: Callable[[P], pgstatements.Prepared[R]]
    done: Callable[[Database, P, R], V]
    perform: Callable[[Database, P], V]
    follow_up: Callable[[Database, P, R], Callable[[], None] | None] | None = None
    # Whether this plan must run as `perform` on PostgreSQL too (a check that needs a lock
    # first, e.g. a daily quota); None: never.
    in_transaction: Callable[[P], bool] | None = None


def single_statement(db: Database) -> bool:
    """Whether the hot operations run as PostgreSQL single statements on this database."""
    return db.dialect == "postgresql"


def run(db: Database, op: Operation[P, R, V], *args: Any) -> V:
    """The operation in this thread: checks, then one statement (PostgreSQL) or one write
    transaction (elsewhere)."""
    plan = op.check(db, *args)
    if not single_statement(db) or (op.in_transaction is not None and op.in_transaction(plan)):
        return op.perform(db, plan)
    with db.autocommit() as conn:
        outcome = pgstatements.execute(conn, op.statement(plan))
    result = op.done(db, plan, outcome)
    later = op.follow_up(db, plan, outcome) if op.follow_up is not None else None
    if later is not None:
        later()
    return result


async def run_async(db: Database, hot: HotPath | None, op: Operation[P, R, V], *args: Any) -> V:
    """For a route: with the hot path, the statement in the event loop; without it (SQLite, or
    `hot_path = false`), `run` in a worker thread. Both give the same answers and errors."""
    if hot is None:
        return await run_in_threadpool(run, db, op, *args)
    plan = await without_thread(op.check, db, *args)
    if op.in_transaction is not None and op.in_transaction(plan):
        return await run_in_threadpool(op.perform, db, plan)
    outcome = await hot.run(op.statement(plan))
    result = await without_thread(op.done, db, plan, outcome)
    later = op.follow_up(db, plan, outcome) if op.follow_up is not None else None
    if later is not None:
        await run_in_threadpool(later)
    return result
