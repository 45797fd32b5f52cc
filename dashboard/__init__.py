"""Streamlit shell around segcore: session keys, widgets, cached calls, components.

Pages import from here; only this package and ``pages/`` import streamlit.
"""
