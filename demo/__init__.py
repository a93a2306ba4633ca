"""Demo and scale data: plausible form content, a bureau's pre-review and a panel's scoring done through the
services, and the bulk steps of ``generate_data``. Imported by the management commands and tests, never by
product code."""
