"""Every table, imported in one place for Alembic and metadata-wide operations."""

from .accounts.models import DevicePairing, DeviceToken, User  # noqa: F401
from .applications.models import (  # noqa: F401, E402
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ServiceWorkflow,
)
from .audit import AuditEntry  # noqa: F401
from .catalogue.models import (  # noqa: F401
    Agency,
    Agreement,
    AgreementFile,
    Booth,
    BoothTurn,
    Counter,
    OpeningHours,
    Service,
    Site,
    SiteClosure,
)
from .db import Base  # noqa: F401
from .feedback.models import (  # noqa: F401, E402
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintSettings,
    SkmPublication,
    SurveyResponse,
    SurveyTally,
)
from .notify.models import Notification  # noqa: F401, E402
from .queueing.models import (  # noqa: F401, E402
    Booking,
    BookingSlot,
    CounterState,
    DayClose,
    QueueSettings,
    Ticket,
    TicketEvent,
    TicketSequence,
    Visit,
)
from .staffing.models import (  # noqa: F401, E402
    StaffAssignment,
    StaffDayOff,
    StaffOfficer,
    StaffPlan,
    VisitHistory,
)
