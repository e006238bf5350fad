from ninja import Router

router = Router(tags=["Thanh toán"])
