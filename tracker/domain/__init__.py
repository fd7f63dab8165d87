"""Pure rules of tracker: schedule arithmetic, dosing limits, date parsing.

Nothing here touches a database, a terminal or the clock: callers pass
``today`` in, so every rule can be tested with plain values.
"""
