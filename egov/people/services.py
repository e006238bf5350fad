"""Writes for people: accounts, positions, citizen profiles, API tokens and TOTP devices."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from egov.organisations.models import Organisation
from egov.people import identifiers, policy
from egov.people.models import ApiToken, CitizenProfile, Position, Role, User

__all__ = [
    "create_officer",
    "assign_position",
    "end_position",
    "register_citizen",
    "update_account",
    "set_password",
    "update_role",
    "issue_api_token",
    "revoke_api_token",
    "hash_token",
    "start_totp_enrollment",
    "confirm_totp_enrollment",
    "totp_required",
]

_USER_AUDIT_FIELDS = ["username", "kind", "full_name", "email", "phone", "is_active", "is_staff", "is_superuser"]


def _account_errors(*, username: str, password: str | None, email: str, full_name: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (username or "").strip():
        errors.append(FieldError("username", "Tên đăng nhập không được để trống."))
    elif User.objects.filter(username__iexact=username.strip()).exists():
        errors.append(FieldError("username", f"Tên đăng nhập '{username}' đã tồn tại."))
    if not (full_name or "").strip():
        errors.append(FieldError("full_name", "Họ và tên không được để trống."))
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(FieldError("email", "Địa chỉ thư điện tử không hợp lệ."))
    if password is not None:
        try:
            password_validation.validate_password(password, User(username=username, email=email))
        except DjangoValidationError as exc:
            errors.extend(FieldError("password", str(message)) for message in exc.messages)
    return errors


def _create_user(*, username: str, password: str | None, **fields) -> User:
    try:
        with transaction.atomic():
            user = User(username=username.strip(), **fields)
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
    except IntegrityError as exc:
        raise Conflict(f"Tên đăng nhập '{username}' vừa được tạo bởi yêu cầu khác.") from exc
    return user


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
def register_citizen(
    *,
    username: str,
    full_name: str,
    password: str | None,
    kind: str = User.Kind.CITIZEN,
    identity_number: str = "",
    tax_code: str = "",
    organisation_name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    date_of_birth: date | None = None,
    oidc_subject: str | None = None,
) -> User:
    """A citizen needs a personal identification number; a business needs a tax code."""
    errors = _account_errors(username=username, password=password, email=email, full_name=full_name)
    if kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        errors.append(FieldError("kind", "Loại tài khoản phải là công dân hoặc doanh nghiệp."))
    norm_id = norm_tax = None
    if identity_number or kind == User.Kind.CITIZEN:
        try:
            norm_id = identifiers.normalise_identity_number(identity_number)
        except identifiers.InvalidIdentifier as exc:
            errors.append(FieldError("identity_number", str(exc)))
        else:
            if CitizenProfile.objects.filter(identity_number=norm_id).exists():
                errors.append(FieldError("identity_number", "Số định danh này đã được đăng ký cho tài khoản khác."))
    if tax_code or kind == User.Kind.BUSINESS:
        try:
            norm_tax = identifiers.normalise_tax_code(tax_code)
        except identifiers.InvalidIdentifier as exc:
            errors.append(FieldError("tax_code", str(exc)))
        else:
            if CitizenProfile.objects.filter(tax_code=norm_tax).exists():
                errors.append(FieldError("tax_code", "Mã số thuế này đã được đăng ký cho tài khoản khác."))
    if kind == User.Kind.BUSINESS and not organisation_name.strip():
        errors.append(FieldError("organisation_name", "Tên doanh nghiệp, tổ chức không được để trống."))
    if date_of_birth and date_of_birth > timezone.localdate():
        errors.append(FieldError("date_of_birth", "Ngày sinh không được ở tương lai."))
    if errors:
        raise ValidationFailed(errors)
    user = _create_user(
        username=username, password=password, kind=kind, full_name=full_name.strip(), email=email, phone=phone
    )
    try:
        with transaction.atomic():
            profile = CitizenProfile.objects.create(
                user=user,
                identity_number=norm_id,
                tax_code=norm_tax,
                organisation_name=organisation_name.strip(),
                address=address,
                date_of_birth=date_of_birth,
                oidc_subject=oidc_subject,
            )
    except IntegrityError as exc:
        # Another request registered the same number between the check above and this insert.
        raise Conflict("Số định danh hoặc mã số thuế vừa được đăng ký bởi yêu cầu khác.") from exc
    audit.record(
        actor=user,
        action="person.register_citizen",
        target=user,
        after=audit.snapshot(user, _USER_AUDIT_FIELDS) | {"profile": audit.snapshot(profile)},
    )
    return user


# --- API tokens -----------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: ApiToken


@transaction.atomic
def issue_api_token(*, user: User) -> IssuedToken:
    """A new random bearer token; only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, token_hash=hash_token(raw), prefix=raw[:8], expires_at=timezone.now() + settings.EGOV_API_TOKEN_TTL
    )
    audit.record(
        actor=user,
        action="auth.issue_token",
        target=token,
        target_repr=f"token {token.prefix}…",
        after={"expires_at": token.expires_at},
    )
    return IssuedToken(raw=raw, token=token)


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk and not by.is_superuser:
        raise NotFound("Không tìm thấy mã truy cập.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by,
            action="auth.revoke_token",
            target=token,
            target_repr=f"token {token.prefix}…",
            after={"revoked_at": token.revoked_at},
        )
    return token


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for ``raw``, or None if unknown, expired or revoked."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60):
        # Touch at most once a minute so busy clients do not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- TOTP second factor -----------------------------------------------------------------------------


def totp_required(user: User) -> bool:
    """Officers with a confirmed device always need a code; so do roles the settings require it for."""
    if user.kind != User.Kind.OFFICER:
        return False
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return True
    required = set(settings.EGOV_TOTP_REQUIRED_ROLES)
    if not required:
        return False
    if user.is_superuser and "administrator" in required:
        return True
    return Position.objects.active_on(timezone.localdate()).filter(user=user, role__code__in=required).exists()


def verify_totp(user: User, code: str) -> TOTPDevice | None:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def start_totp_enrollment(*, user: User) -> TOTPDevice:
    """An unconfirmed device (reused if one is pending) whose secret the user scans."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrollment(*, user: User, code: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise NotFound("Chưa bắt đầu đăng ký thiết bị xác thực.")
    if not device.verify_token((code or "").strip()):
        raise ValidationFailed.field("otp_token", "Mã xác thực không đúng hoặc đã hết hạn.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=user, action="auth.enroll_totp", target=device, target_repr=f"TOTP {user.username}")
    return device


@transaction.atomic
def update_account(*, by, user: User, changes: dict) -> User:
    """Back-office edit of an account's own fields (not its positions); superusers only."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied("Chỉ quản trị cấp cao nhất mới sửa được tài khoản.")
    allowed = {"full_name", "email", "phone", "is_active", "is_superuser", "kind"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed([FieldError(name, "Trường này không sửa được ở đây.") for name in sorted(unknown)])
    errors: list[FieldError] = []
    if changes.get("email"):
        try:
            validate_email(changes["email"])
        except DjangoValidationError:
            errors.append(FieldError("email", "Địa chỉ thư điện tử không hợp lệ."))
    # As create_officer / register_citizen do: a caller without a form (a command, an API) checks nothing else.
    if "full_name" in changes and not (changes["full_name"] or "").strip():
        errors.append(FieldError("full_name", "Họ và tên không được để trống."))
    if "kind" in changes and changes["kind"] not in User.Kind.values:
        errors.append(FieldError("kind", f"Loại tài khoản '{changes['kind']}' không hợp lệ."))
    if errors:
        raise ValidationFailed(errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user, _USER_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(user, name, value)
    user.save(update_fields=list(changes) or None)
    audit.record(
        actor=by,
        action="person.update_account",
        target=user,
        before=before,
        after=audit.snapshot(user, _USER_AUDIT_FIELDS),
    )
    return user


@transaction.atomic
def set_password(*, by, user: User, password: str) -> None:
    if by is not None and by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied("Chỉ quản trị cấp cao nhất mới đặt lại được mật khẩu của người khác.")
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed([FieldError("password", str(m)) for m in exc.messages]) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=by, action="person.set_password", target=user)


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


@transaction.atomic
def link_oidc_subject(*, user: User, subject: str) -> None:
    """Remember the provider's ``sub`` on a citizen profile that has none yet."""
    linked = CitizenProfile.objects.filter(user=user, oidc_subject__isnull=True).update(oidc_subject=subject)
    if linked:
        audit.record(actor=user, action="person.link_oidc", target=user, after={"oidc_subject": subject})


def record_login(*, user: User, method: str) -> None:
    audit.record(actor=user, action="auth.login", target=user, after={"method": method})
