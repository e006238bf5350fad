"""People: officers with positions and roles, citizens and businesses, sign-in, API tokens and
the permission policy."""
