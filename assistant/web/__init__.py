"""The web front end: the Gradio chat page, the JSON API and the OpenAI-compatible API.

Everything is served by one FastAPI app built by ``assistant.web.server.create_app``;
``assistant serve`` runs it with uvicorn.
"""
