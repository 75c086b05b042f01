"""Leave gated solutions out of the student build, with everything between their markers.

The chapters write a solution that holds code with sphinx-exercise's *gated* directives::

    :::{solution-start} ch01-ex-dlfs
    :class: dropdown
    :::
    (text, and code cells with their outputs)
    :::{solution-end}
    :::

With ``hide_solutions = True`` (the student build, ``make book-student``) sphinx-exercise
drops the ``solution-start`` directive but keeps everything after it: the text and the code
cells of the solution would reach the student pages, and the ``solution-end`` marker it leaves
behind has no HTML writer, so the build fails (executablebooks/sphinx-exercise#89).

This extension keeps a marker where ``solution-start`` was and, before sphinx-exercise
merges gated solutions, removes every node from that marker up to and including the
matching ``solution-end``: the solution's paragraphs, code cells and outputs. A start with no
end among the nodes that follow it is reported as a warning, which fails ``make book-student``
(it builds with ``-W``). With ``hide_solutions = False`` it changes nothing.
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node

logger = logging.getLogger(__name__)


class hidden_solution_start(nodes.Element):
    """Where a gated solution starts, in a build that hides solutions."""


class HiddenSolutionStartDirective(SolutionStartDirective):
    """``solution-start`` that leaves a marker when solutions are hidden."""

    def run(self):
        result = super().run()
        if not self.env.app.config.hide_solutions:
            return result
        marker = hidden_solution_start()
        marker["exercise"] = self.arguments[0]
        self.set_source_info(marker)
        return [marker]


def siblings_until_end(marker):
    """The marker and the nodes after it up to its ``solution-end``, or None without one."""
    parent = marker.parent
    start = parent.index(marker)
    for position in range(start + 1, len(parent.children)):
        child = parent.children[position]
        if isinstance(child, hidden_solution_start):
            return None  # another solution starts before this one ends
        if isinstance(child, solution_end_node):
            return parent.children[start : position + 1]
    return None


class DropGatedSolutions(SphinxTransform):
    """Remove each hidden gated solution, from its start marker to its end marker."""

    # After sphinx-exercise checks the gated structure (1), before it merges it (10).
    default_priority = 5

    def apply(self):
        if not self.config.hide_solutions:
            return
        for marker in list(self.document.findall(hidden_solution_start)):
            if marker.parent is None:
                continue
            doomed = siblings_until_end(marker)
            if doomed is None:
                logger.warning(
                    "solution-start %s has no solution-end after it at the same level, "
                    "so its solution cannot be left out of the page",
                    marker["exercise"],
                    location=marker,
                )
                doomed = [marker]
            for node in doomed:
                node.parent.remove(node)
        for stray in list(self.document.findall(solution_end_node)):
            logger.warning("solution-end without a solution-start", location=stray)
            stray.parent.remove(stray)


def setup(app):
    """Sphinx entry point; load after sphinx_exercise."""
    app.setup_extension("sphinx_exercise")
    app.add_node(hidden_solution_start)
    app.add_directive("solution-start", HiddenSolutionStartDirective, override=True)
    app.add_transform(DropGatedSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
