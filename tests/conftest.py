import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NNBOOK_MODE", "test")
os.environ.setdefault("MNIST_DIR", str(ROOT.parent / "shared" / "data" / "mnist"))
# nbgrader calls tools of the venv (alembic, jupyter) through PATH
os.environ["PATH"] = os.pathsep.join([os.path.dirname(os.path.abspath(__import__("sys").executable)), os.environ["PATH"]])
