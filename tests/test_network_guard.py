"""The suite can only reach loopback: pytest-socket's guard is installed for every test."""

import socket


def test_outbound_connections_are_guarded():
    # Checked without connecting anywhere: the guard replaces connect() and only lets loopback through.
    assert socket.socket.connect.__name__ == "guarded_connect"
