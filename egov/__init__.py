"""E-government platform for Vietnamese provinces."""
