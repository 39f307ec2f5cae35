"""Type-checked by mypy in .ci/run, never run: a script passing lists where the requests take
sequences. Their annotations said tuple, and mypy refused `InputOptions(paths=["photos"])`, where
any sequence worked at run time (it is kept as a tuple)."""

from zsl_cli import api

api.InputOptions(paths=["photos"], extensions=[".png"])
api.HubnessRequest(methods=["none", "csls"])
api.EvaluateRequest(predictions="p.csv", truth="t.csv", ks=[1, 3])
