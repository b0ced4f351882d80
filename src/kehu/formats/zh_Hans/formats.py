"""Chinese number formats for money: Django's zh_Hans has no thousands separator (and groups by
four), but contracts, commission sheets and bank slips write 1,234,567.50 — so do we. Only the
grouping changes; dates keep Django's Chinese formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
