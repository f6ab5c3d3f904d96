"""Restoration inside the pipeline and the benchmark machinery."""

from pathlib import Path

import pytest

from pipeline.bench import restore_bench
from pipeline.bench.metrics import wer
from pipeline.document import process_document
from pipeline.models import Word
from pipeline.restore import restore_text
from pipeline.restore.ocr_correction import correct_ocr_text
from pipeline.restore.train import DEV_FILES, corpus_split
from pipeline.textnorm import strip_diacritics
from tests.conftest import needs_ocr, seed_path

PLAN = (
    "Ủy ban nhân dân tỉnh ban hành Kế hoạch tổ chức thực hiện Phong trào thi đua giai đoạn 2021 - 2025.\n"
    "Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với các sở, ngành tổng hợp kết quả thực hiện."
)


def test_garbled_legacy_file_is_restored_and_the_original_kept(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_text(strip_diacritics(PLAN), encoding="utf-8")
    result = process_document(path)
    page = result.pages[0]
    assert page.ocr_text == strip_diacritics(PLAN)
    assert page.restored_words > 20
    assert wer(PLAN, page.text) < 0.1


def test_ocr_correction_only_touches_unsure_invalid_words() -> None:
    text = "Kế hoạch thưc hiên phong trào"
    words = [
        Word(text="Kế", confidence=95, box=(0, 0, 1, 1), line=0),
        Word(text="hoạch", confidence=95, box=(0, 0, 1, 1), line=0),
        Word(text="thưc", confidence=40, box=(0, 0, 1, 1), line=0),  # unsure and not a syllable
        Word(text="hiên", confidence=92, box=(0, 0, 1, 1), line=0),  # invalid, but the engine was sure
        Word(text="phong", confidence=30, box=(0, 0, 1, 1), line=0),  # unsure but valid
        Word(text="trào", confidence=90, box=(0, 0, 1, 1), line=0),
    ]
    result = correct_ocr_text(text, words)
    assert result.text == "Kế hoạch thực hiên phong trào"
    assert result.changed == 1


def test_benchmark_runs_and_planscan_beats_the_baselines() -> None:
    seed_path("002")  # skips cleanly when ../shared is absent
    rows, stats = restore_bench.run(cases_wanted="ac")
    by = {(r.case[0], r.system): r for r in rows}
    for case in ("a", "c"):
        assert by[(case, "planscan")].wer < by[(case, "pyvi add_accents")].wer < by[(case, "raw input")].wer
    assert stats["correct_changed_share"] == 0.0
    assert stats["words_per_s"] > 0 and stats["load_s"] > 0
    assert "planscan" in restore_bench.report(rows, stats)


@needs_ocr
@pytest.mark.ocr
def test_eng_ocr_parallel_data_is_garbled_and_restorable() -> None:
    from pipeline.restore.train import parallel_pages

    [(truth, garble)] = parallel_pages([PLAN], workers=1)
    assert wer(truth, garble) > 0.3, "the English model should mangle Vietnamese diacritics"
    assert wer(truth, restore_text(garble, force=True).text) < wer(truth, garble) / 3


def test_corpus_files_are_read_in_numeric_order_and_dev_files_held_out() -> None:
    train, dev = corpus_split()
    names = [p.name for p in train]
    # Page seeds follow this order: a new admin_100 must come after admin_99, not between 10 and 11.
    assert names.index("admin_99.txt") < names.index("admin_100.txt") < names.index("admin_101.txt")
    assert names.index("admin_10.txt") < names.index("admin_11.txt") < names.index("admin_99.txt")
    assert [p.name for p in dev] == list(DEV_FILES) and not set(DEV_FILES) & set(names)
