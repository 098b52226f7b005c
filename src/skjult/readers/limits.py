"""How much of anything one record or file may hold. Real exports stay far below these; hostile
ones (a 50 MB caption, a zip that expands a thousandfold, a quote that never closes) meet them
and become counted skips or an unreadable file with a clear reason, never a run that eats the
machine. The README's "Limits" section lists them for users."""

from __future__ import annotations

# The longest caption a platform allows is Facebook's 63,206 characters (Instagram 2,200,
# TikTok 4,000, a YouTube title plus description about 5,100). Longer text is not a caption.
MAX_CAPTION_CHARS = 100_000

# One JSON value handed to a converter (one post record) or kept from a file (a profile).
# Records of real exports are a few KB; Apify items with comments reach a few hundred KB.
MAX_RECORD_CHARS = 16 * 1024 * 1024

# One physical line of JSON Lines or CSV; a longer line is skipped without being held.
MAX_LINE_CHARS = MAX_RECORD_CHARS

# A CSV record spanning more lines than this has a quote that never closed; the lines after
# its first are read again as records, so one stray quote costs one row, not the file.
MAX_RECORD_LINES = 1_000


# A zip member that expands more than this many times its compressed size, and to more than
# MAX_EXPANDED_BYTES, is a decompression bomb, not an export (JSON compresses 5–30×).
MAX_EXPANSION_RATIO = 200
MAX_EXPANDED_BYTES = 64 * 1024 * 1024

# A draft, a stand-alone caption on standard input, an instaloader caption file.
MAX_DRAFT_CHARS = 2 * MAX_CAPTION_CHARS
