"""The ISBN as an EAN-13 barcode for the back cover, drawn from the EAN-13 specification
(ISO/IEC 15420) as SVG bars (its digits and check digit: builder/book/isbn.py).
"""

from __future__ import annotations

# Module patterns of each digit: L (odd parity), G (even parity) and R (right half).
_L = ("0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011")  # fmt: skip
_G = tuple(code[::-1].translate(str.maketrans("01", "10")) for code in _L)
_R = tuple(code.translate(str.maketrans("01", "10")) for code in _L)
# The first digit is not drawn: it chooses which of the left six digits use G.
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")  # fmt: skip

MODULE_MM = 0.33  # the nominal module (magnification 100 %)
QUIET_LEFT = 11  # modules of white before the bars
QUIET_RIGHT = 7
BAR_HEIGHT_MM = 22.85
GUARD_EXTRA_MM = 1.65  # guard bars reach down into the digit line


def modules(digits: str) -> str:
    """The 95 modules of an EAN-13 symbol, `1` for a bar: guard, six left digits, centre
    guard, six right digits, guard."""
    parity = _PARITY[int(digits[0])]
    left = "".join(
        (_L if p == "L" else _G)[int(d)] for p, d in zip(parity, digits[1:7], strict=True)
    )
    right = "".join(_R[int(d)] for d in digits[7:13])
    return "101" + left + "01010" + right + "101"


GUARDS = {*range(3), *range(45, 50), *range(92, 95)}


def ean13_svg(digits: str) -> str:
    """The bars as an SVG in millimetres, quiet zones included, black on nothing (the back
    cover puts a white box behind it). The human-readable digits are set by the template."""
    bars = modules(digits)
    width = (QUIET_LEFT + len(bars) + QUIET_RIGHT) * MODULE_MM
    height = BAR_HEIGHT_MM + GUARD_EXTRA_MM
    rects = []
    start = None
    for index, bit in enumerate(bars + "0"):
        if bit == "1" and start is None:
            start = index
        elif bit == "0" and start is not None:
            long = start in GUARDS
            rects.append(
                f'<rect x="{(QUIET_LEFT + start) * MODULE_MM:.3f}" y="0" '
                f'width="{(index - start) * MODULE_MM:.3f}" '
                f'height="{height if long else BAR_HEIGHT_MM:.3f}"/>'
            )
            start = None
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}mm" height="{height:.3f}mm" '
        f'viewBox="0 0 {width:.3f} {height:.3f}" fill="#000">{"".join(rects)}</svg>'
    )
