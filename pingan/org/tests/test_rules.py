import pytest

from pingan.org.rules import USCC_ALPHABET, is_valid_uscc, uscc_problem

VALID = ["91350100M000100Y43", "9144030071526726XG", "91110000802100433B"]


@pytest.mark.parametrize("code", VALID)
def test_domain_vectors_are_valid(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", VALID)
def test_changing_any_one_character_invalidates(code):
    for i in range(18):
        for c in USCC_ALPHABET:
            if c == code[i]:
                continue
            assert not is_valid_uscc(code[:i] + c + code[i + 1 :]), (code, i, c)


@pytest.mark.parametrize(
    "code,problem",
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("91350100M00010OY43", "characters"),
        ("91350100m000100Y43", "characters"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_problems_are_named(code, problem):
    assert uscc_problem(code) == problem
