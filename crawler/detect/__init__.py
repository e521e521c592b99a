"""Detection: the audited citizen's identifiers, in any encoding, in every part of every exchange.

`detect()` is the stage's one entry; see `detector` for how, `identifiers` and `needles` for
what is looked for, `units`, `structure`, `decoders` and `marks` for where, `suspects` for
other people's CPR-shaped numbers.
"""

from crawler.detect.detector import Detection, detect

__all__ = ["Detection", "detect"]
