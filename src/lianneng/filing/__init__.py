"""Filing (备案): packages sent to the supervising body, and their verification."""
