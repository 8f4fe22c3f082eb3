"""Stage 5: rendering the register for an audience, in the formats offices open."""
