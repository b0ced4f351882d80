"""Complaints and the service desk (Part C: A3, A8.2, A9, A11 and the A4 hotline rules).

So far the pure engine (``rules.py``): stages, transitions, stage deadlines on the working
calendar, the sweep's verdicts, A8.2 penalties, grouping, needs and work orders. Issue #5.
"""
