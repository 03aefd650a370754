//! Report writers: HTML, JSON, JUnit, console; all redact secrets.
