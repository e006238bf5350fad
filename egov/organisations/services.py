"""Every change to the organisation tree goes through here: validated, authorised, atomic, audited."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from egov.access import policy
from egov.audit import services as audit
from egov.core.errors import Conflict, FieldError, ValidationFailed
from egov.organisations import codes
from egov.organisations.models import Kind, Organisation, Succession

__all__ = ["create_organisation", "update_organisation", "merge_organisations", "dissolve_organisation"]

_EDITABLE = (
    "name",
    "short_name",
    "abbreviation",
    "code",
    "legacy_code",
    "valid_from",
    "valid_to",
    "address",
    "phone",
    "email",
)


def _validate(
    *,
    name: str,
    kind: str,
    code: str | None,
    legacy_code: str | None,
    valid_from,
    valid_to,
    email: str = "",
    exclude_pk=None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (name or "").strip():
        errors.append(FieldError("name", "Tên đơn vị không được để trống."))
    if kind not in Kind.values:
        errors.append(FieldError("kind", f"Loại đơn vị '{kind}' không hợp lệ."))
    if not code and not legacy_code:
        errors.append(FieldError("code", "Cần ít nhất một mã định danh (QĐ 20/2020 hoặc QCVN 102:2016)."))
    if code:
        try:
            codes.validate_new_code(code)
        except codes.InvalidAgencyCode as exc:
            errors.append(FieldError("code", str(exc)))
        else:
            if Organisation.objects.filter(code=code).exclude(pk=exclude_pk).exists():
                errors.append(FieldError("code", f"Mã định danh {code} đã được dùng cho đơn vị khác."))
    if legacy_code:
        try:
            codes.validate_legacy_code(legacy_code)
        except codes.InvalidAgencyCode as exc:
            errors.append(FieldError("legacy_code", str(exc)))
        else:
            if Organisation.objects.filter(legacy_code=legacy_code).exclude(pk=exclude_pk).exists():
                errors.append(FieldError("legacy_code", f"Mã định danh {legacy_code} đã được dùng cho đơn vị khác."))
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(FieldError("valid_to", "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    if email:
        # The admin form checked this itself; the API did not, and stored anything.
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(FieldError("email", "Địa chỉ thư điện tử không hợp lệ."))
    return errors


def _check_effective_on(effective_on: date) -> None:
    # Units end the day before; there is no day before 1/1/0001 (OverflowError, a 500).
    if effective_on <= date.min:
        raise ValidationFailed.field("effective_on", "Ngày hiệu lực không hợp lệ.")


@transaction.atomic
def create_organisation(
    *,
    by,
    parent: Organisation | None,
    name: str,
    kind: str,
    code: str | None = None,
    legacy_code: str | None = None,
    short_name: str = "",
    abbreviation: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
) -> Organisation:
    if parent is None:
        # Roots (a province or a central body) are created by the platform itself, not by users.
        if by is not None and not by.is_superuser:
            policy.require(by, "organisation.manage", None)
            raise ValidationFailed.field("parent", "Cần chọn đơn vị cấp trên.")
    else:
        # Decide on the parent's current path: treebeard renumbers sorted siblings, so a copy read
        # earlier may carry another unit's path, and the policy compares paths.
        parent.refresh_from_db(fields=["path", "depth", "numchild"])
        policy.require(by, "organisation.manage", parent)
    code, legacy_code = (code or None), (legacy_code or None)
    errors = _validate(
        name=name,
        kind=kind,
        code=code,
        legacy_code=legacy_code,
        valid_from=valid_from,
        valid_to=valid_to,
        email=email,
    )
    if kind in (Kind.DIVISION, Kind.ONE_STOP) and parent is None:
        errors.append(FieldError("parent", "Phòng, bộ phận phải thuộc một cơ quan."))
    if errors:
        raise ValidationFailed(errors)
    fields = dict(
        name=name.strip(),
        short_name=short_name.strip(),
        abbreviation=abbreviation.strip(),
        kind=kind,
        code=code,
        legacy_code=legacy_code,
        valid_from=valid_from,
        valid_to=valid_to,
        address=address,
        phone=phone,
        email=email,
    )
    try:
        with transaction.atomic():
            org = (
                Organisation.objects.add_root(create_kwargs=fields)
                if parent is None
                else Organisation.objects.add_child(parent, create_kwargs=fields)
            )
    except IntegrityError as exc:  # a concurrent insert took the code between check and write
        raise Conflict("Mã định danh vừa được dùng cho đơn vị khác.") from exc
    audit.record(actor=by, action="organisation.create", target=org, after=audit.snapshot(org))
    return org


@transaction.atomic
def update_organisation(*, by, organisation: Organisation, **changes) -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    policy.require(by, "organisation.manage", org)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValidationFailed([FieldError(name, "Trường này không sửa được.") for name in sorted(unknown)])
    before = audit.snapshot(org)
    for name, value in changes.items():
        setattr(org, name, value or None if name in ("code", "legacy_code") else value)
    errors = _validate(
        name=org.name,
        kind=org.kind,
        code=org.code,
        legacy_code=org.legacy_code,
        valid_from=org.valid_from,
        valid_to=org.valid_to,
        email=org.email,
        exclude_pk=org.pk,
    )
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:  # as in create_organisation: a concurrent write took the code
        raise Conflict("Mã định danh vừa được dùng cho đơn vị khác.") from exc
    audit.record(actor=by, action="organisation.update", target=org, before=before, after=audit.snapshot(org))
    return org


def _end(org: Organisation, *, effective_on: date) -> dict:
    """End ``org`` the day before ``effective_on``; returns the before-snapshot."""
    before = audit.snapshot(org, ["valid_to"])
    org.valid_to = effective_on - timedelta(days=1)
    org.save(update_fields=["valid_to"])
    return before


def _move_active_children(org: Organisation, *, to: Organisation, on: date) -> list[int]:
    moved = []
    org.refresh_from_db(fields=["path", "depth", "numchild"])  # an earlier move may have shifted it
    for child in list(Organisation.objects.children_of(org).active_on(on)):
        child.refresh_from_db()  # earlier moves rewrite paths
        Organisation.objects.move(child, to, pos="last-child")
        moved.append(child.pk)
    return moved


@transaction.atomic
def merge_organisations(
    *,
    by,
    sources: list[Organisation],
    successor: Organisation,
    effective_on: date,
    move_children: bool = True,
    legal_basis: str = "",
) -> Organisation:
    """``sources`` end the day before ``effective_on``; ``successor`` takes over from that day.

    Records filed with a source keep pointing at it; its active sub-units (divisions, one-stop unit)
    move under the successor when ``move_children`` is set.
    """
    if len(sources) < 1:
        raise ValidationFailed.field("sources", "Cần ít nhất một đơn vị được hợp nhất.")
    locked = list(Organisation.objects.select_for_update().filter(pk__in=[s.pk for s in sources]).order_by("pk"))
    successor = Organisation.objects.select_for_update().get(pk=successor.pk)
    for org in [*locked, successor]:
        policy.require(by, "organisation.manage", org)
    _check_effective_on(effective_on)
    errors = []
    if successor.pk in {s.pk for s in locked}:
        errors.append(FieldError("successor", "Đơn vị kế thừa không được là một trong các đơn vị bị hợp nhất."))
    for org in locked:
        if not org.is_active_on(effective_on - timedelta(days=1)):
            errors.append(FieldError("sources", f"{org.name} không còn hiệu lực trước ngày {effective_on:%d/%m/%Y}."))
    if not successor.is_active_on(effective_on):
        errors.append(FieldError("successor", f"{successor.name} chưa có hiệu lực vào ngày {effective_on:%d/%m/%Y}."))
    for org in locked:
        if move_children and org.pk != successor.pk and successor.path.startswith(org.path):
            errors.append(
                FieldError("successor", f"Đơn vị kế thừa trực thuộc {org.name}: không thể chuyển đơn vị vào chính nó.")
            )
    if errors:
        raise ValidationFailed(errors)
    # End every source first, so a source under another source is not moved as an active sub-unit.
    before = {org.pk: _end(org, effective_on=effective_on) for org in locked}
    for org in locked:
        Succession.objects.get_or_create(
            predecessor=org,
            successor=successor,
            defaults={"reason": Succession.Reason.MERGER, "effective_on": effective_on, "legal_basis": legal_basis},
        )
        moved = _move_active_children(org, to=successor, on=effective_on) if move_children else []
        audit.record(
            actor=by,
            action="organisation.merge",
            target=org,
            before=before[org.pk],
            after={"valid_to": org.valid_to, "successor": successor.pk, "moved_children": moved},
        )
    return successor


@transaction.atomic
def dissolve_organisation(
    *,
    by,
    organisation: Organisation,
    effective_on: date,
    successor: Organisation | None = None,
    move_children_to: Organisation | None = None,
    legal_basis: str = "",
) -> Organisation:
    """End ``organisation``; its active children move to ``move_children_to`` if given
    (e.g. communes of a dissolved district move under the province on 1/7/2025)."""
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    policy.require(by, "organisation.manage", org)
    _check_effective_on(effective_on)
    if successor is not None:
        # As in merge_organisations: naming a successor writes to its history, so it must be the
        # officer's to manage, be another unit, and exist on the day it takes over.
        successor = Organisation.objects.get(pk=successor.pk)
        policy.require(by, "organisation.manage", successor)
        if successor.pk == org.pk:
            raise ValidationFailed.field("successor", "Đơn vị kế thừa không được là chính đơn vị bị giải thể.")
        if not successor.is_active_on(effective_on):
            raise ValidationFailed.field(
                "successor", f"{successor.name} không có hiệu lực vào ngày {effective_on:%d/%m/%Y}."
            )
    if move_children_to is not None:
        move_children_to.refresh_from_db(fields=["path", "depth", "numchild", "valid_from", "valid_to"])
        policy.require(by, "organisation.manage", move_children_to)  # on its current path, see create
        if move_children_to.path.startswith(org.path):
            raise ValidationFailed.field("move_children_to", "Không thể chuyển đơn vị trực thuộc vào chính nó.")
        if not move_children_to.is_active_on(effective_on):
            raise ValidationFailed.field(
                "move_children_to", f"{move_children_to.name} không có hiệu lực vào ngày {effective_on:%d/%m/%Y}."
            )
    if not org.is_active_on(effective_on - timedelta(days=1)):
        raise ValidationFailed.field("effective_on", f"{org.name} đã hết hiệu lực trước ngày này.")
    before = _end(org, effective_on=effective_on)
    Succession.objects.get_or_create(
        predecessor=org,
        successor=successor,
        defaults={"reason": Succession.Reason.DISSOLUTION, "effective_on": effective_on, "legal_basis": legal_basis},
    )
    moved = _move_active_children(org, to=move_children_to, on=effective_on) if move_children_to else []
    audit.record(
        actor=by,
        action="organisation.dissolve",
        target=org,
        before=before,
        after={"valid_to": org.valid_to, "successor": successor.pk if successor else None, "moved_children": moved},
    )
    return org
