"""Slack front end: a Bolt app answering mentions and direct messages with cited answers.

Runs in Socket Mode (``assistant slack``) or over HTTP, mounted on ``assistant serve``.
"""
