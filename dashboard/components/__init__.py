"""Small custom components that work offline (no CDN)."""
from dashboard.components.before_after import before_after

__all__ = ["before_after"]
