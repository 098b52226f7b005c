"""Running a check: judging posts in batches (``judging``), in worker processes
(``parallel``), and the one path every caller takes (``runner``)."""
