"""The domain: tables, config schemas, operations that take a Session, and pure rules."""
