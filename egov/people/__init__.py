"""People: officers with positions and roles, citizens and businesses, accounts, registration, API
tokens and TOTP devices. The permission policy and sign-in checks live in ``egov.access``."""
