"""web: the web edition, a static site that works offline."""
