"""kehu's benchmarks (``make bench`` = ``python -m benchmarks``).

Every measurement of kehu is paired with a **floor** measured in the same run, on the same
connection and the same data: the same lookup as hand-written SQL through a raw cursor, the
same write as one raw INSERT, the pure rules function without the database. Machines of this
kind are noisy (10–25 % between runs), so what counts is the ratio, not the absolute figure.

Layout:

* ``__main__``  — the command: runs one worker process per database, prints the tables,
  writes ``benchmarks/out/latest.json``; ``--markdown`` renders the tables for the docs.
* ``worker``    — one database: create it fresh, migrate, load the data, run the suites.
* ``dataset``   — the deterministic (seeded) customers, phones, plates and families.
* ``loading``   — bulk loading (``executemany`` on SQLite, ``COPY`` on PostgreSQL).
* ``timing``    — interleaved kehu/floor timing, medians and p99.
* ``suite_*``   — what is measured: identity matching and search, the ledger, deadlines.

See ``docs/performance.md`` for the figures and what they mean.
"""
