"""ebooklib's EPUB writer, made reproducible: fixed zip dates, ``xml:lang`` on the package,
the landmarks hidden from the reading flow, and our own page-list."""
from __future__ import annotations

import zipfile

from ebooklib import epub
from lxml import etree

from ..render.pagebreaks import page_list_nav

XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class FixedZip(zipfile.ZipFile):
    """A zip file whose members all carry one fixed date, in the order written."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_ZIP_DATE)
            info.compress_type = compress_type if compress_type is not None else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type, compresslevel=compresslevel)


class Writer(epub.EpubWriter):
    """ebooklib's writer with ``xml:lang`` on the package, fixed zip dates and our
    own page-list (ebooklib's ``epub3_pages`` stays off: it would list every element
    with an ``epub:type`` and an id, note references included)."""

    page_list: list = []           # (href, label) of the print pages, in order
    page_list_title: str = "Page list"

    def _get_nav(self, item):
        """ebooklib's nav, with the landmarks hidden from the reading flow and our page-list."""
        data = super()._get_nav(item)
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
        for nav in tree.iter("{%s}nav" % XHTML_NS, "nav"):
            if nav.get("{http://www.idpf.org/2007/ops}type") == "landmarks":
                nav.set("hidden", "")
        body = tree.find(f"{{{XHTML_NS}}}body")
        if body is None:
            body = tree.find("body")
        if body is not None and self.page_list:
            nav = etree.fromstring(page_list_nav(self.page_list, self.page_list_title))
            if not str(body.tag).startswith("{"):            # ebooklib's tree without a namespace
                for node in nav.iter():
                    node.tag = etree.QName(node).localname
            body.append(nav)
            etree.cleanup_namespaces(tree)
        return etree.tostring(tree, pretty_print=True, encoding="utf-8", xml_declaration=True)

    def _write_opf_file(self, root):
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def write(self):
        self.out = FixedZip(self.file_name, "w", zipfile.ZIP_DEFLATED, compresslevel=9)
        self.out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()
