"""zsl: batch zero-shot labelling of image folders.

Importing this package is cheap: torch and transformers are imported only when a model is loaded.
"""

__version__ = "0.2.0"
