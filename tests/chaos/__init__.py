"""Fault injection: API faults, crashes, quota, schema drift and forbidden accounts."""
