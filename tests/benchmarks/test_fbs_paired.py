"""benchmarks/fbs_paired.py: the paired comparison that decides whether a setting ships."""

import numpy as np
import pandas as pd
import pytest

from benchmarks.fbs_paired import check_same_rows, largest_probability_change, mcnemar_p


def _rows(texts, p_spam):
    return pd.DataFrame({"native": ["AD:Retail"] * len(texts), "text": texts, "p_spam": p_spam})


def test_runs_that_held_out_different_rows_are_refused():
    with pytest.raises(SystemExit, match="different rows"):
        check_same_rows(_rows(["a", "b"], [0.1, 0.2]), _rows(["a", "c"], [0.1, 0.2]))


def test_an_override_that_never_reached_the_model_shows_as_no_probability_change():
    base = _rows(["a", "b"], [0.1, 0.2])
    assert largest_probability_change(base, base.copy()) == 0
    assert largest_probability_change(base, _rows(["a", "b"], [0.1, 0.5])) == pytest.approx(0.3)


def test_mcnemar_reads_only_the_rows_where_the_settings_disagree():
    agree = np.ones(1000, dtype=bool)
    base, other = agree.copy(), agree.copy()
    base[:10] = False  # the other setting gains 10 rows and loses none
    assert mcnemar_p(base, other) == pytest.approx(2 * 0.5**10)
    assert mcnemar_p(agree, agree) == 1.0
