"""Type-checked by mypy in .ci/run, never run: a script passing what the requests take at run time
and their annotations refused. A duck-typed writer as stdout (the README: "any other, a
duck-typed writer included, is written bytes"), a generator of paths (read once, kept as a
tuple) and a set of ks (kept as a tuple, smallest first)."""

from zsl_cli import api


class Duck:
    """A writer with write() and flush() alone, as a caller may hand one."""

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


api.OutputOptions(stdout=Duck())
api.InputOptions(paths=(name for name in ["photos", "more photos"]))
api.EvaluateRequest(predictions="p.csv", truth="t.csv", ks={1, 5})
api.EvaluateRequest(predictions="p.csv", truth="t.csv", ks=(k for k in range(1, 4)))

# What the requests keep is as narrow as before: a tuple of paths, a sequence of ks.
first_path = api.InputOptions(paths=["photos"]).paths[0]
first_k: int = api.EvaluateRequest(predictions="p.csv", truth="t.csv").ks[0]
