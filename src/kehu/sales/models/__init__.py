"""Sales-office tables, one module per concern; import them here so Django finds them."""

from kehu.sales.models.registration import (  # noqa: F401  registration and phone books
    FollowUp,
    PhoneEnquiry,
    Registration,
    RegistrationConfirmation,
    RegistrationKey,
)
