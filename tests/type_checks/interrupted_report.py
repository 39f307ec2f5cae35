"""Type-checked by mypy in .ci/run, never run: a script reading the work an `Interrupted` saved,
as the README says. Its `report` was typed with only `interrupted`, so mypy refused
`stop.report.to_json()` and every count, though the report (a LabelReport or an EmbedReport)
held them at run time."""

import json

from zsl_cli import api


def run_label(request: api.LabelRequest) -> int:
    try:
        return api.label(request).total
    except api.Interrupted as stop:
        saved: bool = stop.report.interrupted
        seconds: float = stop.report.elapsed_s
        failed: int = stop.report.failed
        print(json.dumps(stop.report.to_json()), saved, seconds, failed)
        for warning in stop.report.warnings:
            print(warning)
        for folder, reason in stop.report.unreadable_folders:
            print(folder.name, reason)
        # label's own fields, where the report is label's
        if isinstance(stop.report, api.LabelReport):
            return stop.report.total + len(stop.report.predictions)
        raise


def run_embed(request: api.EmbedRequest) -> int:
    try:
        return api.embed(request).encoded
    except api.Interrupted as stop:
        if isinstance(stop.report, api.EmbedReport):
            return stop.report.encoded
        raise
