from pipeline.errors import ALL_ERRORS, PlanscanError, ToolMissing


def test_codes_are_unique_and_shaped() -> None:
    codes = [cls.code for cls in ALL_ERRORS]
    assert len(codes) == len(set(codes))
    assert all(code.startswith("PS") and len(code) == 5 for code in codes)


def test_every_error_carries_a_remedy_in_its_message() -> None:
    for cls in ALL_ERRORS:
        exc = cls("something broke")
        assert exc.remedy, cls
        assert cls.code in str(exc) and exc.remedy in str(exc)


def test_remedy_can_be_overridden_and_page_is_kept() -> None:
    exc = ToolMissing("no tesseract", remedy="install it", page=3)
    assert isinstance(exc, PlanscanError)
    assert exc.remedy == "install it" and exc.page == 3
