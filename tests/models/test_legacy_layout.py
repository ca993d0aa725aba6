"""Models pickled by the layout before the features/ split still load and score exactly as they did.

The fixtures were pickled at commit 8dff62e (flat ``features/``) from small demo-data models;
``expected.json`` holds the scores that code gave for the same inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def _load_in_fresh_interpreter(name: str, records: pd.DataFrame) -> list[float]:
    """Score in a new process, so no test that imported the new modules first can hide a failure."""
    code = (
        "import json, sys, pandas as pd\n"
        "from models.pyfunc import load_pickled_model\n"
        f"model = load_pickled_model({str(FIXTURES / name)!r})\n"
        "records = pd.read_json(sys.stdin, orient='records', dtype=False)\n"
        "print(json.dumps(model.score(records).tolist()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=records.to_json(orient="records", force_ascii=False),
                          capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    return json.loads(done.stdout)


def test_sms_model_pickled_by_the_old_layout_scores_as_before() -> None:
    records = pd.DataFrame({"text": EXPECTED["sms_texts"], "sender": [None, None], "sent_at": [None, None]})
    scores = _load_in_fresh_interpreter("sms_model_layout_v0.joblib", records)
    np.testing.assert_allclose(scores, EXPECTED["sms_scores"], rtol=1e-9)


def test_call_model_pickled_by_the_old_layout_scores_as_before() -> None:
    profiles = pd.read_csv(FIXTURES / "call_profiles_sample.csv", dtype={"phone_no_m": str})
    scores = _load_in_fresh_interpreter("call_model_layout_v0.joblib", profiles)
    np.testing.assert_allclose(scores, EXPECTED["call_scores"], rtol=1e-9)


def test_model_pickled_before_the_taxonomy_decides_without_category() -> None:
    """New ScamModel attributes default safely: no category head means no category, no fraud_score."""
    code = (
        "import json, pandas as pd\n"
        "from models.pyfunc import load_pickled_model\n"
        f"model = load_pickled_model({str(FIXTURES / 'sms_model_layout_v0.joblib')!r})\n"
        "d = model.decide(pd.DataFrame({'text': ['您的快递已到'], 'sender': [None], 'sent_at': [None]}))[0]\n"
        "print(json.dumps([d.category, d.fraud_score, d.action]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parents[2])
    category, fraud_score, action = json.loads(done.stdout)
    assert (category, fraud_score) == (None, None) and action in ("allow", "warn", "block")
