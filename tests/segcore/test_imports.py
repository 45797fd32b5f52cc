"""segcore is the functional core: it never imports streamlit."""
import subprocess
import sys


def test_segcore_never_imports_streamlit():
    code = (
        "import sys, segcore, segcore.registry\n"
        "segcore.methods()\n"
        "import importlib, pkgutil\n"
        "for info in pkgutil.walk_packages(segcore.__path__, 'segcore.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
