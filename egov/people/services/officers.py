"""Officers: creating officer accounts, their positions in units, and the roles those positions give."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.organisations.models import Organisation
from egov.people.models import Position, Role, User
from egov.people.services.accounts import _USER_AUDIT_FIELDS, _account_errors, _create_user

__all__ = ["create_officer", "assign_position", "end_position", "update_role"]


def _current(unit: Organisation) -> Organisation:
    """The unit as stored now. treebeard renumbers sorted siblings, so a copy read earlier may carry
    the path another unit has today, and the policy decides on paths."""
    return Organisation.objects.get(pk=unit.pk)


@transaction.atomic
def create_officer(
    *,
    by,
    username: str,
    full_name: str,
    password: str | None,
    unit: Organisation,
    role_code: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
) -> User:
    unit = _current(unit)
    policy.require(by, "person.manage", unit)
    errors = _account_errors(username=username, password=password, email=email, full_name=full_name)
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        errors.append(FieldError("role", f"Vai trò '{role_code}' không tồn tại."))
    if is_superuser and by is not None and not by.is_superuser:
        errors.append(
            FieldError("is_superuser", "Chỉ quản trị cấp cao nhất mới tạo được tài khoản quản trị cấp cao nhất.")
        )
    if errors:
        raise ValidationFailed(errors)
    user = _create_user(
        username=username,
        password=password,
        kind=User.Kind.OFFICER,
        full_name=full_name.strip(),
        email=email,
        phone=phone,
        # Back-office (Django admin) access follows the role; admin pages still ask the policy.
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    audit.record(actor=by, action="person.create_officer", target=user, after=audit.snapshot(user, _USER_AUDIT_FIELDS))
    assign_position(by=by, user=user, unit=unit, role_code=role_code, title=title)
    return user


@transaction.atomic
def assign_position(
    *, by, user: User, unit: Organisation, role_code: str, title: str = "", valid_from: date | None = None
) -> Position:
    unit = _current(unit)
    policy.require(by, "person.manage", unit)
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise ValidationFailed.field("role", f"Vai trò '{role_code}' không tồn tại.")
    if user.kind != User.Kind.OFFICER:
        raise ValidationFailed.field("user", "Chỉ giao vị trí công tác cho tài khoản cán bộ.")
    if not unit.is_active_on(valid_from or timezone.localdate()):
        raise ValidationFailed.field("unit", f"{unit.name} không còn hiệu lực.")
    position, created = Position.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"title": title, "valid_from": valid_from}
    )
    if not created:
        raise Conflict(f"{user} đã có vai trò {role.name} tại {unit.name}.")
    audit.record(actor=by, action="person.assign_position", target=position, after=audit.snapshot(position))
    return position


@transaction.atomic
def end_position(*, by, position: Position, on: date) -> Position:
    position = Position.objects.select_for_update().select_related("unit").get(pk=position.pk)
    policy.require(by, "person.manage", position.unit)
    before = audit.snapshot(position, ["valid_to"])
    position.valid_to = on
    position.save(update_fields=["valid_to"])
    audit.record(actor=by, action="person.end_position", target=position, before=before, after={"valid_to": on})
    return position


@transaction.atomic
def update_role(*, by, role: Role, name: str, permissions: list[str]) -> Role:
    """Roles apply everywhere, so only a platform-wide ``person.manage`` may change them."""
    if not policy.has_everywhere(by, "person.manage"):
        raise PermissionDenied("Chỉ quản trị toàn hệ thống mới sửa được vai trò.")
    unknown = sorted(set(permissions) - set(policy.PERMISSIONS))
    if unknown:
        raise ValidationFailed.field("permissions", f"Quyền không tồn tại: {', '.join(unknown)}.")
    if not (name or "").strip():
        raise ValidationFailed.field("name", "Tên vai trò không được để trống.")
    role = Role.objects.select_for_update().get(pk=role.pk)
    before = audit.snapshot(role, ["name", "permissions"])
    role.name, role.permissions = name.strip(), sorted(set(permissions))
    role.save(update_fields=["name", "permissions"])
    audit.record(
        actor=by,
        action="person.update_role",
        target=role,
        before=before,
        after=audit.snapshot(role, ["name", "permissions"]),
    )
    return role
