"""``yunmao dens``: the call graph's communities ranked as fraud dens for an analyst.

:mod:`.ranking` scores Leiden communities by their evidence (known fraud under a Beta prior,
members' model scores, shared devices), :mod:`.devices` reads that device evidence from CDRs,
:mod:`.identity` keeps den ids stable across rebuilds, :mod:`.page` writes the analyst's
HTML page, :mod:`.build` ties them together for :mod:`.cli`.
"""
