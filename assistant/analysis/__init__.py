"""Question time, first step: what a question asks, read once and used by retrieval and the answer alike.

``question`` finds the question's type, the names it is about and any figure it asserts; ``gazetteer``
knows countries and regions and reads other proper names; ``lexicon`` holds the English and French
words both read (question cues, figure words, months, causes, speech, for/against stems); ``glossary``
gives the words of the same meaning across the two languages. Neither ``retrieval`` nor ``answer``
imports the other.
"""
