"""Writes for people: accounts, positions, citizen profiles, API tokens and TOTP devices."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, NotFound, PermissionDenied, Throttled, ValidationFailed
from egov.notifications import services as notifications
from egov.notifications.recipients import InvalidRecipient, normalise_email, normalise_phone
from egov.organisations.models import Organisation
from egov.people import identifiers, policy
from egov.people.models import ApiToken, CitizenProfile, ContactVerification, Position, Role, User

__all__ = [
    "create_officer",
    "assign_position",
    "end_position",
    "register_citizen",
    "register_account",
    "verify_contact",
    "resend_verification_code",
    "resume_registration",
    "pending_verification",
    "update_profile",
    "claim_unverified_registration",
    "request_contact_change",
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
            errors.extend(FieldError("password", message) for message in password_messages(exc))
    return errors


def password_messages(exc: DjangoValidationError) -> list[str]:
    """The password validators' messages; Django's Vietnamese catalogue lacks the (plural) length one."""
    result = []
    for error in exc.error_list:
        if error.code == "password_too_short":
            result.append(f"Mật khẩu quá ngắn: cần ít nhất {error.params['min_length']} ký tự.")
        else:
            result.extend(str(m) for m in error.messages)
    return result


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
        raise ValidationFailed([FieldError("password", m) for m in password_messages(exc)]) from exc
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


# --- Registration on the portal and contact verification ----------------------------------------------
#
# A citizen or business registers with its identity number (CCCD / mã số thuế, which is also the
# username, so "đăng nhập bằng số định danh" works as on the national portal), a password and an
# e-mail address or a mobile number. The account stays inactive until the 6-digit code sent to the
# chosen address is entered. Settings (optional): EGOV_VERIFICATION_CODE_MINUTES (15),
# EGOV_VERIFICATION_MAX_ATTEMPTS (5), EGOV_VERIFICATION_RESEND_SECONDS (60).

VERIFICATION_KIND = "account.verification_code"
_CODE = re.compile(r"[0-9]{6}")

IDENTITY_TAKEN = {
    User.Kind.CITIZEN: (
        "Số định danh cá nhân này đã được dùng để đăng ký tài khoản. Nếu đó là tài khoản của bạn, hãy đăng nhập; "
        "nếu bạn chưa từng đăng ký, vui lòng liên hệ Bộ phận Một cửa."
    ),
    User.Kind.BUSINESS: (
        "Mã số thuế này đã được dùng để đăng ký tài khoản. Nếu đó là tài khoản của doanh nghiệp, tổ chức bạn, "
        "hãy đăng nhập; nếu chưa từng đăng ký, vui lòng liên hệ Bộ phận Một cửa."
    ),
}
CCCD_REQUIRED = "Đăng ký tài khoản cần số định danh cá nhân (CCCD) 12 chữ số; CMND 9 chữ số không dùng được."
VERIFICATION_GONE = (
    "Yêu cầu xác minh không còn hiệu lực. Hãy đăng nhập bằng số định danh và mật khẩu đã đăng ký để nhận mã mới."
)


def verification_code_ttl() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "EGOV_VERIFICATION_CODE_MINUTES", 15)))


def verification_max_attempts() -> int:
    return int(getattr(settings, "EGOV_VERIFICATION_MAX_ATTEMPTS", 5))


def verification_resend_interval() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "EGOV_VERIFICATION_RESEND_SECONDS", 60)))


def hash_verification_code(verification: ContactVerification, code: str) -> str:
    """HMAC-SHA256 of the code, keyed with SECRET_KEY and the row's salt: a million possible codes
    are no secret once hashed without a key."""
    return salted_hmac(f"egov.people.verification:{verification.salt}", code, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class PendingVerification:
    """A verification waiting for its code. ``token`` is given to the client once (the page keeps it
    in the session, the API returns it); only its SHA-256 is stored."""

    token: str
    verification: ContactVerification


def mask_recipient(channel: str, recipient: str) -> str:
    """What the page may show of the address the code went to: ``n***@example.vn``, ``+84 9** *** 678``."""
    if channel == ContactVerification.Channel.EMAIL:
        local, _, domain = recipient.rpartition("@")
        return f"{local[:1]}***@{domain}"
    return f"+84 {recipient[3:4]}** *** {recipient[-3:]}"


def _new_code(verification: ContactVerification, now: datetime) -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    verification.code_hash = hash_verification_code(verification, code)
    verification.code_sent_at = now
    verification.expires_at = now + verification_code_ttl()
    verification.failed_attempts = 0
    return code


def _send_code(verification: ContactVerification, code: str) -> None:
    """Queue the code in the outbox, in the caller's transaction (sent after the commit)."""
    is_email = verification.channel == ContactVerification.Channel.EMAIL
    notifications.notify(
        kind=VERIFICATION_KIND,
        email=verification.recipient if is_email else None,
        phone=None if is_email else verification.recipient,
        context={
            "full_name": verification.user.get_full_name(),
            "code": code,
            "valid_minutes": int(verification_code_ttl().total_seconds() // 60),
        },
        reference=f"tai-khoan-{verification.user_id}",
        # The row's salt, not its id: ids of deleted rows (replaced requests) must never match an old message.
        idempotency_key=f"{VERIFICATION_KIND}:{verification.salt}:{verification.codes_sent}",
    )


def _unverified_registration(kind: str, number: str, *, lock: bool = False) -> User | None:
    """The account registered with ``number`` on the portal but never verified, once its last code has
    expired: it no longer holds the number, so a typo in the e-mail address, or someone registering a
    number not theirs, does not lock the real holder out. Accounts that were ever verified, or made
    another way (demo, OpenID Connect, back office: no registration verification), never qualify."""
    registration = ContactVerification.objects.filter(
        user=OuterRef("pk"), purpose=ContactVerification.Purpose.REGISTRATION
    )
    users = User.objects.filter(
        username=number,
        kind=kind,
        is_active=False,
        last_login__isnull=True,
    ).filter(
        Exists(registration.filter(verified_at__isnull=True, expires_at__lte=timezone.now())),
        ~Exists(registration.filter(verified_at__isnull=False)),
    )
    if lock:
        users = users.select_for_update()
    return users.first()


def _identity_taken(kind: str, number: str) -> bool:
    field = "tax_code" if kind == User.Kind.BUSINESS else "identity_number"
    return (
        CitizenProfile.objects.filter(**{field: number}).exists()
        or User.objects.filter(username__iexact=number).exists()
    )


def _registration_errors(
    *,
    kind: str,
    full_name: str,
    identity_number: str,
    email: str,
    phone: str,
    verify_by: str,
    password: str,
    password_confirmation: str,
    accepted_terms: bool,
) -> tuple[list[FieldError], dict[str, Any]]:
    errors: list[FieldError] = []
    clean: dict[str, Any] = {
        "replaces": None,
        "full_name": " ".join((full_name or "").split()),
        "number": "",
        "email": "",
        "phone": "",
        "channel": "",
    }
    is_business = kind == User.Kind.BUSINESS
    if kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        errors.append(FieldError("kind", "Vui lòng chọn loại tài khoản: công dân hoặc doanh nghiệp, tổ chức."))
    if not clean["full_name"]:
        what = "Tên doanh nghiệp, tổ chức" if is_business else "Họ và tên"
        errors.append(FieldError("full_name", f"{what} không được để trống."))
    elif len(clean["full_name"]) > 200:
        errors.append(FieldError("full_name", "Tên dài quá 200 ký tự."))
    raw_number = (identity_number or "").strip()
    if kind in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        if not raw_number:
            what = "mã số thuế" if is_business else "số định danh cá nhân (CCCD)"
            errors.append(FieldError("identity_number", f"Vui lòng nhập {what}."))
        else:
            try:
                number = (
                    identifiers.normalise_tax_code(raw_number)
                    if is_business
                    else identifiers.normalise_identity_number(raw_number)
                )
            except identifiers.InvalidIdentifier as exc:
                errors.append(FieldError("identity_number", str(exc)))
            else:
                if not is_business and len(number) != 12:
                    errors.append(FieldError("identity_number", CCCD_REQUIRED))
                elif (stale := _unverified_registration(kind, number)) is not None:
                    clean["number"], clean["replaces"] = number, stale
                elif _identity_taken(kind, number):
                    errors.append(FieldError("identity_number", IDENTITY_TAKEN[kind]))
                else:
                    clean["number"] = number
    email, phone = (email or "").strip(), (phone or "").strip()
    if email:
        try:
            clean["email"] = normalise_email(email)
        except InvalidRecipient as exc:
            errors.append(FieldError("email", str(exc)))
    if phone:
        try:
            clean["phone"] = normalise_phone(phone)
        except InvalidRecipient as exc:
            errors.append(FieldError("phone", str(exc)))
    if not email and not phone:
        errors.append(
            FieldError(
                "email", "Vui lòng nhập thư điện tử hoặc số điện thoại di động (ít nhất một) để nhận mã xác minh."
            )
        )
    channel = verify_by or ("email" if email else "sms" if phone else "")
    if channel not in ("", ContactVerification.Channel.EMAIL, ContactVerification.Channel.SMS):
        errors.append(FieldError("verify_by", "Kênh nhận mã phải là thư điện tử hoặc tin nhắn SMS."))
    elif channel == ContactVerification.Channel.EMAIL and not email and phone:
        errors.append(FieldError("email", "Bạn chọn nhận mã qua thư điện tử: vui lòng nhập địa chỉ thư điện tử."))
    elif channel == ContactVerification.Channel.SMS and not phone and email:
        errors.append(FieldError("phone", "Bạn chọn nhận mã qua tin nhắn SMS: vui lòng nhập số điện thoại di động."))
    clean["channel"] = channel
    if not password:
        errors.append(FieldError("password", "Vui lòng nhập mật khẩu."))
    else:
        try:
            candidate = User(
                username=clean["number"] or raw_number, email=clean["email"], first_name=clean["full_name"]
            )
            password_validation.validate_password(password, candidate)
        except DjangoValidationError as exc:
            errors.extend(FieldError("password", message) for message in password_messages(exc))
        if password != password_confirmation:
            errors.append(FieldError("password_confirmation", "Mật khẩu nhập lại không khớp."))
    if not accepted_terms:
        errors.append(FieldError("accepted_terms", "Bạn cần đồng ý với điều khoản sử dụng để đăng ký."))
    return errors, clean


@transaction.atomic
def register_account(
    *,
    kind: str,
    full_name: str,
    identity_number: str,
    password: str,
    password_confirmation: str,
    accepted_terms: bool,
    email: str = "",
    phone: str = "",
    verify_by: str = "",
) -> PendingVerification:
    """Register a citizen (CCCD 12 digits) or a business (tax code) on the portal.

    The account is created inactive, with its profile, and a verification code is queued to the chosen
    channel (``verify_by``: ``email`` or ``sms``; by default e-mail if given). All of it happens in one
    transaction: a refused or failed step leaves no account behind. The username is the identity number.
    An earlier registration of the same number that was never verified and whose code has expired is
    taken over (same account row, new details, password and code).
    """
    errors, clean = _registration_errors(
        kind=kind,
        full_name=full_name,
        identity_number=identity_number,
        email=email,
        phone=phone,
        verify_by=verify_by,
        password=password,
        password_confirmation=password_confirmation,
        accepted_terms=accepted_terms,
    )
    if errors:
        raise ValidationFailed(errors)
    number, is_business = clean["number"], kind == User.Kind.BUSINESS
    fields = {"kind": kind, "full_name": clean["full_name"], "email": clean["email"], "phone": clean["phone"]}
    before = None
    if clean["replaces"] is not None:
        user = _unverified_registration(kind, number, lock=True)
        if user is None:  # verified, or registered anew, since the check
            raise ValidationFailed.field("identity_number", IDENTITY_TAKEN[kind])
        before = audit.snapshot(user, _USER_AUDIT_FIELDS)
        for name, value in fields.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
        ContactVerification.objects.filter(user=user).delete()
        profile, _ = CitizenProfile.objects.get_or_create(user=user)
        profile.organisation_name = clean["full_name"] if is_business else ""
        profile.save(update_fields=["organisation_name"])
    else:
        try:
            with transaction.atomic():
                user = User(username=number, is_active=False, **fields)
                user.set_password(password)
                user.save()
                profile = CitizenProfile.objects.create(
                    user=user,
                    identity_number=None if is_business else number,
                    tax_code=number if is_business else None,
                    organisation_name=clean["full_name"] if is_business else "",
                )
        except IntegrityError as exc:
            # Another request registered the same number between the checks and the insert.
            raise ValidationFailed.field("identity_number", IDENTITY_TAKEN[kind]) from exc
    now = timezone.now()
    raw = secrets.token_urlsafe(32)
    channel = clean["channel"]
    verification = ContactVerification(
        user=user,
        purpose=ContactVerification.Purpose.REGISTRATION,
        channel=channel,
        recipient=clean["email"] if channel == ContactVerification.Channel.EMAIL else clean["phone"],
        token_hash=hash_token(raw),
        salt=secrets.token_hex(16),
        created_at=now,
        codes_sent=1,
    )
    code = _new_code(verification, now)
    verification.save()
    audit.record(
        actor=user,
        action="person.register",
        target=user,
        before=before,
        after=audit.snapshot(user, _USER_AUDIT_FIELDS)
        | {"profile": audit.snapshot(profile), "verify_by": channel, "replaces_unverified": before is not None},
    )
    _send_code(verification, code)
    return PendingVerification(token=raw, verification=verification)


def _verification_for_update(token: str, user: User | None = None) -> ContactVerification:
    verification = _pending(token, user).select_for_update().first()
    if verification is None:
        raise ValidationFailed.field("code", VERIFICATION_GONE)
    return verification


def _pending(token: str, user: User | None):
    """Unverified verifications named by ``token``: a registration's for anyone holding the token, a
    contact change's only for its own signed-in account."""
    rows = ContactVerification.objects.select_related("user").filter(
        token_hash=hash_token(token or ""), verified_at__isnull=True
    )
    if user is None or not user.is_authenticated:
        return rows.filter(purpose=ContactVerification.Purpose.REGISTRATION)
    return rows.filter(user=user)


def pending_verification(token: str, user: User | None = None) -> ContactVerification | None:
    """The unverified verification a token names, or None (for the page to show where the code went)."""
    if not token:
        return None
    return _pending(token, user).first()


def verify_contact(*, token: str, code: str, user: User | None = None) -> User:
    """Check the code; the right one activates the account (registration) or stores the new e-mail
    address or phone (contact change, only for ``user``, the signed-in account), and returns the account.

    A wrong code counts against the limit (``EGOV_VERIFICATION_MAX_ATTEMPTS``); past it, or past the
    code's 15 minutes, only a new code helps. The count is committed even though the call then raises,
    so this function must not run inside a transaction that the caller rolls back on error.
    """
    code = re.sub(r"\s+", "", code or "")
    if not code:
        raise ValidationFailed.field("code", "Vui lòng nhập mã xác minh.")
    if not _CODE.fullmatch(code):
        raise ValidationFailed.field("code", "Mã xác minh gồm 6 chữ số.")
    with transaction.atomic():
        verification = _verification_for_update(token, user)
        now, limit = timezone.now(), verification_max_attempts()
        if verification.failed_attempts >= limit:
            message = f"Bạn đã nhập sai mã {limit} lần. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
        elif now >= verification.expires_at:
            message = "Mã xác minh đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
        elif not constant_time_compare(hash_verification_code(verification, code), verification.code_hash):
            verification.failed_attempts += 1
            verification.save(update_fields=["failed_attempts"])
            left = limit - verification.failed_attempts
            message = (
                f"Mã xác minh không đúng. Bạn còn {left} lần thử."
                if left
                else f"Mã xác minh không đúng. Bạn đã nhập sai {limit} lần: vui lòng bấm “Gửi lại mã” để nhận mã mới."
            )
        elif verification.purpose == ContactVerification.Purpose.CONTACT_CHANGE:
            return _change_contact(verification, now)
        else:
            return _activate(verification, now)
    raise ValidationFailed.field("code", message)


def _activate(verification: ContactVerification, now: datetime) -> User:
    user = verification.user
    verification.verified_at = now
    verification.save(update_fields=["verified_at"])
    before = audit.snapshot(user, ["is_active"])
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=user,
        action="person.verify_contact",
        target=verification,
        before=before,
        after={"is_active": True, "channel": verification.channel},
    )
    return user


def _change_contact(verification: ContactVerification, now: datetime) -> User:
    user = User.objects.select_for_update().get(pk=verification.user_id)
    field = "email" if verification.channel == ContactVerification.Channel.EMAIL else "phone"
    before = audit.snapshot(user, [field])
    setattr(user, field, verification.recipient)
    user.save(update_fields=[field])
    verification.verified_at = now
    verification.save(update_fields=["verified_at"])
    audit.record(
        actor=user,
        action="person.change_contact",
        target=verification,
        before=before,
        after={field: verification.recipient},
    )
    return user


@transaction.atomic
def request_contact_change(*, by: User, channel: str, value: str) -> PendingVerification:
    """A citizen or business asks to change its e-mail address (``channel`` email) or mobile number
    (sms). A code goes to the new value; the account keeps the old one until the code is entered.
    A new request replaces a pending one, at most once per ``EGOV_VERIFICATION_RESEND_SECONDS``."""
    if by is None or not by.is_authenticated or by.kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        raise PermissionDenied("Chỉ công dân, doanh nghiệp tự đổi được thư điện tử, số điện thoại của mình.")
    user = User.objects.select_for_update().get(pk=by.pk)
    if channel not in (ContactVerification.Channel.EMAIL, ContactVerification.Channel.SMS):
        raise ValidationFailed.field("channel", "Vui lòng chọn đổi thư điện tử hoặc số điện thoại.")
    is_email = channel == ContactVerification.Channel.EMAIL
    try:
        new_value = normalise_email(value) if is_email else normalise_phone(value)
    except InvalidRecipient as exc:
        raise ValidationFailed.field("new_contact", str(exc)) from exc
    if new_value == (user.email if is_email else user.phone):
        raise ValidationFailed.field("new_contact", "Giá trị mới trùng với giá trị đang dùng.")
    now = timezone.now()
    pending = ContactVerification.objects.filter(
        user=user, purpose=ContactVerification.Purpose.CONTACT_CHANGE, verified_at__isnull=True
    )
    last = pending.order_by("-code_sent_at").first()
    if last is not None:
        wait = (last.code_sent_at + verification_resend_interval() - now).total_seconds()
        if wait > 0:
            raise Throttled(f"Mã vừa được gửi. Vui lòng đợi {math.ceil(wait)} giây trước khi yêu cầu mã mới.")
    pending.delete()
    raw = secrets.token_urlsafe(32)
    verification = ContactVerification(
        user=user,
        purpose=ContactVerification.Purpose.CONTACT_CHANGE,
        channel=channel,
        recipient=new_value,
        token_hash=hash_token(raw),
        salt=secrets.token_hex(16),
        created_at=now,
        codes_sent=1,
    )
    code = _new_code(verification, now)
    verification.save()
    audit.record(actor=user, action="person.request_contact_change", target=verification, after={"channel": channel})
    _send_code(verification, code)
    return PendingVerification(token=raw, verification=verification)


@transaction.atomic
def resend_verification_code(*, token: str, user: User | None = None) -> ContactVerification:
    """A new code (the old one stops working), at most once per ``EGOV_VERIFICATION_RESEND_SECONDS``."""
    verification = _verification_for_update(token, user)
    now = timezone.now()
    wait = (verification.code_sent_at + verification_resend_interval() - now).total_seconds()
    if wait > 0:
        raise Throttled(f"Mã vừa được gửi. Vui lòng đợi {math.ceil(wait)} giây trước khi yêu cầu mã mới.")
    code = _new_code(verification, now)
    verification.codes_sent += 1
    verification.save(update_fields=["code_hash", "code_sent_at", "expires_at", "failed_attempts", "codes_sent"])
    audit.record(
        actor=verification.user,
        action="person.resend_verification_code",
        target=verification,
        after={"codes_sent": verification.codes_sent},
    )
    _send_code(verification, code)
    return verification


@transaction.atomic
def resume_registration(*, username: str, password: str) -> PendingVerification | None:
    """An account registered but never verified, signing in with its password: a new token for the
    same verification (its code and counters unchanged), so the verification page can continue.
    None for anything else, so this says nothing the password does not already prove."""
    user = User.objects.filter(username=(username or "").strip(), is_active=False).first()
    if user is None or not password or not user.check_password(password):
        return None
    verification = (
        ContactVerification.objects.select_for_update()
        .filter(user=user, purpose=ContactVerification.Purpose.REGISTRATION, verified_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if verification is None:
        return None
    raw = secrets.token_urlsafe(32)
    verification.token_hash = hash_token(raw)
    verification.save(update_fields=["token_hash"])
    return PendingVerification(token=raw, verification=verification)


@transaction.atomic
def update_profile(
    *, by: User, user: User, full_name: str, date_of_birth: date | None = None, address: str = ""
) -> CitizenProfile:
    """A citizen or business edits its own name, date of birth (citizens) and address.

    The identity number, e-mail and phone are not changed here: the number is fixed at registration
    and a new address or phone would need its own verification (not built yet).
    """
    if by is None or by.pk != user.pk or user.kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        raise PermissionDenied("Chỉ công dân, doanh nghiệp tự sửa được hồ sơ của mình.")
    errors: list[FieldError] = []
    full_name = " ".join((full_name or "").split())
    address = " ".join((address or "").split())
    is_business = user.kind == User.Kind.BUSINESS
    if not full_name:
        what = "Tên doanh nghiệp, tổ chức" if is_business else "Họ và tên"
        errors.append(FieldError("full_name", f"{what} không được để trống."))
    elif len(full_name) > 200:
        errors.append(FieldError("full_name", "Tên dài quá 200 ký tự."))
    if len(address) > 300:
        errors.append(FieldError("address", "Địa chỉ dài quá 300 ký tự."))
    if date_of_birth is not None:
        if is_business:
            errors.append(FieldError("date_of_birth", "Tài khoản doanh nghiệp, tổ chức không có ngày sinh."))
        elif date_of_birth > timezone.localdate():
            errors.append(FieldError("date_of_birth", "Ngày sinh không được ở tương lai."))
        elif date_of_birth.year < 1900:
            errors.append(FieldError("date_of_birth", "Ngày sinh không hợp lệ."))
    if errors:
        raise ValidationFailed(errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    profile, _ = CitizenProfile.objects.select_for_update().get_or_create(user=user)
    profile_fields = ["organisation_name", "date_of_birth", "address"]
    before = {"full_name": user.full_name, **audit.snapshot(profile, profile_fields)}
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    profile.date_of_birth = date_of_birth
    profile.address = address
    if is_business:
        profile.organisation_name = full_name
    profile.save(update_fields=profile_fields)
    audit.record(
        actor=by,
        action="person.update_profile",
        target=user,
        before=before,
        after={"full_name": user.full_name, **audit.snapshot(profile, profile_fields)},
    )
    return profile


@transaction.atomic
def set_notification_channels(*, by: User, user: User, channels: list[str]) -> CitizenProfile:
    """A citizen or business chooses how to hear about their dossiers: e-mail, SMS, Zalo.

    At least one channel; SMS and Zalo need a phone number on the account, e-mail an address;
    Zalo only where this installation sends it (a ZNS template is configured).
    """
    if by is None or by.pk != user.pk or user.kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        raise PermissionDenied("Chỉ công dân, doanh nghiệp tự chọn được kênh nhận thông báo của mình.")
    available = notifications.available_channels()
    chosen = set(channels)
    errors: list[FieldError] = []
    unknown = sorted(chosen - set(available))
    if unknown:
        errors.append(FieldError("channels", f"Kênh nhận thông báo không hợp lệ: {', '.join(unknown)}."))
    elif not chosen:
        errors.append(FieldError("channels", "Chọn ít nhất một kênh nhận thông báo."))
    else:
        if "email" in chosen and not user.email:
            errors.append(FieldError("channels", "Tài khoản chưa có thư điện tử để nhận thông báo qua thư."))
        if chosen & {"sms", "zalo"} and not user.phone:
            errors.append(
                FieldError("channels", "Tài khoản chưa có số điện thoại để nhận thông báo qua SMS hoặc Zalo.")
            )
    if errors:
        raise ValidationFailed(errors)
    profile, _ = CitizenProfile.objects.select_for_update().get_or_create(user=user)
    fields = ["notify_by_email", "notify_by_sms", "notify_by_zalo"]
    before = audit.snapshot(profile, fields)
    profile.notify_by_email = "email" in chosen
    profile.notify_by_sms = "sms" in chosen
    profile.notify_by_zalo = "zalo" in chosen
    profile.save(update_fields=fields)
    audit.record(
        actor=by,
        action="person.set_notification_channels",
        target=user,
        before=before,
        after=audit.snapshot(profile, fields),
    )
    return profile


@transaction.atomic
def claim_unverified_registration(*, user: User) -> User | None:
    """The holder of the identity number, proven by the OpenID Connect provider, signs in to an account
    registered on the portal but never verified: the account becomes theirs. Its password and contacts
    were set by whoever registered, who may not be them, so the password is made unusable and the
    unverified e-mail address and phone are cleared. Returns the claimed account, or None."""
    registration = ContactVerification.objects.filter(
        user=OuterRef("pk"), purpose=ContactVerification.Purpose.REGISTRATION
    )
    user = (
        User.objects.select_for_update()
        .filter(pk=user.pk, is_active=False, last_login__isnull=True)
        .filter(
            Exists(registration.filter(verified_at__isnull=True)),
            ~Exists(registration.filter(verified_at__isnull=False)),
        )
        .first()
    )
    if user is None:
        return None
    before = audit.snapshot(user, _USER_AUDIT_FIELDS)
    user.set_unusable_password()
    user.email, user.phone, user.is_active = "", "", True
    user.save(update_fields=["password", "email", "phone", "is_active"])
    ContactVerification.objects.filter(user=user).delete()
    audit.record(
        actor=user,
        action="person.claim_by_oidc",
        target=user,
        before=before,
        after=audit.snapshot(user, _USER_AUDIT_FIELDS),
    )
    return user
