"""Numbers from query strings and forms, parsed in one place.

An id or a number a user (or a crafted link) sends is either a whole number the database can hold or
nothing: blank, text, "1.5" and "99999999999999999999999" all read as None, so a page answers with
its ordinary "not found" or "please choose" instead of failing on the database's integer range.
"""
# the largest value of a BigAutoField / bigint column (DEFAULT_AUTO_FIELD)
MAX_ID = 2**63 - 1


def int_param(value):
    """``value`` as an int within the database's integer range, else None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if -MAX_ID <= number <= MAX_ID else None
