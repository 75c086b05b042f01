"""What the tests of ``lib.interactive`` read from a drawn figure."""


def texts(fig, *, labels=True, legends=False, yticks=False):
    """Every piece of text drawn on ``fig``, one per line.

    The figure's own texts (suptitle, annotations), and for each axes its texts and title; with
    ``labels`` its axis labels, with ``legends`` its legend entries, with ``yticks`` its y tick
    labels.
    """
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts] + [ax.get_title()]
        if labels:
            found += [ax.get_xlabel(), ax.get_ylabel()]
        if legends and ax.get_legend() is not None:
            found += [t.get_text() for t in ax.get_legend().get_texts()]
        if yticks:
            found += [t.get_text() for t in ax.get_yticklabels()]
    return "\n".join(found)
