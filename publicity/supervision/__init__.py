"""Supervision (监督组): reports from the public and the supervision group's findings and report (息县 第九条、第二十五条)."""
