"""Who promised what: units, the people in them, the assessment years, the indicator catalog and
the letters; every model re-exported here, so `from responsibility.models import Unit` works."""

from .catalog import (  # noqa: F401
    COUNTING_RULES,
    AccidentLink,
    Indicator,
    IndicatorMeasure,
    IndicatorQuerySet,
    IndicatorRule,
    IndicatorSource,
    weight_totals,
)
from .letters import (  # noqa: F401
    SIGN_WITHIN_DAYS,
    LetterQuerySet,
    LetterStatus,
    LetterVersion,
    ResponsibilityLetter,
    Target,
    letter_scan_path,
)
from .pending import PendingUpload  # noqa: F401
from .units import (  # noqa: F401
    DEPARTMENT_KINDS,
    ENTERPRISE_KINDS,
    GROUP_OF_KIND,
    SUPERVISING_KINDS,
    TERRITORIAL_KINDS,
    Membership,
    MembershipRole,
    Unit,
    UnitGroup,
    UnitKind,
    UnitQuerySet,
    User,
    city_order,
    city_order_key,
    kind_order,
)
from .years import (  # noqa: F401
    Year,
    YearQuerySet,
    YearStatus,
    default_deadlines,
)
