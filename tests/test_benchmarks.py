"""The benchmark scripts at odd sizes: refused up front with one usage line, or measuring what
they say (they are not run whole here: each takes minutes)."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def benchmark_modules(monkeypatch):
    """The scripts import their shared `arguments` module from beside them."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def small_settings(**changes):
    """throughput's settings for a run of a few tiny images, with `changes`."""
    import throughput

    settings = throughput.Settings(
        images=2,
        base_images=1,
        classes_small=2,
        classes_large=2,
        batch_size=8,
        pipeline_batch_size=8,
        workers=None,
        device="cpu",
        precision="fp32",
        compare_precision="bf16",
        iterations=1,
        repeats=1,
        sections=(6,),
        memory_small=100,
        memory_images=10_000,
        seed=0,
    )
    return dataclasses.replace(settings, **changes)


def test_relabel_refuses_one_dimension_at_once() -> None:
    # A 1-d unit vector is +1 or -1: the text model gives class prompts the same embedding and
    # zsl label refuses the model, which came as a traceback after the store was built.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "relabel.py"), "--images", "1", "--classes", "2"]
        + ["--dim", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("argument --dim: 1 is less than 2")


@pytest.mark.parametrize(
    "sizes", [["--images", "1", "--hubness"], ["--classes", "1", "--hubness-reduction", "csls"]]
)
def test_relabel_refuses_sizes_zsl_refuses_for_the_whole_set_at_once(sizes: list[str]) -> None:
    # zsl exits 2 for them (hubness and a reduction need 2 images and 2 classes), which came as
    # a traceback after every in-process timing, and no table.
    command = [sys.executable, str(BENCHMARKS / "relabel.py"), "--images", "5", "--classes", "3"]
    result = subprocess.run(
        command + ["--dim", "4", *sizes], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("of 2 or more")


def test_relabel_measures_hubness_over_the_store_it_builds(
    benchmark_modules, monkeypatch, capsys
) -> None:
    # The README's memory figures for hubness over a store come from these two lines. The
    # benchmark runs here, in-process: the peaks it prints are its zsl subprocesses' own.
    import relabel
    import transformers

    arguments = ["--images", "60", "--classes", "5", "--dim", "8", "--hubness"]
    monkeypatch.setattr(sys, "argv", ["relabel.py", *arguments, "--hubness-reduction", "csls"])
    # It quiets transformers for its own process: given back for the tests after this one.
    verbosity = transformers.logging.get_verbosity()
    bars = transformers.utils.logging.is_progress_bar_enabled()
    try:
        relabel.main()
    finally:
        transformers.logging.set_verbosity(verbosity)
        if bars:
            transformers.logging.enable_progress_bar()
    stdout = capsys.readouterr().out
    # 60 images are one chunk of zsl's scoring: no full matrix is avoided.
    score = next(line for line in stdout.splitlines() if "score + top-k" in line)
    assert "(one chunk: the whole N x C float32 matrix, " in score
    for command in ("zsl label --embeddings", "zsl hubness --embeddings"):
        line = next(line for line in stdout.splitlines() if command in line)
        peak = float(line.split("peak RSS")[1].split()[0])
        assert peak > 10, line  # MB: a real process's own peak, read from /proc


def test_relabel_scoring_memory_is_zsls_not_every_ranking_kept(
    benchmark_modules, tmp_path: Path, monkeypatch
) -> None:
    # With every class kept (--top-k 0) the rankings of all rows take 12 bytes a cell, three
    # times the N x C matrix the peak is printed against; zsl writes each row as it is ranked.
    import relabel

    from zsl_cli import scoring

    monkeypatch.setattr(scoring, "CHUNK_ROWS", 256)  # 32 chunks of 256 rows
    store = tmp_path / "bench.zsl"
    relabel.build_store(store, "bench", 8192, 8, seed=0)
    results = relabel.measure_in_process(store, "bench", 40, 8, 0, "jsonl")
    assert results["score_peak_mb"] < results["full_matrix_mb"] / 2


def test_throughput_decode_only_runs_as_many_workers_as_zsl_would(
    benchmark_modules, tiny_clip: Path, tmp_path: Path
) -> None:
    # zsl starts no more decode workers than it has images; the benchmark started all it was
    # given, and said so: 8 processes forked for 2 images, in its first batch and overall rate.
    import throughput
    from PIL import Image

    paths = [tmp_path / f"{i}.jpg" for i in range(2)]
    for path in paths:
        Image.new("RGB", (64, 48), "red").save(path)
    settings = small_settings(workers=8)
    rows = throughput.measure_decode_only(tiny_clip, paths, settings)
    assert [row.note.split(",")[0].split(";")[0] for row in rows] == [
        "2 decode threads",
        "2 decode threads",
        "2 decode processes",
    ]


def test_throughput_workdir_is_absolute(benchmark_modules, tmp_path: Path, monkeypatch) -> None:
    # zsl and the pipeline run with the repository as their folder: a relative --workdir named
    # files they could not find when the benchmark was started elsewhere (Python < 3.12's
    # mkdtemp keeps a relative folder relative).
    import throughput

    monkeypatch.chdir(tmp_path)
    _, args = throughput.parse_settings(["--sections", "7", "--workdir", "bench"])
    assert args.workdir == tmp_path / "bench"
    assert args.workdir.is_dir()


def test_throughput_own_cpu_share_covers_the_in_process_window(benchmark_modules) -> None:
    # Batches of 4: the window runs from line 4 (at 2.0 s) to line 12 (at 6.0 s), during which
    # the process's own CPU time went from 1.5 to 5.5 s: one core's worth.
    import throughput

    run = throughput.ProcessRun(
        count=12,
        wall_s=6.5,
        cpu_s=30.0,
        max_rss_mb=1.0,
        load=0.0,
        line_times=[1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.0, 6.0],
        own_cpu=[(0.5, 0.2), (1.9, 1.5), (3.0, 2.0), (5.95, 5.5), (6.4, 5.9)],
    )
    assert throughput.own_cpu_share(run, after=3, batch_size=4) == 1.0
    assert math.isnan(throughput.own_cpu_share(run, after=12, batch_size=4))  # no window
    run.own_cpu = []  # no /proc
    assert math.isnan(throughput.own_cpu_share(run, after=3, batch_size=4))


def test_throughput_first_prediction_row_gives_the_first_line_time(benchmark_modules) -> None:
    # The row's wall time was the whole run's (and so was the JSON's `wall_s`), with the time to
    # the first prediction, the one number the row is named for, only in its note.
    import throughput

    settings = small_settings(
        images=9, base_images=3, classes_large=5, batch_size=2, repeats=2, sections=(2,)
    )

    def run(first: float, wall: float) -> throughput.ProcessRun:
        return throughput.ProcessRun(3, wall, 9.0, 1.0, 0.0, [first, first, wall - 0.1])

    rounds = throughput.Rounds()
    rounds.zsl[5, 3] = [run(first=4.0, wall=5.0), run(first=3.5, wall=6.0)]
    rounds.zsl[2, 3] = [run(first=1.0, wall=2.0)]
    row = rounds.first_prediction(settings)
    assert row.measurement == "2 zsl first prediction, 5 classes"
    assert row.wall_s == 3.5  # the fastest first line at the larger class count
    assert row.cpu_s is None  # the whole run's CPU time is no time to a first line
    assert "6.00 s" in row.note  # the whole run, where the table said it


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ("nan", "is not a number above 0"),
        ("inf", "is not a finite number"),  # it is above 0
        ("0", "is not a number above 0"),
        ("-2", "is not a number above 0"),
    ],
)
def test_class_files_refuses_a_long_line_of_no_size(size: str, reason: str) -> None:
    # NaN and infinity came as a traceback after the class list and descriptions were written;
    # 0 and -2 were timed as a "one 0 MB line" / "one -2 MB line" of one word.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "class_files.py"), "--line-mb", size],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"argument --line-mb: {size} {reason}")


def test_class_files_fewer_classes_alone_caps_the_other_defaults(tmp_path: Path) -> None:
    # `--classes 5` alone was refused with '--described: at most --classes', of a flag never
    # given (its default, 1,000, is more than 5); given, a count above --classes still is.
    command = [sys.executable, str(BENCHMARKS / "class_files.py"), "--classes", "5"]
    command += ["--descriptors", "2", "--line-mb", "0.001", "--repeats", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "descriptions, 5 x 2" in result.stdout
    assert "attributes, 5 x 85" in result.stdout
    result = subprocess.run(
        command + ["--described", "6"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith("--described: at most --classes")


def test_class_files_times_a_long_line_past_a_descriptors_limit() -> None:
    # The long line was one descriptor of --line-mb MB, which zsl refuses past 10,000 characters:
    # the default 1 MB ended in a traceback. It is a minified file's line of many descriptors.
    command = [sys.executable, str(BENCHMARKS / "class_files.py"), "--classes", "5"]
    command += ["--descriptors", "2", "--line-mb", "0.05", "--repeats", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # The row is named by the classes on the line; its size column says how long the line is.
    assert re.search(r"descriptions, one line, [\d,]+ classes +0\.05 MB", result.stdout)


def test_class_files_names_a_line_shorter_than_one_class_by_that_class() -> None:
    # A --line-mb under one class's descriptions still writes one class: the row was named a
    # "one 0.0001 MB line" of 10 KB.
    command = [sys.executable, str(BENCHMARKS / "class_files.py"), "--classes", "5"]
    command += ["--descriptors", "2", "--line-mb", "0.0001", "--repeats", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "descriptions, one line, 1 class " in result.stdout
    assert "0.0001" not in result.stdout


class SlowPreparation:
    """Stands in for zsl's ImagePreparation: a fixed time per image, whatever the load."""

    SECONDS = 0.1

    def __call__(self, path: Path):
        import numpy as np

        time.sleep(self.SECONDS)
        return np.zeros((3, 4, 4), dtype=np.uint8)

    def set_up_process(self) -> None:
        pass


def test_throughput_decode_only_rate_starts_after_every_process_first_task(
    benchmark_modules, tmp_path: Path
) -> None:
    # A decode process gets up to 16 images a task: the first batch of 4 waited for all 16 of
    # the one process's first task, whose other 12 then came at once and were counted as
    # decoded after the first batch (~40 img/s from one process decoding 10 a second).
    import throughput

    paths = [tmp_path / f"{i}.jpg" for i in range(20)]
    timing = throughput.time_decoding(paths, SlowPreparation(), 4, workers=1, processes=True)
    assert timing.steady_rate < 1.5 / SlowPreparation.SECONDS


SAVE_MODEL_SCRIPT = """
import sys
from pathlib import Path

sys.path[:0] = [sys.argv[1], str(Path(sys.argv[1]).parent)]
import throughput
from transformers import CLIPConfig, CLIPModel

tokenizer = throughput.build_tokenizer(["kalo", "mizor vek"])
tower = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 4}
config = CLIPConfig(
    text_config=dict(tower, num_hidden_layers=1, vocab_size=len(tokenizer)),
    vision_config=dict(tower, num_hidden_layers=1, image_size=32, patch_size=8),
    projection_dim=16,
)
model = CLIPModel(config).eval()
print("--- saving ---", file=sys.stderr, flush=True)
throughput.save_model(Path(sys.argv[2]), model, tokenizer)
"""


def test_throughput_saves_its_model_without_transformers_notes(tmp_path: Path) -> None:
    # save_model meant to silence transformers' note on torchvision's absence, but the note came
    # as CLIPImageProcessor was imported, before the verbosity was set; and its progress bar
    # for writing the model's shards went to stderr between the benchmark's own lines.
    result = subprocess.run(
        [sys.executable, "-c", SAVE_MODEL_SCRIPT, str(BENCHMARKS), str(tmp_path / "model")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "model" / "preprocessor_config.json").is_file()
    assert result.stderr.partition("--- saving ---\n")[2] == ""


@pytest.mark.parametrize("script", ["shapes_world.py", "preprocessing_agreement.py"])
def test_shapes_world_sets_refuse_more_per_class_than_make_images_makes(script: str) -> None:
    # make-images makes at most 10,000 images per class: 10,001 was a traceback (the failed
    # make-images command, or its ZslError) instead of a usage line.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--seeds", "3", "--per-class", "10001"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("argument --per-class: 10001 is more than 10000")
    )


def test_throughput_decode_only_thread_rows_name_no_process(
    benchmark_modules, tiny_clip: Path, tmp_path: Path
) -> None:
    # With more threads than a batch holds, the rate starts after every thread's first image;
    # the threads' rows said it started after "each process's first task".
    import throughput
    from PIL import Image

    paths = [tmp_path / f"{i}.jpg" for i in range(5)]
    for path in paths:
        Image.new("RGB", (64, 48), "red").save(path)
    settings = small_settings(images=5, batch_size=1, workers=3)
    rows = throughput.measure_decode_only(tiny_clip, paths, settings)
    threads = [row.note for row in rows if "threads" in row.note]
    assert len(threads) == 2
    assert all("img/s after image 3 (every worker's first task)" in note for note in threads)
    assert not any("process" in note for note in threads)


def one_batch_rounds(throughput, settings):
    """zsl runs of 2 and 4 images at batch 8 (each one batch), 1 s apart, and a ceiling of 2
    img/s: a 'marginal rate' of 2 img/s that is only the second batch's extra size."""

    def run(count: int, wall: float):
        return throughput.ProcessRun(count, wall, 5.0 + count, 900.0, 0.0, [wall - 0.1] * count)

    rounds = throughput.Rounds()
    rounds.zsl[2, 2] = [run(2, 10.0)]
    rounds.zsl[2, 4] = [run(4, 11.0)]
    ceiling = throughput.Row("1 model-only forward (fp32)", 8, 4.0, 4.0, 2.0, note="batch 8")
    rounds.ceilings[2] = [[ceiling, dataclasses.replace(ceiling)]]
    return rounds


def test_throughput_gives_no_steady_state_verdict_when_both_runs_fit_in_one_batch(
    benchmark_modules,
) -> None:
    # Both runs were one batch each, yet the marginal rate between them was printed as zsl's
    # steady state and judged against the ceiling: "target >= 0.9: met in 1 of 1 rounds".
    import throughput

    settings = small_settings(images=4, base_images=2, batch_size=8, sections=(1, 2))
    rounds = one_batch_rounds(throughput, settings)
    zsl_rows = [row for row in rounds.rows(settings) if row.measurement.startswith("2 zsl label")]
    assert zsl_rows[0].marginal is None and math.isnan(zsl_rows[1].marginal)
    assert "both runs fit in one batch of 8" in zsl_rows[-1].note
    paired = rounds.paired(settings)
    assert paired["steady_state_vs_ceiling"] == {}
    text = "\n".join(throughput.render_paired(paired, settings))
    assert "met in" not in text and "median" not in text
    assert "steady state: not measurable, both runs (2 and 4 images) fit in one batch" in text


def test_throughput_steady_state_is_judged_once_the_large_run_has_two_batches(
    benchmark_modules,
) -> None:
    # The same runs at batch 2: three batches in the large run, a marginal rate to judge.
    import throughput

    settings = small_settings(images=4, base_images=2, batch_size=2, sections=(1, 2))
    rounds = one_batch_rounds(throughput, settings)
    paired = rounds.paired(settings)
    assert paired["steady_state_vs_ceiling"] == {"2": [1.0]}
    assert "met in 1 of 1 rounds" in "\n".join(throughput.render_paired(paired, settings))


def test_throughput_ceiling_alone_names_no_large_run(benchmark_modules, monkeypatch) -> None:
    # With --sections 1 there is no zsl or pipeline run, but the progress line said the ceiling
    # was timed "before the large run".
    import throughput

    monkeypatch.setattr(
        throughput,
        "measure_model_only",
        lambda *args: throughput.Row("1 model-only forward (fp32)", 8, 1.0, 1.0, 8.0),
    )
    settings = small_settings(images=3, base_images=1, sections=(1,), repeats=2)
    said: list[str] = []
    folders = ((Path("base"), 1), (Path("images"), 3))
    pipeline_folders = (([], 1), ([], 3))
    rounds, scores = throughput.run_rounds(
        None, Path("model"), folders, pipeline_folders, ((Path("c.txt"), 2),), Path("."),
        settings, said.append,
    )  # fmt: skip
    assert said == [
        "1. model-only forward (round 1 of 2) ...",
        "1. model-only forward (round 2 of 2) ...",
    ]
    assert scores is None
    notes = [row.note for row in rounds.rows(settings)]
    assert notes == [", round 1", ", round 2"]


def tiny_benchmark_model(tokenizer, seed: int = 0):
    """A CLIP small enough to build and save in a test, with the benchmark's tokenizer."""
    from transformers import CLIPConfig, CLIPModel

    tower = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 4}
    config = CLIPConfig(
        text_config=dict(tower, num_hidden_layers=1, vocab_size=len(tokenizer)),
        vision_config=dict(tower, num_hidden_layers=1, image_size=32, patch_size=8),
        projection_dim=16,
    )
    return CLIPModel(config).eval()


@pytest.mark.parametrize(
    ("sections", "built"),
    [
        ((7,), set()),
        ((1,), {"model"}),
        ((4,), {"model", "images"}),
        ((6,), {"model", "images"}),
        ((2,), {"model", "images", "images-base"}),
    ],
)
def test_throughput_builds_only_what_its_sections_use(
    benchmark_modules, tmp_path: Path, monkeypatch, sections, built
) -> None:
    # Every run built the model and both JPEG sets first, though section 7 (`zsl --help`)
    # uses neither, section 1 no JPEG and section 4 only the large set it links to.
    import throughput

    monkeypatch.setattr(throughput, "build_model", tiny_benchmark_model)
    used: dict[str, object] = {}

    def measured(name):
        def record(*args, **kwargs):
            used[name] = args
            return ([], {}) if name == "memory" else []

        return record

    monkeypatch.setattr(throughput, "measure_help", measured("help"))
    monkeypatch.setattr(throughput, "measure_memory", measured("memory"))
    monkeypatch.setattr(throughput, "measure_decode_only", measured("decode"))
    monkeypatch.setattr(
        throughput,
        "measure_model_only",
        lambda *args: throughput.Row("1 model-only forward (fp32)", 8, 1.0, 1.0, 8.0),
    )

    def run_zsl(folder: Path, count: int, *args):
        assert len(list(folder.iterdir())) == count  # the folder it was given is there
        return throughput.ProcessRun(count, 1.0 + count, 1.0, 1.0, 0.0, [1.0] * count), None

    monkeypatch.setattr(throughput, "run_zsl", run_zsl)
    settings = small_settings(images=3, base_images=1, sections=sections)
    results = throughput.run_benchmark(settings, tmp_path, lambda message: None)
    assert {path.name for path in tmp_path.iterdir() if path.is_dir()} == built
    if "memory" in used:
        assert used["memory"][0] == sorted((tmp_path / "images").iterdir())
    text = throughput.render(results)
    assert "None" not in text
    assert ("JPEGs 1024x768" in text) == ("images" in built)
    # The header names only the settings a chosen section read: section 7 runs no batch.
    header = text.splitlines()[0]
    assert ("batch " in header) == bool(set(sections) & {1, 2, 4, 5, 6})
    assert ("classes " in header) == bool(set(sections) & {2, 3, 4, 5})


def test_throughput_decode_only_with_one_worker_runs_no_process(
    benchmark_modules, tiny_clip: Path, tmp_path: Path
) -> None:
    # With one worker zsl decodes in a thread on every device, but the benchmark still forked a
    # decode process for a "draft, processes" row: a mode zsl never runs, labelled as its own.
    import throughput
    from PIL import Image

    paths = [tmp_path / f"{i}.jpg" for i in range(3)]
    for path in paths:
        Image.new("RGB", (64, 48), "red").save(path)
    rows = throughput.measure_decode_only(tiny_clip, paths, small_settings(workers=1))
    assert [row.measurement for row in rows] == [
        "6 decode+preprocess only (draft)",
        "6 decode+preprocess only (exact)",
    ]
    assert all(row.note.startswith("1 decode thread,") for row in rows)
    assert "zsl decodes in threads with 1 worker" in rows[0].note


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--memory-images", "500"], "--memory-images: only section 4 uses it"),
        (["--pipeline-batch-size", "4"], "--pipeline-batch-size: only section 3 uses it"),
        (["--iterations", "3", "--sections", "2,6"], "--iterations: only section 1 uses it"),
        (["--workers", "2", "--sections", "1,3,7"], "--workers: only sections 2, 4, 5, 6 use"),
        (["--precision", "bf16", "--sections", "6,7"], "--precision: only sections 1, 2, 3, 4"),
    ],
)
def test_throughput_refuses_a_flag_that_no_chosen_section_reads(
    benchmark_modules, capsys, flags, message
) -> None:
    # They were accepted and ignored: `--memory-images 500` without --memory ran no memory
    # check, `--pipeline-batch-size` on a GPU (no section 3 by default) no pipeline.
    import throughput

    with pytest.raises(SystemExit) as raised:
        throughput.parse_settings(["--sections", "1,2", *flags])
    assert raised.value.code == 2
    assert message in capsys.readouterr().err.strip().splitlines()[-1]


def test_throughput_accepts_flags_its_sections_read(benchmark_modules) -> None:
    import throughput

    settings, _ = throughput.parse_settings(
        ["--sections", "2,3", "--memory", "--memory-images", "500", "--workers", "2"]
        + ["--pipeline-batch-size", "4", "--classes-small", "3", "--base-images", "5"]
    )
    assert settings.sections == (2, 3, 4)
    assert (settings.memory_images, settings.memory_small) == (500, 100)
    assert (settings.pipeline_batch_size, settings.workers, settings.repeats) == (4, 2, 1)


@pytest.mark.parametrize(
    ("methods", "together"),
    [(["csls", "mp"], "none+csls+mp"), (["none", "csls", "isoftmax", "centering", "mp"], "all")],
)
def test_hubness_scale_names_the_methods_it_ran_together(methods: list[str], together: str) -> None:
    # `--methods csls mp` printed its last row as "all methods", though it ran those two only.
    command = [sys.executable, str(BENCHMARKS / "hubness_scale.py"), "--images", "40"]
    command += ["--classes", "6", "--dim", "4", "--methods", *methods]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    steps = [line.split()[0] for line in result.stdout.splitlines()[2:-1]]
    assert steps == ["similarities", *methods, together]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--sections", "speed", "--factors", "2"], "--factors: only section agreement uses it"),
        (["--sections", "agreement,order", "--repeats", "3"], "--repeats: only section speed"),
    ],
)
def test_resize_agreement_refuses_a_flag_its_sections_do_not_read(flags, message) -> None:
    # Both were accepted and ignored: `--sections speed --factors 2` timed the fixed speed cases.
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "resize_agreement.py"), *flags],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr.strip().splitlines()[-1]


def outrun_rounds(throughput):
    """The reviewer's loaded run at batch 3: a ceiling of 0.625 img/s, and zsl runs of 2 and 7
    images 1.58 s apart, a 'marginal rate' of 3.17 img/s, five times the model alone. The large
    run's own lines give 4 images over 7.3 s after prediction 3: 0.55 img/s, a plausible 0.88."""

    def run(count: int, wall: float, line_times: list[float]):
        return throughput.ProcessRun(count, wall, 5.0 + count, 900.0, 0.0, line_times)

    rounds = throughput.Rounds()
    rounds.zsl[2, 2] = [run(2, 10.0, [9.9, 9.9])]
    rounds.zsl[2, 7] = [run(7, 11.58, [3.0] * 3 + [6.6] * 3 + [10.3])]
    ceiling = throughput.Row("1 model-only forward (fp32)", 3, 4.8, 4.8, 0.625, note="batch 3")
    rounds.ceilings[2] = [[ceiling, dataclasses.replace(ceiling)]]
    return rounds


def test_throughput_gives_no_verdict_on_a_steady_state_faster_than_the_model_alone(
    benchmark_modules,
) -> None:
    # zsl runs the ceiling's forward pass and more, so a marginal rate 5 times the ceiling is
    # start-up jitter between the two runs; it was printed as "5.06 (target >= 0.9: met in 1 of
    # 1 rounds)".
    import throughput

    settings = small_settings(
        images=7, base_images=2, batch_size=3, pipeline_batch_size=3, sections=(1, 2, 3)
    )
    paired = outrun_rounds(throughput).paired(settings)
    assert paired["steady_state_vs_ceiling"]["2"][0] > 5
    lines = throughput.render_paired(paired, settings)
    marginal = lines[lines.index(next(line for line in lines if "marginal rate" in line)) + 1]
    assert "not measurable: noise" in marginal
    assert "met in" not in marginal and "median" not in marginal
    in_process = lines[-1]  # 0.88 of the ceiling: measured, and judged
    assert "0.88" in in_process and "met in 0 of 1 rounds" in in_process


def test_throughput_leaves_a_noisy_round_out_of_the_verdict(benchmark_modules) -> None:
    # Two rounds: one plausible (0.95), one faster than the model alone (5.06, noise).
    import throughput

    settings = small_settings(images=7, base_images=2, batch_size=3, repeats=2, sections=(1, 2))
    rounds = outrun_rounds(throughput)
    small, large = rounds.zsl[2, 2][0], rounds.zsl[2, 7][0]
    rounds.zsl[2, 2].append(small)
    rounds.zsl[2, 7].append(dataclasses.replace(large, wall_s=10.0 + 5 / (0.95 * 0.625)))
    rounds.ceilings[2].append(rounds.ceilings[2][0])
    lines = throughput.render_paired(rounds.paired(settings), settings)
    marginal = next(line for line in lines if line.startswith("  2 classes: 5.06 0.95"))
    assert "median 0.95" in marginal
    assert "met in 1 of 1 rounds" in marginal
    assert "1 round not measurable: noise" in marginal


def test_resize_agreement_leaves_out_sources_that_shrink_below_one_pixel(
    benchmark_modules, monkeypatch, capsys
) -> None:
    # --factors 100 shrank 20-60 px sources to 1 px (clamped) and printed their "0 difference"
    # rows as factor 100, with no note; a 200 px source is 2 px high there, a real shrink.
    import numpy as np
    import resize_agreement

    monkeypatch.setattr(resize_agreement, "SIZES", {"small": (20, 60), "medium": (200,)})
    resize_agreement.agreement([50, 100], np.random.default_rng(0))
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if "random" in line]
    small = {(row[0], row[3]): row for row in rows if row[1] == "small"}
    medium = [row for row in rows if row[1] == "medium"]
    assert len(small) == len(medium) == 4  # bilinear and bicubic at 50 and 100
    for name in ("bilinear", "bicubic"):
        at_50, at_100 = small[name, "50"], small[name, "100"]
        assert at_50[4] != "-"  # the 60-px source, 1.2 px high: measured
        assert "under 1 px" in " ".join(at_50[7:]) and at_50[-2:] == ["20", "px"]
        assert at_100[4:7] == ["-", "-", "-"]  # neither source: nothing measured
        assert " ".join(at_100[-3:]) == "20, 60 px"
    assert all(row[4] != "-" and "under" not in row for row in medium)


def test_hubness_scale_refuses_fewer_images_than_zsl_measures_hubness_on() -> None:
    # zsl hubness refuses one image (it needs 2 or more to see how images spread over the
    # classes); the benchmark timed hubness.compare on one all the same.
    command = [sys.executable, str(BENCHMARKS / "hubness_scale.py"), "--images", "1"]
    command += ["--classes", "6", "--dim", "4"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("argument --images: 1 is less than 2")


def test_shapes_world_refuses_hubness_ks_that_zsl_clamps_to_one_k() -> None:
    # With 30 classes zsl clamps k to 29: --hubness-k 29 40 measured k = 29 twice and printed
    # the same table twice, where --hubness-k 29 29 is refused.
    command = [sys.executable, str(BENCHMARKS / "shapes_world.py"), "--seeds", "3", "4"]
    command += ["--per-class", "1", "--hubness-k", "29", "40"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "--hubness-k: 29 and 40 are both k = 29" in last


def test_preprocessing_agreement_always_measures_zsls_default_path(
    benchmark_modules, monkeypatch, capsys
) -> None:
    # Without 4 (DRAFT_MARGIN) among --margins, zsl's own default path (a draft at DRAFT_MARGIN
    # with zsl's resize) had no row; and the row names, some with a comma ("draft 4x, pillow"),
    # were joined with commas.
    import preprocessing_agreement

    from zsl_cli.encoders.preprocess import DRAFT_MARGIN

    assert DRAFT_MARGIN != 2
    real_make_image_set = preprocessing_agreement.make_image_set

    def four_images(out: Path, seed: int, per_class: int):
        # The rows are named whatever the set holds: 4 images (one at each enlargement) of
        # the 30 make the row without 30 large JPEGs decoded five times.
        summary = real_make_image_set(out, seed, per_class)
        for png in sorted(out.rglob("*.png"))[4:]:
            png.unlink()
        return summary

    monkeypatch.setattr(preprocessing_agreement, "make_image_set", four_images)
    arguments = ["--seeds", "3", "--per-class", "1", "--margins", "2"]
    monkeypatch.setattr(sys, "argv", ["preprocessing_agreement.py", *arguments])
    assert preprocessing_agreement.main() == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("seed 3"))
    assert ", 4 JPEGs:" in line
    cells = line.partition("top-1 agreement: ")[2].split(" | ")
    names = [cell.rpartition(" ")[0] for cell in cells]
    zsls = f"draft {DRAFT_MARGIN:g}x"
    assert names == [zsls, "draft 2x", f"{zsls}, pillow", "full, torch"]
    assert all(cell.endswith("%") for cell in cells)


def test_throughput_leaves_an_unmeasurable_round_out_of_the_verdict(benchmark_modules) -> None:
    # A round whose ratio is n/a (the large run was not slower than the small one) counted as a
    # round that missed the target: "met in 2 of 3 rounds", where a noise round is left out.
    import throughput

    settings = small_settings(images=288, base_images=96, repeats=3, sections=(1, 2))
    paired = {
        "whole_process_vs_pipeline": {},
        "steady_state_vs_ceiling": {"10": [0.95, math.nan, 0.97]},
        "steady_state_in_process_vs_ceiling": {"10": [math.nan, math.nan]},
    }
    marginal, in_process = [
        line for line in throughput.render_paired(paired, settings) if "10 classes" in line
    ]
    assert marginal.startswith("  10 classes: 0.95 n/a 0.97 (median 0.96;")
    assert "met in 2 of 2 rounds" in marginal
    assert "1 round not measurable (n/a)" in marginal
    assert "median" not in in_process and "met in" not in in_process
    assert "2 rounds not measurable (n/a)" in in_process and "no verdict" in in_process


@pytest.mark.parametrize(
    ("walls", "load", "verdict"),
    [
        ([0.8] * 10, 14.65, "target < 0.5 s: no verdict, load average 14.65"),
        ([0.8] * 10, 0.5, "target < 0.5 s: NOT met"),
        ([0.3] * 10, 14.65, "target < 0.5 s: met"),
    ],
)
def test_throughput_help_start_up_gives_no_failing_verdict_on_a_loaded_machine(
    benchmark_modules, monkeypatch, tmp_path, walls, load, verdict
) -> None:
    # Section 7 said "NOT met" beside a load average of 14.65 that it recorded in the same row:
    # `zsl --help` took 0.29-0.32 s right after. A load can only slow it, so "met" still holds.
    import throughput

    def run_process(command, log, count, **_):
        return throughput.ProcessRun(0, walls.pop(), 0.1, 17.0, load)

    walls = walls * 2
    monkeypatch.setattr(throughput, "run_process", run_process)
    rows = throughput.measure_help(tmp_path)
    assert len(rows) == 2
    assert all(verdict in row.note for row in rows), rows[0].note


@pytest.mark.parametrize("flags", [["--seed", "5"], ["--quick"], ["--quick", "--seed", "0"]])
def test_throughput_refuses_seed_and_quick_for_help_alone(benchmark_modules, capsys, flags) -> None:
    # Section 7 builds no model and no JPEG, yet `--sections 7 --seed 5` was accepted and its
    # header said "seed 5"; `--quick` was ignored too.
    import throughput

    with pytest.raises(SystemExit) as raised:
        throughput.parse_settings(["--sections", "7", *flags])
    assert raised.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{flags[0]}: only sections 1, 2, 3, 4, 5, 6 use it" in last


def test_throughput_reads_seed_and_quick_with_a_section_that_uses_them(benchmark_modules) -> None:
    import throughput

    settings, _ = throughput.parse_settings(["--sections", "6,7", "--quick", "--seed", "5"])
    assert (settings.seed, settings.images) == (5, 16)
    assert throughput.parse_settings(["--sections", "7"])[0].seed == 0
    header = throughput.header_settings(dataclasses.asdict(settings))
    assert "seed 5" in header
    help_only = throughput.parse_settings(["--sections", "7"])[0]
    assert not any(
        text.startswith("seed")
        for text in throughput.header_settings(dataclasses.asdict(help_only))
    )


@pytest.mark.parametrize("margins", [["4", "4.0000001", "0.5"], ["4.0000001"]])
def test_preprocessing_agreement_refuses_margins_that_print_alike(margins) -> None:
    # `--margins 4 4.0000001` printed one "draft 4x" column, the second margin's results in it.
    # zsl's own margin (4) is always measured, so 4.0000001 alone collides with it too.
    command = [sys.executable, str(BENCHMARKS / "preprocessing_agreement.py"), "--seeds", "5"]
    command += ["--per-class", "1", "--margins", *margins]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.endswith(
        "--margins: 4 and 4.0000001 both print as 4x; give margins that differ in their "
        "first 6 digits"
    )


def test_resize_agreement_warms_torch_up_before_timing(benchmark_modules, monkeypatch) -> None:
    # With --repeats 1 the first case's torch resize was its first call in the process, which
    # sets torch up: shown about 10 times too slow.
    import numpy as np
    import resize_agreement

    calls: list[str] = []
    torch_resize, timed = resize_agreement._torch_resize, resize_agreement.fastest
    monkeypatch.setattr(
        resize_agreement,
        "_torch_resize",
        lambda *args: calls.append("torch") or torch_resize(*args),
    )
    monkeypatch.setattr(
        resize_agreement,
        "fastest",
        lambda run, repeats: calls.append("timed") or timed(run, repeats),
    )
    monkeypatch.setattr(resize_agreement, "SPEED_CASES", resize_agreement.SPEED_CASES[:1])
    resize_agreement.speed(1, np.random.default_rng(0))
    assert calls.index("torch") < calls.index("timed")


def test_class_files_refuses_one_attribute_column() -> None:
    # With one column every class's row of weights is proportional to every other's, so zsl
    # refuses the table: the benchmark timed the other inputs, then ended in a traceback.
    command = [sys.executable, str(BENCHMARKS / "class_files.py"), "--attribute-columns", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("argument --attribute-columns: 1 is less than 2")
    )


def test_hubness_scale_refuses_a_method_given_twice() -> None:
    command = [sys.executable, str(BENCHMARKS / "hubness_scale.py"), "--images", "4"]
    command += ["--classes", "3", "--dim", "2", "--methods", "mp", "mp"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].endswith("--methods: mp is given twice")


@pytest.mark.parametrize("source", ["missing", "empty"])
def test_text_memory_refuses_a_source_without_zsl_cli_before_any_work(
    tmp_path: Path, source: str
) -> None:
    # A folder that is not a checkout built the model and images, then printed the zsl
    # process's ModuleNotFoundError traceback and /usr/bin/time's lines.
    folder = tmp_path / source
    if source == "empty":
        folder.mkdir()
    command = [sys.executable, str(BENCHMARKS / "text_memory.py"), "--classes", "2"]
    command += ["--images", "1", "--dim", "4", "--source", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith(f"--source {str(folder)!r}: no zsl_cli there")
    assert "Traceback" not in result.stderr
    assert "model" not in result.stderr.lower()  # nothing was built


def test_text_memory_refuses_an_unknown_template_set_before_building_the_model() -> None:
    command = [sys.executable, str(BENCHMARKS / "text_memory.py"), "--classes", "2"]
    command += ["--images", "1", "--dim", "4", "--templates", "nosuch"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("text_memory.py: error: --templates 'nosuch': not a built-in set")
    assert "Writing model shards" not in result.stderr
    assert "Traceback" not in result.stderr


def test_text_memory_runs_quietly_and_sizes_small_embeddings() -> None:
    # Building the tiny CLIP printed transformers' torchvision note and a "Writing model shards"
    # bar on stderr, and 2 x 4-d class vectors were printed as "0 MB".
    command = [sys.executable, str(BENCHMARKS / "text_memory.py"), "--classes", "2"]
    command += ["--images", "1", "--dim", "4", "--templates", "imagenet7"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Writing model shards" not in result.stderr
    assert "torchvision" not in result.stderr
    assert "class vectors 32 bytes, every prompt's embedding 224 bytes" in result.stdout


def test_throughput_header_names_the_tokens_per_prompt(benchmark_modules) -> None:
    # It printed the Python dict: "tokens per prompt {'zsl': 8.3, 'pipeline': 9.3}".
    import throughput

    settings = small_settings()
    results = throughput.Results(dataclasses.asdict(settings), throughput.environment(settings))
    results.numbers["tokens_per_prompt"] = {"zsl": 8.3, "pipeline": 9.3}
    assert "tokens per prompt: zsl 8.3, pipeline 9.3" in throughput.render(results)


def test_resize_agreement_rows_stay_aligned(benchmark_modules, monkeypatch, capsys) -> None:
    # Pass-order rows of sizes of different widths were not aligned, and a speed reading of
    # 100 ms or more ran into its label ("torch*105.48").
    import numpy as np
    import resize_agreement

    resize_agreement.pass_order(np.random.default_rng(0))
    rows = capsys.readouterr().out.splitlines()[1:-1]
    assert len({row.index("(this Pillow") for row in rows}) == 1
    monkeypatch.setattr(resize_agreement, "SPEED_CASES", [((20, 90), (16, 64))])
    monkeypatch.setattr(resize_agreement, "fastest", lambda fn, repeats: 0.10548)
    resize_agreement.speed(1, np.random.default_rng(0))
    row = capsys.readouterr().out.splitlines()[-1]
    assert " 105.48 " in row and "*105" not in row
