"""Every table, imported in one place for Alembic and metadata-wide operations."""

from .accounts.models import DevicePairing, DeviceToken, User  # noqa: F401
from .applications.models import (  # noqa: F401, E402
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationExternalRef,
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
from .handovers import HandedOver  # noqa: F401
from .integration.idempotency_models import IdempotencyRecord  # noqa: F401
from .integration.models import ApiKey, ClientSystem, WebhookDelivery, WebhookEndpoint  # noqa: F401, E402
from .notify.models import Notification  # noqa: F401, E402
from .oversight.models import (  # noqa: F401, E402
    DailyRollup,
    FacilityPhoto,
    FacilityRow,
    MonthlyRollup,
    ReadinessScore,
)
from .queueing.models import (  # noqa: F401, E402
    Booking,
    BookingSlot,
    CounterAttendance,
    CounterState,
    DayClose,
    QueueSettings,
    Ticket,
    TicketEvent,
    TicketSequence,
    Visit,
)
from .queueing.voice_models import SiteVoice, VoiceClip  # noqa: F401, E402
from .staffing.models import (  # noqa: F401, E402
    StaffAssignment,
    StaffDayOff,
    StaffOfficer,
    StaffPlan,
    VisitHistory,
)
from .unit.models import CentreLink, EnrolmentCode, RefusedRecord, UnitChange  # noqa: F401, E402
