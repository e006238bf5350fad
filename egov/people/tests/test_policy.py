"""The permission policy as a matrix: role × own unit / subtree / parent / other agency × operation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from egov.access import policy
from egov.calendar.models import CalendarDay, WorkCalendar
from egov.core.errors import PermissionDenied
from egov.organisations.models import Organisation
from egov.people import services
from egov.people.models import Position, User
from egov.people.tests.conftest import PASSWORD, plus

# What each default role grants (migrations people/0002 and 0003), written out so a change there is noticed.
ROLE_PERMISSIONS = {
    "receiving_officer": {"dossier.receive", "dossier.view", "organisation.view"},
    "specialist": {"dossier.process", "dossier.view", "organisation.view"}
    # migration people/0006
    | {"document.view", "document.draft", "document.handle"},
    "unit_head": {"dossier.process", "dossier.approve", "dossier.view", "organisation.view", "person.view"}
    | {"document.view", "document.draft", "document.review", "document.assign", "document.handle"},
    "agency_leader": {"dossier.approve", "dossier.view", "organisation.view", "person.view", "evaluation.view"}
    | {"document.view", "document.review", "document.sign", "document.assign"},
    "clerk": {"document.register", "organisation.view", "document.view"},
    "administrator": {
        "organisation.view",
        "organisation.manage",
        "person.view",
        "person.manage",
        "calendar.manage",
        "audit.view",
        "dossier.view",
        "evaluation.view",
        # migration people/0003
        "catalogue.manage",
        "process.manage",
        "form.manage",
        "signing.manage",
        "notification.view",
    },
    "evaluator": {"evaluation.view", "organisation.view", "dossier.view"},
}
ROLES = list(ROLE_PERMISSIONS)
ALL_PERMISSIONS = [
    "organisation.view",
    "organisation.manage",
    "person.view",
    "person.manage",
    "calendar.manage",
    "audit.view",
    "dossier.receive",
    "dossier.process",
    "dossier.approve",
    "dossier.view",
    "document.register",
    "document.view",
    "document.draft",
    "document.review",
    "document.sign",
    "document.assign",
    "document.handle",
    "evaluation.view",
    "catalogue.manage",
    "process.manage",
    "form.manage",
    "signing.manage",
    "notification.view",
]

# The officer holds the role in the Department of Justice; targets relative to it.
TARGETS = {
    "own-unit": ("justice", True),
    "own-subtree": ("justice_div", True),
    "parent": ("province", False),
    "other-agency": ("finance", False),
    "other-agency-subtree": ("finance_div", False),
}


def test_the_permission_list_is_the_one_the_matrix_covers():
    assert sorted(policy.PERMISSIONS) == sorted(ALL_PERMISSIONS)


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("role", ROLES)
def test_has_matrix(tree, make_officer, role, target):
    # given an officer holding ``role`` in the Department of Justice
    officer = make_officer(role, tree["justice"])
    unit_key, covered = TARGETS[target]

    # when the policy is asked about every permission on the target organisation
    answers = {perm: policy.has(officer, perm, tree[unit_key]) for perm in ALL_PERMISSIONS}

    # then exactly the role's permissions are granted, and only inside the officer's subtree
    assert answers == {perm: covered and perm in ROLE_PERMISSIONS[role] for perm in ALL_PERMISSIONS}


@pytest.mark.parametrize("role", ROLES)
def test_has_anywhere_matrix(tree, make_officer, role):
    officer = make_officer(role, tree["justice"])
    assert {perm for perm in ALL_PERMISSIONS if policy.has(officer, perm)} == ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_create_officer_matrix(tree, make_officer, counts, role, target):
    # given an officer of the Department of Justice
    actor = make_officer(role, tree["justice"])
    unit = tree["justice_div"] if target == "own" else tree["finance_div"]
    allowed = role == "administrator" and target == "own"
    before = counts()

    def create():
        return services.create_officer(
            by=actor,
            username="canbomoi",
            full_name="Cán Bộ Mới",
            password=PASSWORD,
            unit=unit,
            role_code="specialist",
        )

    if allowed:
        # when allowed: the officer, the position and two audit records are written
        created = create()
        assert list(Position.objects.filter(user=created).values_list("unit_id", "role__code")) == [
            (unit.pk, "specialist")
        ]
        assert counts() == plus(before, users=1, positions=1, audit=2)
    else:
        # when refused: a typed error, and nothing changed
        with pytest.raises(PermissionDenied) as excinfo:
            create()
        assert excinfo.value.message == "Bạn không có quyền: thêm cán bộ, giao vị trí công tác."
        assert excinfo.value.status == 403
        assert counts() == before
        assert not User.objects.filter(username="canbomoi").exists()


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_set_calendar_day_matrix(tree, make_officer, counts, role, target):
    from egov.calendar.services import create_calendar, set_day

    # given working calendars for the Department of Justice and the Department of Finance
    calendars = {
        "own": create_calendar(by=None, organisation=tree["justice"], name="Lịch Sở Tư pháp"),
        "other": create_calendar(by=None, organisation=tree["finance"], name="Lịch Sở Tài chính"),
    }
    calendar = calendars[target]
    actor = make_officer(role, tree["justice"])
    allowed = role == "administrator" and target == "own"
    before = counts()
    day = date(2026, 4, 27)  # bridge day before 30/4

    if allowed:
        row = set_day(by=actor, calendar=calendar, day=day, kind="day_off", note="Nghỉ bù")
        assert (row.date, row.kind, row.note, row.source) == (day, "day_off", "Nghỉ bù", "manual")
        assert WorkCalendar.objects.get(pk=calendar.pk).version == 2
        assert counts() == plus(before, audit=1)
    else:
        with pytest.raises(PermissionDenied) as excinfo:
            set_day(by=actor, calendar=calendar, day=day, kind="day_off", note="Nghỉ bù")
        assert excinfo.value.message == "Bạn không có quyền: quản lý lịch làm việc, ngày nghỉ, ngày làm bù."
        assert counts() == before
        assert not CalendarDay.objects.filter(calendar=calendar, date=day).exists()
        assert WorkCalendar.objects.get(pk=calendar.pk).version == 1


# --- scope: "which objects may this user see?", in SQL --------------------------------------------------


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("code", flat=True))


def test_scope_is_the_officers_subtree_in_one_query(tree, make_officer, django_assert_num_queries):
    # given a specialist of the Department of Justice whose grants are already read
    officer = make_officer("specialist", tree["justice"])
    assert len(policy.grants(officer)) == 6  # dossier.process, dossier.view, organisation.view + 3 document.*

    # when the organisations they may view are listed
    queryset = policy.scope(officer, "organisation.view", Organisation.objects.all())

    # then the database does the filtering: one query, a LIKE on the path prefix
    with django_assert_num_queries(1):
        rows = list(queryset)
    assert sorted(o.code for o in rows) == ["H98.101", "H98.101.01", "H98.101.02"]
    sql = str(queryset.query)
    assert sql.count(" LIKE ") == 1
    assert tree["justice"].path in sql


def test_scope_drops_prefixes_covered_by_a_shorter_one(tree, make_officer):
    officer = make_officer("specialist", tree["justice"])
    services.assign_position(by=None, user=officer, unit=tree["justice_div"], role_code="unit_head")
    officer = User.objects.get(pk=officer.pk)

    queryset = policy.scope(officer, "organisation.view", Organisation.objects.all())

    assert codes(queryset) == ["H98.101", "H98.101.01", "H98.101.02"]
    sql = str(queryset.query)
    assert sql.count(" LIKE ") == 1
    assert tree["justice_div"].path not in sql


def test_scope_unions_several_units(tree, make_officer):
    officer = make_officer("specialist", tree["justice_div"])
    services.assign_position(by=None, user=officer, unit=tree["finance"], role_code="specialist")
    officer = User.objects.get(pk=officer.pk)

    queryset = policy.scope(officer, "organisation.view", Organisation.objects.all())

    assert codes(queryset) == ["H98.101.02", "H98.102", "H98.102.02"]
    assert str(queryset.query).count(" LIKE ") == 2


def test_scope_through_a_foreign_key_path(tree, make_officer, django_assert_num_queries):
    # given officers in both departments, and a unit head of Justice asking who they may see
    make_officer("clerk", tree["justice_desk"], username="vanthu")
    make_officer("clerk", tree["finance"], username="vanthu_tc")
    head = make_officer("unit_head", tree["justice"], username="truongphong")
    policy.grants(head)

    queryset = policy.scope(head, "person.view", Position.objects.all(), path_field="unit__path")

    with django_assert_num_queries(1):
        usernames = sorted(queryset.values_list("user__username", flat=True))
    assert usernames == ["truongphong", "vanthu"]


def test_scope_without_the_permission_is_empty(tree, make_officer):
    clerk = make_officer("clerk", tree["justice"])
    assert codes(policy.scope(clerk, "dossier.view", Organisation.objects.all())) == []


@pytest.mark.parametrize(
    ("valid_to_offset", "granted"),
    [(None, True), (1, True), (0, True), (-1, False), (-400, False)],
    ids=["open", "ends-tomorrow", "ends-today", "ended-yesterday", "ended-last-year"],
)
def test_a_position_grants_only_until_its_valid_to(tree, make_officer, valid_to_offset, granted):
    # given a specialist whose position ends (or ended) relative to today
    officer = make_officer("specialist", tree["justice"])
    if valid_to_offset is not None:
        services.end_position(
            by=None,
            position=Position.objects.get(user=officer),
            on=timezone.localdate() + timedelta(days=valid_to_offset),
        )
    officer = User.objects.get(pk=officer.pk)  # a fresh object: grants are cached per user object

    # then
    assert policy.has(officer, "organisation.view", tree["justice"]) is granted
    assert policy.has(officer, "organisation.view") is granted
    expected_codes = ["H98.101", "H98.101.01", "H98.101.02"] if granted else []
    assert codes(policy.scope(officer, "organisation.view", Organisation.objects.all())) == expected_codes


def test_a_position_starting_tomorrow_grants_nothing_today(tree, make_officer):
    officer = make_officer("clerk", tree["finance"])
    services.assign_position(
        by=None,
        user=officer,
        unit=tree["justice"],
        role_code="administrator",
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    officer = User.objects.get(pk=officer.pk)

    assert policy.has(officer, "person.manage", tree["justice"]) is False
    assert {g.permission for g in policy.grants(officer)} == {"document.register", "document.view", "organisation.view"}


def test_an_inactive_officer_gets_nothing(tree, make_officer):
    officer = make_officer("administrator", tree["province"])
    User.objects.filter(pk=officer.pk).update(is_active=False)
    officer = User.objects.get(pk=officer.pk)

    assert [p for p in ALL_PERMISSIONS if policy.has(officer, p, tree["justice"])] == []
    assert policy.grants(officer) == []
    assert codes(policy.scope(officer, "organisation.view", Organisation.objects.all())) == []
    with pytest.raises(PermissionDenied):
        services.create_officer(
            by=officer, username="x", full_name="X", password=PASSWORD, unit=tree["justice"], role_code="clerk"
        )


def test_anonymous_gets_nothing(tree):
    anonymous = AnonymousUser()
    assert [p for p in ALL_PERMISSIONS if policy.has(anonymous, p, tree["justice"])] == []
    assert [p for p in ALL_PERMISSIONS if policy.has(anonymous, p)] == []
    assert codes(policy.scope(anonymous, "organisation.view", Organisation.objects.all())) == []


def test_a_superuser_gets_everything_everywhere(tree, make_officer):
    superuser = make_officer("clerk", tree["justice_div"], is_superuser=True)
    assert superuser.is_superuser is True

    assert [p for p in ALL_PERMISSIONS if policy.has(superuser, p, tree["finance_div"])] == ALL_PERMISSIONS
    assert codes(policy.scope(superuser, "audit.view", Organisation.objects.all())) == [
        "H98",
        "H98.101",
        "H98.101.01",
        "H98.101.02",
        "H98.102",
        "H98.102.02",
        "H98.301",
    ]


def test_the_platform_itself_is_allowed_and_holds_no_grants(tree):
    assert [p for p in ALL_PERMISSIONS if policy.has(None, p, tree["finance"])] == ALL_PERMISSIONS
    assert policy.grants(None) == []
    assert codes(policy.scope(None, "organisation.view", Organisation.objects.filter(kind="department"))) == [
        "H98.101",
        "H98.102",
    ]


def test_objects_are_checked_through_their_organisation(tree, make_officer):
    from egov.calendar.services import create_calendar

    admin = make_officer("administrator", tree["justice"])
    own = create_calendar(by=None, organisation=tree["justice_div"], name="Lịch phòng")
    other = create_calendar(by=None, organisation=tree["finance"], name="Lịch Sở Tài chính")

    assert policy.has(admin, "calendar.manage", own) is True
    assert policy.has(admin, "calendar.manage", other) is False
    with pytest.raises(TypeError):
        policy.has(admin, "calendar.manage", object())


def test_an_unknown_permission_is_a_programming_error(tree, make_officer):
    officer = make_officer("administrator", tree["justice"])
    with pytest.raises(ValueError, match="Unknown permission 'dossier.delete'"):
        policy.has(officer, "dossier.delete", tree["justice"])
    with pytest.raises(ValueError, match="Unknown permission 'dossier.delete'"):
        policy.scope(officer, "dossier.delete", Organisation.objects.all())
