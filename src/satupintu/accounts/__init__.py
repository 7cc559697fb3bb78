"""Accounts: users, roles and scope, passwords, sessions, device tokens, audit log."""
