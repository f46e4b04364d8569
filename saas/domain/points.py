"""协议管理记分制: points of a confirmed finding (seed 002 第六篇).

points = severity points (template, default minor 2 / general 5 / serious 8 / fraud 12)
× factor (自查自纠从宽 ×0.5 for self-reported, 检查发现从严 ×1.5 for what the last
self-inspection missed, else ×1). Mock inspections never produce points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SEVERITY_POINTS = {"minor": 2, "general": 5, "serious": 8, "fraud": 12}
SEVERITIES = tuple(DEFAULT_SEVERITY_POINTS)


@dataclass(frozen=True)
class PointsRules:
    severity_points: dict = field(default_factory=lambda: dict(DEFAULT_SEVERITY_POINTS))
    self_reported_factor: float = 0.5
    missed_by_self_inspection_factor: float = 1.5

    @classmethod
    def from_settings(cls, settings: dict | None) -> PointsRules:
        settings = settings or {}
        return cls(
            severity_points={**DEFAULT_SEVERITY_POINTS, **(settings.get("points") or {})},
            self_reported_factor=settings.get("self_reported_factor", 0.5),
            missed_by_self_inspection_factor=settings.get("missed_factor", 1.5),
        )

    def factor(self, self_reported: bool, missed_by_self_inspection: bool = False) -> float:
        if self_reported:
            return self.self_reported_factor
        if missed_by_self_inspection:
            return self.missed_by_self_inspection_factor
        return 1.0

    def points(self, severity: str, self_reported: bool, missed: bool = False) -> float:
        if severity not in self.severity_points:
            raise ValueError("unknown severity", severity)
        return self.severity_points[severity] * self.factor(self_reported, missed)
