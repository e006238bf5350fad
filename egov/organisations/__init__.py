"""The organisation tree: central bodies, the province, departments, districts, communes, divisions
and one-stop units, with identifier codes, effective dates and mergers."""
