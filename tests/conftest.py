from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BANK_SAMPLE = SHARED / "bank-sample"
SEED = SHARED / "seed" / "000_eddf2cd0f6cab2bb.txt"
FORMATS = SHARED / "formats"


@pytest.fixture
def bank_sample() -> Path:
    if not (BANK_SAMPLE / "question-bank").is_dir():
        pytest.skip(f"the users' bank sample is not at {BANK_SAMPLE}")
    return BANK_SAMPLE / "question-bank"


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed file is not at {SEED}")
    return SEED
