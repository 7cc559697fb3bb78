"""The webhook outbox row of a ticket change made by one PostgreSQL statement (the queue's hot
path, queueing/pgstatements.py), written by that same statement.

Those statements commit on their own (autocommit), so no `db.write()` block ends around them
and the before-commit hook that fills the outbox elsewhere (integration/webhook_service.py)
never sees them. Instead each statement carries one more data-modifying CTE built here: it
inserts a delivery for every enabled endpoint of the site, or of the mall when the site is one
of its mobile events, subscribed to the type whose client has a usable key with `queue:read`
that is site-wide or limited to the ticket's service's agency (integration/webhooks.receives),
with the same body the Python side writes
(integration/webhooks.payload: only the ticket's id, number, status, service, counter, time).
The row commits, or not, with the ticket change. The table belongs to integration; this
module only knows its columns, as the statements know the queue's.

Row ids keep the time order the delivery worker sorts by: a fresh UUIDv7 (ids.py) whose last
twelve hex digits are replaced by the row's number, one id per endpoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from .ids import new_id


def cte(name: str, source: str, type_: str, *, ticket_id: str, number: str, status: str, service_id: str) -> str:
    """`name AS (INSERT ...)`: the deliveries of event `type_` for each row of CTE `source`;
    the other arguments are SQL expressions over `src` (that row) or parameters."""
    return f"""{name} AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, event_type, entity, body, status, attempts, next_attempt_at,
                                    created_at)
    SELECT overlay(%(wh_base)s::text PLACING lpad(to_hex(row_number() OVER ()), 12, '0') FROM 25 FOR 12)::uuid,
           ep.id, '{type_}', 'ticket:' || ({ticket_id})::text,
           json_build_object('type', '{type_}', 'timestamp', %(wh_at)s::text, 'data', json_build_object(
               'site', %(wh_site_code)s::text, 'ticket_id', ({ticket_id})::text, 'number', {number},
               'status', {status}, 'service_id', ({service_id})::text, 'counter', %(wh_counter)s::int,
               'at', %(wh_at)s::text), 'version', 1)::text,
           'pending', 0, %(wh_now)s, %(wh_now)s
    FROM {source} src
    JOIN webhook_endpoints ep ON ep.site_id IN (%(wh_site_id)s,
                                                (SELECT parent_site_id FROM sites WHERE id = %(wh_site_id)s))
         AND ep.enabled AND ep.event_types @> '["{type_}"]'::jsonb
    WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.client_id = ep.client_id
                  AND (k.agency_id IS NULL
                       OR k.agency_id = (SELECT sv.agency_id FROM services sv WHERE sv.id = ({service_id})::uuid))
                  AND k.revoked_at IS NULL AND k.expires_at > %(wh_now)s
                  AND (k.overlap_ends_at IS NULL OR k.overlap_ends_at > %(wh_now)s)
                  AND k.scopes @> '["queue:read"]'::jsonb)
)"""


def params(site_id: uuid.UUID, site_code: str, counter: int | None, now: datetime) -> dict[str, Any]:
    return {"wh_base": str(new_id()), "wh_site_id": site_id, "wh_site_code": site_code, "wh_counter": counter,
            "wh_at": now.isoformat(), "wh_now": now}
