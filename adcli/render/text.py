"""Plain, JSON and CSV output. None of these import Rich (or numpy): a pipe pays only
for what it prints. JSON is strict RFC 8259 at full precision, with the non-finite
numbers as the strings "nan", "inf" and "-inf"."""
import math
import sys

from ..numtext import json_number, number  # noqa: F401 - the writers' number text

FORMATS = ("table", "json", "csv", "plain")


def record(result, command):
    """The JSON object of one result, as documented for each command."""
    rec = {"expr": result.expr, "at": {k: json_number(v) for k, v in result.at.items()}}
    values = [json_number(v) for v in result.value]
    rec["value"] = values[0] if len(values) == 1 else values
    if command == "grad":
        rec["gradient"] = {w: json_number(d) for w, d in zip(result.wrt, result.jacobian[0])}
    return rec


def dumps(obj):
    import json
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def write_json(result, command, out=None):
    (out or sys.stdout).write(dumps(record(result, command)) + "\n")


def csv_header(result, command):
    cols = list(result.at)
    n = len(result.value)
    cols += ["value"] if n == 1 else [f"value{i + 1}" for i in range(n)]
    if command == "grad":
        cols += [f"d/d{w}" for w in result.wrt]
    return cols


def csv_row(result, command):
    row = [repr_full(v) for v in result.at.values()]
    row += [repr_full(v) for v in result.value]
    if command == "grad":
        row += [repr_full(d) for d in result.jacobian[0]]
    return row


def repr_full(v):
    return number(v)


def write_csv(result, command, out=None):
    import csv
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    w.writerow(csv_header(result, command))
    w.writerow(csv_row(result, command))


def write_plain(result, command, precision=None, out=None):
    """eval: the value(s), one per line. grad: 'value N' then 'd/dx N' per variable."""
    out = out or sys.stdout
    if command == "eval":
        for v in result.value:
            out.write(number(v, precision) + "\n")
        return
    out.write(f"value {number(result.value[0], precision)}\n")
    for w, d in zip(result.wrt, result.jacobian[0]):
        out.write(f"d/d{w} {number(d, precision)}\n")
