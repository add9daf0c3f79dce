"""The `llm-rnn` command line."""
