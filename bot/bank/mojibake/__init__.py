"""Repair question files whose UTF-8 went through a Windows code page and back ("mojibake").

What happened to the broken files: their UTF-8 bytes were decoded as Windows-1252 or
Windows-1254 (Turkish), the text was written back as UTF-8, and on the way every byte the code
page leaves undefined (cp1252: 0x81 0x8D 0x8F 0x90 0x9D; cp1254 also 0x8E 0x9E) was dropped,
and so was every soft hyphen (0xAD). ``來源`` became ``ä¾†æº`` (0x90 of ``源`` is gone).

Repair, in order:

1. ``needs_repair`` -- one compiled regex looks for what a code page makes of a UTF-8 lead
   byte followed by its continuation bytes (``æ¨™``, ``ðŸ“``). Clean text (CJK, emoji,
   ``café``, ``naïve``, ``’``, ``—``) has no such run, so it is left alone.
2. The code page is the one under which the text maps back to the most well-formed UTF-8
   (cp1254 and cp1252 are tried; ties go to cp1254, whose dropped-byte set is the larger).
3. Each run of code-page characters is mapped back to bytes and re-read as UTF-8. A complete
   sequence decodes as is. A sequence that is short (its lead byte promises more continuation
   bytes than follow it) lost bytes: every way of putting dropped-byte values back into it that
   decodes to an assigned character is a candidate. Characters outside the code page (real CJK
   in a partly clean file, say) are never touched.
4. Candidates are ranked in context: CJK candidates by a word-unigram language model of
   Traditional Chinese (best segmentation of the surrounding characters, so ``來?`` prefers
   ``來源``), symbols and emoji by a small prior plus layout rules (brackets pair up,
   box-drawing lines continue, a variation selector follows an emoji). Neighbouring broken
   characters are decided jointly.
5. With a ``Vocabulary`` (character n-grams learned from the bank's clean files: its words,
   phrasing, headings and table rows), candidates are also ranked by how the bank's own text
   continues the left context and leads into what follows.

The language model is ``data/zh_tw_words.txt.gz`` (built by ``tools/build_zh_model.py`` from
jieba's dictionary converted with OpenCC; see ``docs/mojibake.md``). It is read only when a
file actually needs a character rebuilt, and cached.
"""

from bot.bank.mojibake.codepages import needs_repair
from bot.bank.mojibake.repair import UNCERTAIN_RATIO, Fix, RepairResult, repair
from bot.bank.mojibake.vocabulary import Vocabulary

__all__ = ["UNCERTAIN_RATIO", "Fix", "RepairResult", "Vocabulary", "needs_repair", "repair"]
