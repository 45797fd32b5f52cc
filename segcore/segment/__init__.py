"""Segmentation methods by family; importing this package registers them all."""
from segcore.segment import threshold  # noqa: F401
