"""Phản ánh, kiến nghị và đánh giá."""
