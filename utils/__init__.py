"""Base helpers every layer may use (nothing here imports another part of the package)."""
