"""Pure rules for organisations (no ORM)."""

from __future__ import annotations

# GB 32100-2015, 法人和其他组织统一社会信用代码编码规则 (docs/domain/10-identifiers.md).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_ALPHABET[0 if check == 31 else check]


def uscc_problem(code: str) -> str | None:
    """None if `code` is a valid unified social credit code, else the reason in English
    (callers translate); the checks follow the order a person would fix them in."""
    if len(code) != 18:
        return "length"
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        return "characters"
    if uscc_check_char(code[:17]) != code[17]:
        return "check"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None
