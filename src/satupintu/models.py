"""Every table, imported in one place for Alembic and metadata-wide operations."""

from .accounts.models import AuditEntry, DeviceToken, User  # noqa: F401
from .catalogue.models import (  # noqa: F401
    Agency,
    Agreement,
    Booth,
    Counter,
    OpeningHours,
    Service,
    Site,
    SiteClosure,
)
from .db import Base  # noqa: F401
from .queueing.models import (  # noqa: F401, E402
    Booking,
    BookingSlot,
    CounterState,
    QueueSettings,
    Ticket,
    TicketEvent,
    TicketSequence,
    Visit,
)
from .feedback.models import (  # noqa: F401, E402
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintSettings,
    SkmPublication,
    SurveyResponse,
    SurveyTally,
)
from .applications.models import (  # noqa: F401, E402
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ServiceWorkflow,
)
from .notify.models import Notification  # noqa: F401, E402
from .staffing.models import (  # noqa: F401, E402
    StaffAssignment,
    StaffDayOff,
    StaffOfficer,
    StaffPlan,
    VisitHistory,
)
