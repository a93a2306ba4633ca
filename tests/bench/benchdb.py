"""Databases for the benchmark scripts (imported by them; not a script itself)."""


def fresh_postgres_url(name):
    """Drop and create PostgreSQL database ``name`` on 127.0.0.1:5432; its URL, or None when unreachable."""
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except Exception:
        return None
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    conn.close()
    return f"postgres://postgres@127.0.0.1:5432/{name}"
