"""Registration on the portal and contact verification.

A citizen or business registers with its identity number (CCCD / mã số thuế, which is also the
username, so "đăng nhập bằng số định danh" works as on the national portal), a password and an
e-mail address or a mobile number. The account stays inactive until the 6-digit code sent to the
chosen address is entered. Settings (optional): EGOV_VERIFICATION_CODE_MINUTES (15),
EGOV_VERIFICATION_MAX_ATTEMPTS (5), EGOV_VERIFICATION_RESEND_SECONDS (60).
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from egov.access.credentials import hash_token
from egov.audit import services as audit
from egov.core.errors import FieldError, PermissionDenied, Throttled, ValidationFailed
from egov.notifications import services as notifications
from egov.notifications.recipients import InvalidRecipient, normalise_email, normalise_phone
from egov.people import identifiers
from egov.people.models import CitizenProfile, ContactVerification, User
from egov.people.services.accounts import _USER_AUDIT_FIELDS, password_messages

__all__ = [
    "VERIFICATION_KIND",
    "IDENTITY_TAKEN",
    "CCCD_REQUIRED",
    "VERIFICATION_GONE",
    "verification_code_ttl",
    "verification_max_attempts",
    "verification_resend_interval",
    "hash_verification_code",
    "PendingVerification",
    "mask_recipient",
    "register_account",
    "pending_verification",
    "verify_contact",
    "request_contact_change",
    "resend_verification_code",
    "resume_registration",
    "claim_unverified_registration",
]


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
