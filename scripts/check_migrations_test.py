#!/usr/bin/python3
"""Tests of check_migrations.py: each kind of destructive step is refused unless it is the
contract step of an earlier expand, and expand-only changes pass."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_migrations  # noqa: E402

BASE = """CREATE TABLE orders (code TEXT PRIMARY KEY, email TEXT NOT NULL, total INTEGER NOT NULL);"""


def source(*migrations):
    """A migrations source file in the shape of src/storage/migrations/*.cc."""
    constants = "".join(f'constexpr std::string_view k{i} = R"sql(\n{sql}\n)sql";\n'
                        for i, (_, sql) in enumerate(migrations))
    entries = ",\n".join(f'    Migration{{{i + 1}, "{name}", k{i}}}' for i, (name, _) in enumerate(migrations))
    return constants + "constexpr std::array kMigrations{\n" + entries + ",\n};\n"


def problems(*migrations):
    with tempfile.NamedTemporaryFile("w", suffix=".cc", delete=False) as f:
        f.write(source(*migrations))
    try:
        return check_migrations.check_list("fixture", check_migrations.parse_source(f.name))
    finally:
        os.unlink(f.name)


class ExpandSteps(unittest.TestCase):
    def test_the_repository_passes(self):
        self.assertEqual(check_migrations.main(["check_migrations.py"]), 0)

    def test_new_tables_columns_and_indexes_pass(self):
        self.assertEqual(problems(
            ("base", BASE),
            ("expand", """-- expand: orders.note, written by the next release
               ALTER TABLE orders ADD COLUMN note TEXT;
               ALTER TABLE orders ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
               CREATE INDEX orders_by_email ON orders (email);
               CREATE TABLE refunds (id INTEGER PRIMARY KEY, code TEXT NOT NULL);
               CREATE UNIQUE INDEX refunds_by_code ON refunds (code);
               ALTER TABLE refunds ADD CONSTRAINT positive CHECK (id > 0);
               ALTER TABLE orders DROP CONSTRAINT orders_total_check;
               ALTER TABLE orders ALTER COLUMN email DROP NOT NULL;""")), [])

    def test_words_in_comments_and_strings_do_not_count(self):
        self.assertEqual(problems(
            ("base", BASE),
            ("expand", """-- we will DROP TABLE orders one day
               INSERT INTO orders (code, email, total) VALUES ('RENAME', 'DROP COLUMN x', 1);""")), [])


class ContractSteps(unittest.TestCase):
    DESTRUCTIVE = [
        "DROP TABLE orders",
        "ALTER TABLE orders DROP COLUMN email",
        "ALTER TABLE orders DROP email",
        "ALTER TABLE orders RENAME COLUMN email TO buyer_email",
        "ALTER TABLE orders RENAME TO purchases",
        "ALTER TABLE orders ALTER COLUMN total TYPE integer",
        "ALTER TABLE orders ALTER COLUMN total SET DATA TYPE smallint",
        "ALTER TABLE orders ALTER COLUMN email SET NOT NULL",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0)",
        "ALTER TABLE orders ADD COLUMN region TEXT NOT NULL",
        "CREATE UNIQUE INDEX orders_by_email ON orders (email)",
        "DELETE FROM orders",
        "TRUNCATE orders",
    ]

    def test_each_destructive_step_is_refused_without_a_marker(self):
        for statement in self.DESTRUCTIVE:
            with self.subTest(statement=statement):
                found = problems(("base", BASE), ("change", statement + ";"))
                self.assertEqual(len(found), 1, found)
                self.assertIn("not rollback-safe", found[0])

    def test_a_contract_of_an_earlier_expand_passes(self):
        self.assertEqual(problems(
            ("base", BASE),
            ("expand", "-- expand: orders.buyer_email replaces orders.email\n"
                       "ALTER TABLE orders ADD COLUMN buyer_email TEXT;"),
            ("contract", "-- contract: completes 2\nALTER TABLE orders DROP COLUMN email;")), [])

    def test_a_contract_must_name_an_earlier_expand(self):
        found = problems(
            ("base", BASE),
            ("plain", "ALTER TABLE orders ADD COLUMN buyer_email TEXT;"),
            ("contract", "-- contract: completes 2\nALTER TABLE orders DROP COLUMN email;"))
        self.assertEqual(len(found), 1)
        self.assertIn("not a migration marked '-- expand:'", found[0])
        found = problems(
            ("base", BASE),
            ("contract", "-- contract: completes 2\nALTER TABLE orders DROP COLUMN email;"))
        self.assertIn("not earlier", found[0])

    def test_lists_must_agree(self):
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, "a_migrations.cc"), os.path.join(tmp, "b_migrations.cc")
            with open(a, "w") as f:
                f.write(source(("base", BASE)))
            with open(b, "w") as f:
                f.write(source(("base", BASE), ("more", "CREATE TABLE x (id INTEGER);")))
            self.assertEqual(check_migrations.main(["check_migrations.py", a, b]), 1)
            self.assertEqual(check_migrations.main(["check_migrations.py", a, a]), 0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
