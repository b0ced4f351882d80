"""Sales-office tables, one module per concern; import them here so Django finds them."""

from kehu.sales.models.channel import *  # noqa: F403  channel reports, public pool, alerts
from kehu.sales.models.deal import CommissionEntry, Deal  # noqa: F401
from kehu.sales.models.dispute import DisputeRequest  # noqa: F401
from kehu.sales.models.reception import (  # noqa: F401
    ConflictEvent,
    ConsentRecord,
    OwnershipDecision,
    PreRegistration,
    RulingRecord,
    Visit,
)
from kehu.sales.models.registration import (  # noqa: F401  registration and phone books
    FollowUp,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
)
from kehu.sales.models.rotation import DutyRow, MakeupTurn, RotationDay, RotationEvent  # noqa: F401
