"""Domain logic over a Session, given the acting user. Never imports Reflex."""
