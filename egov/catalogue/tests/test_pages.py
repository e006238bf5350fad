"""The public catalogue pages: search typed without diacritics, filters, the procedure page."""

from __future__ import annotations

from egov.catalogue.tests import factories


def test_searching_without_diacritics_finds_the_procedure(client, procedures):
    page = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Đăng ký kết hôn" not in page


def test_d_finds_the_vietnamese_d_with_stroke(client, procedures):
    page = client.get("/thu-tuc/", {"q": "dang ky ket hon"}).content.decode()
    assert "Đăng ký kết hôn" in page


def test_the_procedure_page_shows_components_fees_and_results(client, procedures):
    response = client.get(f"/thu-tuc/{factories.BIRTH}/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh",
        "Lệ phí đăng ký khai sinh",
        "Giấy khai sinh (bản chính)",
    ):
        assert text in page


def test_an_unknown_procedure_is_404(client, procedures):
    assert client.get("/thu-tuc/9.999999.000.00.00.H98/").status_code == 404


def test_the_search_page_asks_a_bounded_number_of_queries(client, procedures, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/thu-tuc/", {"q": "dang ky"})


def test_the_agency_filter_lists_implementing_agencies_and_narrows_the_results(client, procedures, tree):
    page = client.get("/thu-tuc/").content.decode()
    assert f'<option value="{tree["justice"].identifier}">{tree["justice"].name}</option>' in page
    assert f'<option value="{tree["finance"].identifier}"' not in page  # implements nothing

    page = client.get("/thu-tuc/", {"co_quan": tree["justice"].identifier}).content.decode()
    assert f"/thu-tuc/{factories.CRIMINAL_RECORD}/" in page
    assert f"/thu-tuc/{factories.BIRTH}/" not in page
