"""Question time, second half: from retrieved passages to a cited answer.

``extractive`` quotes the sentences that answer (the offline default); ``prompts`` builds the chat
model's messages with the sources as data; ``citations`` checks a generated answer's markers and
figures; ``safety`` masks instruction-like text in documents and redacts secrets from answers.
"""
