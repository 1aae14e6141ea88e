"""What a Dask worker runs for one partition of a --points job: the partition read,
computed and written by the same code as a local run (adcli.batch.pointsfile,
adcli.render.columnar), to its own Parquet file.

Only plain data crosses to the worker: the expression as its source text (compiled
there, once per worker process), the command's options, and the partition's path, row
groups and first row number. What comes back is plain too: counts, the first failure
as text, the warnings' messages. So a worker needs adcli installed, and nothing of the
client's process."""
import functools

from ..batch.records import Run
from ..errors import AdcliError


@functools.lru_cache(maxsize=None)
def arrays_allocate_fast():
    """Undo, in this worker process, what a Dask nanny sets for every worker:
    MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap threshold, so each
    temporary array of a chunk (256 KB) is mmapped, page-faulted and unmapped again:
    the vectorized evaluator ran 3x slower. Heap allocations below 64 MiB, memory handed
    back to the system above 64 MiB kept free. glibc only; elsewhere nothing to undo."""
    import platform
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)   # M_MMAP_THRESHOLD
        libc.mallopt(-1, 64 << 20)   # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


@functools.lru_cache(maxsize=64)
def compiled(expr):
    from ..api import Function
    return Function(expr)


class PartRun(Run):
    """A Run whose warnings are kept for the client to show, not printed on the worker."""

    def __init__(self, command, options, defaults):
        super().__init__(command, options, defaults)
        self.messages = []

    def warn(self, line, messages):
        if not messages or not self.may_warn():
            return
        self.warned += 1
        self.messages.append([f"line {line}: {m}" for m in messages])   # one entry per line that warned


def _columnar_part(part, f, run):
    from ..batch.columnar import DataSet
    data = DataSet(part.path, part.fmt)
    header = data.header_for(f, run.defaults)
    return header, data.chunks(header, part), lambda: None


def _csv_block(block, f, run):
    """The header and chunks of one block of a CSV file, its lines numbered as in the file."""
    from ..batch.blocks import RangeStream
    from ..batch.pointsfile import READ_SIZE, Header, parse_chunk
    from ..batch.stream import LineSource
    header = Header(block.header, 1, f, run.defaults, block.delimiter)
    stream = RangeStream(block.path, block.start, block.end)
    source = LineSource(stream, READ_SIZE, first_line=block.first, continued=True)
    chunks = (parse_chunk(header, first, data, source.too_long) for first, data in source.raw_chunks())
    return header, chunks, stream.close


class NoProgress:
    def update(self, done):
        pass


def run_part(task):
    """Compute one partition and write it to task["output"]; a summary as plain data."""
    try:
        return _run_part(task)
    except AdcliError as e:
        return {"error": {"message": e.message, "hint": e.hint, "exit_code": int(e.exit_code)}}


def _run_part(task):
    from ..batch.blocks import Block
    from ..batch.pointsfile import compute_and_write, probe
    from ..render.columnar import ColumnWriter
    arrays_allocate_fast()
    f = compiled(task["expr"])
    run = PartRun(task["command"], task["options"], task["defaults"])
    part = task["part"]
    header, chunks, close = (_csv_block if isinstance(part, Block) else _columnar_part)(part, f, run)
    writer = ColumnWriter(header, "parquet", task["output"], lambda: probe(run, f))
    try:
        for chunk in chunks:
            compute_and_write(run, f, header, chunk, writer, NoProgress())
        writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        close()
    first = run.first_failure
    return {"rows": run.jobs, "failed": run.failed, "first_failure": first.text() if first else None,
            "messages": run.messages, "unshown": run.unshown}
