"""A vector's elements shown together. Results name a vector's elements x[1] .. x[n],
as the flat IR does; JSON gathers them into one list under x, and a heading shows the
vector as [1, 2, 3, ...] rather than one entry per element. The lengths come from the
result's own point, which gives every element."""
from ..language.vectors import element, split_element


def lengths_in(at):
    """{vector: length} of the vectors whose elements x[1] .. x[n] the point gives."""
    top = {}
    count = {}
    for key in at:
        got = split_element(key)
        if got is not None:
            base, k = got
            count[base] = count.get(base, 0) + 1
            if k > top.get(base, 0):
                top[base] = k
    return {v: n for v, n in top.items() if count[v] == n and v not in at}


def grouped(d, lengths):
    """d with each whole run x[1] .. x[n] (n from lengths) replaced by x: [values];
    anything else (one element of a vector, as --wrt "x[3]" gives) stays as it is."""
    if not lengths:
        return d
    items = list(d.items())
    out = {}
    i, total = 0, len(items)
    while i < total:
        key, v = items[i]
        got = split_element(key)
        if got is not None and got[1] == 1:
            n = lengths.get(got[0])
            if n and i + n <= total and all(items[i + j][0] == element(got[0], j + 1) for j in range(1, n)):
                out[got[0]] = [items[i + j][1] for j in range(n)]
                i += n
                continue
        out[key] = v
        i += 1
    return out


def ungrouped(d):
    """The inverse of grouped: x: [a, b] back to x[1]: a, x[2]: b."""
    out = {}
    for key, v in d.items():
        if isinstance(v, list):
            for k, x in enumerate(v, 1):
                out[element(key, k)] = x
        else:
            out[key] = v
    return out


SHOWN = 4   # elements of a long vector shown in a heading


def shown_point(at, number):
    """[(name, text)] of a point for a heading: a vector as [1, 2, 3, 4, ...] with its
    length when it is long, a number as itself."""
    g = grouped(at, lengths_in(at))
    out = []
    for k, v in g.items():
        if isinstance(v, list):
            head = ", ".join(number(x) for x in v[:SHOWN])
            more = f", … ({len(v):,} elements)" if len(v) > SHOWN else ""
            out.append((k, f"[{head}{more}]"))
        else:
            out.append((k, number(v)))
    return out
