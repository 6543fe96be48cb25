"""The demo platform at ``/demo/``: a fictional platform that uses the public API like any
other (its server side holds a secret key and calls ``/v1`` over HTTP with the official
SDK) so that the whole journey can be walked from ``connect-support demo``."""
