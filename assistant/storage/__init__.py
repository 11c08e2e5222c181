"""What the assistant remembers between requests: answered turns and the users' feedback."""
