"""Reading what owners type: answers, numbers and money, dates, choice lists, permit numbers, place names.

Pure functions over text (no I/O, no clock); flows ask and confirm, this package reads. Imports nothing of the flows.
"""
