"""Pages of online payment: start a payment, the return page, the sandbox gateway, reconciliation.

Handlers parse, call one service or selector, render.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core.context import current as current_context
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier
from egov.payments import gateway, sandbox, selectors, services


@login_required
@require_POST
def start_payment(request, code: str):
    dossier = get_object_or_404(Dossier, code=code)
    try:
        _order, url = services.create_order(
            by=request.user,
            dossier=dossier,
            return_url=request.build_absolute_uri(reverse("payments:return")),
            client_ip=current_context().ip_address or "",
        )
    except DomainError as exc:
        # A way back to the dossier page the payer came from: the applicant's, or the officer's.
        mine = dossier.applicant_user_id == request.user.pk
        back = reverse("portal:dossier", args=[code]) if mine else reverse("dossiers:detail", args=[code])
        context = {"message": exc.message, "code": code, "dossier_url": back}
        return render(request, "payments/error.html", context, status=exc.status)
    return redirect(url)


@require_GET
def return_page(request):
    result = services.handle_return(request.GET.dict())
    return render(request, "payments/return.html", {"result": result}, status=200 if result.signature_ok else 400)


@require_http_methods(["GET", "POST"])
def sandbox_pay(request):
    """The fake bank page. GET shows the payment; POST pays or cancels, notifies, redirects back."""
    cfg = services.config()
    if not cfg.sandbox:
        raise Http404
    params = request.GET.dict() if request.method == "GET" else request.POST.dict()
    params.pop("csrfmiddlewaretoken", None)
    choice = params.pop("lua_chon", "")
    if not gateway.verify(params, cfg.secret) or params.get("vnp_TmnCode") != cfg.tmn_code:
        return HttpResponseBadRequest("Yêu cầu thanh toán không hợp lệ (sai chữ ký).")
    if request.method == "GET":
        try:
            amount = int(params.get("vnp_Amount", "0")) // 100
        except ValueError:
            return HttpResponseBadRequest("Số tiền không hợp lệ.")
        return render(request, "payments/sandbox_pay.html", {"params": params, "amount": amount})
    answer = sandbox.gateway_response(params, pay=choice == "pay", secret=cfg.secret)
    sandbox.notify(answer)
    return redirect(gateway.build_payment_url(params["vnp_ReturnUrl"], answer, cfg.secret))


@login_required
@require_GET
def reconciliation_page(request):
    start, end = selectors.default_period()
    error = ""
    if request.GET.get("tu") or request.GET.get("den"):
        try:
            start = date.fromisoformat(request.GET.get("tu", ""))
            end = date.fromisoformat(request.GET.get("den", ""))
        except ValueError:
            error = "Cần chọn khoảng thời gian hợp lệ (từ ngày, đến ngày)."
        else:
            if end < start or (end - start).days > 366:
                error = "Khoảng thời gian phải từ 1 ngày đến 1 năm, ngày kết thúc sau ngày bắt đầu."
    if error:
        return render(request, "payments/reconciliation.html", {"error": error, "rows": []}, status=400)
    rows = selectors.reconciliation(user=request.user, start=start, end=end)
    context = {
        "start": start,
        "end": end,
        "rows": rows,
        "mismatches": [r for r in rows if r.mismatch],
        "total_paid": sum(r.order.amount for r in rows if r.order.status == "paid"),
    }
    return render(request, "payments/reconciliation.html", context)
