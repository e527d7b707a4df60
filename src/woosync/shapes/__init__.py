"""The specification's JSON shapes (camelCase) of the typed values the services return.

The CLI's ``--json`` and, later, the HTTP API of ``woosync serve`` both print these, so a shape
is written once. Shapes import services (for their types) and core; nothing below imports them.
"""
