"""``--engine dask``: profiles, links and batch scoring past one machine, on a Dask cluster.

Every job calls the same per-number functions as the one-machine engine (``features.calls``,
``features.graph``, ``training.predict``) on partitions of the data; only the steps that span
numbers (the latest time, SIMs per IMEI, the links' global pairs) are computed across
partitions and passed in. Dask is the optional ``dask`` extra and is imported only here.
"""
