"""``nntricks playground``: every trick of the notes, live in the browser.

A local web server (Starlette and uvicorn, ``pip install "nntricks[playground]"``) trains
nntricks' own networks on 2-D data sets while the page draws the loss, the decision boundary,
every neuron and the weights. :mod:`~nntricks.playground.data` makes the data sets,
:mod:`~nntricks.playground.config` checks a page's settings, :mod:`~nntricks.playground.run`
trains one page's network on a thread of its own and :mod:`~nntricks.playground.server` serves
the page and the API.
"""
