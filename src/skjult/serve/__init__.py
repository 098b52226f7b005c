"""``skjult serve`` (``skjult[serve]``): a page where a caption is checked while it is written,
and a JSON API a scheduling tool or CMS calls before a post goes out. ``api`` reads and checks
requests (no web framework in it), ``app`` is the Starlette application around it."""
