"""Text analytics: language identification, normalisation, sentiment.

* :mod:`ripplemeter.text.lang` - :func:`detect_languages` (en, zh, ko, ja or und);
* :mod:`ripplemeter.text.normalize` - the normalisation every text model shares;
* :mod:`ripplemeter.text.features` - hashed n-gram features (numba);
* :mod:`ripplemeter.text.sentiment` - :class:`SentimentModel` with committed weights in
  ``models/`` and a model card beside each.

Heavy imports (numba kernels, lingua) happen on first use, not on ``import ripplemeter.text``.
"""
