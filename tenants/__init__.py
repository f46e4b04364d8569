"""Tenancy: who owns what. Context per request/job, ORM filter, PostgreSQL RLS, provisioning specs."""
