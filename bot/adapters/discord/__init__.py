"""The Discord adapter: mentions, DMs and slash commands in; cited answers out (entry point: client.run_discord)."""
