"""Helpers shared by every test tier: real brokers, databases and processes."""

from tests.support.processes import PythonProcess, free_ports, wait_for, wait_for_http

__all__ = ["PythonProcess", "free_ports", "wait_for", "wait_for_http"]
