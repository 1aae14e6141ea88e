"""Beyond one process: a --points job on Dask (engine.py, with the worker's side in
partition.py), and map-reduce over the partitions of a data set for computations that
are sums over rows (mapreduce.py). dask and distributed are an optional extra
(`adcli[dask]`), imported only here and only when asked for (cluster.py)."""
