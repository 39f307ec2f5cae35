"""Model backends. `load_encoder(name)` is the one factory: bundled name, local directory or hub id.

Importing this package does not import torch; `load_encoder` does. Where the code is:
- `loading`: which model a name means, loading it with transformers, and the checks and messages
  of a load;
- `hub`: whether the Hugging Face hub can be reached, and offline mode;
- `model_files`: damaged or missing files of a model folder or of the hub cache;
- `limits`: whether an error says a load ran into a limit of the system (memory, threads);
- `base`: the `Encoder` interface; `hf`: the transformers encoder; `preprocess`: image
  preprocessing without the transformers processor.
"""

from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.encoders.base import (
    Encoder,
    ImagePreprocessor,
    ScoreHead,
    check_device,
    check_precision,
)
from zsl_cli.encoders.loading import (
    BUNDLED_DIR,
    bundled_models,
    check_revision,
    guess_preprocessor,
    load_encoder,
    pil_image_processor,
    quiet_transformers,
    resolve_model,
)

__all__ = [
    "BUNDLED_DIR",
    "DEFAULT_MODEL",
    "Encoder",
    "ImagePreprocessor",
    "ScoreHead",
    "bundled_models",
    "check_device",
    "check_precision",
    "check_revision",
    "guess_preprocessor",
    "load_encoder",
    "pil_image_processor",
    "quiet_transformers",
    "resolve_model",
]
