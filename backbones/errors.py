"""The one error type for user mistakes about backbones (bad model strings, missing extras, missing files)."""


class BackboneError(ValueError):
    """A backbone could not be built; the message says how to fix it."""
