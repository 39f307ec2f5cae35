"""Peak memory of encoding the class prompts: does it grow with classes x templates x dim?

Runs `zsl label IMAGES -c CLASSES -t TEMPLATES -m MODEL -o OUT -q` under `/usr/bin/time -f %M`
on `--images` small PNGs and `--classes` made-up names, with a tiny CLIP whose projection is
`--dim` wide and its text model's forward stubbed (`TransformersEncoder._encode_token_chunk`
gives random unit rows of that width), so that a ViT-L's embeddings are measured without a
ViT-L. Prints the zsl process's peak RSS beside what the class vectors and every prompt's
embedding take. `--source DIR` runs the zsl_cli of another checkout (the code before a change).

    python benchmarks/text_memory.py                         # 10,000 x imagenet80 at 768-d
    python benchmarks/text_memory.py --classes 1000 --templates imagenet7
    python benchmarks/text_memory.py --source /tmp/before    # a worktree of an older commit
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arguments import at_least  # benchmarks/arguments.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Run as the zsl process: zsl_cli from --source (not the editable install's, whose finder comes
# before the path), the forward stubbed, then the CLI as `zsl` runs it.
STUB = """
import sys
sys.meta_path = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
sys.path.insert(0, {source!r})
import numpy as np
from zsl_cli.encoders.hf import TransformersEncoder
rng = np.random.default_rng(0)
def forward(self, token_ids):
    rows = rng.standard_normal((len(token_ids), {dim}), dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)
TransformersEncoder._encode_token_chunk = forward
from zsl_cli.__main__ import main
sys.argv = ["zsl", *sys.argv[1:]]
main()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=at_least(2), default=10_000)
    parser.add_argument("--templates", default="imagenet80", help="as zsl's --templates")
    parser.add_argument("--dim", type=at_least(1), default=768, help="embedding width")
    parser.add_argument("--images", type=at_least(1), default=60)
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout whose zsl_cli runs")
    args = parser.parse_args()
    # Both found only after the tiny CLIP and the images were built, by the zsl process: a source
    # without zsl_cli as its ModuleNotFoundError traceback, a template set as zsl's exit 2.
    if not (args.source / "zsl_cli").is_dir():
        parser.error(f"--source {str(args.source)!r}: no zsl_cli there")
    from zsl_cli.errors import ZslError
    from zsl_cli.prompts import is_template_file, resolve_templates

    try:
        templates = resolve_templates(args.templates)
    except ZslError as error:
        parser.error(str(error))  # it names --templates and the value
    # zsl runs in the temporary folder: a template file named from here is passed as a whole path.
    named = str(Path(args.templates).resolve()) if is_template_file(args.templates) else None

    import transformers

    # Its note on torchvision's absence and its bar for writing the tiny model: noise on stderr.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    from PIL import Image
    from relabel import size_text  # benchmarks/relabel.py, beside this script

    from tests.tiny_models import make_tiny_clip

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = make_tiny_clip(folder / "clip", projection_dim=args.dim)
        images = folder / "images"
        images.mkdir()
        for i in range(args.images):
            Image.new("RGB", (48, 40), (i * 4 % 256, 90, 200)).save(images / f"{i}.png")
        classes = folder / "classes.txt"
        classes.write_text("".join(f"thing{i} kind{i % 97}\n" for i in range(args.classes)))
        stub = STUB.format(dim=args.dim, source=str(args.source.resolve()))
        command = [
            *("/usr/bin/time", "-f", "%M", sys.executable, "-c", stub),
            *(
                "label",
                str(images),
                "-c",
                str(classes),
                "-t",
                named or args.templates,
                "-m",
                str(model),
            ),
            *("-o", str(folder / "out.csv"), "-q"),
        ]
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        started = time.perf_counter()
        run = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp)
        seconds = time.perf_counter() - started
    *zsl_lines, peak_kb = run.stderr.rstrip("\n").split("\n")  # time's %M: KB, the last line
    if run.returncode != 0:
        # time's own "Command exited with non-zero status N" (or "terminated by signal") line.
        if zsl_lines and zsl_lines[-1].startswith("Command "):
            zsl_lines.pop()
        sys.exit(f"zsl exited {run.returncode}:\n" + "\n".join(zsl_lines))
    peak_mb = int(peak_kb) / 1024
    prompts = args.classes * len(templates.templates)
    print(
        f"{args.classes:,} classes x {args.templates} ({prompts:,} prompts) at {args.dim}-d, "
        f"{args.images} image{'' if args.images == 1 else 's'}, zsl_cli from {args.source}:\n"
        f"  peak RSS {peak_mb:,.0f} MB in {seconds:.1f} s; class vectors "
        f"{size_text(args.classes * args.dim * 4 / 2**20)}, every prompt's embedding "
        f"{size_text(prompts * args.dim * 4 / 2**20)}"
    )


if __name__ == "__main__":
    main()
