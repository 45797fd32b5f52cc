"""Restoration methods by family; importing this package registers them all."""
