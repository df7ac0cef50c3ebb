"""What a web worker carries from its start: no machine-learning stack (only a worker that
classifies loads it), and the start-up objects frozen out of the collector's scans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_a_web_worker_starts_without_the_classifier_s_libraries(tmp_path: Path) -> None:
    env = {**os.environ, "ZHONGTAI_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import gc, json, sys; from zhongtai.wsgi import application; "
        "print(json.dumps({'modules': sorted({m.split('.')[0] for m in sys.modules}), "
        "'frozen': gc.get_freeze_count()}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert not {"sklearn", "scipy", "numpy", "joblib"} & set(loaded["modules"])
    assert loaded["frozen"] > 50_000
