"""Use cases. Each one checks permission, runs in one transaction and writes the audit trail."""
