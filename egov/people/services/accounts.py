"""Accounts: creating citizens' and businesses' accounts directly (demo, OpenID Connect), the back-office
edit of an account, passwords, profiles, sign-in records.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from egov.people import identifiers
from egov.people.models import CitizenProfile, User

__all__ = [
    "password_messages",
    "register_citizen",
    "update_account",
    "set_password",
    "link_oidc_subject",
    "record_login",
    "update_profile",
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
def link_oidc_subject(*, user: User, subject: str) -> None:
    """Remember the provider's ``sub`` on a citizen profile that has none yet."""
    linked = CitizenProfile.objects.filter(user=user, oidc_subject__isnull=True).update(oidc_subject=subject)
    if linked:
        audit.record(actor=user, action="person.link_oidc", target=user, after={"oidc_subject": subject})


def record_login(*, user: User, method: str) -> None:
    audit.record(actor=user, action="auth.login", target=user, after={"method": method})


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
