#!/usr/bin/python3
"""Refuses schema migrations that would break a rollback.

`helm rollback` runs the previous image against a schema the new image has already migrated, so
every migration must be an *expand* step: the code of the release before it keeps working on
the migrated schema (new tables, new nullable or defaulted columns, new indexes, dropped
constraints). A step that takes something away or narrows what is allowed — dropping or renaming
a table or column, changing a column's type, SET NOT NULL, a new constraint or unique index on an
existing table, a NOT NULL column without a default, deleting rows — is a *contract* step. It is
accepted only when its SQL says which earlier expand step it completes:

    -- contract: completes 7

and migration 7 says what it expands (`-- expand: orders.buyer_email_normalized, read by ...`).
The contract step ships one release after the code stopped using the old shape; see
docs/deployment.md#migrations.

It also checks that the SQLite and PostgreSQL lists have the same versions and names.

Usage: scripts/check_migrations.py [SOURCE.cc ...]   (default: src/storage/migrations/*.cc)
Exit status 1 with one line per problem.
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONSTANT = re.compile(r'constexpr\s+std::string_view\s+(\w+)\s*=\s*R"sql\((.*?)\)sql"', re.S)
ENTRY = re.compile(r'Migration\{\s*(\d+)\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*\}')
CONTRACT = re.compile(r"--\s*contract:\s*completes\s+(\d+)", re.I)
EXPAND = re.compile(r"--\s*expand:\s*\S", re.I)

# (pattern over one normalised statement, what it does to the previous release's code)
DESTRUCTIVE = [
    (re.compile(r"^DROP (TABLE|VIEW|TYPE|SCHEMA|SEQUENCE|MATERIALIZED VIEW)\b"), "drops {0}"),
    (re.compile(r"\bRENAME\b"), "renames"),
    (re.compile(r"\bALTER COLUMN \S+ (SET DATA )?TYPE\b"), "changes a column's type"),
    (re.compile(r"\bSET NOT NULL\b"), "makes a column NOT NULL"),
    (re.compile(r"^TRUNCATE\b|^DELETE FROM\b"), "deletes rows"),
]
DROP_COLUMN = re.compile(r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+) DROP (?!CONSTRAINT\b|DEFAULT\b|NOT NULL\b)")
ADD_CONSTRAINT = re.compile(r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+) .*\bADD (CONSTRAINT|CHECK|UNIQUE|PRIMARY KEY|FOREIGN KEY)\b")
ADD_NOT_NULL_COLUMN = re.compile(r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+) ADD (?:COLUMN )?(?:IF NOT EXISTS )?\S+ .*\bNOT NULL\b")
UNIQUE_INDEX = re.compile(r"^CREATE UNIQUE INDEX .*?\bON (?:ONLY )?(\S+)")
CREATE_TABLE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?(\S+)")


def statements(sql):
    """The SQL's statements, comments and string literals removed, whitespace collapsed, upper case."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    for statement in sql.split(";"):
        statement = " ".join(statement.split()).upper()
        if statement:
            yield statement


def table_name(name):
    return name.strip('"').split("(")[0].lower()


def destructive_steps(sql, existing_tables):
    """What in `sql` the previous release's code could trip over, one phrase each."""
    found = []
    created_here = set()
    for statement in statements(sql):
        created = CREATE_TABLE.match(statement)
        if created:
            created_here.add(table_name(created.group(1)))
            continue
        for pattern, phrase in DESTRUCTIVE:
            m = pattern.search(statement)
            if m:
                found.append(phrase.format(*(g.lower() for g in m.groups() if g)) + f": {statement[:80]}")
                break
        else:
            for pattern, phrase in ((DROP_COLUMN, "drops a column"),
                                    (ADD_CONSTRAINT, "adds a constraint to an existing table"),
                                    (ADD_NOT_NULL_COLUMN, "adds a NOT NULL column"),
                                    (UNIQUE_INDEX, "adds a unique index to an existing table")):
                m = pattern.search(statement)
                if not m:
                    continue
                table = table_name(m.group(1))
                if table in created_here:
                    break  # a table of this very migration: no code depends on it yet
                if pattern is ADD_NOT_NULL_COLUMN and " DEFAULT " in f" {statement} ":
                    break  # old code's INSERTs get the default
                if table in existing_tables or pattern in (DROP_COLUMN, ADD_NOT_NULL_COLUMN):
                    found.append(f"{phrase}: {statement[:80]}")
                break
    return found, created_here


def parse_source(path):
    with open(path) as f:
        text = f.read()
    constants = {name: sql for name, sql in CONSTANT.findall(text)}
    migrations = []
    for version, name, constant in ENTRY.findall(text):
        if constant not in constants:
            raise SystemExit(f"{path}: migration {version} names {constant}, which is not a raw SQL constant here")
        migrations.append((int(version), name, constants[constant]))
    return migrations


def check_list(label, migrations):
    problems = []
    versions = [v for v, _, _ in migrations]
    if versions != sorted(versions) or len(set(versions)) != len(versions):
        problems.append(f"{label}: versions must be unique and ascending, got {versions}")
    expands = {}
    tables = set()
    for version, name, sql in migrations:
        if EXPAND.search(sql):
            expands[version] = name
        found, created = destructive_steps(sql, tables)
        contract = CONTRACT.search(sql)
        if found and not contract:
            for what in found:
                problems.append(f"{label}: migration {version} ({name}) {what} — not rollback-safe; "
                                f"make it the contract step of an earlier expand (-- contract: completes N)")
        elif contract:
            of = int(contract.group(1))
            if of >= version:
                problems.append(f"{label}: migration {version} ({name}) completes {of}, which is not earlier")
            elif of not in expands:
                problems.append(f"{label}: migration {version} ({name}) completes {of}, "
                                f"which is not a migration marked '-- expand:'")
        tables |= created
    return problems


def main(argv):
    paths = argv[1:] or sorted(glob.glob(os.path.join(ROOT, "src", "storage", "migrations", "*_migrations.cc")))
    problems = []
    lists = {}
    for path in paths:
        label = os.path.relpath(path, ROOT)
        lists[label] = parse_source(path)
        if not lists[label]:
            problems.append(f"{label}: no migrations found (is the Migration{{...}} table still there?)")
        problems += check_list(label, lists[label])
    heads = {label: [(v, n) for v, n, _ in m] for label, m in lists.items()}
    if len({tuple(h) for h in heads.values()}) > 1:
        problems.append("the migration lists differ in versions or names: " +
                        "; ".join(f"{label}: {h}" for label, h in heads.items()))
    for p in problems:
        print(p)
    count = sum(len(m) for m in lists.values())
    print(f"migrations: {count} in {len(lists)} lists, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
