"""Helpers the tests share: factories, HTTP helpers, the browser, servers, checkers.

No test module imports from another test module; what two of them need lives here.
"""
