from ninja import Router

router = Router(tags=["Kiểm tra chữ ký số"])
