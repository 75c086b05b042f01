"""The ``{chapter}`` role: a link to a chapter once it is in the book, its number until then.

``{chapter}`06_batch_norm``` names a chapter by its file in ``book/`` (the names are fixed in
the design, so that chapters slot in as they are written). While ``_toc.yml`` lists the
chapter, the role is a link to it showing the chapter's number, ``6``; before, it shows the
number as plain text, so that a page can refer to chapters still being written and the book
builds without warnings (``only_build_toc_files`` leaves such files out of the build, and a
link to one would be a broken reference). Pages that use the role are read again at every
build, so that their links appear as soon as a chapter joins the table of contents.

``book/appendix_glossary.md`` uses it for the chapter that defines each term.
"""

import posixpath
import re

from docutils import nodes
from sphinx import addnodes

NUMBERED = re.compile(r"^(?P<number>\d+)_[\w-]+$")


def chapter_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{chapter}`NN_name``` -> a link to ``NN_name`` showing ``NN``, or ``NN`` alone."""
    env = inliner.document.settings.env
    target = text.strip()
    found = NUMBERED.match(target)
    if not found:
        message = inliner.reporter.error(
            f"{{chapter}} expects a chapter file name such as 06_batch_norm, not {target!r}",
            line=lineno,
        )
        problem = inliner.problematic(rawtext, rawtext, message)
        return [problem], [message]
    label = str(int(found["number"]))
    docname = posixpath.normpath(posixpath.join(posixpath.dirname(env.docname), target))
    env.chapter_links_pages = getattr(env, "chapter_links_pages", set()) | {env.docname}
    if docname not in env.found_docs:
        return [nodes.inline(rawtext, label, classes=["chapter-to-come"])], []
    reference = addnodes.pending_xref(
        rawtext,
        refdomain="std",
        reftype="doc",
        reftarget="/" + docname,
        refexplicit=True,
        refwarn=True,
        refdoc=env.docname,
    )
    reference += nodes.inline(rawtext, label, classes=["xref", "std", "std-doc"])
    return [reference], []


def purge(app, env, docname):
    getattr(env, "chapter_links_pages", set()).discard(docname)


def merge(app, env, docnames, other):
    env.chapter_links_pages = getattr(env, "chapter_links_pages", set()) | getattr(
        other, "chapter_links_pages", set()
    )


def read_again(app, env, added, changed, removed):
    """The pages that use the role, so that a chapter new in the TOC becomes a link."""
    return sorted(getattr(env, "chapter_links_pages", set()) & env.found_docs)


def setup(app):
    """Sphinx entry point."""
    app.add_role("chapter", chapter_role)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", read_again)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
