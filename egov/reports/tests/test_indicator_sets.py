"""Indicator sets as versioned data: validation (nothing saved), publishing, immutability, new
versions, snapshots that keep their version, and the sets loaded by the migration."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.reports import measures, services
from egov.reports.errors import IndicatorSetPublished
from egov.reports.models import Indicator, IndicatorSet, ScoreSnapshot, Threshold
from egov.reports.periods import parse


def spec(**overrides):
    data = {
        "code": "thu-nghiem",
        "name": "Bộ chỉ số thử nghiệm",
        "legal_basis": "",
        "effective_from": date(2027, 1, 1),
        "effective_to": None,
        "total_points": 30,
        "grades": [{"min_points": 20, "label": "Tốt"}, {"min_points": 0, "label": "Chưa đạt"}],
        "groups": [
            {
                "code": "A",
                "name": "Tiến độ",
                "max_points": 20,
                "indicators": [
                    {
                        "code": "A1",
                        "name": "Đúng hạn",
                        "measure": "on_time",
                        "max_points": 20,
                        "thresholds": [
                            {"lower": 0, "upper": 50, "points": 0},
                            {"lower": 50, "upper": 90, "points": 10},
                            {"lower": 90, "upper": None, "points": 20},
                        ],
                    }
                ],
            },
            {
                "code": "B",
                "name": "Trực tuyến",
                "max_points": 10,
                "indicators": [
                    {
                        "code": "B1",
                        "name": "Nộp trực tuyến",
                        "measure": "online",
                        "max_points": 10,
                        "thresholds": [
                            {"lower": 0, "upper": 40, "points": 0},
                            {"lower": 40, "upper": None, "points": 10},
                        ],
                    }
                ],
            },
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(admin_user):
    return admin_user


def refused(bad, admin):
    before = (IndicatorSet.objects.count(), Indicator.objects.count(), Threshold.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.create_indicator_set(by=admin, spec=bad)
    assert (IndicatorSet.objects.count(), Indicator.objects.count(), Threshold.objects.count()) == before
    return {e.field: e.message for e in exc.value.errors}


def test_a_valid_set_is_saved_as_version_one_draft(admin):
    created = services.create_indicator_set(by=admin, spec=spec())
    assert (created.version, created.status, created.total_points) == (1, "draft", Decimal(30))
    assert [t.points for t in Threshold.objects.filter(indicator__code="A1").order_by("lower")] == [0, 10, 20]


def test_points_that_do_not_add_up_are_refused_naming_the_field(admin):
    errors = refused(spec(total_points=100), admin)
    assert errors == {"total_points": "Tổng điểm 100 khác tổng điểm tối đa của các nhóm 30."}


def test_a_group_whose_indicators_do_not_add_up(admin):
    bad = spec()
    bad["groups"][0]["max_points"] = 25
    bad["total_points"] = 35
    errors = refused(bad, admin)
    assert errors == {"groups[0].max_points": "Nhóm A: điểm tối đa 25 khác tổng điểm các chỉ số 20."}


def test_overlapping_thresholds(admin):
    bad = spec()
    bad["groups"][0]["indicators"][0]["thresholds"][1]["lower"] = 40
    errors = refused(bad, admin)
    assert errors == {
        "groups[0].indicators[0].thresholds[1].lower": "Chỉ số A1, ngưỡng 2: «từ» 40% nhỏ hơn «đến dưới» 50% của "
        "ngưỡng trước (các ngưỡng chồng lên nhau hoặc sai thứ tự)."
    }


def test_thresholds_out_of_order(admin):
    bad = spec()
    rows = bad["groups"][0]["indicators"][0]["thresholds"]
    rows[0], rows[1] = rows[1], rows[0]
    errors = refused(bad, admin)
    assert list(errors) == ["groups[0].indicators[0].thresholds[1].lower"]


def test_threshold_points_above_the_indicator_and_an_unknown_measure(admin):
    bad = spec()
    bad["groups"][1]["indicators"][0]["thresholds"][1]["points"] = 12
    bad["groups"][1]["indicators"][0]["measure"] = "khong-co"
    errors = refused(bad, admin)
    assert errors == {
        "groups[1].indicators[0].measure": "Chỉ số B1: phép đo «khong-co» không có trong hệ thống.",
        "groups[1].indicators[0].thresholds[1].points": "Chỉ số B1, ngưỡng 2: điểm 12 vượt điểm tối đa 10 của chỉ số.",
    }


def test_an_upper_bound_below_the_lower_one(admin):
    bad = spec()
    bad["groups"][1]["indicators"][0]["thresholds"][0]["upper"] = 0
    errors = refused(bad, admin)
    assert list(errors) == ["groups[1].indicators[0].thresholds[0].upper"]


def test_officers_without_the_permission_are_refused(world, make_officer):
    leader = make_officer("agency_leader", world["justice"])
    with pytest.raises(PermissionDenied):
        services.create_indicator_set(by=leader, spec=spec())
    assert not IndicatorSet.objects.filter(code="thu-nghiem").exists()


def test_a_published_version_is_immutable_and_editing_makes_a_new_version(admin):
    first = services.publish_indicator_set(by=admin, indicator_set=services.create_indicator_set(by=admin, spec=spec()))
    with pytest.raises(IndicatorSetPublished):
        services.replace_draft(by=admin, indicator_set=first, spec=spec(name="Đổi tên"))
    second = services.new_version(by=admin, indicator_set=first)
    changed = copy.deepcopy(services.spec_of(second))
    changed["groups"][1]["indicators"][0]["thresholds"][1]["lower"] = 60
    services.replace_draft(by=admin, indicator_set=second, spec=changed)
    first.refresh_from_db()
    assert (first.version, first.status, second.version) == (1, "published", 2)
    assert Threshold.objects.get(indicator__group__indicator_set=first, indicator__code="B1", points=10).lower == 40
    assert Threshold.objects.get(indicator__group__indicator_set=second, indicator__code="B1", points=10).lower == 60


def test_a_snapshot_keeps_the_version_it_was_computed_with(dataset, world, admin):
    first = services.publish_indicator_set(by=admin, indicator_set=services.create_indicator_set(by=admin, spec=spec()))
    snapshot = services.take_snapshot(by=admin, indicator_set=first, period=parse("2027-03"), agency=world["justice"])
    second = services.publish_indicator_set(by=admin, indicator_set=services.new_version(by=admin, indicator_set=first))
    snapshot.refresh_from_db()
    # on time 2/4 = 50% → 10; online 2/4 = 50% → 10
    assert (snapshot.indicator_set_id, snapshot.points) == (first.pk, Decimal(20))
    assert snapshot.data[0] == {
        "code": "A1",
        "measure": "on_time",
        "numerator": 2,
        "denominator": 4,
        "value": "50.00",
        "points": "10.00",
    }
    assert ScoreSnapshot.objects.filter(indicator_set=second).count() == 0


def test_the_loaded_sets_are_valid_and_published(db):
    qd766 = IndicatorSet.objects.get(code="qd766", version=1)
    tt01 = IndicatorSet.objects.get(code="tt01-2018", version=1)
    assert services.validate_spec(services.spec_of(qd766)) == []
    assert services.validate_spec(services.spec_of(tt01)) == []
    assert (qd766.status, qd766.total_points, qd766.groups.count()) == ("published", 100, 6)
    assert [g.max_points for g in qd766.groups.order_by("order")] == [18, 20, 12, 10, 18, 22]
    assert (tt01.total_points, Indicator.objects.filter(group__indicator_set=tt01).count()) == (18, 9)
    assert list(tt01.grades.values_list("min_points", "label")) == [
        (15, "Xuất sắc"),
        (12, "Tốt"),
        (9, "Khá"),
        (6, "Trung bình"),
        (0, "Yếu"),
    ]
    used = set(Indicator.objects.exclude(measure="").values_list("measure", flat=True))
    assert used <= set(measures.MEASURES)
