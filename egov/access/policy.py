"""The permission policy: the one place that decides who may do what to which object.

* Permissions are codes (``PERMISSIONS``); roles grant them as data (``Role.permissions``; the
  default roles are loaded by migration people/0002 and edited by administrators).
* An officer's ``people.Position`` gives its role's permissions over the
  position's unit **and its subtree** (materialised path prefix).
* :func:`has` / :func:`require` answer "may this user do X to this object?";
  :func:`scope` answers "which objects may this user see?" as a queryset filter, in SQL.
* ``by=None`` means the platform itself (management commands, background tasks) and is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.core.errors import PermissionDenied

__all__ = ["PERMISSIONS", "has_everywhere", "Grant", "grants", "has", "require", "scope", "organisation_of"]

PERMISSIONS: dict[str, str] = {
    "organisation.view": "Xem cơ cấu tổ chức",
    "organisation.manage": "Thêm, sửa, hợp nhất, giải thể đơn vị",
    "person.view": "Xem cán bộ và vị trí công tác",
    "person.manage": "Thêm cán bộ, giao vị trí công tác",
    "calendar.manage": "Quản lý lịch làm việc, ngày nghỉ, ngày làm bù",
    "audit.view": "Xem nhật ký hệ thống",
    "dossier.receive": "Tiếp nhận, trả kết quả hồ sơ",
    "dossier.process": "Thẩm định, xử lý hồ sơ",
    "dossier.approve": "Xem xét, phê duyệt kết quả",
    "dossier.view": "Xem hồ sơ của đơn vị",
    "document.register": "Vào sổ, đóng dấu, phát hành văn bản",
    "document.view": "Xem văn bản đi, văn bản đến của đơn vị",
    "document.draft": "Soạn thảo văn bản",
    "document.review": "Xem xét, cho ý kiến dự thảo văn bản",
    "document.sign": "Duyệt, ký số văn bản",
    "document.assign": "Phân công xử lý văn bản đến",
    "document.handle": "Xử lý văn bản đến được giao",
    "evaluation.view": "Xem báo cáo, đánh giá, xếp hạng",
    "report.view": "Xem bảng điểm chỉ số và bảng điều hành của đơn vị",
    "indicator.manage": "Quản lý bộ chỉ số đánh giá",
    "catalogue.manage": "Quản lý danh mục thủ tục hành chính",
    "process.manage": "Quản lý quy trình nội bộ, bộ quy tắc",
    "form.manage": "Quản lý mẫu biểu",
    "signing.manage": "Quản lý khóa ký số của đơn vị",
    "notification.view": "Xem hộp thư đi (thông báo)",
}


@dataclass(frozen=True)
class Grant:
    permission: str
    path: str  # materialised path of the unit; the grant covers every path with this prefix


def grants(user) -> list[Grant]:
    """The user's grants today, read once per user object (one query)."""
    if user is None:
        return []  # the platform itself holds no positions (``has``/``scope`` allow it outright)
    cached = getattr(user, "_egov_grants", None)
    if cached is not None:
        return cached
    # Read through the app registry: access sits below people and organisations (docs/architecture.md).
    Position = apps.get_model("people", "Position")

    result: list[Grant] = []
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        positions = (
            Position.objects.active_on(timezone.localdate())
            .filter(user=user)
            .select_related("role", "unit")
            .only("role__permissions", "unit__path")
        )
        for position in positions:
            for perm in position.role.permissions:
                result.append(Grant(perm, position.unit.path))
    user._egov_grants = result
    return result


def organisation_of(obj: Any):
    """The organisation an object belongs to, for scoping."""
    Organisation = apps.get_model("organisations", "Organisation")

    if obj is None or isinstance(obj, Organisation):
        return obj
    getter = getattr(obj, "policy_organisation", None)
    if getter is None:
        raise TypeError(f"{type(obj).__name__} has no policy_organisation")
    return getter() if callable(getter) else getter


def _unknown(permission: str) -> None:
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}")


def has(user, permission: str, obj: Any = None) -> bool:
    """May ``user`` do ``permission`` on ``obj`` (or anywhere, if ``obj`` is None)?"""
    _unknown(permission)
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = organisation_of(obj)
    for grant in grants(user):
        if grant.permission == permission and (org is None or org.path.startswith(grant.path)):
            return True
    return False


def has_everywhere(user, permission: str) -> bool:
    """Does ``user`` hold ``permission`` over a whole tree (a position at a root unit)?

    For things that belong to no unit: the platform-wide audit trail, the roles themselves.
    """
    _unknown(permission)
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    Organisation = apps.get_model("organisations", "Organisation")

    return any(g.permission == permission and len(g.path) == Organisation.steplen for g in grants(user))


def require(user, permission: str, obj: Any = None) -> None:
    if not has(user, permission, obj):
        raise PermissionDenied(f"Bạn không có quyền: {PERMISSIONS[permission].lower()}.")


def scope(user, permission: str, queryset: QuerySet, *, path_field: str = "path") -> QuerySet:
    """Narrow ``queryset`` to the objects ``user`` may ``permission``, in SQL.

    ``path_field`` is the lookup to the owning organisation's materialised path, e.g. ``"path"``
    for organisations or ``"agency__path"`` for rows with an ``agency`` foreign key.
    """
    _unknown(permission)
    if user is None:
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    prefixes = sorted({g.path for g in grants(user) if g.permission == permission})
    # A prefix already covered by a shorter one adds nothing.
    minimal = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    if not minimal:
        return queryset.none()
    condition = Q()
    for prefix in minimal:
        condition |= Q(**{f"{path_field}__startswith": prefix})
    return queryset.filter(condition)
