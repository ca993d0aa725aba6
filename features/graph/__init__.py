"""Graph features for the call model: who a number is linked to, not only how it behaves.

A fraud number rarely works alone: SIM farms and call centres share callees, devices and
victims. The links between numbers (``phone_no_m, linked_no_m``) plus the labels of *other*
numbers say how close a number sits to known fraud. :mod:`features.graph.links` validates the
links and builds the graph; :mod:`features.graph.features` turns graph + known labels into one
row of features per number, the same function for training (labels masked out of fold) and
scoring (labels of the training set).
"""
