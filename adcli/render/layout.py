"""How every adcli table meets the width it is given. Imported only when a table is printed.

The policy, the same for every table (eval/grad, jacobian ... check, batches, traces,
functions):

1. A number is never wrapped, folded or cut: columns of kind NUM (numbers, and short
   atoms such as variable names or 'ok') keep their full width.
2. If the table is too wide, TEXT columns (expressions, formulas, prose) fold first,
   down to MIN_TEXT cells each.
3. If it is still too wide and the output is not a terminal and COLUMNS is not set,
   the table is printed wider than 80 columns (text folded at WIDE_TEXT): there is no
   terminal to fit, and a file or a pager takes long lines.
4. Otherwise (a terminal, or COLUMNS set) the table is printed as a listing: one
   number a line under its row's heading, each number whole.

Lines never end in spaces. Box rules are ASCII when the output encoding is not UTF-8.
"""
import os

from .console import console, wants_ascii

NUM = "num"
TEXT = "text"
MIN_TEXT = 12
WIDE_TEXT = 40   # a text column's width in a table that is wider than the room anyway
FAST_ROWS = 200  # a table of more rows is drawn without Rich when its rows are plain (same look)


class Column:
    def __init__(self, header="", kind=NUM, justify="left", style=None, name=None, key=False):
        self.header = header      # str or rich Text
        self.kind = kind
        self.justify = justify
        self.style = style
        self.name = name          # the column's name in a listing (default: its header)
        self.key = key            # in a listing, part of the row's heading line


class Grid:
    """Columns and rows (cells as str or rich Text, possibly several lines), plus notes:
    lines of text printed under a row across the whole width (an error message), which
    take no part in the column widths."""

    def __init__(self, columns, show_header=True, collapse_padding=False):
        self.columns = list(columns)
        self.rows = []          # (cells, style, end_section, notes)
        self.show_header = show_header
        self.collapse_padding = collapse_padding

    def row(self, *cells, style=None, end_section=False, notes=()):
        self.rows.append((cells, style, end_section, list(notes)))


def table_box(ascii):
    """SIMPLE_HEAVY (a heavy rule under the header), or the same rule in ASCII."""
    from rich import box
    if not ascii:
        return box.SIMPLE_HEAVY
    return box.Box("    \n    \n -- \n    \n    \n -- \n    \n    \n", ascii=True)


def _text(cell):
    from rich.text import Text
    return cell if isinstance(cell, Text) else Text(str(cell))


def _width(cell):
    text = cell if isinstance(cell, str) else _text(cell).plain
    if text.isascii() and "\n" not in text:
        return len(text)
    from rich.cells import cell_len
    return max((cell_len(line) for line in text.split("\n")), default=0)


def may_widen(console):
    """A table may be wider than the console when nothing constrains it: output to a
    file or a pipe, with no COLUMNS."""
    return not console.is_terminal and not os.environ.get("COLUMNS")


def widths(grid, room, overhead):
    """Column widths fitting `room` cells (text columns folded), or None when even
    folded text leaves the numbers no room."""
    natural = [max([_width(c.header) if grid.show_header else 0] + [_width(r[0][i]) for r in grid.rows])
               for i, c in enumerate(grid.columns)]
    if sum(natural) + overhead <= room:
        return natural
    text = [i for i, c in enumerate(grid.columns) if c.kind == TEXT]
    # A text column folds down to MIN_TEXT cells, or to its header's width: a header
    # may hold numbers too (a trace's seed, ẋ1 = 1).
    least = {i: min(natural[i], max(MIN_TEXT, _width(grid.columns[i].header) if grid.show_header else 0))
             for i in text}
    w = [least[i] if i in text else natural[i] for i in range(len(natural))]
    spare = room - overhead - sum(w)
    if spare < 0:
        return None
    # Water-filling: the narrowest folded column grows first.
    while spare > 0:
        short = [i for i in text if w[i] < natural[i]]
        if not short:
            break
        i = min(short, key=lambda j: w[j])
        w[i] += 1
        spare -= 1
    return w


def _rich(grid, w, ascii):
    from rich.table import Table
    t = Table(box=table_box(ascii), show_edge=False, pad_edge=False, show_header=grid.show_header,
              collapse_padding=grid.collapse_padding)
    for c, width in zip(grid.columns, w):
        t.add_column(c.header, justify=c.justify, style=c.style, width=width, no_wrap=c.kind == NUM,
                     overflow="fold")
    return t


def _overhead(grid, ascii):
    from rich.measure import Measurement
    probe = Grid(grid.columns, grid.show_header, grid.collapse_padding)
    t = _rich(probe, [1] * len(grid.columns), ascii)
    return Measurement.get(_probe_console(), _probe_console().options, t).maximum - len(grid.columns)


_PROBE = []


def _probe_console():
    if not _PROBE:
        import io
        _PROBE.append(console(io.StringIO(), width=100000))
    return _PROBE[0]


def stdout_room():
    """(width to fit, may the table be wider) for standard output, as Rich measures
    it: COLUMNS, else the terminal's width, else 80 that a file need not keep to."""
    import shutil
    import sys
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return int(cols), False
    try:
        tty = sys.stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    if tty:
        return shutil.get_terminal_size((80, 24)).columns, False
    return 80, True


class Flow:
    """What a batch's earlier chunks took, kept by the later ones: columns at least as
    wide as before (rows line up across chunks), and a listing once one was needed."""

    def __init__(self):
        self.listing = False
        self.widths = None


def render_to_text(grid, flow):
    """A grid rendered for standard output as text, without colour (a batch writes
    its tables a chunk at a time, `flow` carrying the layout from chunk to chunk)."""
    import io
    room, widen = stdout_room()
    buf = io.StringIO()
    con = console(buf, width=room, color_system=None)
    print_grid(con, grid, wants_ascii(), widen=widen, flow=flow)
    return buf.getvalue()


def heading(expr, at, width=None, cut=False):
    """'EXPR  at x = 3, y = 2' as a rich Text: the point as given, at full precision
    (--precision rounds results, not inputs). Given a width, the line breaks between
    the point's entries, never inside a number; a long expression folds, or with
    `cut` (a trace or graph of a 10,000-term sum) ends in an ellipsis at the width."""
    from rich.text import Text

    from .text import number
    head = Text()
    head.append(expr, style="bold")
    if cut and width is not None:
        head.truncate(width, overflow="ellipsis")
    if at:
        text, col = "", head.cell_len
        from .vectors import shown_point
        for i, item in enumerate(f"{k} = {v}" for k, v in shown_point(at, number)):
            sep, wrapped = ("  at ", "\n  at ") if i == 0 else (", ", ",\n     ")
            if width is not None and col + len(sep) + len(item) > width:
                text += wrapped + item
                col = len(wrapped) - 1 + len(item)
            else:
                text += sep + item
                col += len(sep) + len(item)
        head.append(text, style="dim")
    return head


def print_grid(console, grid, ascii=False, room=None, widen=None, lister=None, flow=None):
    """Print the grid as a table that fits (see the module's policy), or as a listing.
    `room` overrides the width to fit and `widen` whether the table may be wider;
    `lister(console, grid)` prints a listing of its own kind (a trace's equations);
    `flow` (a Flow) carries a batch's layout from one chunk to the next."""
    room = console.width if room is None else room
    widen = may_widen(console) if widen is None else widen
    listing = flow is not None and flow.listing
    overhead = _overhead(grid, ascii)
    w = widths(grid, room, overhead) if not listing else None
    if w is None and not listing and widen:
        least = [min(x, WIDE_TEXT) if c.kind == TEXT else x
                 for x, c in zip(widths(grid, 10 ** 9, overhead), grid.columns)]
        room = sum(least) + overhead
        w = widths(grid, room, overhead)
    if w is None:
        (lister or print_listing)(console, grid)
        if flow is not None:
            flow.listing = True
        return
    if flow is not None:
        if flow.widths is not None:
            kept = [max(a, b) for a, b in zip(w, flow.widths)]
            if sum(kept) + overhead <= max(room, sum(w) + overhead):
                w = kept
        flow.widths = w
    total = sum(w) + overhead
    if len(grid.rows) > FAST_ROWS and _plain_rows(grid, w):
        _print_fast(console, grid, w, ascii, total, overhead, room)
        return
    t = _rich(grid, w, ascii)
    segments = []
    for cells, style, end, notes in grid.rows:
        t.add_row(*[_text(c) for c in cells], style=style, end_section=end)
        if notes:
            # A row with notes ends this table; its notes follow, wrapped at the width
            # to fit rather than at the width of the widest note; then a new table
            # with the same column widths.
            segments.append((t, total))
            segments.append((_notes(notes, w, overhead, grid), max(total, room)))
            t = _rich(Grid(grid.columns, show_header=False), w, ascii)
    if t.row_count or not segments:
        segments.append((t, total))
    for s, width in segments:
        print_stripped(console, s, width)


def _plain_rows(grid, w):
    """The rows are plain text: no styles, no section ends, left or right justified (the
    header and the notes may be anything: Rich draws those)."""
    from rich.text import Text
    if grid.collapse_padding or any(c.style or c.justify not in ("left", "right") for c in grid.columns):
        return False
    for cells, style, end, _ in grid.rows:
        if style or end or len(cells) != len(w):
            return False
        for cell in cells:
            if isinstance(cell, Text) and (cell.spans or cell.style):
                return False
    return True


def _cell_lines(cell, width, column, console):
    """The lines of a plain cell in a column `width` cells wide, as Rich folds them."""
    text = str(cell)
    if "\n" not in text:
        if len(text) <= width and text.isascii() and text.isprintable() and text == text.strip():
            return [text]
        parts = [text]
    else:
        parts = text.split("\n")
    if all(_width(p) <= width and p == p.strip() for p in parts):
        return parts
    from rich.text import Text
    return [line.plain for line in Text(text).wrap(console, width, justify=column.justify, overflow="fold")]


def _print_fast(console, grid, w, ascii, total, overhead, room):
    """The table print_grid draws with Rich, drawn without it: the same header and rule
    (Rich draws those), the same columns three cells apart, each row's lines left or
    right justified in its column (folded by Rich's rule when too long), a row's notes
    under it; no trailing spaces. Rich lays out a 10,000-row table 15 times slower than
    JSON is written; this costs about as much."""
    from rich.cells import cell_len
    if grid.show_header:
        print_stripped(console, _rich(Grid(grid.columns), w, ascii), total)
    right = [c.justify == "right" for c in grid.columns]
    out = []

    def flush():
        if out:
            console.file.write("".join(out))
            out.clear()
    for cells, _, _, notes in grid.rows:
        parts = [_cell_lines(c, width, col, console) for c, width, col in zip(cells, w, grid.columns)]
        for k in range(max(len(p) for p in parts)):
            line = []
            for part, width, r in zip(parts, w, right):
                text = part[k] if k < len(part) else ""
                pad = " " * (width - (len(text) if text.isascii() else cell_len(text)))
                line.append(pad + text if r else text + pad)
            out.append("   ".join(line).rstrip() + "\n")
        if notes:
            flush()
            print_stripped(console, _notes(notes, w, overhead, grid), max(total, room))
    flush()


def _notes(notes, w, overhead, grid):
    """Note lines indented to the first text column (the expression), or else to the
    second column (past the line number), wrapped at the width to fit."""
    from rich.padding import Padding
    from rich.text import Text
    first = next((i for i, c in enumerate(grid.columns) if c.kind == TEXT), min(1, len(w) - 1))
    indent = sum(w[:first]) + (overhead // max(1, len(w) - 1)) * first if len(w) > 1 else 0
    body = Text("\n").join(_text(n) for n in notes)
    return Padding(body, (0, 0, 0, indent))


def print_line(console, text):
    """A line of text (a header) wrapped at the console's width, no trailing spaces."""
    print_stripped(console, text, console.width)


def print_stripped(console, renderable, width):
    """Render at `width` and print with trailing spaces removed from every line."""
    from rich.segment import Segment, SegmentLines
    width = max(width, 1)
    lines = console.render_lines(renderable, console.options.update(width=width), pad=False)
    out = []
    for line in lines:
        line = list(line)
        while line and not line[-1].control and not line[-1].text.rstrip():
            line.pop()
        if line and not line[-1].control:
            last = line[-1]
            line[-1] = Segment(last.text.rstrip(), last.style)
        out.append(line)
    console.print(SegmentLines(out, new_lines=True), soft_wrap=True, crop=False)


def _keyed(column, cell):
    """A heading cell, after its column's listing name when it has one ('k = 2')."""
    from rich.text import Text
    if not column.name:
        return _text(cell)
    out = Text(f"{column.name} ")
    out.append_text(_text(cell))
    return out


def print_listing(console, grid):
    """One row after another: the key cells on a heading line, then each other
    non-empty cell as 'name  value' (each line of a multi-line cell on its own line)."""
    from rich.text import Text
    keys = [i for i, c in enumerate(grid.columns) if c.key] or [0]
    rest = [i for i in range(len(grid.columns)) if i not in keys]
    names = {i: _text(grid.columns[i].name if grid.columns[i].name is not None else grid.columns[i].header)
             for i in rest}
    pad = max([n.cell_len for n in names.values()], default=0)
    room = console.width
    out = []
    for cells, style, _, notes in grid.rows:
        head = Text("  ").join(_keyed(grid.columns[i], cells[i]) for i in keys if _text(cells[i]).plain)
        if style:
            head.stylize(style)
        out.append(head)
        for i in rest:
            cell = _text(cells[i])
            if not cell.plain:
                continue
            parts = cell.split("\n")
            if 2 + pad + 2 + max(p.cell_len for p in parts) > room:
                # too wide beside its name: the name, then the value under it
                out.append(Text("  ").append_text(names[i]))
                out.extend(Text("    ").append_text(part) for part in parts)
                continue
            for j, part in enumerate(parts):
                label = names[i].copy() if j == 0 else Text("")
                label.pad_right(pad - label.cell_len)
                line = Text("  ")
                line.append_text(label)
                line.append("  ")
                line.append_text(part)
                out.append(line)
        for n in notes:
            out.append(_indented(_text(n), 2))
    for line in out:
        if isinstance(line, Text):
            line.rstrip()
            console.print(line, soft_wrap=True, crop=False)
        else:
            print_stripped(console, line, room)


def _indented(text, n):
    """Prose (an error) wrapped at the console's width, indented n cells."""
    from rich.padding import Padding
    return Padding(text, (0, 0, 0, n))
