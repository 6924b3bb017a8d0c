"""Draw ``docs/_static/architecture.svg``: the package's modules and who imports whom.

Reads every module of ``boto_session_manager`` with :mod:`ast` (nothing is
imported, no network, no third-party package) and writes a layered SVG:

- one box per module, one per subpackage (its modules in one box);
- an arrow from each module to each module it imports, dashed when the import
  runs inside a function, dotted when it is under ``if TYPE_CHECKING:`` (for
  type checkers only); all three kinds count for rows and circles, because a
  circle through a type-checking import is still a circle of the design;
- modules that import boto3 or botocore are tinted; the botocore seam
  (the ``_botocore`` subpackage, or ``sharing`` before it existed) is the one
  box with an arrow to "botocore internals". Any other module that imports a
  private botocore name gets a red arrow there too, and so does an import that
  closes an import circle (the script prints both).

Layers come from the import graph itself: a module sits one row above the
lowest row that all its imports fit in, so the leaves are at the bottom. The
output depends only on the source: running it again gives the same bytes.

Run: ``python docs/_scripts/architecture.py`` (``tox -e charts`` runs it too).
"""

from __future__ import annotations

import argparse
import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = "boto_session_manager"
DEFAULT_OUT = os.path.join(ROOT, "docs", "_static", "architecture.svg")
SEAMS = ("_botocore", "sharing")
SDK = ("boto3", "botocore")
INTERNALS = "botocore internals"

CHAR_W, BOX_H, ROW_H, GAP, MARGIN = 7.0, 28, 74, 14, 20
COLORS = {
    "plain": ("#ffffff", "#5b6470"),
    "sdk": ("#e3edf9", "#1f5fa8"),
    "seam": ("#fde3c8", "#c55a11"),
    "external": ("#f3f3f3", "#7a7a7a"),
    "circle": ("#ffffff", "#d00000"),
}


@dataclass
class Module:
    """What one node imports: other nodes (module-level / lazy / typing), the SDK, private names."""

    modules: set[str] = field(default_factory=set)
    lazy: set[str] = field(default_factory=set)
    typing: set[str] = field(default_factory=set)
    sdk: bool = False
    private: list[str] = field(default_factory=list)
    files: int = 0


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


Import = Union[ast.Import, ast.ImportFrom]


def _imports(tree: ast.AST) -> Iterator[tuple[Import, str]]:
    """Every import and its kind: ``"typing"`` (under ``if TYPE_CHECKING:``), else
    ``"lazy"`` (inside a function) or ``"module"``."""

    def walk(node: ast.AST, kind: str) -> Iterator[tuple[Import, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for body in child.body:
                    yield from walk_one(body, "typing")
                for other in child.orelse:
                    yield from walk_one(other, kind)
                continue
            yield from walk_one(child, kind)

    def walk_one(child: ast.AST, kind: str) -> Iterator[tuple[Import, str]]:
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, kind
        function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield from walk(child, "lazy" if function and kind == "module" else kind)

    yield from walk(tree, "module")


def _targets(node: ast.Import | ast.ImportFrom, here: list[str]) -> Iterator[list[str]]:
    """Dotted paths (as parts) that an import names, resolved against ``here``."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name.split(".")
        return
    if node.level:
        base = here[: len(here) - node.level + 1]
        stem = base + (node.module.split(".") if node.module else [])
    else:
        stem = (node.module or "").split(".")
    for alias in node.names:
        yield [*stem, alias.name]


def _node_of(parts: list[str], subpackages: set[str], modules: set[str]) -> str | None:
    """The node a path inside the package belongs to (None: not one of ours)."""
    if not parts or parts[0] != PACKAGE:
        return None
    inner = parts[1:]
    if inner and inner[0] in subpackages:
        return inner[0] + "/"
    if inner and inner[0] in modules:
        return inner[0]
    return "__init__"


def scan(package_dir: str) -> dict[str, Module]:
    """Read every module of the package; one entry per node."""
    names = sorted(os.listdir(package_dir))
    subpackages = {n for n in names if os.path.isfile(os.path.join(package_dir, n, "__init__.py"))}
    # A stub-only module (``.pyi``) is a name of ours, but no box: nothing runs it.
    modules = {n.rsplit(".", 1)[0] for n in names if n.endswith((".py", ".pyi"))}
    graph: dict[str, Module] = {}
    for directory, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("__"))
        for filename in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(directory, filename)
            rel = os.path.relpath(path, os.path.dirname(package_dir))[:-3].split(os.sep)
            here = rel[:-1] if rel[-1] == "__init__" else rel
            me = _node_of(rel, subpackages, modules) or "__init__"
            info = graph.setdefault(me, Module())
            info.files += 1
            with open(path, encoding="utf-8") as source:
                tree = ast.parse(source.read(), path)
            for node, kind in _imports(tree):
                for parts in _targets(node, here if filename == "__init__.py" else here[:-1]):
                    _record(info, me, parts, kind, subpackages, modules)
    for info in graph.values():
        info.modules &= set(graph)
        info.lazy &= set(graph) - info.modules
        info.typing &= set(graph) - info.modules - info.lazy
    return graph


def _record(
    info: Module, me: str, parts: list[str], kind: str, subpackages: set[str], modules: set[str]
) -> None:
    if parts[0] in SDK:
        info.sdk = info.sdk or kind != "typing"
        if parts[0] == "botocore" and any(p.startswith("_") for p in parts[1:]):
            info.private.append(".".join(parts))
        return
    target = _node_of(parts, subpackages, modules)
    if target is None or target == me:
        return
    {"module": info.modules, "lazy": info.lazy, "typing": info.typing}[kind].add(target)


def _imported(info: Module) -> set[str]:
    """Every node ``info`` imports, whatever the kind of import."""
    return info.modules | info.lazy | info.typing


def circles(graph: dict[str, Module]) -> set[tuple[str, str]]:
    """Imports that close an import circle (back edges of a depth-first walk)."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str) -> None:
        state[name] = 1
        for dep in sorted(_imported(graph[name])):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                back.add((name, dep))
            elif dep not in state:
                visit(dep)
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return back


def layers(graph: dict[str, Module], back: set[tuple[str, str]]) -> dict[str, int]:
    """Row of each node: 0 for leaves, else one above its highest import."""
    row: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in row:
            deps = [d for d in _imported(graph[name]) if (name, d) not in back]
            row[name] = 1 + max((depth(d) for d in deps if d in graph), default=-1)
        return row[name]

    for name in sorted(graph):
        depth(name)
    return row


def order(graph: dict[str, Module], row: dict[str, int]) -> list[list[str]]:
    """Nodes per row, top row first, ordered to shorten the arrows (barycentres)."""
    rows = [sorted(n for n in graph if row[n] == r) for r in range(max(row.values()), -1, -1)]
    edges = [(a, b) for a in graph for b in _imported(graph[a]) if b in graph]
    for _ in range(8):
        position = {n: i / max(len(r) - 1, 1) for r in rows for i, n in enumerate(r)}
        centre = {}
        for n in position:
            near = [position[b] for a, b in edges if a == n]
            near += [position[a] for a, b in edges if b == n]
            centre[n] = round(sum(near) / len(near), 6) if near else position[n]
        for r in rows:
            r.sort(key=lambda n: (centre[n], n))
    return rows


def _label(name: str, graph: dict[str, Module]) -> str:
    if name.endswith("/"):
        return f"{name} ({graph[name].files} modules)"
    return name


def _kind(name: str, graph: dict[str, Module], seam: str | None) -> str:
    if name == seam:
        return "seam"
    return "sdk" if graph[name].sdk else "plain"


def layout(
    rows: list[list[str]], graph: dict[str, Module]
) -> tuple[dict[str, tuple[float, float, float]], float]:
    """(x, y, width) of every box, and the canvas width."""
    widths = {n: CHAR_W * len(_label(n, graph)) + 22 for r in rows for n in r}
    width = max(sum(widths[n] for n in r) + GAP * (len(r) - 1) for r in rows) + 2 * MARGIN
    width = max(width, 760.0)
    boxes: dict[str, tuple[float, float, float]] = {}
    for i, r in enumerate(rows):
        used = sum(widths[n] for n in r)
        gap = min((width - 2 * MARGIN - used) / max(len(r), 1), 60.0)
        x = (width - used - gap * (len(r) - 1)) / 2
        for n in r:
            boxes[n] = (x, 70 + i * ROW_H, widths[n])
            x += widths[n] + gap
    neighbours: dict[str, list[str]] = {n: [] for r in rows for n in r}
    for a in neighbours:
        for b in _imported(graph[a]):
            if b in neighbours:
                neighbours[a].append(b)
                neighbours[b].append(a)
    for _ in range(10):
        for r in rows:
            _pull(r, boxes, neighbours, width)
    left = min(x for x, _, _ in boxes.values())
    right = max(x + w for x, _, w in boxes.values())
    shift = (width - right - left) / 2
    return {n: (x + shift, y, w) for n, (x, y, w) in boxes.items()}, width


def _pull(
    row: list[str],
    boxes: dict[str, tuple[float, float, float]],
    neighbours: dict[str, list[str]],
    width: float,
) -> None:
    """Move a row's boxes towards the centre of what they connect to, keeping order and gaps."""
    wanted = []
    for n in row:
        x, _, w = boxes[n]
        near = [boxes[m][0] + boxes[m][2] / 2 for m in neighbours[n]]
        centre = (x + w / 2 + sum(near) / len(near)) / 2 if near else x + w / 2
        wanted.append(centre - w / 2)
    placed: list[float] = []
    for x in wanted:
        low = placed[-1] + boxes[row[len(placed) - 1]][2] + GAP if placed else MARGIN
        placed.append(max(x, low))
    limit = width - MARGIN
    for i in range(len(row) - 1, -1, -1):
        w = boxes[row[i]][2]
        placed[i] = min(placed[i], limit - w)
        limit = placed[i] - GAP
    for n, x in zip(row, placed):
        boxes[n] = (x, boxes[n][1], boxes[n][2])


Box = tuple[float, float, float]


def _ports(pairs: list[tuple[str, str]], boxes: dict[str, Box]) -> dict[tuple[str, str], float]:
    """x where each edge leaves its box's bottom, spread in the order of the far ends."""
    out: dict[tuple[str, str], float] = {}
    by_source: dict[str, list[str]] = {}
    for a, b in pairs:
        by_source.setdefault(a, []).append(b)
    for a, targets in by_source.items():
        x, _, w = boxes[a]
        targets.sort(key=lambda b: (boxes[b][0] + boxes[b][2] / 2, b))
        for i, b in enumerate(targets):
            out[(a, b)] = x + w * (i + 1) / (len(targets) + 1)
    return out


def _edge(x1: float, a: Box, x2: float, b: Box, style: str) -> str:
    if b[1] > a[1]:  # downwards: bottom of the importer to the top of the imported
        y1, y2 = a[1] + BOX_H, b[1] - 2
        bend = max((y2 - y1) * 0.45, 20)
    else:  # upwards (an import circle): top to bottom
        y1, y2 = a[1], b[1] + BOX_H + 2
        bend = min((y2 - y1) * 0.45, -20)
    return (
        f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} '
        f'{x2:.1f},{y2:.1f}" {style}/>'
    )


def _box(name: str, label: str, box: tuple[float, float, float], kind: str) -> str:
    fill, stroke = COLORS[kind]
    x, y, w = box
    bold = ' font-weight="bold"' if kind == "seam" else ""
    width = 2.2 if kind == "seam" else 1.2
    return (
        f'<g id="{escape(name)}"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{BOX_H}" '
        f'rx="5" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
        f'<text x="{x + w / 2:.1f}" y="{y + 18.5:.1f}" text-anchor="middle"{bold}>'
        f"{escape(label)}</text></g>"
    )


def render(graph: dict[str, Module], version: str) -> str:
    """The whole SVG document."""
    seam = next((s + "/" for s in SEAMS if s + "/" in graph), None) or next(
        (s for s in SEAMS if s in graph), None
    )
    back = circles(graph)
    rows = order(graph, layers(graph, back))
    boxes, width = layout(rows, graph)
    bottom = 70 + len(rows) * ROW_H + 16
    ext_w = CHAR_W * len(INTERNALS) + 40
    centre = boxes[seam][0] + boxes[seam][2] / 2 if seam else width / 2
    external = (min(max(centre - ext_w / 2, MARGIN), width - MARGIN - ext_w), bottom, ext_w)
    height = bottom + BOX_H + 96 + (18 if back else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Helvetica, Arial, '
        'sans-serif" font-size="12">',
        f"<title>Modules of {PACKAGE} {escape(version)} and the one door to botocore "
        "internals (drawn from the source by docs/_scripts/architecture.py)</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="context-stroke"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="28" font-size="15" font-weight="bold">Modules of {PACKAGE}'
        " and who imports whom</text>",
        f'<text x="{MARGIN}" y="48" fill="#333333">arrows point from a module to what it '
        "imports; dashed: imported inside a function; dotted: for type checkers only; "
        "leaves at the bottom</text>",
    ]
    edges = _edges(graph, boxes, seam, external, back)
    on_top = [e for e in edges if 'stroke="#c55a11"' in e or 'stroke="#d00000"' in e]
    parts += [e for e in edges if e not in on_top]
    parts += [_box(n, _label(n, graph), boxes[n], _kind(n, graph, seam)) for r in rows for n in r]
    parts.append(_box("internals", INTERNALS, external, "external"))
    parts += on_top  # the door and anything wrong stay visible over the boxes
    parts += _legend(height, version, bool(back))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _edges(
    graph: dict[str, Module],
    boxes: dict[str, tuple[float, float, float]],
    seam: str | None,
    external: tuple[float, float, float],
    back: set[tuple[str, str]],
) -> list[str]:
    plain = (
        'fill="none" stroke="#8a929c" stroke-opacity="0.55" stroke-width="1" '
        'marker-end="url(#arrow)"'
    )
    lazy = plain + ' stroke-dasharray="4 3"'
    typing = plain + ' stroke-dasharray="1.5 2.5"'
    door = 'fill="none" stroke="#c55a11" stroke-width="2.6" marker-end="url(#arrow)"'
    wrong = 'fill="none" stroke="#d00000" stroke-width="2.2" marker-end="url(#arrow)"'
    circle = 'fill="none" stroke="#d00000" stroke-width="1.6" marker-end="url(#arrow)"'
    edges = [(a, b, plain) for a in sorted(graph) for b in sorted(graph[a].modules)]
    edges += [(a, b, lazy) for a in sorted(graph) for b in sorted(graph[a].lazy)]
    edges += [(a, b, typing) for a in sorted(graph) for b in sorted(graph[a].typing)]
    edges = [(a, b, circle if (a, b) in back else style) for a, b, style in edges]
    boxes = {**boxes, INTERNALS: external}
    if seam is not None:
        edges.append((seam, INTERNALS, door))
    edges += [(a, INTERNALS, wrong) for a in sorted(graph) if graph[a].private and a != seam]
    leave = _ports([(a, b) for a, b, _ in edges], boxes)
    enter = _ports([(b, a) for a, b, _ in edges], boxes)
    return [_edge(leave[(a, b)], boxes[a], enter[(b, a)], boxes[b], style) for a, b, style in edges]


def _legend(height: float, version: str, circles: bool) -> list[str]:
    y = height - (70 if circles else 52)
    items = [
        ("sdk", "imports boto3 / botocore (public API)"),
        ("seam", "the botocore seam: the only module that reaches botocore internals"),
    ]
    if circles:
        items.append(("circle", "red arrow: closes an import circle"))
    out = []
    x = float(MARGIN)
    for i, (kind, text) in enumerate(items):
        fill, stroke = COLORS[kind]
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="22" height="14" rx="3" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{x + 28:.1f}" y="{y + 11.5:.1f}">{escape(text)}</text>'
        )
        x += 40 + CHAR_W * len(text)
        if i == 1:
            x, y = float(MARGIN), y + 20
    out.append(
        f'<text x="{MARGIN}" y="{height - 16:.0f}" font-size="10.5" fill="#7a7a7a">'
        f"{PACKAGE} {escape(version)}, drawn from its source by docs/_scripts/architecture.py"
        " (ast: no import, no network)</text>"
    )
    return out


def _version(package_dir: str) -> str:
    with open(os.path.join(package_dir, "_version.py"), encoding="utf-8") as source:
        for node in ast.walk(ast.parse(source.read())):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and any(getattr(t, "id", "") == "__version__" for t in node.targets)
            ):
                return str(node.value.value)
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="SVG file to write")
    args = parser.parse_args()
    package_dir = os.path.join(ROOT, PACKAGE)
    graph = scan(package_dir)
    for name in sorted(graph):
        if graph[name].private:
            print(f"{name} imports botocore internals: {', '.join(graph[name].private)}")
    for a, b in sorted(circles(graph)):
        print(f"import circle: {a} imports {b}, which (indirectly) imports {a}")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(render(graph, _version(package_dir)))
    print(f"wrote {os.path.relpath(args.out)} ({len(graph)} boxes)")


if __name__ == "__main__":
    main()
