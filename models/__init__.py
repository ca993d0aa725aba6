"""What a yunmao model is: featuriser + LightGBM + calibration + thresholds, as one MLflow pyfunc."""
