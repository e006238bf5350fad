"""Liên thông across levels (DOMAIN §4): a department's procedure received at a commune's one-stop
unit, and a commune's procedure received at the provincial service centre. The dossier travels through
each agency's leg with that leg's share of the legal time, the forms come from the receiving unit, the
result is signed by the deciding agency and comes back to where the dossier was received."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime
from weasyprint import HTML

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.dossiers import documents, services
from egov.dossiers.models import Dossier, DossierTask, IssuedForm
from egov.dossiers.processes import StepSpec, activate_process, create_process
from egov.dossiers.statuses import Status
from egov.dossiers.tests.conftest import MONDAY_9, applicant, components_all, vn


@pytest.fixture
def levels(world, make_officer):
    """The commune gets a one-stop unit and a division, the province its service centre; a
    cross-level process lets the commune receive the Department of Justice's procedure."""
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation as create
    from egov.signing.services import ensure_demo_keys

    commune = world["commune"]
    commune_desk = create(
        by=None,
        parent=commune,
        name="Bộ phận Một cửa xã Thử Nghiệm",
        kind=Kind.ONE_STOP,
        code="H98.301.01",
        legacy_code="001.00.61.H98",
    )
    commune_div = create(
        by=None, parent=commune, name="Công chức Tư pháp - Hộ tịch", kind=Kind.DIVISION, code="H98.301.02"
    )
    centre = create(
        by=None,
        parent=world["province"],
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=Kind.SERVICE_CENTRE,
        code="H98.100",
        legacy_code="000.00.20.H98",
    )
    justice, justice_desk = world["justice"], world["justice_desk"]
    up = [
        StepSpec("Tiếp nhận, chuyển hồ sơ liên thông lên Sở", commune, commune_desk, "receiving_officer", Decimal(1)),
        StepSpec("Tiếp nhận hồ sơ liên thông", justice, justice_desk, "receiving_officer", Decimal(1)),
        StepSpec("Thẩm định hồ sơ", justice, world["justice_div"], "specialist", Decimal(8)),
        StepSpec("Phê duyệt, ký kết quả", justice, justice, "agency_leader", Decimal(3)),
        StepSpec("Chuyển kết quả về xã", justice, justice_desk, "receiving_officer", Decimal(1)),
        StepSpec("Trả kết quả", commune, commune_desk, "receiving_officer", Decimal(2)),
    ]
    process = activate_process(
        by=None,
        process=create_process(
            by=None,
            procedure=world["procedure"],
            agency=justice,
            receiving_agency=commune,
            steps=up,
            total_hours=Decimal(16),
        ),
    )
    ensure_demo_keys([commune, commune_desk, centre])
    people = {
        "xa_desk": make_officer("receiving_officer", commune_desk, username="tiepnhan.xa1"),
        "xa_specialist": make_officer("specialist", commune_div, username="chuyenvien.xa1"),
        "xa_leader": make_officer("agency_leader", commune, username="lanhdao.xa1", title="Chủ tịch UBND xã"),
        "centre_desk": make_officer("receiving_officer", centre, username="tiepnhan.ttpvhcc1"),
    }
    return {"commune_desk": commune_desk, "commune_div": commune_div, "centre": centre, "up": process, **people}


def receive_up(world, levels, **overrides):
    return services.receive_dossier(
        by=levels["xa_desk"],
        procedure=world["procedure"],
        agency=world["justice"],
        receiving_agency=world["commune"],
        channel=1,
        applicant=applicant(**overrides),
        components=components_all(world["procedure"]),
    )


def result_pdf() -> bytes:
    return HTML(string="<h1>Hợp đồng đã được chứng thực</h1>").write_pdf()


def test_received_at_the_commune_decided_by_the_department_and_returned_at_the_commune(
    world, officers, levels, clock, client
):
    from egov.signing.services import validate_pdf

    dossier = receive_up(world, levels)  # Mon 09:00, 16 working hours: due Wed 09:00

    # The code is the commune's daily series; the commune's desk holds the first leg for 1 hour.
    assert dossier.code == "000.00.61.H98-270301-0001"
    assert (dossier.agency, dossier.receiving_unit, dossier.process) == (
        world["justice"],
        levels["commune_desk"],
        levels["up"],
    )
    assert (dossier.status, dossier.due_at, dossier.current_unit) == (
        Status.RECEIVED,
        vn(2027, 3, 3, 9),
        levels["commune_desk"],
    )
    receipt = IssuedForm.objects.get(dossier=dossier, code="01")
    ((signed_receipt),) = validate_pdf(receipt.pdf.read())
    assert (signed_receipt.ok, signed_receipt.signer_identifier) == (True, "H98.301.01")

    def act(who, action, at, **payload):
        clock.now = at
        getattr(services, action)(by=who, dossier=dossier.code, **payload)

    act(levels["xa_desk"], "forward", vn(2027, 3, 1, 9, 30))  # to the department's one-stop unit
    act(officers["desk"], "forward", vn(2027, 3, 1, 10))  # to the division
    # Not the commune's leg any more: its officer cannot move the dossier on.
    with pytest.raises(PermissionDenied):
        services.forward(by=levels["xa_desk"], dossier=dossier.code)
    act(officers["specialist"], "forward", vn(2027, 3, 2, 9))
    clock.now = vn(2027, 3, 2, 10)
    result = services.attach_result(
        by=officers["leader"],
        code=dossier.code,
        name="Hợp đồng được chứng thực",
        upload=services.UploadInput(name="ket-qua.pdf", content=result_pdf()),
    )
    act(officers["leader"], "forward", vn(2027, 3, 2, 10, 30))
    act(officers["desk"], "forward", vn(2027, 3, 2, 11))  # back to the commune
    # The department's one-stop unit did not receive it: it cannot record the fee nor hand the result over.
    with pytest.raises(PermissionDenied):
        services.record_payment(by=officers["desk"], dossier=dossier.code)
    act(levels["xa_desk"], "forward", vn(2027, 3, 2, 14))
    act(levels["xa_desk"], "record_payment", vn(2027, 3, 2, 14, 5))
    act(levels["xa_desk"], "return_result", vn(2027, 3, 2, 14, 10), method="counter")

    dossier.refresh_from_db()
    assert (dossier.status, dossier.current_unit, dossier.returned_at) == (
        Status.RETURNED,
        levels["commune_desk"],
        vn(2027, 3, 2, 14, 10),
    )
    # Each leg's due time is its share of the legal time from its own start, on the working calendar
    # (07:30–11:30, 13:30–17:30).
    legs = list(
        DossierTask.objects.filter(dossier=dossier)
        .order_by("order")
        .values_list("order", "agency__code", "unit__code", "started_at", "due_at", "finished_at")
    )
    assert legs == [
        (1, "H98.301", "H98.301.01", MONDAY_9, vn(2027, 3, 1, 10), vn(2027, 3, 1, 9, 30)),
        (2, "H98.101", "H98.101.01", vn(2027, 3, 1, 9, 30), vn(2027, 3, 1, 10, 30), vn(2027, 3, 1, 10)),
        (3, "H98.101", "H98.101.02", vn(2027, 3, 1, 10), vn(2027, 3, 2, 10), vn(2027, 3, 2, 9)),
        (4, "H98.101", "H98.101", vn(2027, 3, 2, 9), vn(2027, 3, 2, 14), vn(2027, 3, 2, 10, 30)),
        (5, "H98.101", "H98.101.01", vn(2027, 3, 2, 10, 30), vn(2027, 3, 2, 11, 30), vn(2027, 3, 2, 11)),
        (6, "H98.301", "H98.301.01", vn(2027, 3, 2, 11), vn(2027, 3, 2, 15), vn(2027, 3, 2, 14)),
    ]
    # The result is the department's, signed with its key.
    ((signed_result),) = validate_pdf(result.pdf.read())
    assert (signed_result.ok, signed_result.signer_identifier) == (True, "H98.101")
    # Mẫu 05/06: every hand-over, from unit to unit, across both levels; headed by the receiving unit.
    slip = [(h.from_agency, h.to_agency, h.handed_at, h.result.value) for h in documents._handovers(dossier)]
    assert slip == [
        ("Bộ phận Một cửa xã Thử Nghiệm", "Bộ phận Một cửa Sở Tư pháp", vn(2027, 3, 1, 9, 30), "dung_han"),
        ("Bộ phận Một cửa Sở Tư pháp", "Phòng Hành chính tư pháp", vn(2027, 3, 1, 10), "dung_han"),
        ("Phòng Hành chính tư pháp", "Sở Tư pháp", vn(2027, 3, 2, 9), "dung_han"),
        ("Sở Tư pháp", "Bộ phận Một cửa Sở Tư pháp", vn(2027, 3, 2, 10, 30), "dung_han"),
        ("Bộ phận Một cửa Sở Tư pháp", "Bộ phận Một cửa xã Thử Nghiệm", vn(2027, 3, 2, 11), "dung_han"),
        ("Bộ phận Một cửa xã Thử Nghiệm", "Bộ phận Một cửa xã Thử Nghiệm", vn(2027, 3, 2, 14), "dung_han"),
    ]
    client.force_login(levels["xa_desk"])
    slip_pdf = client.get(f"/can-bo/ho-so/{dossier.code}/phieu-kiem-soat.pdf")
    assert slip_pdf.status_code == 200
    ((signed_slip),) = validate_pdf(slip_pdf.content)
    assert signed_slip.signer_identifier == "H98.301.01"
    # The public lookup shows where each step was done, and where the dossier was received.
    body = client.get(f"/api/v1/lookup/{dossier.code}").json()
    assert (body["receiving_agency"], body["handling_agency"], body["status"], body["current_step"]) == (
        "Bộ phận Một cửa xã Thử Nghiệm",
        "Sở Tư pháp",
        10,
        None,
    )
    assert [(s["name"], s["agency"], parse_datetime(s["finished_at"])) for s in body["steps_done"]] == [
        ("Tiếp nhận, chuyển hồ sơ liên thông lên Sở", "UBND xã Thử Nghiệm", vn(2027, 3, 1, 9, 30)),
        ("Tiếp nhận hồ sơ liên thông", "Sở Tư pháp", vn(2027, 3, 1, 10)),
        ("Thẩm định hồ sơ", "Sở Tư pháp", vn(2027, 3, 2, 9)),
        ("Phê duyệt, ký kết quả", "Sở Tư pháp", vn(2027, 3, 2, 10, 30)),
        ("Chuyển kết quả về xã", "Sở Tư pháp", vn(2027, 3, 2, 11)),
        ("Trả kết quả", "UBND xã Thử Nghiệm", vn(2027, 3, 2, 14)),
    ]


def test_the_lookup_shows_the_leg_in_progress_at_the_other_level(world, officers, levels, clock, client):
    code = receive_up(world, levels).code
    services.forward(by=levels["xa_desk"], dossier=code)

    body = client.get(f"/api/v1/lookup/{code}").json()
    page = client.get(f"/tra-cuu/{code}/").content.decode()

    assert body["current_step"] == {
        "name": "Tiếp nhận hồ sơ liên thông",
        "agency": "Sở Tư pháp",
        "finished_at": None,
        "timeliness": None,
    }
    assert "Tiếp nhận hồ sơ liên thông — Sở Tư pháp" in page
    assert "Bộ phận Một cửa xã Thử Nghiệm" in page


def test_received_at_the_provincial_centre_processed_by_the_commune(world, levels, clock):
    from egov.catalogue import services as catalogue
    from egov.catalogue.specs import ComponentSpec, DurationSpec, ProcedureSpec
    from egov.signing.services import validate_pdf

    commune, centre = world["commune"], levels["centre"]
    procedure = catalogue.create_procedure(
        by=None,
        spec=ProcedureSpec(
            code="1.004873.000.00.00.H98",
            name="Cấp Giấy xác nhận tình trạng hôn nhân",
            field="G09-TP01",
            levels=("commune",),
            agencies=("H98.301",),
            online_level="toan_trinh",
            applicant_types=("citizen",),
            channels=(1,),
            components=(ComponentSpec(name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", originals=1),),
            durations=(DurationSpec(channel=1, amount=Decimal(3), unit="working_days"),),
        ),
    )
    steps = [
        StepSpec("Tiếp nhận, chuyển hồ sơ về xã", world["province"], centre, "receiving_officer", Decimal(2)),
        StepSpec("Tiếp nhận hồ sơ liên thông", commune, levels["commune_desk"], "receiving_officer", Decimal(2)),
        StepSpec("Thẩm định, dự thảo", commune, levels["commune_div"], "specialist", Decimal(10)),
        StepSpec("Phê duyệt, ký kết quả", commune, commune, "agency_leader", Decimal(4)),
        StepSpec("Chuyển kết quả về Trung tâm", commune, levels["commune_desk"], "receiving_officer", Decimal(2)),
        StepSpec("Trả kết quả", world["province"], centre, "receiving_officer", Decimal(4)),
    ]
    activate_process(
        by=None,
        process=create_process(
            by=None,
            procedure=procedure,
            agency=commune,
            receiving_agency=world["province"],
            steps=steps,
            total_hours=Decimal(24),
        ),
    )

    dossier = services.receive_dossier(
        by=levels["centre_desk"],
        procedure=procedure,
        agency=commune,
        receiving_agency=world["province"],
        channel=1,
        applicant=applicant(),
        components=components_all(procedure),
    )
    assert (dossier.code, dossier.receiving_unit, dossier.agency, dossier.due_at) == (
        "000.00.00.H98-270301-0001",
        centre,
        commune,
        vn(2027, 3, 4, 9),
    )
    (signed_receipt,) = validate_pdf(IssuedForm.objects.get(dossier=dossier, code="01").pdf.read())
    assert signed_receipt.signer_identifier == "H98.100"
    for who in ("centre_desk", "xa_desk", "xa_specialist"):
        services.forward(by=levels[who], dossier=dossier.code)
    result = services.attach_result(
        by=levels["xa_leader"],
        code=dossier.code,
        name="Giấy xác nhận tình trạng hôn nhân",
        upload=services.UploadInput(name="ket-qua.pdf", content=result_pdf()),
    )
    for who in ("xa_leader", "xa_desk", "centre_desk"):
        services.forward(by=levels[who], dossier=dossier.code)
    services.return_result(by=levels["centre_desk"], dossier=dossier.code, method="counter")

    dossier.refresh_from_db()
    (signed_result,) = validate_pdf(result.pdf.read())
    assert (dossier.status, dossier.current_unit, signed_result.signer_identifier) == (
        Status.RETURNED,
        centre,
        "H98.301",
    )
    assert list(dossier.tasks.order_by("order").values_list("agency__code", "due_at")) == [
        ("H98", vn(2027, 3, 1, 11)),
        ("H98.301", vn(2027, 3, 1, 11)),  # every leg here was forwarded at once, at 09:00
        ("H98.301", vn(2027, 3, 2, 11)),
        ("H98.301", vn(2027, 3, 1, 15)),
        ("H98.301", vn(2027, 3, 1, 11)),
        ("H98", vn(2027, 3, 1, 15)),
    ]


def test_a_commune_without_a_cross_level_process_cannot_receive_for_the_department(world, officers, levels, clock):
    from egov.organisations.models import Kind
    from egov.organisations.services import create_organisation as create

    other = create(by=None, parent=world["province"], name="UBND xã Bên Cạnh", kind=Kind.COMMUNE, code="H98.302")
    desk = create(by=None, parent=other, name="Bộ phận Một cửa xã Bên Cạnh", kind=Kind.ONE_STOP, code="H98.302.01")
    from egov.people.services import create_officer

    officer = create_officer(
        by=None,
        username="tiepnhan.xa2",
        full_name="Lê Văn Hai",
        password="Mk-thu-nghiem-2026",
        unit=desk,
        role_code="receiving_officer",
    )
    before = Dossier.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        services.receive_dossier(
            by=officer,
            procedure=world["procedure"],
            agency=world["justice"],
            receiving_agency=other,
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"]),
        )

    assert [(e.field, e.message) for e in caught.value.errors] == [
        (
            "procedure",
            "Chưa có quy trình liên thông để UBND xã Bên Cạnh tiếp nhận hồ sơ thủ tục "
            "'Chứng thực hợp đồng, giao dịch liên quan đến tài sản' do Sở Tư pháp giải quyết.",
        )
    ]
    assert Dossier.objects.count() == before
    # Nor can the commune's officer receive at another commune's counter.
    with pytest.raises(PermissionDenied):
        services.receive_dossier(
            by=levels["xa_desk"],
            procedure=world["procedure"],
            agency=world["justice"],
            receiving_agency=other,
            channel=1,
            applicant=applicant(),
            components=components_all(world["procedure"]),
        )


def test_a_cross_level_process_starts_and_ends_where_the_dossier_is_received(world, levels):
    justice, commune = world["justice"], world["commune"]
    steps = [
        StepSpec("Tiếp nhận", justice, world["justice_desk"], "receiving_officer", Decimal(8)),
        StepSpec("Trả kết quả", justice, world["justice_desk"], "receiving_officer", Decimal(8)),
    ]

    with pytest.raises(ValidationFailed) as wrong_ends:
        create_process(
            by=None,
            procedure=world["procedure"],
            agency=justice,
            receiving_agency=commune,
            steps=steps,
            total_hours=Decimal(16),
        )
    with pytest.raises(ValidationFailed) as same_agency:
        create_process(
            by=None,
            procedure=world["procedure"],
            agency=justice,
            receiving_agency=justice,
            steps=steps,
            total_hours=Decimal(16),
        )

    assert [(e.field, e.message) for e in wrong_ends.value.errors] == [
        ("steps.1.agency", "Bước đầu tiên là bước tiếp nhận tại UBND xã Thử Nghiệm."),
        ("steps.2.agency", "Bước cuối cùng là trả kết quả tại UBND xã Thử Nghiệm, nơi đã tiếp nhận hồ sơ."),
    ]
    assert [e.field for e in same_agency.value.errors] == ["receiving_agency"]


def test_activating_a_new_cross_level_version_keeps_the_agency_own_process(world, levels):
    justice, commune = world["justice"], world["commune"]
    steps = [
        StepSpec("Tiếp nhận", commune, levels["commune_desk"], "receiving_officer", Decimal(2)),
        StepSpec("Giải quyết", justice, world["justice_div"], "specialist", Decimal(12)),
        StepSpec("Trả kết quả", commune, levels["commune_desk"], "receiving_officer", Decimal(2)),
    ]

    v2 = activate_process(
        by=None,
        process=create_process(
            by=None,
            procedure=world["procedure"],
            agency=justice,
            receiving_agency=commune,
            steps=steps,
            total_hours=Decimal(16),
        ),
    )

    states = dict(
        world["procedure"].processes.filter(agency=justice).values_list("version", "state").order_by("version")
    )
    assert (v2.version, states) == (3, {1: "active", 2: "retired", 3: "active"})


def test_the_reception_page_offers_the_cross_level_procedure_and_receives_it(world, officers, levels, clock, client):
    client.force_login(levels["xa_desk"])
    value = f"{world['procedure'].code}@{world['justice'].code}"

    page = client.get(f"/can-bo/tiep-nhan/?thu_tuc={value}").content.decode()
    posted = client.post(
        "/can-bo/tiep-nhan/",
        {
            "agency": str(world["commune"].pk),
            "procedure": value,
            "applicant_name": "Trần Thị Bình",
            "channel": "1",
            **{f"provided_{c.pk}": "on" for c in world["procedure"].components.all()},
        },
    )

    assert "Chứng thực hợp đồng, giao dịch liên quan đến tài sản (liên thông: Sở Tư pháp giải quyết)" in page
    assert "Hồ sơ liên thông: UBND xã Thử Nghiệm tiếp nhận, Sở Tư pháp giải quyết" in page
    dossier = Dossier.objects.get(applicant_name="Trần Thị Bình")
    assert posted.status_code == 302 and posted["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    assert (dossier.agency, dossier.receiving_unit) == (world["justice"], levels["commune_desk"])


def test_the_process_api_creates_a_cross_level_version_and_reports_where_it_is_received(
    client, world, levels, admin_user
):
    client.force_login(admin_user)
    step = {"role": "receiving_officer", "hours": 4}
    payload = {
        "procedure": world["procedure"].code,
        "agency": "H98.101",
        "receiving_agency": "H98.301",
        "activate": True,
        "steps": [
            {**step, "name": "Tiếp nhận tại xã", "agency": "H98.301", "unit": "H98.301.01"},
            {"name": "Thẩm định", "agency": "H98.101", "unit": "H98.101.02", "role": "specialist", "hours": 8},
            {**step, "name": "Trả kết quả tại xã", "agency": "H98.301", "unit": "H98.301.01"},
        ],
    }

    created = client.post("/api/v1/processes", payload, content_type="application/json")
    unknown = client.post(
        "/api/v1/processes", payload | {"receiving_agency": "H98.999"}, content_type="application/json"
    )

    assert created.status_code == 201, created.content
    assert (created.json()["receiving_agency"], created.json()["version"], created.json()["state"]) == (
        "H98.301",
        3,
        "active",
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "receiving_agency", "message": "Không tìm thấy cơ quan có mã 'H98.999'."}
    ]
    listed = client.get(f"/api/v1/processes?procedure={world['procedure'].code}&agency=H98.101").json()
    assert [(p["version"], p["state"], p["receiving_agency"]) for p in listed] == [
        (1, "active", None),
        (2, "retired", "H98.301"),
        (3, "active", "H98.301"),
    ]
