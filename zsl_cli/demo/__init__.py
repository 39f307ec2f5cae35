"""The shapes world: a procedural test bed and the source of the bundled `shapes-demo` model.

`python -m zsl_cli.demo make-images OUT --seed S --per-class N` writes an ImageFolder of the world;
`python -m zsl_cli.demo train OUT_DIR` trains the demo CLIP on its seen classes. Importing this
package does not import torch or transformers.
"""
