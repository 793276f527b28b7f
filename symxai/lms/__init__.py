"""LMS exports of a batch: Moodle XML, STACK questions checked in Maxima, QTI 2.1 packages,
and their figures.
"""
