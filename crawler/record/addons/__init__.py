"""Recording modes: each changes or adds to what the recorder does, one module each."""
