"""Question time, last step: from retrieved passages to a cited answer.

``extractive`` quotes the sentences that answer (the offline default), in named steps: ``candidates``
(the quotable sentences), ``evidence`` (the rules a quote must pass), ``scoring`` (one score per
sentence, the seam for a trained reader), ``refusal`` (the bars, the refusal and its text),
``shapes`` (the answer's form, from one table), ``selection`` (which quotes) and ``layout`` (how it
reads). With a chat model, ``prompts`` builds its messages with the sources as data, ``generate``
runs it and ``citations`` checks its markers and figures.
"""
