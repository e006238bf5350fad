"""Notifications by e-mail and SMS through a transactional outbox and the task queue."""
