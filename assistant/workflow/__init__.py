"""The manager's workflow around the answers (issue 15), reached through ``Assistant.workflow()``.

- ``brief``: a conversation as a strategy brief (its questions, answers and one numbered source list
  with each quote), in Markdown; ``brief_pdf`` lays the same brief out as a PDF (fpdf2).
- ``gaps``: the corpus-gap report: refused and thumbs-down questions of a period, clustered by topic
  with the embedding model, each group with its closest documents.
- ``corpus``: what the corpus tab shows of one document, withdrawing and restoring a document, the
  last ingest's report.
- ``service``: ``Workflow``, the one object front ends get these from.
"""
