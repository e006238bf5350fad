"""The catalogue of administrative procedures (thủ tục hành chính): fields, procedures, components,
durations per channel, fees, results; Excel/JSON import and export."""
