"""Notifications to citizens: ticket called, booking reminder, application status changed.

A use case calls enqueue() inside its own write transaction (transactional outbox); a
NotificationWorker sends in the background through a Channel (e-mail, a WhatsApp/SMS HTTP
gateway, or the development outbox), with retries and backoff. Requests never wait on a
provider.
"""

from .channels import (
    Channel,
    EmailChannel,
    HttpGatewayChannel,
    OutboxChannel,
    OutgoingMessage,
    PermanentSendError,
    SendError,
    TransientSendError,
    build_channels,
)
from .models import Notification, NotifyStatus, mask_recipient
from .service import (
    NotificationView,
    claim_due,
    enqueue,
    get_notification,
    list_notifications,
    outbox_messages,
    record_result,
    release,
)
from .templates import Kind, Rendered, render
from .worker import NotificationWorker

__all__ = [
    "Channel", "EmailChannel", "HttpGatewayChannel", "OutboxChannel", "OutgoingMessage", "PermanentSendError",
    "SendError", "TransientSendError", "build_channels", "Notification", "NotifyStatus", "mask_recipient",
    "NotificationView", "claim_due", "enqueue", "get_notification", "list_notifications", "outbox_messages",
    "record_result", "release", "Kind", "Rendered", "render", "NotificationWorker",
]
