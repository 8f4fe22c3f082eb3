"""The supervising body: combining what its units file."""
