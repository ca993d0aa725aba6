"""Names vulture (``--min-confidence 80``) reports as unused that a framework passes by name.

Vulture reads this file with the code (``[tool.vulture] paths``); mentioning a name here marks it
used. Every entry says who uses it. Not imported by anything.
"""

cls  # pydantic: @field_validator/@model_validator are classmethods; checks that read only the value ignore the class
input_features  # scikit-learn: get_feature_names_out(input_features=None) is the API Pipeline/ColumnTransformer call
fit_params  # scikit-learn: fit_transform(X, y=None, **fit_params) is the API Pipeline calls with its own keywords
