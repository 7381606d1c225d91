"""Finishing WeasyPrint's tagged PDF so that its tables are right for assistive technology.

WeasyPrint (70) builds the structure tree page by page, so:

- a table split across pages becomes one /Table per page, the continuation without its
  /Caption, and the header row repeated on the continuation page is tagged as more header
  cells. Here each continuation's rows are moved into the first part's /TBody (one /Table per
  HTML table, with its caption), its cells' /Headers are pointed at the first part's header
  cells, and the repeated header row is marked as a pagination artifact (it is printed again
  for the eye, not read again);
- header cells get no /Scope (PDF/UA, Matterhorn 15-003): every /TH is given
  /A << /O /Table /Scope /Column >> in the header row group (THead) and /Scope /Row in the
  body (a row header).

It runs as WeasyPrint's ``finisher`` on the PDF objects in memory, before they are written, so
it costs next to nothing and nothing is parsed again.
"""

from __future__ import annotations

from collections import defaultdict

import pydyf


class _Tree:
    def __init__(self, pdf):
        self.pdf = pdf

    def get(self, ref):
        return self.pdf.objects[int(ref.split()[0])]

    def kids(self, element) -> list:
        kids = element.get("K")
        if kids is None:
            return []
        return list(kids) if isinstance(kids, list) else [kids]

    def child_elements(self, element, tag: str | None = None) -> list:
        out = []
        for kid in self.kids(element):
            if isinstance(kid, int):
                continue
            node = self.get(kid)
            if node.get("Type") == "/StructElem" and (tag is None or node.get("S") == tag):
                out.append(node)
        return out

    def up_to(self, element, tag: str):
        node = element
        while node is not None and node.get("S") != tag:
            parent = node.get("P")
            node = self.get(parent) if parent else None
            if node is not None and node.get("Type") != "/StructElem":
                return None
        return node

    def mcids(self, element) -> list[tuple[bytes, int]]:
        """(page reference, MCID) of every marked content under an element."""
        out = []
        for kid in self.kids(element):
            if isinstance(kid, int):
                out.append((element["Pg"], kid))
            else:
                node = self.get(kid)
                if node.get("Type") == "/StructElem":
                    out.extend(self.mcids(node))
        return out

    def detach(self, element) -> None:
        """Take an element out of its parent's kids; an emptied grouping parent goes too."""
        parent = self.get(element["P"])
        parent["K"] = pydyf.Array([k for k in self.kids(parent) if k != element.reference])
        if not parent["K"] and parent.get("S") in ("/Sect", "/Part", "/Div", "/NonStruct"):
            self.detach(parent)

    def header_cells(self, head) -> list:
        return [th for tr in self.child_elements(head, "/TR") for th in self.child_elements(tr)]


def _text(string) -> str:
    return str(getattr(string, "string", string))


def _table_parts(document, tree) -> list[list]:
    """For each HTML table, its /Table elements in page order.

    WeasyPrint makes one /Table per table-wrapper box (a table's part on one page, caption
    included), walking the boxes in document order: so the wrapper boxes and the /Table
    elements, both taken in document order, pair up one to one. Each pair is checked against
    the cells' own structure elements; if anything does not match, nothing is merged."""
    from weasyprint.formatting_structure import boxes

    wrappers = []
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if getattr(box, "is_table_wrapper", False):
                wrappers.append(box)
            if isinstance(box, boxes.ParentBox):
                stack.extend(reversed(box.children))
    tables = []
    stack = [tree.get(tree.get(tree.pdf.catalog["StructTreeRoot"])["K"][0])]
    while stack:
        element = stack.pop()
        if element.get("S") == "/Table":
            tables.append(element)
        stack.extend(reversed(tree.child_elements(element)))
    if len(wrappers) != len(tables):
        return []
    parts = defaultdict(list)
    for wrapper, table in zip(wrappers, tables, strict=True):
        cell = _first_cell(wrapper.get_wrapped_table())
        if cell is not None and tree.up_to(cell.mark, "/Table") is not table:
            return []
        parts[wrapper.element].append(table)
    return list(parts.values())


def _first_cell(table_box):
    for group in getattr(table_box, "children", ()):
        for row in getattr(group, "children", ()):
            for cell in getattr(row, "children", ()):
                if getattr(cell, "mark", None) is not None:
                    return cell
    return None


def _move(element, new_parent) -> None:
    element["P"] = new_parent.reference
    new_parent["K"].append(element.reference)


def _merge(tree, parts, artifacts) -> None:
    """Move the later parts' rows into the first part; repeated header rows become artifacts."""
    first = parts[0]
    heads = tree.child_elements(first, "/THead")
    bodies = tree.child_elements(first, "/TBody")
    head = heads[0] if heads else None
    body = bodies[-1] if bodies else None
    for part in parts[1:]:
        ids = {}
        for kid in tree.child_elements(part):
            tag = kid.get("S")
            if tag == "/THead" and head is None:
                _move(kid, first)  # the caption was alone on the page before
                head = kid
            elif tag == "/THead":
                # The header row printed again at the top of the page: an artifact.
                for repeat, original in zip(
                    tree.header_cells(kid), tree.header_cells(head), strict=False
                ):
                    if "ID" in repeat and "ID" in original:
                        ids[_text(repeat["ID"])] = original["ID"]
                artifacts.extend(tree.mcids(kid))
            elif tag in ("/TBody", "/TFoot"):
                rows = tree.child_elements(kid, "/TR")
                if body is None:
                    _move(kid, first)
                    body = kid
                else:
                    for row in rows:
                        _move(row, body)
                for row in rows:
                    for cell in tree.child_elements(row):
                        attributes = cell.get("A")
                        if attributes is not None and "Headers" in attributes:
                            attributes["Headers"] = pydyf.Array(
                                ids.get(_text(h), h) for h in attributes["Headers"]
                            )
            else:
                _move(kid, first)
        tree.detach(part)


def _mark_artifacts(pdf, tree, artifacts) -> None:
    """Turn these marked-content sequences into pagination artifacts and unmap their MCIDs."""
    if not artifacts:
        return
    pages = {ref: i for i, ref in enumerate(pdf.page_references)}
    by_page = defaultdict(set)
    for page_ref, mcid in artifacts:
        by_page[pages[page_ref]].add(mcid)
    parent_tree = tree.get(tree.get(pdf.catalog["StructTreeRoot"])["ParentTree"])
    nums = parent_tree["Nums"]
    for index, mcids in by_page.items():
        stream = tree.get(tree.get(pdf.page_references[index])["Contents"])
        ops = stream.stream
        for i, op in enumerate(ops):
            if isinstance(op, dict) and op.get("MCID") in mcids:
                ops[i - 1] = "/Artifact"
                ops[i] = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Header"})
        mapping = nums[2 * index + 1]
        for mcid in mcids:
            mapping[mcid] = "null"


def _scope_header_cells(pdf, tree) -> None:
    for element in pdf.objects:
        if not isinstance(element, dict) or element.get("S") != "/TH":
            continue
        row = tree.get(element["P"])
        group = tree.get(row["P"]) if row.get("S") == "/TR" else None
        if group is None:
            continue
        if group.get("S") == "/THead":
            scope = "/Column"
        elif group.get("S") in ("/TBody", "/TFoot"):
            scope = "/Row"
        else:  # a row straight under /Table: a header row if it holds only header cells
            cells = tree.child_elements(row)
            scope = "/Column" if all(c.get("S") == "/TH" for c in cells) else "/Row"
        attributes = pydyf.Dictionary(element.get("A") or {})
        attributes["O"] = "/Table"
        attributes["Scope"] = scope
        element["A"] = attributes


def finish(document, pdf) -> None:
    """WeasyPrint ``finisher``: one /Table per HTML table, and /Scope on every header cell."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    tree = _Tree(pdf)
    artifacts: list[tuple[bytes, int]] = []
    for parts in _table_parts(document, tree):
        if len(parts) > 1:
            _merge(tree, parts, artifacts)
    _mark_artifacts(pdf, tree, artifacts)
    _scope_header_cells(pdf, tree)
