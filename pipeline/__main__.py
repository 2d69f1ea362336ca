"""`python -m pipeline run|status`: the pipeline commands without the rest of the CLI."""

from pipeline.cli import pipeline_group

pipeline_group(prog_name="python -m pipeline")
