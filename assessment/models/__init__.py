"""Every model of the app, re-exported from the package of its concern, so that
`from assessment.models import Report` works wherever a model is needed."""

from assessment.accidents.models import (  # noqa: F401
    REVISION_DAYS,
    REVISION_DAYS_SHORT,
    SHORT_REVISION_INDUSTRIES,
    Accident,
    AccidentExemption,
    AccidentGrade,
    AccidentQuerySet,
    Industry,
)
from assessment.circulars.models import (  # noqa: F401
    PERIODS,
    Circular,
    CircularKind,
    CircularQuerySet,
    CircularRead,
    CircularStatus,
)
from assessment.exports.models import (  # noqa: F401
    PENDING_EXPORT,
    ExportStatus,
    YearExport,
    YearExportQuerySet,
)
from assessment.inspections.models import (  # noqa: F401
    DONE,
    MAJOR_HAZARD_LABELS,
    Finding,
    FindingFile,
    FindingQuerySet,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionQuerySet,
    ListingLevel,
    finding_file_path,
)
from assessment.kept.models import (  # noqa: F401
    KeptMark,
    KeptResult,
    KeptYear,
)
from assessment.notices.models import (  # noqa: F401
    Notification,
    NotificationKind,
    NotificationQuerySet,
)
from assessment.reports.models import (  # noqa: F401
    QUARTERS,
    Evidence,
    QuarterLock,
    Report,
    ReportQuerySet,
    ReportStatus,
    evidence_path,
)
from assessment.results.models import (  # noqa: F401
    Adjustment,
    Assessment,
    AssessmentGrade,
    AssessmentQuerySet,
    AssessmentStatus,
    AssessmentTier,
    Deduction,
)
