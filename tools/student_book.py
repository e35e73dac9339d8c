"""Write a table of contents and config for the student edition of the book into a build folder.

The student edition shows notebooks/ (stubs, visible tests) instead of solutions/ and does not
execute them: the stubs raise NotImplementedError until a student fills them in.
"""
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
out = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/student")
out.mkdir(parents=True, exist_ok=True)
(out / "_toc.yml").write_text((root / "_toc.yml").read_text().replace("solutions/", "notebooks/"))
config = yaml.safe_load((root / "_config.yml").read_text())
config["title"] += " (student edition)"
config["execute"]["execute_notebooks"] = "off"
(out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
print(f"student edition config in {out}")
