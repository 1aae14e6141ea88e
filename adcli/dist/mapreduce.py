"""Map-reduce over the partitions of a data set, for computations that are sums over rows
(the normal equations JᵀJ and Jᵀr of a least-squares fit, moments, counts): each
partition is read a chunk of rows at a time (bounded memory) on a Dask worker or here,
fn is applied to each chunk and the results are added up; then the partitions' sums are
added in partition order. The order of every addition is fixed by the data set alone,
so the result is the same, bit for bit, on either engine and any number of workers.

    with Executor("dask", scheduler=None) as ex:       # or Executor() for this process
        data = ex.open("points.parquet")                # a file, a directory or a glob
        for step in range(20):                          # one map-reduce per iteration
            jtj, jtr = ex.map_reduce(data, normal_equations, (expr, params), columns=("t", "y"))

fn(columns, *args) returns a number, a numpy array, or tuples, lists and dicts of them
(None for "nothing here"); `columns` maps each requested column name to a float64 array
over one chunk's rows, nulls as nan (fn decides what a missing value means). fn must be a
module-level function, which Dask sends by reference (the worker imports it), and args
plain data: an expression goes as its source text and is compiled on the worker
(adcli.dist.partition.compiled keeps one compiled copy per worker process).
"""
from ..errors import UsageError, printable

ROWS_PER_PART = 1 << 20


class Data:
    """A data set opened for map-reduce: its partitions and column names (plain data)."""

    def __init__(self, parts, names):
        self.parts = parts
        self.names = names


class Executor:
    """Where map_reduce runs: "local" (this process, partition after partition) or
    "dask" (a client to `scheduler`, or to a local cluster of `workers` processes, kept
    for the life of the executor so that an iterative method pays for it once)."""

    def __init__(self, engine="local", scheduler=None, workers=None):
        if engine not in ("local", "dask"):
            raise UsageError(f"unknown engine '{printable(engine)}' (local or dask)")
        self.engine = engine
        self.scheduler = scheduler
        self.workers = workers
        self.client = None
        self._cm = None

    def __enter__(self):
        if self.engine == "dask":
            from .cluster import client
            self._cm = client(self.scheduler, self.workers)
            self.client = self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        if self._cm is not None:
            self._cm.__exit__(*exc)
            self._cm = self.client = None
        return False

    def open(self, path, input_format=None, rows_per_part=ROWS_PER_PART):
        from ..batch.columnar import DataSet, detect
        fmt = detect(path, input_format)
        if fmt == "csv":
            raise UsageError("map-reduce reads Parquet and Arrow data sets, not CSV",
                             hint="convert the CSV once with pyarrow (pyarrow.csv.read_csv, pyarrow.parquet.write_table)")
        ds = DataSet(path, fmt)
        return Data(ds.parts(rows_per_part), list(ds.schema.names))

    def map_reduce(self, data, fn, args=(), columns=None):
        """The sum over all rows' chunks of fn(columns, *args), or None if no chunk gave
        anything."""
        names = list(columns) if columns is not None else list(data.names)
        missing = [c for c in names if c not in data.names]
        if missing:
            raise UsageError(f"the data set has no column {printable(', '.join(missing))} "
                             f"(its columns: {printable(', '.join(data.names[:12]))})")
        if self.engine == "local":
            partials = [map_part(p, fn, tuple(args), names) for p in data.parts]
        else:
            if self.client is None:
                raise UsageError("a dask Executor is used inside its `with` block")
            futures = self.client.map(map_part, data.parts, fn=fn, args=tuple(args), names=names, pure=False)
            partials = self.client.gather(futures)
        return add_all(partials)


def map_part(part, fn, args, names):
    """fn summed over the chunks of one partition (runs on a worker)."""
    from ..batch.columnar import DataSet
    from .partition import arrays_allocate_fast
    arrays_allocate_fast()
    ds = DataSet(part.path, part.fmt)
    index = {n: i for i, n in enumerate(ds.schema.names)}
    total = None
    for _, batch in ds.batches(part):
        cols = {n: float_column(batch.column(index[n]), n) for n in names}
        total = add(total, fn(cols, *args))
    return total


def float_column(col, name):
    pa = _pa()
    t = col.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) or pa.types.is_null(t)):
        raise UsageError(f"the column {printable(name)} holds {printable(str(t))} values, not numbers")
    if not pa.types.is_float64(t):
        col = col.cast(pa.float64(), safe=False)
    if col.null_count:
        col = col.fill_null(float("nan"))
    return col.to_numpy(zero_copy_only=False)


def add_all(partials):
    total = None
    for p in partials:
        total = add(total, p)
    return total


def add(a, b):
    """a + b, structure by structure (None is nothing)."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        return {k: add(a.get(k), b.get(k)) for k in {**a, **b}}
    if isinstance(a, (tuple, list)):
        return type(a)(add(x, y) for x, y in zip(a, b))
    return a + b


def _pa():
    import pyarrow
    return pyarrow
