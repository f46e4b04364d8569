"""SQLAlchemy 2 models. Tenant tables inherit RegionOwned / InstitutionOwned (tenants/)."""

from saas.models.agreements import Agreement, Clause, Indicator, InformationChange, Template
from saas.models.assessments import Assessment, Evidence, Finding, Measurement
from saas.models.core import (
    ApiToken,
    AuditEntry,
    CalendarDay,
    Institution,
    Region,
    SignInFailure,
    User,
)
from saas.models.enforcement import (
    AgreementRequest,
    ExportFile,
    Measure,
    MeasureEvent,
    Notification,
    PointsEntry,
    RectificationEvent,
    RectificationItem,
    ReEntryBar,
)

__all__ = [
    "Agreement", "AgreementRequest", "ApiToken", "Assessment", "AuditEntry", "CalendarDay",
    "Clause", "Evidence", "ExportFile", "Finding", "Indicator", "InformationChange", "Institution",
    "Measure", "MeasureEvent", "Measurement", "Notification", "PointsEntry", "ReEntryBar",
    "RectificationEvent", "RectificationItem", "Region", "SignInFailure", "Template", "User",
]


def tenant_models():
    """Every model whose rows belong to a tenant (they get the ORM filter and RLS)."""
    from tenants.isolation import RegionOwned

    return [m for m in (globals()[n] for n in __all__) if issubclass(m, RegionOwned)]
