"""Thanh toán trực tuyến."""
